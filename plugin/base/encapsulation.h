/* encapsulation: what a packet was wrapped in on its way to the sensor
 * (VXLAN, Geneve, GRE, MPLS ...), as a value the capture room fills and the
 * writers read. It names the kinds; it parses nothing. */
#ifndef EXCLAVE_ENCAPSULATION_H
#define EXCLAVE_ENCAPSULATION_H

#include <stdbool.h>
#include <stdint.h>

#include "base/ip_address.h"

enum encapsulation_kind {
    ENCAP_VXLAN,
    ENCAP_VXLAN_GPE,
    ENCAP_GENEVE,
    ENCAP_GRE,          /* over IP or over UDP (RFC 8086) */
    ENCAP_ERSPAN,       /* types I, II and III, inside GRE */
    ENCAP_MPLS,         /* one label stack, however many labels */
    ENCAP_PPPOE,
    ENCAP_IPV4_IN_IP,   /* IP protocol 4, in IPv4 or IPv6 */
    ENCAP_IPV6_IN_IP,   /* IP protocol 41: 6in4, IPv6 in IPv6 */
    ENCAP_TEREDO,
    ENCAP_KINDS
};

enum { ENCAP_DEPTH_MAX = 8 };

struct encapsulation {
    uint8_t depth;                   /* layers passed; 0: not encapsulated */
    uint8_t layers[ENCAP_DEPTH_MAX]; /* kinds, outermost first */
    bool has_id;
    uint32_t id;                     /* the outermost VXLAN/Geneve VNI or GRE key */
    uint64_t flow_key;               /* every layer's VNI/key mixed; 0 if none */
    struct ip_address outer_src, outer_dst; /* outermost IP header (family 0: none,
                                               as for MPLS straight on Ethernet) */
};

/* "vxlan", "geneve", "gre", ... (lower case, as logged and counted). */
const char *encapsulation_name(enum encapsulation_kind kind);

/* The kind for a name as encapsulation_name gives it; false if none. */
bool encapsulation_from_name(const char *name, enum encapsulation_kind *kind);

#endif
