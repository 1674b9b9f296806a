/* Unit tests of link/IP/transport decoding: every supported link type,
 * VLAN stacks, IPv6 extension headers, fragments and snaplen-cut frames. */
#include <pcap/dlt.h>

#include "capture/packet_decoder.h"
#include "unit.h"

static struct packet_decoder_config config;

/* IPv4 UDP 10.0.0.1:1234 -> 10.0.0.2:53 with a 4-byte payload. */
static const uint8_t ipv4_udp[] = {
    0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x04, 0xd2, 0, 53, 0, 12, 0, 0, 'd', 'n', 's', '!',
};

static size_t with_prefix(uint8_t *out, const uint8_t *prefix, size_t prefix_length)
{
    if (prefix_length)
        memcpy(out, prefix, prefix_length);
    memcpy(out + prefix_length, ipv4_udp, sizeof ipv4_udp);
    return prefix_length + sizeof ipv4_udp;
}

static void check_udp_view(enum packet_status status, const struct packet_view *v)
{
    CHECK(status == PACKET_OK);
    CHECK(v->protocol == IP_PROTOCOL_UDP);
    CHECK(v->src.family == 4 && v->src.bytes[3] == 1 && v->dst.bytes[3] == 2);
    CHECK(v->src_port == 1234 && v->dst_port == 53);
    CHECK(v->payload_length == 4 && memcmp(v->payload, "dns!", 4) == 0);
}

static void test_link_types(void)
{
    uint8_t frame[128];
    struct packet_view v;
    static const uint8_t ethernet[14] = { [12] = 0x08, [13] = 0x00 };
    check_udp_view(packet_decode(&config, DLT_EN10MB, frame, with_prefix(frame, ethernet, 14), &v), &v);
    static const uint8_t qinq[22] = { [12] = 0x88, [13] = 0xa8, [16] = 0x81, [17] = 0x00,
                                      [20] = 0x08, [21] = 0x00 };
    check_udp_view(packet_decode(&config, DLT_EN10MB, frame, with_prefix(frame, qinq, 22), &v), &v);
    static const uint8_t sll[16] = { [14] = 0x08, [15] = 0x00 };
    check_udp_view(packet_decode(&config, DLT_LINUX_SLL, frame, with_prefix(frame, sll, 16), &v), &v);
    static const uint8_t sll2[20] = { [0] = 0x08, [1] = 0x00 };
    check_udp_view(packet_decode(&config, DLT_LINUX_SLL2, frame, with_prefix(frame, sll2, 20), &v), &v);
    check_udp_view(packet_decode(&config, DLT_RAW, frame, with_prefix(frame, NULL, 0), &v), &v);
    static const uint8_t null_le[4] = { 2, 0, 0, 0 };
    check_udp_view(packet_decode(&config, DLT_NULL, frame, with_prefix(frame, null_le, 4), &v), &v);
    static const uint8_t loop_be[4] = { 0, 0, 0, 2 };
    check_udp_view(packet_decode(&config, DLT_LOOP, frame, with_prefix(frame, loop_be, 4), &v), &v);
    static const uint8_t ppp[4] = { 0xff, 0x03, 0x00, 0x21 };
    check_udp_view(packet_decode(&config, DLT_PPP, frame, with_prefix(frame, ppp, 4), &v), &v);
    CHECK(packet_decode(&config, DLT_IEEE802_11, frame, 40, &v) == PACKET_UNSUPPORTED_LINK);
    static const uint8_t arp[14] = { [12] = 0x08, [13] = 0x06 };
    CHECK(packet_decode(&config, DLT_EN10MB, frame, with_prefix(frame, arp, 14), &v) == PACKET_NOT_IP);
}

static void test_ethernet_padding_is_ignored(void)
{
    uint8_t frame[128] = { [12] = 0x08, [13] = 0x00 };
    memcpy(frame + 14, ipv4_udp, sizeof ipv4_udp);
    struct packet_view v; /* 60-byte minimum frame: trailing zero padding */
    check_udp_view(packet_decode(&config, DLT_EN10MB, frame, 14 + sizeof ipv4_udp + 14, &v), &v);
}

static void test_truncation(void)
{
    uint8_t frame[128];
    struct packet_view v;
    size_t length = with_prefix(frame, NULL, 0);
    for (size_t cut = 0; cut < 28; cut++) /* inside the IP or UDP header */
        CHECK(packet_decode(&config, DLT_RAW, frame, cut, &v) == PACKET_TRUNCATED);
    for (size_t cut = 28; cut < length; cut++) { /* snaplen cut inside the payload */
        CHECK(packet_decode(&config, DLT_RAW, frame, cut, &v) == PACKET_OK);
        CHECK(v.snapped && v.payload_length == cut - 28);
    }
    CHECK(packet_decode(&config, DLT_RAW, frame, length, &v) == PACKET_OK && !v.snapped);
    frame[0] = 0x44; /* IHL 16 bytes: impossible */
    CHECK(packet_decode(&config, DLT_RAW, frame, length, &v) == PACKET_BAD_HEADER);
}

static void test_ipv6_extension_and_fragment(void)
{
    uint8_t frame[128] = { 0x60, 0, 0, 0, 0, 8 + 8 + 12, 0 /* hop-by-hop */, 64 };
    frame[8] = 0x20; frame[9] = 0x01; frame[23] = 1;   /* src 2001::1 */
    frame[24] = 0x20; frame[25] = 0x01; frame[39] = 2; /* dst 2001::2 */
    uint8_t *ext = frame + 40;
    ext[0] = 17; ext[1] = 0;                           /* hop-by-hop, 8 bytes, then UDP */
    uint8_t *udp = ext + 8;
    udp[0] = 0x30; udp[1] = 0x39; udp[3] = 53; udp[5] = 12;
    udp[8] = 'a';
    struct packet_view v;
    /* payload length counts 8 (ext) + 12 (udp): declare it exactly */
    frame[5] = 8 + 12;
    CHECK(packet_decode(&config, DLT_RAW, frame, 40 + 8 + 12, &v) == PACKET_OK);
    CHECK(v.src.family == 6 && v.src_port == 12345 && v.payload_length == 4);
    /* the same as a first fragment */
    ext[0] = 17;
    frame[6] = 44;
    ext[2] = 0; ext[3] = 1; /* offset 0, more fragments */
    ext[7] = 77;            /* id */
    CHECK(packet_decode(&config, DLT_RAW, frame, 40 + 8 + 12, &v) == PACKET_FRAGMENT);
    CHECK(v.fragment.more_fragments && v.fragment.offset == 0 && v.fragment.id == 77);
    CHECK(v.payload_length == 12 && v.protocol == 17);
}

static void test_tcp(void)
{
    uint8_t frame[64] = { 0x45, 0, 0, 44, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2 };
    uint8_t *tcp = frame + 20;
    tcp[1] = 53; tcp[3] = 99; tcp[7] = 5; tcp[12] = 5 << 4; tcp[13] = TCP_FLAG_ACK;
    memcpy(tcp + 20, "abcd", 4);
    struct packet_view v;
    CHECK(packet_decode(&config, DLT_RAW, frame, 44, &v) == PACKET_OK);
    CHECK(v.protocol == IP_PROTOCOL_TCP && v.tcp_seq == 5 && v.payload_length == 4);
    tcp[12] = 15 << 4; /* 60-byte header in a 24-byte segment */
    CHECK(packet_decode(&config, DLT_RAW, frame, 44, &v) == PACKET_TRUNCATED);
}

int main(void)
{
    packet_decoder_config_defaults(&config);
    test_link_types();
    test_ethernet_padding_is_ignored();
    test_truncation();
    test_ipv6_extension_and_fragment();
    test_tcp();
    return unit_finish("unit-packet-decoder");
}
