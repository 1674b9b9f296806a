/* packet_decoder: header parsing for Ethernet (+802.1Q/QinQ), Linux cooked
 * v1/v2, raw IP, BSD loopback, PPP and FDDI; IPv4 and IPv6 (extension headers
 * skipped); UDP and TCP. Must never read past captured_length. */
#include "capture/packet_decoder.h"

#include <pcap/dlt.h>

#include "base/byte_order.h"

enum {
    ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_IPV6 = 0x86dd, ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_QINQ = 0x88a8, ETHERTYPE_QINQ_OLD = 0x9100, VLAN_TAGS_MAX = 4,
    IPV6_HEADER_SIZE = 40, IPV6_EXTENSIONS_MAX = 8,
    PPP_IPV4 = 0x0021, PPP_IPV6 = 0x0057,
};


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

static enum packet_status decode_udp(const uint8_t *data, size_t length, struct packet_view *view)
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
    return PACKET_OK;
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
    view->tcp_flags = data[13];
    view->payload = data + header_length;
    view->payload_length = length - header_length;
    return PACKET_OK;
}

enum packet_status packet_decode_transport(const uint8_t *data, size_t length,
                                           struct packet_view *view)
{
    if (view->protocol == IP_PROTOCOL_UDP)
        return decode_udp(data, length, view);
    if (view->protocol == IP_PROTOCOL_TCP)
        return decode_tcp(data, length, view);
    return PACKET_OTHER_TRANSPORT;
}

/* Hands either the transport header or the fragment data on. */
static enum packet_status finish_ip(const uint8_t *data, size_t length, bool fragmented,
                                    struct packet_view *view)
{
    if (fragmented) {
        if (view->snapped)
            return PACKET_TRUNCATED;
        view->payload = data;
        view->payload_length = length;
        return PACKET_FRAGMENT;
    }
    return packet_decode_transport(data, length, view);
}

static enum packet_status decode_ipv4(const uint8_t *data, size_t length, struct packet_view *view)
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
    return finish_ip(data + header_length, total_length - header_length, fragmented, view);
}

static bool is_ipv6_extension(uint8_t next_header)
{
    return next_header == 0 || next_header == 43 || next_header == 44 || next_header == 60 ||
           next_header == 51 || next_header == 135;
}

static enum packet_status decode_ipv6(const uint8_t *data, size_t length, struct packet_view *view)
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
    return finish_ip(cursor, remaining, fragmented, view);
}

static enum packet_status decode_ip(const uint8_t *data, size_t length, struct packet_view *view)
{
    if (length < 1)
        return PACKET_TRUNCATED;
    switch (data[0] >> 4) {
    case 4: return decode_ipv4(data, length, view);
    case 6: return decode_ipv6(data, length, view);
    default: return PACKET_NOT_IP;
    }
}

static enum packet_status decode_ethertype(uint16_t ethertype, const uint8_t *data, size_t length,
                                           struct packet_view *view)
{
    if (ethertype == ETHERTYPE_IPV4 || ethertype == ETHERTYPE_IPV6)
        return decode_ip(data, length, view);
    return PACKET_NOT_IP;
}

static enum packet_status decode_ethernet(const uint8_t *frame, size_t length,
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
    return decode_ethertype(ethertype, frame + offset, length - offset, view);
}

/* BSD loopback: a 4-byte address family, host order (NULL) or network (LOOP). */
static enum packet_status decode_loopback(const uint8_t *frame, size_t length, bool network_order,
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
        return decode_ip(frame + 4, length - 4, view);
    return PACKET_NOT_IP;
}

static enum packet_status decode_ppp(const uint8_t *frame, size_t length, struct packet_view *view)
{
    size_t offset = (length >= 2 && frame[0] == 0xff && frame[1] == 0x03) ? 2 : 0;
    if (offset + 2 > length)
        return PACKET_TRUNCATED;
    uint16_t protocol = read_be16(frame + offset);
    if (protocol != PPP_IPV4 && protocol != PPP_IPV6)
        return PACKET_NOT_IP;
    return decode_ip(frame + offset + 2, length - offset - 2, view);
}

enum packet_status packet_decode(int link_type, const uint8_t *frame, size_t length,
                                 struct packet_view *view)
{
    view->protocol = 0;
    view->tcp_flags = 0;
    view->snapped = false;
    view->fragment.offset = 0;
    view->fragment.more_fragments = false;
    switch (link_type) {
    case DLT_EN10MB:
        return decode_ethernet(frame, length, view);
    case DLT_LINUX_SLL:
        if (length < 16)
            return PACKET_TRUNCATED;
        return decode_ethertype(read_be16(frame + 14), frame + 16, length - 16, view);
    case DLT_LINUX_SLL2:
        if (length < 20)
            return PACKET_TRUNCATED;
        return decode_ethertype(read_be16(frame), frame + 20, length - 20, view);
    case DLT_NULL:
        return decode_loopback(frame, length, false, view);
    case DLT_LOOP:
        return decode_loopback(frame, length, true, view);
    case DLT_PPP:
        return decode_ppp(frame, length, view);
    case DLT_FDDI: /* 13-byte MAC header, then LLC/SNAP with the ethertype */
        if (length < 21)
            return PACKET_TRUNCATED;
        if (frame[13] != 0xaa || frame[14] != 0xaa || frame[15] != 0x03)
            return PACKET_NOT_IP;
        return decode_ethertype(read_be16(frame + 19), frame + 21, length - 21, view);
    default:
        if (packet_link_supported(link_type))
            return decode_ip(frame, length, view);
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
    }
    return "unknown packet status";
}
