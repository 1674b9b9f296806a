/* tcp_dns_stream: per-direction TCP reassembly for DNS-over-TCP framing.
 * A set-associative table (hash picks a set, least recently used way is
 * replaced). Complete messages inside one segment are handed on without a
 * copy; only a message split across segments is buffered. */
#include "capture/tcp_dns_stream.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

enum { DNS_TCP_FRAME_MAX = 2 + 65535 };

struct tcp_dns_stream {
    bool in_use;
    bool have_seq;
    bool syn_seen;              /* this direction's SYN: isn is its sequence number */
    bool proven;                /* this sender acknowledged the other direction's SYN */
    uint32_t isn;
    struct ip_address src, dst;
    uint16_t src_port, dst_port;
    uint64_t tunnel_key;        /* the encapsulation's flow key */
    uint32_t next_seq;
    double last_seen;
    uint8_t *buffer;            /* partial frame: length prefix + message bytes */
    size_t used, capacity;
};

bool tcp_dns_streams_init(struct tcp_dns_streams *streams)
{
    memset(streams, 0, sizeof *streams);
    streams->table = calloc((size_t)TCP_DNS_STREAM_SETS * TCP_DNS_STREAM_WAYS,
                            sizeof *streams->table);
    return streams->table != NULL;
}

static void stream_release(struct tcp_dns_streams *streams, struct tcp_dns_stream *s)
{
    streams->buffered_bytes -= s->capacity;
    free(s->buffer);
    memset(s, 0, sizeof *s);
}

void tcp_dns_streams_free(struct tcp_dns_streams *streams)
{
    if (!streams->table)
        return;
    for (size_t i = 0; i < (size_t)TCP_DNS_STREAM_SETS * TCP_DNS_STREAM_WAYS; i++)
        if (streams->table[i].in_use)
            stream_release(streams, &streams->table[i]);
    free(streams->table);
    streams->table = NULL;
}

static bool stream_matches(const struct tcp_dns_stream *s, const struct packet_view *view)
{
    return s->in_use && s->src_port == view->src_port && s->dst_port == view->dst_port &&
           s->tunnel_key == view->encap.flow_key && ip_address_equal(&s->src, &view->src) && ip_address_equal(&s->dst, &view->dst);
}

static struct tcp_dns_stream *set_of(struct tcp_dns_streams *streams, const struct ip_address *src,
                                     uint16_t src_port, const struct ip_address *dst, uint16_t dst_port,
                                     uint64_t tunnel_key)
{
    uint64_t h = hash_bytes(src->bytes, 16, src_port ^ tunnel_key);
    h = hash_bytes(dst->bytes, 16, h ^ ((uint64_t)dst_port << 16));
    return &streams->table[(h % TCP_DNS_STREAM_SETS) * TCP_DNS_STREAM_WAYS];
}

/* The other direction of view's connection, if it is kept. */
static const struct tcp_dns_stream *reverse_of(struct tcp_dns_streams *streams,
                                               const struct packet_view *view)
{
    const struct tcp_dns_stream *set = set_of(streams, &view->dst, view->dst_port, &view->src,
                                              view->src_port, view->encap.flow_key);
    for (int way = 0; way < TCP_DNS_STREAM_WAYS; way++) {
        const struct tcp_dns_stream *s = &set[way];
        if (s->in_use && s->src_port == view->dst_port && s->dst_port == view->src_port &&
            s->tunnel_key == view->encap.flow_key && ip_address_equal(&s->src, &view->dst) &&
            ip_address_equal(&s->dst, &view->src))
            return s;
    }
    return NULL;
}

/* An ACK from this sender of the other side's SYN, and of no byte beyond
 * what the other side sent: a blind spoofer cannot guess the number. */
static bool acknowledges_handshake(struct tcp_dns_streams *streams, const struct packet_view *view)
{
    const struct tcp_dns_stream *other = reverse_of(streams, view);
    if (!other || !other->syn_seen || !(view->tcp_flags & TCP_FLAG_ACK))
        return false;
    uint32_t acknowledged = view->tcp_ack - (other->isn + 1), sent = other->next_seq - (other->isn + 1);
    return acknowledged <= sent;
}

static struct tcp_dns_stream *stream_find(struct tcp_dns_streams *streams,
                                          const struct packet_view *view, double now)
{
    struct tcp_dns_stream *set = set_of(streams, &view->src, view->src_port, &view->dst,
                                        view->dst_port, view->encap.flow_key);
    struct tcp_dns_stream *victim = &set[0];
    for (int way = 0; way < TCP_DNS_STREAM_WAYS; way++) {
        if (stream_matches(&set[way], view))
            return &set[way];
        if (!set[way].in_use || set[way].last_seen < victim->last_seen)
            victim = &set[way];
        if (!victim->in_use)
            break;
    }
    if (victim->in_use) {
        if (now - victim->last_seen < TCP_DNS_IDLE_SECONDS)
            streams->counters.streams_evicted++;
        stream_release(streams, victim);
    }
    victim->in_use = true;
    victim->src = view->src;
    victim->dst = view->dst;
    victim->src_port = view->src_port;
    victim->dst_port = view->dst_port;
    victim->tunnel_key = view->encap.flow_key;
    return victim;
}

static size_t frame_length(const uint8_t *p) { return 2u + (size_t)(p[0] << 8 | p[1]); }

/* Makes room for a whole frame; false when the global cap forbids it. */
static bool stream_reserve(struct tcp_dns_streams *streams, struct tcp_dns_stream *s, size_t need)
{
    if (need <= s->capacity)
        return true;
    size_t capacity = s->capacity ? s->capacity : 512;
    while (capacity < need)
        capacity *= 2;
    if (capacity > DNS_TCP_FRAME_MAX)
        capacity = DNS_TCP_FRAME_MAX;
    if (streams->buffered_bytes - s->capacity + capacity > TCP_DNS_BUFFERED_BYTES_MAX)
        return false;
    uint8_t *grown = realloc(s->buffer, capacity);
    if (!grown)
        return false;
    streams->buffered_bytes += capacity - s->capacity;
    s->buffer = grown;
    s->capacity = capacity;
    return true;
}

/* Buffers bytes towards the current frame; emits it once complete. Returns
 * how many bytes of data were consumed. */
static size_t stream_buffer(struct tcp_dns_streams *streams, struct tcp_dns_stream *s,
                            const struct packet_view *view, const uint8_t *data, size_t length,
                            tcp_dns_message_fn on_message, void *user)
{
    size_t target = s->used < 2 ? 2 : frame_length(s->buffer);
    size_t take = target - s->used < length ? target - s->used : length;
    if (!stream_reserve(streams, s, target)) {
        streams->counters.overflow_drops++;
        s->used = 0;
        s->have_seq = false; /* resynchronise on the next segment */
        return length;
    }
    memcpy(s->buffer + s->used, data, take);
    s->used += take;
    if (s->used >= 2 && s->used == frame_length(s->buffer)) {
        on_message(user, view, s->buffer + 2, s->used - 2, s->proven);
        s->used = 0;
    }
    return take;
}

static void stream_consume(struct tcp_dns_streams *streams, struct tcp_dns_stream *s,
                           const struct packet_view *view, const uint8_t *data, size_t length,
                           tcp_dns_message_fn on_message, void *user)
{
    while (length > 0 && s->in_use) {
        bool whole_frame_here = s->used == 0 && length >= 2 && frame_length(data) <= length;
        size_t consumed;
        if (whole_frame_here) {
            consumed = frame_length(data);
            on_message(user, view, data + 2, consumed - 2, s->proven);
        } else {
            consumed = stream_buffer(streams, s, view, data, length, on_message, user);
        }
        data += consumed;
        length -= consumed;
    }
}

/* Trims what was already seen; returns false if nothing new remains. */
static bool stream_align(struct tcp_dns_streams *streams, struct tcp_dns_stream *s,
                         const struct packet_view *view, const uint8_t **data, size_t *length)
{
    if (!s->have_seq) { /* picked up mid-way: assume a frame starts here */
        s->have_seq = true;
        s->next_seq = view->tcp_seq;
        s->used = 0;
    }
    int32_t distance = (int32_t)(view->tcp_seq - s->next_seq);
    if (distance > 0) {
        streams->counters.gaps++;
        s->used = 0;
        s->next_seq = view->tcp_seq;
    } else if (distance < 0) {
        size_t already = (size_t)(-(int64_t)distance);
        if (already >= *length) {
            streams->counters.retransmissions++;
            return false;
        }
        *data += already;
        *length -= already;
    }
    s->next_seq += (uint32_t)*length;
    return true;
}

void tcp_dns_streams_segment(struct tcp_dns_streams *streams, const struct packet_view *view,
                             double now, tcp_dns_message_fn on_message, void *user)
{
    streams->counters.segments++;
    struct tcp_dns_stream *s = stream_find(streams, view, now);
    s->last_seen = now;
    if (view->tcp_flags & TCP_FLAG_SYN) {
        s->have_seq = true;
        s->next_seq = view->tcp_seq + 1;
        s->used = 0;
        s->syn_seen = true;
        s->isn = view->tcp_seq;
        s->proven = false;     /* a new connection on the same ports proves itself again */
    }
    if (!s->proven && acknowledges_handshake(streams, view))
        s->proven = true;
    const uint8_t *data = view->payload;
    size_t length = view->payload_length;
    if (length > 0 && stream_align(streams, s, view, &data, &length))
        stream_consume(streams, s, view, data, length, on_message, user);
    if (view->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
        stream_release(streams, s);
}
