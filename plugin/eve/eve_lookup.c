/* eve_lookup: the rules of both EVE dns versions in one place. Version 2
 * (Suricata 7) logs a query and an answer as two records, both from client
 * to server; version 3 (Suricata 8) logs a request and a response, and the
 * response's src_ip is the server. Must not allocate. */
#include "eve/eve_lookup.h"

#include <string.h>

#include "base/hash.h"
#include "dns/dns_codes.h"
#include "base/iso_time.h"

static void add_answers(const struct eve_record *r, struct eve_lookup_scratch *scratch,
                        struct engine_lookup *lookup)
{
    for (unsigned i = 0; i < r->answer_count; i++) {
        const struct eve_answer *a = &r->answers[i];
        struct ip_address address;
        if ((eve_span_is(a->rrtype, "A") || eve_span_is(a->rrtype, "AAAA")) &&
            eve_span_address(a->rdata, &address))
            engine_lookup_add_answer(lookup, scratch->answers, &address,
                                     a->ttl < 0 ? 0 : a->ttl > UINT32_MAX ? UINT32_MAX : (uint32_t)a->ttl);
    }
}

/* Which side asked: 1 for a query, 0 for a response, -1 for neither. */
static int is_query(const struct eve_record *r)
{
    if (eve_span_is(r->dns_type, "query") || eve_span_is(r->dns_type, "request"))
        return 1;
    if (eve_span_is(r->dns_type, "answer") || eve_span_is(r->dns_type, "response"))
        return 0;
    return -1;
}

enum eve_lookup_status eve_lookup_from_record(const struct eve_record *r,
                                              struct eve_lookup_scratch *scratch,
                                              struct engine_lookup *lookup, const char **problem)
{
    int query = is_query(r);
    if (!eve_span_is(r->event_type, "dns"))
        return EVE_LOOKUP_NOT_DNS;
    if (!r->has_dns || query < 0) {
        *problem = "no dns object with a type of query, answer, request or response";
        return EVE_LOOKUP_BAD;
    }
    memset(lookup, 0, sizeof *lookup);
    /* version 3 responses are logged from the server's side */
    bool server_first = query == 0 && r->dns_version >= 3;
    struct eve_span querier = server_first ? r->dest_ip : r->src_ip;
    struct eve_span server = server_first ? r->src_ip : r->dest_ip;
    *problem = NULL;
    if (!r->timestamp.ptr || !iso_time_parse(r->timestamp.ptr, r->timestamp.length, &lookup->time_us))
        *problem = "no timestamp, or not an ISO 8601 time from 1970 to 2100";
    else if (!eve_span_address(querier, &lookup->querier))
        *problem = "no client address";
    if (*problem)
        return EVE_LOOKUP_BAD;
    if (!eve_span_address(server, &lookup->server))
        memset(&lookup->server, 0, sizeof lookup->server);
    lookup->qname_length = r->rrname.ptr ? eve_span_decode(r->rrname, scratch->qname,
                                                           sizeof scratch->qname) : 0;
    lookup->qname = scratch->qname;
    if (r->rrtype.ptr)
        dns_type_from_text(r->rrtype.ptr, r->rrtype.length, &lookup->qtype);
    /* Suricata logs the answers of the transactions it tracked; exclave's
     * own records mark a response to no query seen */
    lookup->part = query == 1 ? LOOKUP_QUERY
                 : r->dns_unsolicited ? LOOKUP_UNSOLICITED : LOOKUP_RESPONSE;
    /* what a response shares with its request, for the engine to pair them */
    if (r->flow_id.ptr && r->dns_id >= 0)
        lookup->pair_key = hash_bytes(lookup->qname, lookup->qname_length,
                                      hash_bytes(r->flow_id.ptr, r->flow_id.length,
                                                 (uint64_t)r->dns_id << 16 | lookup->qtype)) | 1;
    if (query == 0) {
        lookup->has_response = true;
        if (r->rcode.ptr)
            dns_rcode_from_text(r->rcode.ptr, r->rcode.length, &lookup->rcode);
        add_answers(r, scratch, lookup);
    }
    return EVE_LOOKUP_OK;
}

/* The addresses of a record that get enrichment, read once; their GeoIP
 * cache slots are fetched together before the first lookup. */
struct enriched_addresses {
    struct ip_address src, dest, answers[EVE_ANSWERS_MAX];
    bool src_ok, dest_ok, answer_ok[EVE_ANSWERS_MAX];
};

static bool read_address(const struct eve_writer *w, struct eve_span span,
                         struct ip_address *address)
{
    if (!eve_span_address(span, address))
        return false;
    geoip_prefetch(w->geoip, address);
    return true;
}

static void write_enrichment(struct eve_writer *w, bool ok, enum eve_enrich_role role,
                             const struct ip_address *address)
{
    if (ok)
        eve_writer_enrich(w, role, address);
}

static bool is_address_answer(const struct eve_answer *a)
{
    return eve_span_is(a->rrtype, "A") || eve_span_is(a->rrtype, "AAAA");
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Version 3's client subnet option (its data in hex) decoded. */
static bool client_subnet(const struct eve_record *r, struct dns_client_subnet *ecs)
{
    uint8_t value[4 + 16];
    size_t length = r->client_subnet.length / 2;
    if (!r->client_subnet.ptr || r->client_subnet.length % 2 || length > sizeof value)
        return false;
    for (size_t i = 0; i < length; i++) {
        int high = hex_digit(r->client_subnet.ptr[2 * i]), low = hex_digit(r->client_subnet.ptr[2 * i + 1]);
        if (high < 0 || low < 0)
            return false;
        value[i] = (uint8_t)(high << 4 | low);
    }
    return dns_client_subnet_decode(value, length, ecs);
}

bool eve_lookup_enriches_inside(const struct eve_record *r)
{
    for (unsigned i = 0; i < r->answer_count; i++)
        if (is_address_answer(&r->answers[i]))
            return true;
    return r->client_subnet.ptr != NULL;
}

static void read_endpoints(const struct eve_writer *w, const struct eve_record *r,
                           struct enriched_addresses *e)
{
    e->src_ok = read_address(w, r->src_ip, &e->src);
    e->dest_ok = read_address(w, r->dest_ip, &e->dest);
}

static void write_endpoints(struct eve_writer *w, const struct enriched_addresses *e)
{
    write_enrichment(w, e->src_ok, EVE_ENRICH_SOURCE, &e->src);
    write_enrichment(w, e->dest_ok, EVE_ENRICH_DESTINATION, &e->dest);
}

void eve_lookup_write_endpoints(struct eve_writer *w, const struct eve_record *r)
{
    if (!w->geoip || r->has_enrichment)
        return;
    struct enriched_addresses e;
    read_endpoints(w, r, &e);
    write_endpoints(w, &e);
}

void eve_lookup_write_enriched(struct eve_writer *w, const char *text,
                               const struct eve_record *r, bool answers_too)
{
    size_t copied = 0;
    if (w->geoip && !r->has_enrichment) {
        struct enriched_addresses e;
        for (unsigned i = 0; answers_too && i < r->answer_count; i++)
            e.answer_ok[i] = is_address_answer(&r->answers[i]) &&
                             read_address(w, r->answers[i].rdata, &e.answers[i]);
        read_endpoints(w, r, &e);
        for (unsigned i = 0; answers_too && i < r->answer_count; i++) {
            const struct eve_answer *a = &r->answers[i];
            if (!is_address_answer(a))
                continue;
            json_out_raw(w->out, text + copied, a->end - copied);
            copied = a->end;
            write_enrichment(w, e.answer_ok[i], EVE_ENRICH_INNER, &e.answers[i]);
        }
        struct dns_client_subnet ecs;
        if (answers_too && client_subnet(r, &ecs) && r->dns_end >= copied) {
            json_out_raw(w->out, text + copied, r->dns_end - copied);
            copied = r->dns_end;
            eve_writer_client_subnet(w, &ecs);
        }
        json_out_raw(w->out, text + copied, r->end - copied);
        copied = r->end;
        write_endpoints(w, &e);
    }
    json_out_raw(w->out, text + copied, r->end + 1 - copied);
    json_out_end_record(w->out);
}
