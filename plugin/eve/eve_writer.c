/* eve_writer: the EVE dns record layout, field by field. Field names follow
 * Suricata 7 (dns v2) for what Suricata logs, and ECS-flavoured snake case
 * (src_as, src_geo, ...) for what exclave adds. Must not allocate. */
#include "eve/eve_writer.h"

#include <string.h>

#include "base/community_id.h"
#include "base/decimal.h"
#include "dns/dns_codes.h"
#include "capture/packet_decoder.h"

struct member_key {
    const char *text;
    size_t length;
};
#define MEMBER_KEY(text) { text, sizeof(text) - 1 }

/* {"number":N[,"organization":...]}: a string, or with ECS {"name":...} */
static void write_as(struct eve_writer *w, const struct geoip_result *found)
{
    json_out_literal(w->out, "{\"number\":");
    json_out_uint(w->out, found->asn);
    if (found->org) {
        json_out_literal(w->out, ",\"organization\":");
        if (w->ecs_names)
            json_out_literal(w->out, "{\"name\":");
        json_out_string(w->out, found->org, found->org_length);
        if (w->ecs_names)
            json_out_literal(w->out, "}");
    }
    json_out_literal(w->out, "}");
}

static void write_geo(struct eve_writer *w, const struct geoip_result *found)
{
    json_out_literal(w->out, "{\"country_iso_code\":");
    json_out_string(w->out, found->country, 2);
    json_out_literal(w->out, "}");
}

/* ECS: ,"source":{"as":{...},"geo":{...}} (or "destination") */
static void write_wrapped(struct eve_writer *w, enum eve_enrich_role role,
                          const struct geoip_result *found)
{
    if (role == EVE_ENRICH_SOURCE)
        json_out_literal(w->out, ",\"source\":{");
    else
        json_out_literal(w->out, ",\"destination\":{");
    if (found->asn) {
        json_out_literal(w->out, "\"as\":");
        write_as(w, found);
    }
    if (found->country[0]) {
        if (found->asn)
            json_out_literal(w->out, ",");
        json_out_literal(w->out, "\"geo\":");
        write_geo(w, found);
    }
    json_out_literal(w->out, "}");
}

void eve_writer_enrich(struct eve_writer *w, enum eve_enrich_role role,
                       const struct ip_address *address)
{
    static const struct member_key as_keys[] = { MEMBER_KEY(",\"src_as\":"),
                                                 MEMBER_KEY(",\"dest_as\":"), MEMBER_KEY(",\"as\":") };
    static const struct member_key geo_keys[] = { MEMBER_KEY(",\"src_geo\":"),
                                                  MEMBER_KEY(",\"dest_geo\":"), MEMBER_KEY(",\"geo\":") };
    if (!w->geoip)
        return;
    struct geoip_result found;
    geoip_lookup(w->geoip, address, &found);
    if (!found.asn && !found.country[0])
        return;
    if (w->ecs_names && role != EVE_ENRICH_INNER) {
        write_wrapped(w, role, &found);
        return;
    }
    if (found.asn) {
        json_out_raw(w->out, as_keys[role].text, as_keys[role].length);
        write_as(w, &found);
    }
    if (found.country[0]) {
        json_out_raw(w->out, geo_keys[role].text, geo_keys[role].length);
        write_geo(w, &found);
    }
}


/* Decoded text is printable ASCII by construction (dns_message escapes the
 * rest), so only a backslash or a quote needs JSON escaping; most names have
 * neither and are copied whole. */
static void write_text(struct eve_writer *w, const struct dns_message *m, struct dns_text text)
{
    const char *p = dns_text_ptr(m, text);
    if (memchr(p, '\\', text.length) || memchr(p, '"', text.length)) {
        json_out_string(w->out, p, text.length);
        return;
    }
    json_out_literal(w->out, "\"");
    json_out_raw(w->out, p, text.length);
    json_out_literal(w->out, "\"");
}

static void write_type(struct eve_writer *w, uint16_t type)
{
    char text[16];
    json_out_string(w->out, text, dns_type_text(type, text));
}

/* ,"tunnel":{...}: the outermost IP header's addresses, the layers
 * outermost first, and the outermost VNI or GRE key. */
static void write_tunnel(struct eve_writer *w, const struct encapsulation *encap)
{
    json_out_literal(w->out, ",\"tunnel\":{");
    if (encap->outer_src.family) {
        json_out_literal(w->out, "\"src_ip\":");
        json_out_ip(w->out, &encap->outer_src);
        json_out_literal(w->out, ",\"dest_ip\":");
        json_out_ip(w->out, &encap->outer_dst);
        json_out_literal(w->out, ",");
    }
    json_out_literal(w->out, "\"depth\":");
    json_out_uint(w->out, encap->depth);
    json_out_literal(w->out, ",\"layers\":[");
    for (unsigned i = 0; i < encap->depth; i++) {
        if (i)
            json_out_literal(w->out, ",");
        json_out_cstring(w->out, encapsulation_name((enum encapsulation_kind)encap->layers[i]));
    }
    json_out_literal(w->out, "]");
    if (encap->has_id) {
        json_out_literal(w->out, ",\"id\":");
        json_out_uint(w->out, encap->id);
    }
    json_out_literal(w->out, "}");
}

/* ,"community_id":"1:..." where Suricata writes it: after proto. */
static void write_community_id(struct eve_writer *w, const struct dns_event *e)
{
    char id[COMMUNITY_ID_TEXT_MAX];
    size_t length = community_id_format(&e->client, e->client_port, &e->server, e->server_port,
                                        e->protocol, w->community_id_seed, id);
    if (!length)
        return;
    json_out_literal(w->out, ",\"community_id\":\"");
    json_out_raw(w->out, id, length); /* base64: nothing to escape */
    json_out_literal(w->out, "\"");
}

static void write_header(struct eve_writer *w, const struct dns_event *e)
{
    json_out_literal(w->out, "{\"timestamp\":");
    json_out_timestamp(w->out, e->timestamp_us);
    json_out_literal(w->out, ",\"flow_id\":");
    json_out_uint(w->out, e->flow_id);
    json_out_literal(w->out, ",\"pcap_cnt\":");
    json_out_uint(w->out, e->packet_number);
    json_out_literal(w->out, ",\"event_type\":\"dns\",\"src_ip\":");
    json_out_ip(w->out, &e->client);
    json_out_literal(w->out, ",\"src_port\":");
    json_out_uint(w->out, e->client_port);
    json_out_literal(w->out, ",\"dest_ip\":");
    json_out_ip(w->out, &e->server);
    json_out_literal(w->out, ",\"dest_port\":");
    json_out_uint(w->out, e->server_port);
    if (e->protocol == IP_PROTOCOL_TCP)
        json_out_literal(w->out, ",\"proto\":\"TCP\"");
    else
        json_out_literal(w->out, ",\"proto\":\"UDP\"");
    if (w->community_id)
        write_community_id(w, e);
    if (w->log_tunnel && e->encap)
        write_tunnel(w, e->encap);
    eve_writer_enrich(w, EVE_ENRICH_SOURCE, &e->client);
    eve_writer_enrich(w, EVE_ENRICH_DESTINATION, &e->server);
}

static void write_flag(struct eve_writer *w, const char *key, size_t key_length, bool set)
{
    if (!set)
        return;
    json_out_raw(w->out, key, key_length);
    json_out_literal(w->out, ":true");
}

#define FLAG(w, key, set) write_flag((w), key, sizeof(key) - 1, (set))

static void write_flags(struct eve_writer *w, const struct dns_message *m)
{
    static const char hex[] = "0123456789abcdef";
    char flags[6] = { '"', hex[m->flags >> 12], hex[(m->flags >> 8) & 0xf],
                      hex[(m->flags >> 4) & 0xf], hex[m->flags & 0xf], '"' };
    json_out_literal(w->out, ",\"flags\":");
    json_out_raw(w->out, flags, sizeof flags);
    FLAG(w, ",\"qr\"", m->flags & 0x8000);
    FLAG(w, ",\"aa\"", m->flags & 0x0400);
    FLAG(w, ",\"tc\"", m->flags & 0x0200);
    FLAG(w, ",\"rd\"", m->flags & 0x0100);
    FLAG(w, ",\"ra\"", m->flags & 0x0080);
    FLAG(w, ",\"z\"", m->flags & 0x0040);
}

static void write_record(struct eve_writer *w, const struct dns_message *m,
                         const struct dns_record *r)
{
    json_out_literal(w->out, "{\"rrname\":");
    write_text(w, m, r->owner);
    json_out_literal(w->out, ",\"rrtype\":");
    write_type(w, r->type);
    json_out_literal(w->out, ",\"ttl\":");
    json_out_uint(w->out, r->ttl);
    if (r->address.family) {
        json_out_literal(w->out, ",\"rdata\":");
        json_out_ip(w->out, &r->address);
        eve_writer_enrich(w, EVE_ENRICH_INNER, &r->address);
    } else if (r->rdata.length) {
        json_out_literal(w->out, ",\"rdata\":");
        write_text(w, m, r->rdata);
    }
    json_out_literal(w->out, "}");
}

/* Writes ,"key":[...] with the records of one section, if there are any. */
static void write_section(struct eve_writer *w, const struct dns_message *m,
                          enum dns_section section, const char *key, size_t key_length)
{
    bool open = false;
    for (unsigned i = 0; i < m->record_count; i++) {
        if (m->records[i].section != section)
            continue;
        if (open) {
            json_out_literal(w->out, ",");
        } else {
            json_out_raw(w->out, key, key_length);
            json_out_literal(w->out, ":[");
            open = true;
        }
        write_record(w, m, &m->records[i]);
    }
    if (open)
        json_out_literal(w->out, "]");
}

#define SECTION(w, m, section, key) write_section((w), (m), (section), key, sizeof(key) - 1)

static void write_client_subnet(struct eve_writer *w, const struct dns_message *m)
{
    if (m->client_subnet.present)
        eve_writer_client_subnet(w, &m->client_subnet);
}

void eve_writer_client_subnet(struct eve_writer *w, const struct dns_client_subnet *ecs)
{
    char network[IP_ADDRESS_TEXT_MAX + 1 + DECIMAL_MAX];
    size_t length = ip_address_format(&ecs->network, network);
    network[length++] = '/';
    length += decimal_format(ecs->source_prefix, network + length);
    json_out_literal(w->out, ",\"client_subnet\":{\"network\":");
    json_out_string(w->out, network, length);
    json_out_literal(w->out, ",\"scope_prefix\":");
    json_out_uint(w->out, ecs->scope_prefix);
    eve_writer_enrich(w, EVE_ENRICH_INNER, &ecs->network);
    json_out_literal(w->out, "}");
}

static void write_dns(struct eve_writer *w, const struct dns_event *e)
{
    const struct dns_message *m = e->message;
    json_out_literal(w->out, ",\"dns\":{\"version\":2,\"type\":");
    if (e->is_response)
        json_out_literal(w->out, "\"answer\"");
    else
        json_out_literal(w->out, "\"query\"");
    json_out_literal(w->out, ",\"id\":");
    json_out_uint(w->out, m->id);
    if (e->is_response)
        write_flags(w, m);
    json_out_literal(w->out, ",\"opcode\":");
    json_out_uint(w->out, dns_opcode(m));
    if (m->question_count > 0) {
        json_out_literal(w->out, ",\"rrname\":");
        write_text(w, m, m->qname);
        json_out_literal(w->out, ",\"rrtype\":");
        write_type(w, m->qtype);
    }
    if (e->is_response) {
        char rcode[16];
        json_out_literal(w->out, ",\"rcode\":");
        json_out_string(w->out, rcode, dns_rcode_text(m->rcode, rcode));
    }
    FLAG(w, ",\"unsolicited\"", e->unsolicited);
    if (e->decode_status != DNS_DECODE_OK) {
        json_out_literal(w->out, ",\"decode_error\":");
        json_out_cstring(w->out, dns_decode_strerror(e->decode_status));
    }
    if (m->records_not_kept) {
        json_out_literal(w->out, ",\"records_not_logged\":");
        json_out_uint(w->out, m->records_not_kept);
    }
    write_client_subnet(w, m);
    SECTION(w, m, DNS_SECTION_ANSWER, ",\"answers\"");
    SECTION(w, m, DNS_SECTION_AUTHORITY, ",\"authorities\"");
    json_out_literal(w->out, "}}");
}

void eve_writer_dns(struct eve_writer *writer, const struct dns_event *event)
{
    write_header(writer, event);
    write_dns(writer, event);
    json_out_end_record(writer->out);
}
