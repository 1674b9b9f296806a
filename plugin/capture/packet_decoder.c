/* packet_decoder: header parsing for Ethernet (+802.1Q/QinQ), Linux cooked
 * v1/v2, raw IP, BSD loopback, PPP and FDDI; IPv4 and IPv6 (extension headers
 * skipped); UDP and TCP; and the tunnels around them (VXLAN, VXLAN-GPE,
 * Geneve, GRE, ERSPAN, MPLS, PPPoE, IP in IP, Teredo), one layer at a time,
 * never deeper than tunnel_depth_max. Must never read past captured_length. */
#include "capture/packet_decoder.h"

#include <pcap/dlt.h>
#include <string.h>

#include "base/byte_order.h"
#include "base/hash.h"
#include "capture/tunnel_header.h"

enum {
    VLAN_TAGS_MAX = 4, IPV6_HEADER_SIZE = 40, IPV6_EXTENSIONS_MAX = 8,
    IP_PROTOCOL_IPV4_IN_IP = 4, IP_PROTOCOL_IPV6_IN_IP = 41, IP_PROTOCOL_GRE = 47,
};

static const struct { uint16_t port; uint8_t kind; } default_tunnel_ports[] = {
    { 4789, ENCAP_VXLAN }, { 4790, ENCAP_VXLAN_GPE }, { 6081, ENCAP_GENEVE },
    { 4754, ENCAP_GRE },   { 3544, ENCAP_TEREDO },
};

void packet_decoder_config_defaults(struct packet_decoder_config *config)
{
    memset(config->dns_ports, 0, sizeof config->dns_ports);
    config->tunnel_port_count = 0;
    for (size_t i = 0; i < sizeof default_tunnel_ports / sizeof default_tunnel_ports[0]; i++) {
        config->tunnel_ports[i].port = default_tunnel_ports[i].port;
        config->tunnel_ports[i].kind = default_tunnel_ports[i].kind;
        config->tunnel_port_count++;
    }
    config->tunnel_depth_max = ENCAP_DEPTH_MAX;
}

static bool carried_in_udp(enum encapsulation_kind kind)
{
    return kind == ENCAP_VXLAN || kind == ENCAP_VXLAN_GPE || kind == ENCAP_GENEVE ||
           kind == ENCAP_GRE || kind == ENCAP_TEREDO;
}

bool packet_decoder_set_tunnel_ports(struct packet_decoder_config *config,
                                     enum encapsulation_kind kind, const uint16_t *ports,
                                     unsigned count)
{
    if (!carried_in_udp(kind))
        return false;
    unsigned kept = 0;
    for (unsigned i = 0; i < config->tunnel_port_count; i++)
        if (config->tunnel_ports[i].kind != kind)
            config->tunnel_ports[kept++] = config->tunnel_ports[i];
    if (kept + count > PACKET_TUNNEL_PORTS_MAX)
        return false;
    for (unsigned i = 0; i < count; i++) {
        config->tunnel_ports[kept].port = ports[i];
        config->tunnel_ports[kept++].kind = (uint8_t)kind;
    }
    config->tunnel_port_count = kept;
    return true;
}

bool packet_link_supported(int link_type)
{
    switch (link_type) {
    case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_RAW:
    case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP: case DLT_PPP: case DLT_FDDI:
#if defined(DLT_RAW) && DLT_RAW != 14
    case 14: /* DLT_RAW as OpenBSD numbers it */
#endif
        return true;
    default:
        return false;
    }
}

static enum packet_status decode_ip(const struct packet_decoder_config *config,
                                    const uint8_t *data, size_t length, struct packet_view *view);
static enum packet_status decode_ethernet(const struct packet_decoder_config *config,
                                          const uint8_t *frame, size_t length,
                                          struct packet_view *view);
static enum packet_status decode_ethertype(const struct packet_decoder_config *config,
                                           uint16_t ethertype, const uint8_t *data, size_t length,
                                           struct packet_view *view);
static enum packet_status decode_ppp(const struct packet_decoder_config *config,
                                     const uint8_t *frame, size_t length, struct packet_view *view);

/* Steps into one layer: the first layer inside an IP header keeps that
 * header's addresses as the outer ones; a VNI or key joins the flow key.
 * False when the layer would be one too many. */
static bool enter_layer(const struct packet_decoder_config *config, struct packet_view *view,
                        const struct tunnel_hop *hop)
{
    struct encapsulation *encap = &view->encap;
    if (encap->depth >= config->tunnel_depth_max || encap->depth >= ENCAP_DEPTH_MAX)
        return false;
    if (encap->outer_src.family == 0 && view->src.family != 0) {
        encap->outer_src = view->src;
        encap->outer_dst = view->dst;
    }
    encap->layers[encap->depth++] = (uint8_t)hop->kind;
    if (hop->has_id) {
        if (!encap->has_id) {
            encap->has_id = true;
            encap->id = hop->id;
        }
        encap->flow_key = hash_mix(encap->flow_key ^ ((uint64_t)(hop->kind + 1) << 32 | hop->id));
    }
    return true;
}

/* Decodes what a parsed tunnel header says follows it. */
static enum packet_status decode_payload(const struct packet_decoder_config *config,
                                         const struct tunnel_hop *hop, const uint8_t *data,
                                         size_t length, struct packet_view *view)
{
    if (!enter_layer(config, view, hop))
        return PACKET_TUNNEL_TOO_DEEP;
    data += hop->header_length;
    length -= hop->header_length;
    switch (hop->payload) {
    case TUNNEL_PAYLOAD_ETHERNET: return decode_ethernet(config, data, length, view);
    case TUNNEL_PAYLOAD_IP: return decode_ip(config, data, length, view);
    case TUNNEL_PAYLOAD_ETHERTYPE:
        /* Bridged Ethernet and PPP only inside a tunnel: each nesting costs a layer. */
        if (hop->ethertype == ETHERTYPE_BRIDGING)
            return decode_ethernet(config, data, length, view);
        if (hop->ethertype == ETHERTYPE_PPP)
            return decode_ppp(config, data, length, view);
        return decode_ethertype(config, hop->ethertype, data, length, view);
    case TUNNEL_PAYLOAD_OTHER: break;
    }
    return PACKET_NOT_IP;
}

static enum packet_status decode_parsed(const struct packet_decoder_config *config,
                                        enum tunnel_verdict verdict, const struct tunnel_hop *hop,
                                        const uint8_t *data, size_t length,
                                        struct packet_view *view)
{
    if (verdict != TUNNEL_OK)
        return PACKET_BAD_TUNNEL;
    return decode_payload(config, hop, data, length, view);
}

/* What follows a parsed GRE header, ERSPAN included (GRE and ERSPAN each
 * count as a layer). */
static enum packet_status decode_after_gre(const struct packet_decoder_config *config,
                                           const struct tunnel_hop *gre, const uint8_t *data,
                                           size_t length, struct packet_view *view)
{
    if (gre->ethertype != ETHERTYPE_ERSPAN_2 && gre->ethertype != ETHERTYPE_ERSPAN_3)
        return decode_payload(config, gre, data, length, view);
    if (!enter_layer(config, view, gre))
        return PACKET_TUNNEL_TOO_DEEP;
    data += gre->header_length;
    length -= gre->header_length;
    struct tunnel_hop erspan;
    enum tunnel_verdict verdict = tunnel_parse_erspan(gre->ethertype, gre->gre_sequenced, data,
                                                      length, &erspan);
    return decode_parsed(config, verdict, &erspan, data, length, view);
}

/* The tunnel paths are kept out of line (TUNNEL_PATH) so that the common
 * UDP and TCP path saves no registers it does not use. */
#define TUNNEL_PATH __attribute__((noinline))

/* GRE straight inside IP (protocol 47). */
static TUNNEL_PATH enum packet_status decode_gre(const struct packet_decoder_config *config,
                                     const uint8_t *data, size_t length, struct packet_view *view)
{
    struct tunnel_hop gre;
    if (tunnel_parse_gre(data, length, &gre) != TUNNEL_OK)
        return PACKET_BAD_TUNNEL;
    return decode_after_gre(config, &gre, data, length, view);
}

/* IPv4 or IPv6 straight inside IP (protocols 4 and 41). */
static TUNNEL_PATH enum packet_status decode_ip_in_ip(const struct packet_decoder_config *config,
                                          const uint8_t *data, size_t length,
                                          struct packet_view *view)
{
    bool v4 = view->protocol == IP_PROTOCOL_IPV4_IN_IP;
    struct tunnel_hop hop = { .kind = v4 ? ENCAP_IPV4_IN_IP : ENCAP_IPV6_IN_IP,
                              .payload = TUNNEL_PAYLOAD_IP };
    if (length < 1 || (data[0] >> 4) != (v4 ? 4 : 6))
        return PACKET_BAD_TUNNEL;
    return decode_payload(config, &hop, data, length, view);
}

/* The encapsulation UDP ports name: a tunnel's destination port, or for
 * Teredo either port (its servers answer from 3544). */
static bool udp_tunnel_kind(const struct packet_decoder_config *config, uint16_t src_port,
                            uint16_t dst_port, enum encapsulation_kind *kind)
{
    for (unsigned i = 0; i < config->tunnel_port_count; i++) {
        uint16_t port = config->tunnel_ports[i].port;
        uint8_t candidate = config->tunnel_ports[i].kind;
        if (port == dst_port || (candidate == ENCAP_TEREDO && port == src_port)) {
            *kind = (enum encapsulation_kind)candidate;
            return true;
        }
    }
    return false;
}

/* A UDP payload on a tunnel port. A header that does not parse leaves the
 * packet plain UDP, marked (counted as a bad tunnel unless it is DNS);
 * Teredo that is not Teredo stays UDP unmarked. */
static TUNNEL_PATH enum packet_status decode_udp_tunnel(const struct packet_decoder_config *config,
                                            enum encapsulation_kind kind, struct packet_view *view)
{
    const uint8_t *data = view->payload;
    size_t length = view->payload_length;
    struct tunnel_hop hop;
    enum tunnel_verdict verdict;
    switch (kind) {
    case ENCAP_VXLAN: verdict = tunnel_parse_vxlan(data, length, &hop); break;
    case ENCAP_VXLAN_GPE: verdict = tunnel_parse_vxlan_gpe(data, length, &hop); break;
    case ENCAP_GENEVE: verdict = tunnel_parse_geneve(data, length, &hop); break;
    case ENCAP_GRE: verdict = tunnel_parse_gre(data, length, &hop); break;
    case ENCAP_TEREDO: verdict = tunnel_parse_teredo(data, length, &hop); break;
    default: return PACKET_OK;
    }
    if (verdict != TUNNEL_OK) {
        view->tunnel_rejected = verdict == TUNNEL_MALFORMED;
        return PACKET_OK;
    }
    if (kind == ENCAP_GRE) /* parsed already: ERSPAN may follow */
        return decode_after_gre(config, &hop, data, length, view);
    return decode_payload(config, &hop, data, length, view);
}

static enum packet_status decode_udp(const struct packet_decoder_config *config,
                                     const uint8_t *data, size_t length, struct packet_view *view)
{
    if (length < 8)
        return PACKET_TRUNCATED;
    uint16_t udp_length = read_be16(data + 4);
    if (udp_length < 8)
        return PACKET_BAD_HEADER;
    if (udp_length > length) {
        if (!view->snapped)
            return PACKET_BAD_HEADER;
        udp_length = (uint16_t)length; /* decode what the capture kept */
    }
    view->src_port = read_be16(data);
    view->dst_port = read_be16(data + 2);
    view->payload = data + 8;
    view->payload_length = udp_length - 8u;
    enum encapsulation_kind kind;
    if (packet_is_dns_port(config, view->src_port) || packet_is_dns_port(config, view->dst_port) ||
        !udp_tunnel_kind(config, view->src_port, view->dst_port, &kind))
        return PACKET_OK;
    return decode_udp_tunnel(config, kind, view);
}

static enum packet_status decode_tcp(const uint8_t *data, size_t length, struct packet_view *view)
{
    if (length < 20 || view->snapped) /* a cut segment cannot be reassembled */
        return PACKET_TRUNCATED;
    size_t header_length = (size_t)(data[12] >> 4) * 4;
    if (header_length < 20)
        return PACKET_BAD_HEADER;
    if (header_length > length)
        return PACKET_TRUNCATED;
    view->src_port = read_be16(data);
    view->dst_port = read_be16(data + 2);
    view->tcp_seq = read_be32(data + 4);
    view->tcp_ack = read_be32(data + 8);
    view->tcp_flags = data[13];
    view->payload = data + header_length;
    view->payload_length = length - header_length;
    return PACKET_OK;
}

enum packet_status packet_decode_transport(const struct packet_decoder_config *config,
                                           const uint8_t *data, size_t length,
                                           struct packet_view *view)
{
    switch (view->protocol) {
    case IP_PROTOCOL_UDP: return decode_udp(config, data, length, view);
    case IP_PROTOCOL_TCP: return decode_tcp(data, length, view);
    case IP_PROTOCOL_GRE: return decode_gre(config, data, length, view);
    case IP_PROTOCOL_IPV4_IN_IP: case IP_PROTOCOL_IPV6_IN_IP:
        return decode_ip_in_ip(config, data, length, view);
    default: return PACKET_OTHER_TRANSPORT;
    }
}

/* Hands either the transport header or the fragment data on. */
static enum packet_status finish_ip(const struct packet_decoder_config *config,
                                    const uint8_t *data, size_t length, bool fragmented,
                                    struct packet_view *view)
{
    if (fragmented) {
        if (view->snapped)
            return PACKET_TRUNCATED;
        view->payload = data;
        view->payload_length = length;
        return PACKET_FRAGMENT;
    }
    return packet_decode_transport(config, data, length, view);
}

static enum packet_status decode_ipv4(const struct packet_decoder_config *config,
                                      const uint8_t *data, size_t length, struct packet_view *view)
{
    if (length < 20)
        return PACKET_TRUNCATED;
    size_t header_length = (size_t)(data[0] & 0xf) * 4;
    size_t total_length = read_be16(data + 2);
    if (header_length < 20 || total_length < header_length)
        return PACKET_BAD_HEADER;
    if (total_length > length) {
        if (length < header_length)
            return PACKET_TRUNCATED;
        view->snapped = true;
        total_length = length;
    }
    ip_address_set_v4(&view->src, data + 12);
    ip_address_set_v4(&view->dst, data + 16);
    view->protocol = data[9];
    uint16_t fragment_field = read_be16(data + 6);
    view->fragment.id = read_be16(data + 4);
    view->fragment.offset = (uint32_t)(fragment_field & 0x1fff) * 8;
    view->fragment.more_fragments = fragment_field & 0x2000;
    bool fragmented = view->fragment.offset != 0 || view->fragment.more_fragments;
    return finish_ip(config, data + header_length, total_length - header_length, fragmented, view);
}

static bool is_ipv6_extension(uint8_t next_header)
{
    return next_header == 0 || next_header == 43 || next_header == 44 || next_header == 60 ||
           next_header == 51 || next_header == 135;
}

static enum packet_status decode_ipv6(const struct packet_decoder_config *config,
                                      const uint8_t *data, size_t length, struct packet_view *view)
{
    if (length < IPV6_HEADER_SIZE)
        return PACKET_TRUNCATED;
    size_t payload_length = read_be16(data + 4);
    if (IPV6_HEADER_SIZE + payload_length > length) {
        view->snapped = true;
        payload_length = length - IPV6_HEADER_SIZE;
    }
    ip_address_set_v6(&view->src, data + 8);
    ip_address_set_v6(&view->dst, data + 24);
    uint8_t next_header = data[6];
    const uint8_t *cursor = data + IPV6_HEADER_SIZE;
    size_t remaining = payload_length;
    bool fragmented = false;
    for (int i = 0; i < IPV6_EXTENSIONS_MAX && is_ipv6_extension(next_header); i++) {
        if (remaining < 8)
            return PACKET_TRUNCATED;
        size_t extension_length = next_header == 44 ? 8
                                : next_header == 51 ? ((size_t)cursor[1] + 2) * 4
                                                    : ((size_t)cursor[1] + 1) * 8;
        if (extension_length > remaining)
            return PACKET_TRUNCATED;
        if (next_header == 44) {
            uint16_t offset_field = read_be16(cursor + 2);
            view->fragment.offset = (uint32_t)(offset_field & 0xfff8);
            view->fragment.more_fragments = offset_field & 1;
            view->fragment.id = read_be32(cursor + 4);
            fragmented = view->fragment.offset != 0 || view->fragment.more_fragments;
        }
        next_header = cursor[0];
        cursor += extension_length;
        remaining -= extension_length;
    }
    if (is_ipv6_extension(next_header))
        return PACKET_BAD_HEADER;
    view->protocol = next_header;
    return finish_ip(config, cursor, remaining, fragmented, view);
}

static enum packet_status decode_ip(const struct packet_decoder_config *config,
                                    const uint8_t *data, size_t length, struct packet_view *view)
{
    if (length < 1)
        return PACKET_TRUNCATED;
    switch (data[0] >> 4) {
    case 4: return decode_ipv4(config, data, length, view);
    case 6: return decode_ipv6(config, data, length, view);
    default: return PACKET_NOT_IP;
    }
}

/* What an ethertype (or GRE/Geneve protocol type) names. */
static enum packet_status decode_ethertype(const struct packet_decoder_config *config,
                                           uint16_t ethertype, const uint8_t *data, size_t length,
                                           struct packet_view *view)
{
    struct tunnel_hop hop;
    switch (ethertype) {
    case ETHERTYPE_IPV4: case ETHERTYPE_IPV6:
        return decode_ip(config, data, length, view);
    case ETHERTYPE_MPLS: case ETHERTYPE_MPLS_MULTICAST:
        return decode_parsed(config, tunnel_parse_mpls(data, length, &hop), &hop, data, length, view);
    case ETHERTYPE_PPPOE_SESSION:
        return decode_parsed(config, tunnel_parse_pppoe(data, length, &hop), &hop, data, length, view);
    default:
        return PACKET_NOT_IP;
    }
}

static enum packet_status decode_ethernet(const struct packet_decoder_config *config,
                                          const uint8_t *frame, size_t length,
                                          struct packet_view *view)
{
    if (length < 14)
        return PACKET_TRUNCATED;
    size_t offset = 12;
    uint16_t ethertype = read_be16(frame + offset);
    for (int tags = 0; tags < VLAN_TAGS_MAX && (ethertype == ETHERTYPE_VLAN ||
                       ethertype == ETHERTYPE_QINQ || ethertype == ETHERTYPE_QINQ_OLD); tags++) {
        offset += 4;
        if (offset + 2 > length)
            return PACKET_TRUNCATED;
        ethertype = read_be16(frame + offset);
    }
    offset += 2;
    return decode_ethertype(config, ethertype, frame + offset, length - offset, view);
}

/* BSD loopback: a 4-byte address family, host order (NULL) or network (LOOP). */
static enum packet_status decode_loopback(const struct packet_decoder_config *config,
                                          const uint8_t *frame, size_t length, bool network_order,
                                          struct packet_view *view)
{
    if (length < 4)
        return PACKET_TRUNCATED;
    uint32_t family = network_order ? read_be32(frame)
                                    : (uint32_t)(frame[0] | frame[1] << 8 | frame[2] << 16 |
                                                 (uint32_t)frame[3] << 24);
    if (!network_order && family > 0xffff) /* written by a big-endian host */
        family = read_be32(frame);
    if (family == 2 || family == 24 || family == 28 || family == 30)
        return decode_ip(config, frame + 4, length - 4, view);
    return PACKET_NOT_IP;
}

static enum packet_status decode_ppp(const struct packet_decoder_config *config,
                                     const uint8_t *frame, size_t length, struct packet_view *view)
{
    size_t header_length;
    uint16_t protocol;
    if (!tunnel_parse_ppp(frame, length, &header_length, &protocol))
        return PACKET_TRUNCATED;
    if (protocol != PPP_IPV4 && protocol != PPP_IPV6)
        return PACKET_NOT_IP;
    return decode_ip(config, frame + header_length, length - header_length, view);
}

enum packet_status packet_decode(const struct packet_decoder_config *config, int link_type,
                                 const uint8_t *frame, size_t length, struct packet_view *view)
{
    view->src.family = 0;
    view->dst.family = 0;
    view->encap.depth = 0;
    view->encap.has_id = false;
    view->encap.flow_key = 0;
    view->encap.outer_src.family = 0;
    view->tunnel_rejected = false;
    view->protocol = 0;
    view->tcp_flags = 0;
    view->snapped = false;
    view->fragment.offset = 0;
    view->fragment.more_fragments = false;
    switch (link_type) {
    case DLT_EN10MB:
        return decode_ethernet(config, frame, length, view);
    case DLT_LINUX_SLL:
        if (length < 16)
            return PACKET_TRUNCATED;
        return decode_ethertype(config, read_be16(frame + 14), frame + 16, length - 16, view);
    case DLT_LINUX_SLL2:
        if (length < 20)
            return PACKET_TRUNCATED;
        return decode_ethertype(config, read_be16(frame), frame + 20, length - 20, view);
    case DLT_NULL:
        return decode_loopback(config, frame, length, false, view);
    case DLT_LOOP:
        return decode_loopback(config, frame, length, true, view);
    case DLT_PPP:
        return decode_ppp(config, frame, length, view);
    case DLT_FDDI: /* 13-byte MAC header, then LLC/SNAP with the ethertype */
        if (length < 21)
            return PACKET_TRUNCATED;
        if (frame[13] != 0xaa || frame[14] != 0xaa || frame[15] != 0x03)
            return PACKET_NOT_IP;
        return decode_ethertype(config, read_be16(frame + 19), frame + 21, length - 21, view);
    default:
        if (packet_link_supported(link_type))
            return decode_ip(config, frame, length, view);
        return PACKET_UNSUPPORTED_LINK;
    }
}

const char *packet_strerror(enum packet_status status)
{
    switch (status) {
    case PACKET_OK: return "ok";
    case PACKET_UNSUPPORTED_LINK: return "unsupported link type";
    case PACKET_NOT_IP: return "not an IP packet";
    case PACKET_TRUNCATED: return "packet shorter than its headers claim (snaplen cut?)";
    case PACKET_BAD_HEADER: return "invalid IP/UDP/TCP header";
    case PACKET_OTHER_TRANSPORT: return "neither UDP nor TCP";
    case PACKET_FRAGMENT: return "IP fragment";
    case PACKET_TUNNEL_TOO_DEEP: return "more tunnel layers than --tunnel-depth allows";
    case PACKET_BAD_TUNNEL: return "invalid or cut tunnel header";
    }
    return "unknown packet status";
}
