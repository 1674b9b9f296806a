/* packet_decoder: parses link, IP and UDP/TCP headers of one captured frame
 * into a view that points into the frame (no copy, no allocation). It knows
 * nothing about DNS, flows or reassembly: IP fragments are reported, with
 * their fields, for ip_defrag to handle. */
#ifndef EXCLAVE_PACKET_DECODER_H
#define EXCLAVE_PACKET_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ip_address.h"

enum { IP_PROTOCOL_TCP = 6, IP_PROTOCOL_UDP = 17 };

enum packet_status {
    PACKET_OK = 0,
    PACKET_UNSUPPORTED_LINK,   /* link type we do not decode */
    PACKET_NOT_IP,             /* ARP, LLDP, ... */
    PACKET_TRUNCATED,          /* headers cut short, or a cut TCP segment or fragment */
    PACKET_BAD_HEADER,         /* impossible header fields */
    PACKET_OTHER_TRANSPORT,    /* neither UDP nor TCP (ICMP, ESP, ...) */
    PACKET_FRAGMENT,           /* an IP fragment: see packet_view.fragment */
};

enum { TCP_FLAG_FIN = 0x01, TCP_FLAG_SYN = 0x02, TCP_FLAG_RST = 0x04, TCP_FLAG_ACK = 0x10 };

struct ip_fragment_info {
    uint32_t id;               /* IPv4: 16-bit id; IPv6: 32-bit id */
    uint32_t offset;           /* in bytes */
    bool more_fragments;
};

struct packet_view {
    struct ip_address src, dst;
    uint8_t protocol;          /* transport protocol number */
    uint16_t src_port, dst_port;
    uint32_t tcp_seq;
    uint8_t tcp_flags;
    struct ip_fragment_info fragment;
    bool snapped;              /* the capture cut the packet short (snaplen): the
                                  UDP payload is what was captured */
    const uint8_t *payload;    /* transport payload, or fragment data */
    size_t payload_length;
};

/* Decodes a frame of the given pcap link type (DLT_*). */
enum packet_status packet_decode(int link_type, const uint8_t *frame, size_t captured_length,
                                 struct packet_view *view);

/* Decodes a UDP or TCP header at data (used after IP reassembly); the
 * addresses and protocol in view must already be set. */
enum packet_status packet_decode_transport(const uint8_t *data, size_t length,
                                           struct packet_view *view);

/* True for link types packet_decode understands. */
bool packet_link_supported(int link_type);

const char *packet_strerror(enum packet_status status);

#endif
