/* Unit tests of TCP DNS framing: several messages per segment, a message over
 * several segments, retransmissions, overlaps, mid-stream pickup, gaps and
 * zero-length frames. Messages are recorded by the callback and compared. */
#include "capture/tcp_dns_stream.h"
#include "unit.h"

struct seen {
    int count;
    size_t lengths[16];
    uint8_t first_bytes[16];
    bool proven[16];
};

static void record(void *user, const struct packet_view *view, const uint8_t *m, size_t length,
                   bool proven)
{
    (void)view;
    struct seen *seen = user;
    if (seen->count < 16) {
        seen->lengths[seen->count] = length;
        seen->first_bytes[seen->count] = length ? m[0] : 0;
        seen->proven[seen->count] = proven;
    }
    seen->count++;
}

static void segment(struct tcp_dns_streams *s, struct seen *seen, uint32_t seq, uint8_t flags,
                    const uint8_t *data, size_t length)
{
    struct packet_view v = { .protocol = IP_PROTOCOL_TCP, .src_port = 40000, .dst_port = 53,
                             .tcp_seq = seq, .tcp_flags = flags, .payload = data,
                             .payload_length = length };
    uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
    ip_address_set_v4(&v.src, a);
    ip_address_set_v4(&v.dst, b);
    tcp_dns_streams_segment(s, &v, 1.0, record, seen);
}

static void test_framing(void)
{
    struct tcp_dns_streams s;
    struct seen seen = { 0 };
    CHECK(tcp_dns_streams_init(&s));
    segment(&s, &seen, 999, TCP_FLAG_SYN, NULL, 0);
    /* two whole messages in one segment (3 and 2 bytes), then a third split 1+2+3 */
    static const uint8_t two[] = { 0, 3, 'A', 'a', 'a', 0, 2, 'B', 'b', 0 };
    segment(&s, &seen, 1000, TCP_FLAG_ACK, two, 9);
    CHECK(seen.count == 2 && seen.lengths[0] == 3 && seen.first_bytes[1] == 'B');
    static const uint8_t split[] = { 0, 4, 'C', 'c', 'c', 'c' };
    segment(&s, &seen, 1009, TCP_FLAG_ACK, split, 1);
    segment(&s, &seen, 1010, TCP_FLAG_ACK, split + 1, 2);
    CHECK(seen.count == 2);
    segment(&s, &seen, 1010, TCP_FLAG_ACK, split + 1, 2); /* retransmission */
    CHECK(s.counters.retransmissions == 1);
    segment(&s, &seen, 1011, TCP_FLAG_ACK, split + 2, 4); /* overlaps one byte */
    CHECK(seen.count == 3 && seen.lengths[2] == 4 && seen.first_bytes[2] == 'C');
    /* zero-length frame then a 1-byte message */
    static const uint8_t zero[] = { 0, 0, 0, 1, 'D' };
    segment(&s, &seen, 1015, TCP_FLAG_ACK | TCP_FLAG_FIN, zero, 5);
    CHECK(seen.count == 5 && seen.lengths[3] == 0 && seen.first_bytes[4] == 'D');
    tcp_dns_streams_free(&s);
}

static void test_mid_stream_and_gap(void)
{
    struct tcp_dns_streams s;
    struct seen seen = { 0 };
    CHECK(tcp_dns_streams_init(&s));
    static const uint8_t one[] = { 0, 2, 'E', 'e' };
    segment(&s, &seen, 500000, TCP_FLAG_ACK, one, 4); /* no handshake seen */
    CHECK(seen.count == 1);
    static const uint8_t half[] = { 0, 9, 'F' };
    segment(&s, &seen, 500004, TCP_FLAG_ACK, half, 3); /* message starts, rest lost */
    static const uint8_t after_gap[] = { 0, 1, 'G' };
    segment(&s, &seen, 600000, TCP_FLAG_ACK, after_gap, 3);
    CHECK(s.counters.gaps == 1);
    CHECK(seen.count == 2 && seen.first_bytes[1] == 'G');
    tcp_dns_streams_free(&s);
}

static void test_large_message_over_many_segments(void)
{
    struct tcp_dns_streams s;
    struct seen seen = { 0 };
    CHECK(tcp_dns_streams_init(&s));
    static uint8_t big[2 + 60000];
    big[0] = 60000 >> 8;
    big[1] = 60000 & 0xff;
    big[2] = 'H';
    for (size_t offset = 0; offset < sizeof big; offset += 1400) {
        size_t n = sizeof big - offset < 1400 ? sizeof big - offset : 1400;
        segment(&s, &seen, 7000 + (uint32_t)offset, TCP_FLAG_ACK, big + offset, n);
    }
    CHECK(seen.count == 1 && seen.lengths[0] == 60000 && seen.first_bytes[0] == 'H');
    tcp_dns_streams_free(&s);
    CHECK(s.buffered_bytes == 0);
}

/* One segment of a connection between 10.0.0.1:40000 (client) and
 * 10.0.0.2:53, in either direction. */
static void both_ways(struct tcp_dns_streams *s, struct seen *seen, bool from_client, uint32_t seq,
                      uint32_t ack, uint8_t flags, const uint8_t *data, size_t length)
{
    struct packet_view v = { .protocol = IP_PROTOCOL_TCP, .src_port = from_client ? 40000 : 53,
                             .dst_port = from_client ? 53 : 40000, .tcp_seq = seq, .tcp_ack = ack,
                             .tcp_flags = flags, .payload = data, .payload_length = length };
    uint8_t client[4] = { 10, 0, 0, 1 }, server[4] = { 10, 0, 0, 2 };
    ip_address_set_v4(&v.src, from_client ? client : server);
    ip_address_set_v4(&v.dst, from_client ? server : client);
    tcp_dns_streams_segment(s, &v, 1.0, record, seen);
}

/* A query proves its sender only after acknowledging the server's SYN. */
static void test_handshake_proof(void)
{
    static const uint8_t query[] = { 0, 3, 'Q', 'q', 'q' };
    struct tcp_dns_streams s;
    struct seen seen = { 0 };
    CHECK(tcp_dns_streams_init(&s));
    both_ways(&s, &seen, true, 999, 0, TCP_FLAG_SYN, NULL, 0);
    both_ways(&s, &seen, false, 5000, 1000, TCP_FLAG_SYN | TCP_FLAG_ACK, NULL, 0);
    both_ways(&s, &seen, true, 1000, 5001, TCP_FLAG_ACK, query, sizeof query);
    CHECK(seen.count == 1 && seen.proven[0]);
    tcp_dns_streams_free(&s);
    /* a blind spoofer: SYN, no SYN-ACK seen by it, a guessed acknowledgement */
    struct seen blind = { 0 };
    CHECK(tcp_dns_streams_init(&s));
    both_ways(&s, &blind, true, 999, 0, TCP_FLAG_SYN, NULL, 0);
    both_ways(&s, &blind, false, 5000, 1000, TCP_FLAG_SYN | TCP_FLAG_ACK, NULL, 0);
    both_ways(&s, &blind, true, 1000, 777777, TCP_FLAG_ACK, query, sizeof query);
    /* another guess later on the same connection proves nothing either */
    both_ways(&s, &blind, true, 1005, 5002, TCP_FLAG_ACK, query, sizeof query);
    CHECK(blind.count == 2 && !blind.proven[0] && !blind.proven[1]);
    tcp_dns_streams_free(&s);
    struct seen midway = { 0 };
    CHECK(tcp_dns_streams_init(&s));
    both_ways(&s, &midway, true, 1000, 5001, TCP_FLAG_ACK, query, sizeof query);
    CHECK(midway.count == 1 && !midway.proven[0]);
    tcp_dns_streams_free(&s);
}

int main(void)
{
    test_handshake_proof();
    test_framing();
    test_mid_stream_and_gap();
    test_large_message_over_many_segments();
    return unit_finish("unit-tcp-dns-stream");
}
