/* tcp_dns_stream: splits each direction of a TCP connection into DNS messages
 * (RFC 1035 4.2.2: a 2-byte length before each message). Handles several
 * messages per segment, one message over several segments, retransmissions
 * and overlaps, and streams picked up mid-way, and says of each message
 * whether its sender completed the handshake. Memory is bounded: a fixed
 * table of streams and a cap on the bytes buffered across all of them. It does
 * not decode DNS. */
#ifndef EXCLAVE_TCP_DNS_STREAM_H
#define EXCLAVE_TCP_DNS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "capture/packet_decoder.h"

enum {
    TCP_DNS_STREAM_SETS = 4096,
    TCP_DNS_STREAM_WAYS = 4,
    TCP_DNS_BUFFERED_BYTES_MAX = 64 << 20,
    TCP_DNS_IDLE_SECONDS = 120,
};

struct tcp_dns_counters {
    uint64_t segments;
    uint64_t retransmissions;    /* segments wholly before what we already have */
    uint64_t gaps;               /* missing bytes: the stream resynchronises */
    uint64_t streams_evicted;    /* live streams pushed out by a full table */
    uint64_t overflow_drops;     /* buffered-bytes cap reached: partial message dropped */
};

struct tcp_dns_stream;

struct tcp_dns_streams {
    struct tcp_dns_stream *table; /* SETS * WAYS */
    size_t buffered_bytes;
    struct tcp_dns_counters counters;
};

/* Called once per complete message; message is valid during the call only.
 * handshake_proven: the sender acknowledged the other side's SYN (its
 * initial sequence number, and no more than the other side sent), which
 * only a host that received the SYN-ACK at its address can do. */
typedef void (*tcp_dns_message_fn)(void *user, const struct packet_view *view,
                                   const uint8_t *message, size_t length, bool handshake_proven);

bool tcp_dns_streams_init(struct tcp_dns_streams *streams);
void tcp_dns_streams_free(struct tcp_dns_streams *streams);

void tcp_dns_streams_segment(struct tcp_dns_streams *streams, const struct packet_view *view,
                             double now, tcp_dns_message_fn on_message, void *user);

#endif
