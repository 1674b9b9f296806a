/* Unit tests of decapsulation on hand-built frames: each encapsulation
 * alone and nested, what the view then holds (inner endpoints, outer
 * addresses, layers, VNI/key), every cut of every frame (never a read past
 * the cut: each cut is copied to a buffer of exactly that size, so the
 * sanitizer build catches one), layers past the depth limit, malformed
 * headers, the tunnel-port table, DNS ports that are never tunnels, and
 * the live capture's default filter letting tunnels in. */
#include <pcap/pcap.h>
#include <stdlib.h>

#include "capture/packet_decoder.h"
#include "capture/pcap_source.h"
#include "capture/tunnel_header.h"
#include "unit.h"

static struct packet_decoder_config config;

/* A frame built from the inside out: each wrapper prepends its header. */
struct frame {
    uint8_t bytes[1024];
    size_t start, end;
};

static uint8_t *prepend(struct frame *f, size_t length)
{
    f->start -= length;
    memset(f->bytes + f->start, 0, length);
    return f->bytes + f->start;
}

static size_t frame_length(const struct frame *f) { return f->end - f->start; }

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* The innermost packet: IPv4 UDP 10.0.0.1:1234 -> 10.0.0.2:53, "dns!". */
static void inner_ipv4(struct frame *f)
{
    static const uint8_t packet[] = {
        0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x04, 0xd2, 0, 53, 0, 12, 0, 0, 'd', 'n', 's', '!',
    };
    f->start = f->end = 512;
    memcpy(prepend(f, sizeof packet), packet, sizeof packet);
}

/* IPv6 UDP 2001:db8::1:1234 -> 2001:db8::2:53, "dns!". */
static void inner_ipv6(struct frame *f)
{
    f->start = f->end = 512;
    uint8_t *udp = prepend(f, 12);
    put16(udp, 1234); put16(udp + 2, 53); put16(udp + 4, 12);
    memcpy(udp + 8, "dns!", 4);
    uint8_t *ip = prepend(f, 40);
    ip[0] = 0x60; put16(ip + 4, 12); ip[6] = 17; ip[7] = 64;
    ip[8] = 0x20; ip[9] = 0x01; ip[10] = 0x0d; ip[11] = 0xb8; ip[23] = 1;
    ip[24] = 0x20; ip[25] = 0x01; ip[26] = 0x0d; ip[27] = 0xb8; ip[39] = 2;
}

static void ethernet(struct frame *f, unsigned ethertype)
{
    put16(prepend(f, 14) + 12, ethertype);
}

static void outer_ipv4(struct frame *f, uint8_t protocol)
{
    size_t length = frame_length(f) + 20;
    uint8_t *ip = prepend(f, 20);
    ip[0] = 0x45; put16(ip + 2, (unsigned)length); ip[8] = 64; ip[9] = protocol;
    ip[12] = 192; ip[14] = 2; ip[15] = 1; ip[16] = 192; ip[18] = 2; ip[19] = 2;
}

static void outer_ipv6(struct frame *f, uint8_t next_header)
{
    size_t length = frame_length(f);
    uint8_t *ip = prepend(f, 40);
    ip[0] = 0x60; put16(ip + 4, (unsigned)length); ip[6] = next_header; ip[7] = 64;
    ip[8] = 0xfd; ip[23] = 1; ip[24] = 0xfd; ip[39] = 2;
}

static void udp(struct frame *f, unsigned src_port, unsigned dst_port)
{
    size_t length = frame_length(f) + 8;
    uint8_t *h = prepend(f, 8);
    put16(h, src_port); put16(h + 2, dst_port); put16(h + 4, (unsigned)length);
}

static void vxlan(struct frame *f, uint32_t vni)
{
    uint8_t *h = prepend(f, 8);
    h[0] = 0x08; h[4] = (uint8_t)(vni >> 16); h[5] = (uint8_t)(vni >> 8); h[6] = (uint8_t)vni;
}

static void geneve(struct frame *f, unsigned protocol, uint32_t vni, unsigned option_words)
{
    uint8_t *h = prepend(f, 8 + 4 * option_words);
    h[0] = (uint8_t)option_words; put16(h + 2, protocol);
    h[4] = (uint8_t)(vni >> 16); h[5] = (uint8_t)(vni >> 8); h[6] = (uint8_t)vni;
}

/* GRE with the C, K and S fields as flags asks (version 0) */
static void gre(struct frame *f, unsigned flags, unsigned protocol, uint32_t key)
{
    size_t length = 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) +
                    ((flags & 0x1000) ? 4 : 0);
    uint8_t *h = prepend(f, length);
    put16(h, flags); put16(h + 2, protocol);
    size_t at = 4 + ((flags & 0x8000) ? 4 : 0);
    if (flags & 0x2000) {
        h[at] = (uint8_t)(key >> 24); h[at + 1] = (uint8_t)(key >> 16);
        h[at + 2] = (uint8_t)(key >> 8); h[at + 3] = (uint8_t)key;
    }
}

struct expect {
    unsigned depth;
    enum encapsulation_kind layers[ENCAP_DEPTH_MAX];
    int outer_family;          /* 4: outer 192.0.2.1 -> 192.0.2.2; 6: fd00::1 -> fd00::2; 0: none */
    bool has_id;
    uint32_t id;
    bool ipv6_inner;
};

/* Decodes the frame whole, checks the view, then every cut of it. */
static void check_frame(const char *what, int link_type, const struct frame *f,
                        const struct expect *e)
{
    struct packet_view v;
    size_t length = frame_length(f);
    enum packet_status status = packet_decode(&config, link_type, f->bytes + f->start, length, &v);
    CHECK(status == PACKET_OK);
    CHECK(v.protocol == IP_PROTOCOL_UDP && v.src_port == 1234 && v.dst_port == 53);
    CHECK(v.payload_length == 4 && memcmp(v.payload, "dns!", 4) == 0);
    CHECK(v.src.family == (e->ipv6_inner ? 6 : 4));
    CHECK(v.encap.depth == e->depth);
    for (unsigned i = 0; i < e->depth && i < ENCAP_DEPTH_MAX; i++)
        CHECK(v.encap.layers[i] == e->layers[i]);
    CHECK(v.encap.outer_src.family == e->outer_family);
    if (e->outer_family)
        CHECK(v.encap.outer_src.bytes[e->outer_family == 4 ? 3 : 15] == 1 &&
              v.encap.outer_dst.bytes[e->outer_family == 4 ? 3 : 15] == 2);
    CHECK(v.encap.has_id == e->has_id && (!e->has_id || v.encap.id == e->id));
    CHECK((v.encap.flow_key != 0) == e->has_id);
    if (status != PACKET_OK || v.encap.depth != e->depth)
        fprintf(stderr, "  in: %s (status %s, depth %u)\n", what, packet_strerror(status),
                v.encap.depth);
    for (size_t cut = 0; cut < length; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, f->bytes + f->start, cut);
        status = packet_decode(&config, link_type, copy, cut, &v);
        if (status == PACKET_OK)
            CHECK(v.payload >= copy && v.payload + v.payload_length <= copy + cut);
        free(copy);
    }
}

static void test_each_encapsulation(void)
{
    struct frame f;
    inner_ipv4(&f); ethernet(&f, 0x0800); vxlan(&f, 0x123456); udp(&f, 40000, 4789);
    outer_ipv4(&f, 17); ethernet(&f, 0x0800);
    check_frame("vxlan", DLT_EN10MB, &f, &(struct expect){ 1, { ENCAP_VXLAN }, 4, true, 0x123456, false });

    inner_ipv4(&f); geneve(&f, 0x0800, 99, 3); udp(&f, 40000, 6081); outer_ipv4(&f, 17);
    check_frame("geneve ip", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_GENEVE }, 4, true, 99, false });

    inner_ipv4(&f); ethernet(&f, 0x0800); geneve(&f, 0x6558, 5, 0); udp(&f, 1, 6081);
    outer_ipv6(&f, 17);
    check_frame("geneve ethernet over ipv6", DLT_RAW, &f,
                &(struct expect){ 1, { ENCAP_GENEVE }, 6, true, 5, false });

    inner_ipv6(&f); uint8_t *gpe = prepend(&f, 8);
    gpe[0] = 0x0c; gpe[3] = 2; gpe[6] = 42; /* I and P set, next protocol IPv6 */
    udp(&f, 1, 4790); outer_ipv4(&f, 17);
    check_frame("vxlan-gpe ipv6", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_VXLAN_GPE }, 4, true, 42, true });

    inner_ipv4(&f); gre(&f, 0xb000, 0x0800, 77); outer_ipv4(&f, 47);
    check_frame("gre checksum key sequence", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_GRE }, 4, true, 77, false });

    inner_ipv4(&f); ethernet(&f, 0x0800); gre(&f, 0x0000, 0x6558, 0); outer_ipv4(&f, 47);
    check_frame("gre bridged ethernet", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_GRE }, 4, false, 0, false });

    inner_ipv4(&f); gre(&f, 0, 0x0800, 0); udp(&f, 1, 4754); outer_ipv4(&f, 17);
    check_frame("gre over udp", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_GRE }, 4, false, 0, false });
}

static void test_gre_variants(void)
{
    struct frame f;
    /* RFC 1701 routing: an offset word, one route entry, the terminator */
    inner_ipv4(&f);
    uint8_t *routes = prepend(&f, 4 + 4 + 4 + 4);
    put16(routes + 4, 0x0800); routes[7] = 4; /* family IPv4, 4 bytes of route */
    uint8_t *h = prepend(&f, 4);
    put16(h, 0x4000); put16(h + 2, 0x0800);
    (void)routes;
    outer_ipv4(&f, 47);
    /* the R bit also adds the checksum/offset word: header 4 + 4, then entries */
    check_frame("gre source route", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_GRE }, 4, false, 0, false });

    /* enhanced GRE (PPTP), over IPv6 as in zeek's gre-pptp trace: key, seq, ack, PPP */
    inner_ipv4(&f);
    uint8_t *ppp = prepend(&f, 4);
    ppp[0] = 0xff; ppp[1] = 0x03; put16(ppp + 2, 0x0021);
    uint8_t *pptp = prepend(&f, 16);
    put16(pptp, 0x3081); put16(pptp + 2, 0x880b); put16(pptp + 4, 36); put16(pptp + 6, 9);
    outer_ipv4(&f, 47);
    check_frame("enhanced gre", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_GRE }, 4, false, 0, false });

    /* ERSPAN I (GRE without sequence), II and III (with the subheader) */
    inner_ipv4(&f); ethernet(&f, 0x0800); gre(&f, 0, 0x88be, 0); outer_ipv4(&f, 47);
    check_frame("erspan i", DLT_RAW, &f, &(struct expect){ 2, { ENCAP_GRE, ENCAP_ERSPAN }, 4, false, 0, false });
    inner_ipv4(&f); ethernet(&f, 0x0800);
    uint8_t *e2 = prepend(&f, 8);
    e2[0] = 0x10; e2[3] = 5;
    gre(&f, 0x1000, 0x88be, 0); outer_ipv4(&f, 47);
    check_frame("erspan ii", DLT_RAW, &f, &(struct expect){ 2, { ENCAP_GRE, ENCAP_ERSPAN }, 4, false, 0, false });
    inner_ipv4(&f); ethernet(&f, 0x0800); prepend(&f, 8);
    uint8_t *e3 = prepend(&f, 12);
    e3[0] = 0x20; e3[11] = 0x01; /* O: a platform-specific subheader follows */
    gre(&f, 0x1000, 0x22eb, 0); outer_ipv4(&f, 47);
    check_frame("erspan iii", DLT_RAW, &f, &(struct expect){ 2, { ENCAP_GRE, ENCAP_ERSPAN }, 4, false, 0, false });
}

static void test_link_level_and_ip_in_ip(void)
{
    struct frame f;
    inner_ipv4(&f);
    uint8_t *labels = prepend(&f, 8);
    labels[0] = 0x01; labels[3] = 64; labels[4] = 0x02; labels[6] = 0x01; labels[7] = 64;
    ethernet(&f, 0x8847);
    check_frame("mpls ipv4", DLT_EN10MB, &f, &(struct expect){ 1, { ENCAP_MPLS }, 0, false, 0, false });

    inner_ipv4(&f); ethernet(&f, 0x0800); prepend(&f, 4); /* control word */
    uint8_t *pw = prepend(&f, 4);
    pw[0] = 0x10; pw[2] = 0x01;
    ethernet(&f, 0x8847);
    check_frame("mpls pseudowire", DLT_EN10MB, &f, &(struct expect){ 1, { ENCAP_MPLS }, 0, false, 0, false });

    inner_ipv6(&f);
    uint8_t *null_label = prepend(&f, 4);
    null_label[1] = 0x00; null_label[2] = 0x21; /* label 2 (IPv6 explicit null), bottom */
    ethernet(&f, 0x8848);
    check_frame("mpls ipv6 explicit null", DLT_EN10MB, &f, &(struct expect){ 1, { ENCAP_MPLS }, 0, false, 0, true });

    inner_ipv4(&f);
    size_t ppp_length = frame_length(&f) + 2;
    uint8_t *pppoe = prepend(&f, 8);
    pppoe[0] = 0x11; put16(pppoe + 2, 7); put16(pppoe + 4, (unsigned)ppp_length); put16(pppoe + 6, 0x0021);
    ethernet(&f, 0x8864);
    check_frame("pppoe", DLT_EN10MB, &f, &(struct expect){ 1, { ENCAP_PPPOE }, 0, false, 0, false });

    inner_ipv4(&f); outer_ipv4(&f, 4);
    check_frame("ipv4 in ipv4", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_IPV4_IN_IP }, 4, false, 0, false });
    inner_ipv6(&f); outer_ipv4(&f, 41);
    check_frame("6in4", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_IPV6_IN_IP }, 4, false, 0, true });
    inner_ipv4(&f); outer_ipv6(&f, 4);
    check_frame("ipv4 in ipv6", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_IPV4_IN_IP }, 6, false, 0, false });

    inner_ipv6(&f);
    uint8_t *origin = prepend(&f, 8); /* origin indication */
    (void)origin;
    udp(&f, 3544, 50000); outer_ipv4(&f, 17);
    check_frame("teredo", DLT_RAW, &f, &(struct expect){ 1, { ENCAP_TEREDO }, 4, false, 0, true });
}

static void test_nesting_and_depth(void)
{
    struct frame f;
    inner_ipv4(&f); ethernet(&f, 0x0800); vxlan(&f, 3); udp(&f, 1, 4789); outer_ipv4(&f, 17);
    geneve(&f, 0x0800, 9, 0); udp(&f, 1, 6081); outer_ipv4(&f, 17);
    check_frame("vxlan in geneve", DLT_RAW, &f,
                &(struct expect){ 2, { ENCAP_GENEVE, ENCAP_VXLAN }, 4, true, 9, false });
    struct packet_view v;
    packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v);
    uint64_t nested_key = v.encap.flow_key;
    inner_ipv4(&f); ethernet(&f, 0x0800); vxlan(&f, 3); udp(&f, 1, 4789); outer_ipv4(&f, 17);
    packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v);
    CHECK(v.encap.flow_key != 0 && v.encap.flow_key != nested_key);

    /* ENCAP_DEPTH_MAX layers decode; one more is too deep */
    inner_ipv4(&f);
    for (int i = 0; i < ENCAP_DEPTH_MAX; i++)
        outer_ipv4(&f, 4);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.encap.depth == ENCAP_DEPTH_MAX);
    outer_ipv4(&f, 4);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) ==
          PACKET_TUNNEL_TOO_DEEP);
    config.tunnel_depth_max = 0;
    inner_ipv4(&f); outer_ipv4(&f, 4);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) ==
          PACKET_TUNNEL_TOO_DEEP);
    packet_decoder_config_defaults(&config);

    /* bridged Ethernet outside a tunnel is not a way round the limit */
    inner_ipv4(&f); ethernet(&f, 0x0800); ethernet(&f, 0x6558);
    CHECK(packet_decode(&config, DLT_EN10MB, f.bytes + f.start, frame_length(&f), &v) == PACKET_NOT_IP);
}

static void test_malformed_headers(void)
{
    struct frame f;
    struct packet_view v;
    /* a UDP tunnel header that does not parse leaves plain UDP, marked */
    inner_ipv4(&f); ethernet(&f, 0x0800); vxlan(&f, 1); f.bytes[f.start] = 0; /* no I flag */
    udp(&f, 1, 4789); outer_ipv4(&f, 17);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.tunnel_rejected && v.encap.depth == 0 && v.dst_port == 4789);
    inner_ipv4(&f); gre(&f, 0x0003, 0x0800, 0); outer_ipv4(&f, 47); /* GRE version 3 */
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_BAD_TUNNEL);
    inner_ipv4(&f); geneve(&f, 0x0800, 1, 0); f.bytes[f.start] = 63; /* options past the end */
    udp(&f, 1, 6081); outer_ipv4(&f, 17);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.tunnel_rejected && v.encap.depth == 0);
    inner_ipv6(&f); outer_ipv4(&f, 4); /* protocol 4 carrying IPv6 */
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_BAD_TUNNEL);
    uint8_t labels[4 * 17] = { 0 }; /* 17 labels, none at the bottom of the stack */
    struct tunnel_hop hop;
    CHECK(tunnel_parse_mpls(labels, sizeof labels, &hop) == TUNNEL_MALFORMED);

    /* Teredo that is not Teredo (no IPv6 inside) stays plain UDP */
    inner_ipv4(&f); f.start += 28; /* just "dns!" */
    udp(&f, 3544, 53); outer_ipv4(&f, 17);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.encap.depth == 0 && v.src_port == 3544 && v.payload_length == 4);
}

static void test_tunnel_ports(void)
{
    struct frame f;
    struct packet_view v;
    inner_ipv4(&f); ethernet(&f, 0x0800); vxlan(&f, 1); udp(&f, 1, 8472); outer_ipv4(&f, 17);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.encap.depth == 0 && v.dst_port == 8472);
    uint16_t ports[] = { 8472, 4789 };
    CHECK(packet_decoder_set_tunnel_ports(&config, ENCAP_VXLAN, ports, 2));
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.encap.depth == 1 && v.dst_port == 53);
    CHECK(packet_decoder_set_tunnel_ports(&config, ENCAP_VXLAN, NULL, 0));
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.encap.depth == 0);
    CHECK(!packet_decoder_set_tunnel_ports(&config, ENCAP_MPLS, ports, 1));
    /* a DNS response to a client that happened to pick port 4789 is DNS */
    packet_decoder_config_defaults(&config);
    inner_ipv4(&f); ethernet(&f, 0x0800); vxlan(&f, 1); udp(&f, 53, 4789); outer_ipv4(&f, 17);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.encap.depth == 1); /* no DNS port configured: taken for VXLAN */
    config.dns_ports[53 / 8] |= 1u << (53 % 8);
    CHECK(packet_decode(&config, DLT_RAW, f.bytes + f.start, frame_length(&f), &v) == PACKET_OK);
    CHECK(v.encap.depth == 0 && v.src_port == 53 && v.dst_port == 4789 && !v.tunnel_rejected);
    uint16_t many[PACKET_TUNNEL_PORTS_MAX + 1] = { 0 };
    CHECK(!packet_decoder_set_tunnel_ports(&config, ENCAP_GENEVE, many, PACKET_TUNNEL_PORTS_MAX + 1));
    packet_decoder_config_defaults(&config);
    enum encapsulation_kind kind;
    CHECK(encapsulation_from_name("vxlan-gpe", &kind) && kind == ENCAP_VXLAN_GPE);
    CHECK(!encapsulation_from_name("gtp", &kind));
}

/* True when the BPF program passes the Ethernet frame. */
static bool filter_passes(const struct bpf_program *program, const struct frame *f)
{
    struct pcap_pkthdr header = { .caplen = (bpf_u_int32)frame_length(f),
                                  .len = (bpf_u_int32)frame_length(f) };
    return pcap_offline_filter(program, &header, f->bytes + f->start) != 0;
}

static void test_live_filter(void)
{
    struct sensor_config sensor;
    sensor_config_defaults(&sensor);
    sensor_config_add_port(&sensor, 53);
    char text[4096];
    pcap_source_default_filter(&sensor, text, sizeof text);
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    struct bpf_program program;
    CHECK(pcap_compile(dead, &program, text, 1, PCAP_NETMASK_UNKNOWN) == 0);
    struct frame f;
    inner_ipv4(&f); ethernet(&f, 0x0800);
    CHECK(filter_passes(&program, &f));
    inner_ipv4(&f); ethernet(&f, 0x0800); vxlan(&f, 1); udp(&f, 40000, 4789); outer_ipv4(&f, 17);
    ethernet(&f, 0x0800);
    CHECK(filter_passes(&program, &f));
    inner_ipv4(&f); gre(&f, 0, 0x0800, 0); outer_ipv4(&f, 47); ethernet(&f, 0x0800);
    CHECK(filter_passes(&program, &f));
    inner_ipv4(&f); uint8_t *label = prepend(&f, 4);
    label[2] = 0x01; ethernet(&f, 0x8847);
    CHECK(filter_passes(&program, &f));
    inner_ipv4(&f); put16(f.bytes + f.start + 22, 9999); /* UDP 1234 -> 9999: neither */
    ethernet(&f, 0x0800);
    CHECK(!filter_passes(&program, &f));
    pcap_freecode(&program);
    pcap_close(dead);
}

int main(void)
{
    packet_decoder_config_defaults(&config);
    test_each_encapsulation();
    test_gre_variants();
    test_link_level_and_ip_in_ip();
    test_nesting_and_depth();
    test_malformed_headers();
    test_tunnel_ports();
    test_live_filter();
    return unit_finish("unit-tunnels");
}
