/* tunnel_header: one function per encapsulation header. Layouts: VXLAN
 * RFC 7348, VXLAN-GPE draft-ietf-nvo3-vxlan-gpe, Geneve RFC 8926, GRE
 * RFC 2784/2890 (and RFC 1701 routing, RFC 2637 enhanced GRE), ERSPAN
 * draft-foschiano-erspan, MPLS RFC 3032 (and the RFC 4385 control word),
 * PPPoE RFC 2516, Teredo RFC 4380. Every read is checked against length. */
#include "capture/tunnel_header.h"

#include "base/byte_order.h"

enum {
    VXLAN_HEADER = 8, VXLAN_FLAG_VNI = 0x08,
    GPE_FLAG_NEXT_PROTOCOL = 0x04, GPE_VERSION_MASK = 0x30,
    GENEVE_HEADER = 8,
    GRE_HEADER = 4, GRE_CHECKSUM = 0x8000, GRE_ROUTING = 0x4000, GRE_KEY = 0x2000,
    GRE_SEQUENCE = 0x1000, GRE_STRICT_ROUTE = 0x0800, GRE_RECURSION = 0x0700, GRE_ACK = 0x0080,
    GRE_VERSION = 0x0007, GRE_ROUTES_MAX = 16,
    ERSPAN_2_HEADER = 8, ERSPAN_3_HEADER = 12, ERSPAN_3_SUBHEADER = 8,
    MPLS_ENTRY = 4, MPLS_LABELS_MAX = 16, MPLS_IPV4_NULL = 0, MPLS_IPV6_NULL = 2,
    PPPOE_HEADER = 6,
    IPV6_HEADER = 40,
};

static void hop_start(struct tunnel_hop *hop, enum encapsulation_kind kind)
{
    hop->kind = kind;
    hop->header_length = 0;
    hop->payload = TUNNEL_PAYLOAD_OTHER;
    hop->ethertype = 0;
    hop->has_id = false;
    hop->id = 0;
    hop->gre_sequenced = false;
}

static uint32_t read_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

enum tunnel_verdict tunnel_parse_vxlan(const uint8_t *data, size_t length, struct tunnel_hop *hop)
{
    hop_start(hop, ENCAP_VXLAN);
    if (length < VXLAN_HEADER || !(data[0] & VXLAN_FLAG_VNI))
        return TUNNEL_MALFORMED;
    hop->header_length = VXLAN_HEADER;
    hop->payload = TUNNEL_PAYLOAD_ETHERNET;
    hop->has_id = true;
    hop->id = read_be24(data + 4);
    return TUNNEL_OK;
}

enum tunnel_verdict tunnel_parse_vxlan_gpe(const uint8_t *data, size_t length,
                                           struct tunnel_hop *hop)
{
    hop_start(hop, ENCAP_VXLAN_GPE);
    if (length < VXLAN_HEADER || (data[0] & GPE_VERSION_MASK))
        return TUNNEL_MALFORMED;
    hop->header_length = VXLAN_HEADER;
    hop->has_id = (data[0] & VXLAN_FLAG_VNI) != 0;
    hop->id = hop->has_id ? read_be24(data + 4) : 0;
    if (!(data[0] & GPE_FLAG_NEXT_PROTOCOL)) {
        hop->payload = TUNNEL_PAYLOAD_ETHERNET;
        return TUNNEL_OK;
    }
    static const uint16_t ethertypes[] = { [1] = ETHERTYPE_IPV4, [2] = ETHERTYPE_IPV6,
                                           [5] = ETHERTYPE_MPLS };
    uint8_t next = data[3];
    if (next == 3)
        hop->payload = TUNNEL_PAYLOAD_ETHERNET;
    else if (next < sizeof ethertypes / sizeof ethertypes[0] && ethertypes[next]) {
        hop->payload = TUNNEL_PAYLOAD_ETHERTYPE;
        hop->ethertype = ethertypes[next];
    }
    return TUNNEL_OK;
}

enum tunnel_verdict tunnel_parse_geneve(const uint8_t *data, size_t length, struct tunnel_hop *hop)
{
    hop_start(hop, ENCAP_GENEVE);
    if (length < GENEVE_HEADER || (data[0] >> 6) != 0)
        return TUNNEL_MALFORMED;
    size_t header_length = GENEVE_HEADER + (size_t)(data[0] & 0x3f) * 4;
    if (header_length > length)
        return TUNNEL_MALFORMED;
    hop->header_length = header_length;
    hop->payload = TUNNEL_PAYLOAD_ETHERTYPE;
    hop->ethertype = read_be16(data + 2);
    hop->has_id = true;
    hop->id = read_be24(data + 4);
    return TUNNEL_OK;
}

/* RFC 1701 source routes: entries until one with family 0 and length 0. */
static bool skip_gre_routes(const uint8_t *data, size_t length, size_t *offset)
{
    for (int i = 0; i < GRE_ROUTES_MAX; i++) {
        if (*offset + 4 > length)
            return false;
        uint16_t family = read_be16(data + *offset);
        uint8_t route_length = data[*offset + 3];
        *offset += 4u + route_length;
        if (family == 0 && route_length == 0)
            return true;
    }
    return false;
}

static enum tunnel_verdict parse_gre_v0(uint16_t flags, const uint8_t *data, size_t length,
                                        struct tunnel_hop *hop)
{
    size_t offset = GRE_HEADER;
    if (flags & (GRE_CHECKSUM | GRE_ROUTING))
        offset += 4;
    if (flags & GRE_KEY) {
        if (offset + 4 > length)
            return TUNNEL_MALFORMED;
        hop->has_id = true;
        hop->id = read_be32(data + offset);
        offset += 4;
    }
    if (flags & GRE_SEQUENCE)
        offset += 4;
    if ((flags & GRE_ROUTING) && !skip_gre_routes(data, length, &offset))
        return TUNNEL_MALFORMED;
    if (offset > length)
        return TUNNEL_MALFORMED;
    hop->header_length = offset;
    return TUNNEL_OK;
}

/* Enhanced GRE (PPTP): a key is required; its call id differs per direction,
 * so it does not join the flow key. */
static enum tunnel_verdict parse_gre_v1(uint16_t flags, uint16_t protocol, size_t length,
                                        struct tunnel_hop *hop)
{
    if ((flags & (GRE_CHECKSUM | GRE_ROUTING | GRE_STRICT_ROUTE | GRE_RECURSION)) ||
        !(flags & GRE_KEY) || protocol != ETHERTYPE_PPP)
        return TUNNEL_MALFORMED;
    size_t offset = GRE_HEADER + 4 + ((flags & GRE_SEQUENCE) ? 4 : 0) + ((flags & GRE_ACK) ? 4 : 0);
    if (offset > length)
        return TUNNEL_MALFORMED;
    hop->header_length = offset;
    return TUNNEL_OK;
}

enum tunnel_verdict tunnel_parse_gre(const uint8_t *data, size_t length, struct tunnel_hop *hop)
{
    hop_start(hop, ENCAP_GRE);
    if (length < GRE_HEADER)
        return TUNNEL_MALFORMED;
    uint16_t flags = read_be16(data);
    hop->payload = TUNNEL_PAYLOAD_ETHERTYPE;
    hop->ethertype = read_be16(data + 2);
    hop->gre_sequenced = (flags & GRE_SEQUENCE) != 0;
    switch (flags & GRE_VERSION) {
    case 0: return parse_gre_v0(flags, data, length, hop);
    case 1: return parse_gre_v1(flags, hop->ethertype, length, hop);
    default: return TUNNEL_MALFORMED;
    }
}

enum tunnel_verdict tunnel_parse_erspan(uint16_t gre_protocol, bool gre_sequenced,
                                        const uint8_t *data, size_t length, struct tunnel_hop *hop)
{
    hop_start(hop, ENCAP_ERSPAN);
    hop->payload = TUNNEL_PAYLOAD_ETHERNET;
    if (gre_protocol == ETHERTYPE_ERSPAN_2 && !gre_sequenced)
        return TUNNEL_OK; /* type I: the mirrored frame follows GRE at once */
    if (gre_protocol == ETHERTYPE_ERSPAN_2) {
        if (length < ERSPAN_2_HEADER || (data[0] >> 4) != 1)
            return TUNNEL_MALFORMED;
        hop->header_length = ERSPAN_2_HEADER;
        return TUNNEL_OK;
    }
    if (length < ERSPAN_3_HEADER || (data[0] >> 4) != 2)
        return TUNNEL_MALFORMED;
    hop->header_length = ERSPAN_3_HEADER + ((data[11] & 0x01) ? ERSPAN_3_SUBHEADER : 0);
    return hop->header_length <= length ? TUNNEL_OK : TUNNEL_MALFORMED;
}

/* After the bottom label: explicit-null labels name the IP version;
 * otherwise the first nibble tells IP from a pseudowire (with a control word
 * when it is 0) carrying Ethernet. */
static void mpls_payload(uint32_t bottom_label, const uint8_t *payload, struct tunnel_hop *hop)
{
    unsigned nibble = payload[0] >> 4;
    if (bottom_label == MPLS_IPV4_NULL || bottom_label == MPLS_IPV6_NULL || nibble == 4 ||
        nibble == 6) {
        hop->payload = TUNNEL_PAYLOAD_ETHERTYPE;
        hop->ethertype = bottom_label == MPLS_IPV4_NULL ? ETHERTYPE_IPV4
                       : bottom_label == MPLS_IPV6_NULL ? ETHERTYPE_IPV6
                       : nibble == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
        return;
    }
    hop->payload = TUNNEL_PAYLOAD_ETHERNET;
    if (nibble == 0)
        hop->header_length += 4;
}

enum tunnel_verdict tunnel_parse_mpls(const uint8_t *data, size_t length, struct tunnel_hop *hop)
{
    hop_start(hop, ENCAP_MPLS);
    for (size_t offset = 0; offset / MPLS_ENTRY < MPLS_LABELS_MAX; offset += MPLS_ENTRY) {
        if (offset + MPLS_ENTRY >= length) /* the entry and at least one payload byte */
            return TUNNEL_MALFORMED;
        if (data[offset + 2] & 0x01) {
            hop->header_length = offset + MPLS_ENTRY;
            mpls_payload(read_be32(data + offset) >> 12, data + hop->header_length, hop);
            return hop->header_length <= length ? TUNNEL_OK : TUNNEL_MALFORMED;
        }
    }
    return TUNNEL_MALFORMED;
}

enum tunnel_verdict tunnel_parse_pppoe(const uint8_t *data, size_t length, struct tunnel_hop *hop)
{
    hop_start(hop, ENCAP_PPPOE);
    if (length < PPPOE_HEADER + 2 || data[0] != 0x11 || data[1] != 0x00 ||
        read_be16(data + 4) < 2)
        return TUNNEL_MALFORMED;
    hop->header_length = PPPOE_HEADER + 2;
    uint16_t protocol = read_be16(data + PPPOE_HEADER);
    if (protocol == PPP_IPV4 || protocol == PPP_IPV6) {
        hop->payload = TUNNEL_PAYLOAD_ETHERTYPE;
        hop->ethertype = protocol == PPP_IPV4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
    }
    return TUNNEL_OK;
}

enum tunnel_verdict tunnel_parse_teredo(const uint8_t *data, size_t length, struct tunnel_hop *hop)
{
    hop_start(hop, ENCAP_TEREDO);
    size_t offset = 0;
    if (length >= 4 && data[0] == 0x00 && data[1] == 0x01) /* authentication */
        offset = 4u + data[2] + data[3] + 8 + 1;
    if (offset + 8 <= length && data[offset] == 0x00 && data[offset + 1] == 0x00)
        offset += 8; /* origin indication */
    if (offset + IPV6_HEADER > length || (data[offset] >> 4) != 6 ||
        offset + IPV6_HEADER + read_be16(data + offset + 4) != length)
        return TUNNEL_NOT_THIS;
    hop->header_length = offset;
    hop->payload = TUNNEL_PAYLOAD_IP;
    return TUNNEL_OK;
}

bool tunnel_parse_ppp(const uint8_t *data, size_t length, size_t *header_length,
                      uint16_t *protocol)
{
    size_t offset = (length >= 2 && data[0] == 0xff && data[1] == 0x03) ? 2 : 0;
    if (offset >= length)
        return false;
    if (data[offset] & 0x01) { /* protocol field compression */
        *protocol = data[offset];
        *header_length = offset + 1;
        return true;
    }
    if (offset + 2 > length)
        return false;
    *protocol = read_be16(data + offset);
    *header_length = offset + 2;
    return true;
}
