/* tunnel_header: the layout of each encapsulation header exclave strips
 * (VXLAN, VXLAN-GPE, Geneve, GRE, ERSPAN, MPLS, PPPoE, Teredo). Each parser
 * reads one header, checks it, and says how long it is and what follows. It
 * never reads past length, keeps no state and does not decode what follows:
 * packet_decoder does. */
#ifndef EXCLAVE_TUNNEL_HEADER_H
#define EXCLAVE_TUNNEL_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/encapsulation.h"

enum {
    ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86dd, ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_QINQ = 0x88a8, ETHERTYPE_QINQ_OLD = 0x9100, ETHERTYPE_MPLS = 0x8847,
    ETHERTYPE_MPLS_MULTICAST = 0x8848, ETHERTYPE_PPPOE_SESSION = 0x8864,
    ETHERTYPE_BRIDGING = 0x6558,   /* GRE/Geneve payload: an Ethernet frame */
    ETHERTYPE_PPP = 0x880b,        /* enhanced GRE (PPTP) payload */
    ETHERTYPE_ERSPAN_2 = 0x88be, ETHERTYPE_ERSPAN_3 = 0x22eb,
    PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057,
};

/* What follows a header. */
enum tunnel_payload {
    TUNNEL_PAYLOAD_ETHERNET,
    TUNNEL_PAYLOAD_IP,          /* IPv4 or IPv6, by the version nibble */
    TUNNEL_PAYLOAD_ETHERTYPE,   /* as hop.ethertype says */
    TUNNEL_PAYLOAD_OTHER,       /* something exclave does not decode (NSH, ...) */
};

struct tunnel_hop {
    enum encapsulation_kind kind;
    size_t header_length;       /* bytes from the header's start to its payload */
    enum tunnel_payload payload;
    uint16_t ethertype;         /* TUNNEL_PAYLOAD_ETHERTYPE only */
    bool has_id;                /* id tells tenants or tunnels apart: it joins the flow key */
    uint32_t id;                /* VNI or GRE key */
    bool gre_sequenced;         /* GRE only: the S bit (ERSPAN I has none, II and III have it) */
};

enum tunnel_verdict {
    TUNNEL_OK,
    TUNNEL_MALFORMED,           /* cut short, or fields no sender writes */
    TUNNEL_NOT_THIS,            /* not this encapsulation after all: decode as plain UDP */
};

enum tunnel_verdict tunnel_parse_vxlan(const uint8_t *data, size_t length, struct tunnel_hop *hop);
enum tunnel_verdict tunnel_parse_vxlan_gpe(const uint8_t *data, size_t length,
                                           struct tunnel_hop *hop);
enum tunnel_verdict tunnel_parse_geneve(const uint8_t *data, size_t length, struct tunnel_hop *hop);
enum tunnel_verdict tunnel_parse_gre(const uint8_t *data, size_t length, struct tunnel_hop *hop);

/* The ERSPAN header after a GRE header of protocol 0x88be or 0x22eb. */
enum tunnel_verdict tunnel_parse_erspan(uint16_t gre_protocol, bool gre_sequenced,
                                        const uint8_t *data, size_t length, struct tunnel_hop *hop);

/* A whole MPLS label stack (at most 16 labels). */
enum tunnel_verdict tunnel_parse_mpls(const uint8_t *data, size_t length, struct tunnel_hop *hop);

/* A PPPoE session header and the PPP protocol after it. */
enum tunnel_verdict tunnel_parse_pppoe(const uint8_t *data, size_t length, struct tunnel_hop *hop);

/* Teredo's optional authentication and origin indication headers before an
 * IPv6 packet; TUNNEL_NOT_THIS unless a whole IPv6 header follows. */
enum tunnel_verdict tunnel_parse_teredo(const uint8_t *data, size_t length, struct tunnel_hop *hop);

/* The PPP protocol field (after an optional ff 03 address/control, and in
 * its 1-byte compressed form too): true with the header length and protocol. */
bool tunnel_parse_ppp(const uint8_t *data, size_t length, size_t *header_length,
                      uint16_t *protocol);

#endif
