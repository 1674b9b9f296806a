/* packet_decoder: parses link, IP and UDP/TCP headers of one captured frame
 * into a view that points into the frame (no copy, no allocation), through
 * any tunnels it is wrapped in (tunnel_header reads those). It knows nothing
 * about DNS, flows or reassembly: IP fragments are reported, with their
 * fields, for ip_defrag to handle. */
#ifndef EXCLAVE_PACKET_DECODER_H
#define EXCLAVE_PACKET_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/encapsulation.h"
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
    PACKET_TUNNEL_TOO_DEEP,    /* more encapsulation layers than tunnel_depth_max */
    PACKET_BAD_TUNNEL,         /* an encapsulation header cut short or impossible */
};

enum { PACKET_TUNNEL_PORTS_MAX = 32 };

/* Which ports carry DNS (a UDP packet from or to one is never taken for a
 * tunnel), which UDP ports carry which encapsulation (kinds ENCAP_VXLAN,
 * _VXLAN_GPE, _GENEVE, _GRE and _TEREDO), and how many layers deep to
 * decapsulate. */
struct packet_decoder_config {
    uint8_t dns_ports[65536 / 8];  /* bit set */
    struct { uint16_t port; uint8_t kind; } tunnel_ports[PACKET_TUNNEL_PORTS_MAX];
    unsigned tunnel_port_count;
    unsigned tunnel_depth_max;     /* 0: decapsulate nothing */
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
    uint32_t tcp_ack;
    uint8_t tcp_flags;
    struct ip_fragment_info fragment;
    bool snapped;              /* the capture cut the packet short (snaplen): the
                                  UDP payload is what was captured */
    const uint8_t *payload;    /* transport payload, or fragment data */
    size_t payload_length;
    struct encapsulation encap; /* the tunnels passed to reach this packet */
    bool tunnel_rejected;      /* UDP to a tunnel port whose header did not parse:
                                  decoded as plain UDP (Suricata does the same) */
};

static inline bool packet_is_dns_port(const struct packet_decoder_config *config, uint16_t port)
{
    return config->dns_ports[port / 8] & (1u << (port % 8));
}

/* No DNS port; Suricata's tunnel ports: VXLAN 4789, VXLAN-GPE 4790, Geneve
 * 6081, GRE over UDP 4754, Teredo 3544; at most ENCAP_DEPTH_MAX layers. */
void packet_decoder_config_defaults(struct packet_decoder_config *config);

/* Replaces the UDP ports of one UDP-carried kind (count 0: that kind off).
 * False if the kind is not carried in UDP or the table is full. */
bool packet_decoder_set_tunnel_ports(struct packet_decoder_config *config,
                                     enum encapsulation_kind kind, const uint16_t *ports,
                                     unsigned count);

/* Decodes a frame of the given pcap link type (DLT_*). */
enum packet_status packet_decode(const struct packet_decoder_config *config, int link_type,
                                 const uint8_t *frame, size_t captured_length,
                                 struct packet_view *view);

/* Decodes what follows an IP header (UDP, TCP or a tunnel) at data, used
 * after IP reassembly; the addresses and protocol in view must be set. */
enum packet_status packet_decode_transport(const struct packet_decoder_config *config,
                                           const uint8_t *data, size_t length,
                                           struct packet_view *view);

/* True for link types packet_decode understands. */
bool packet_link_supported(int link_type);

const char *packet_strerror(enum packet_status status);

#endif
