/* zeek_dns_record: the two conversions of a Zeek dns.log line: from a decoded
 * DNS response (Zeek's own rules for ts, rtt, Z and rejected) and to the
 * engine's lookup. Must not allocate: both run once per record. */
#include "zeek/zeek_dns_record.h"

#include <stdio.h>
#include <string.h>

#include "dns/dns_codes.h"
#include "capture/packet_decoder.h"

void zeek_dns_record_clear(struct zeek_dns_record *r)
{
    r->ts_us = 0;
    r->uid = r->proto = r->query = r->qclass_name = r->qtype_name = r->rcode_name =
        (struct zeek_text){ 0 };
    r->orig_h.family = r->resp_h.family = 0;
    r->orig_p = r->resp_p = r->trans_id = r->qclass = r->qtype = r->rcode = r->z = r->rtt_us =
        ZEEK_UNSET;
    r->aa = r->tc = r->rd = r->ra = r->rejected = ZEEK_UNSET;
    r->answers_set = r->ttls_set = false;
    r->answer_count = r->ttl_count = 0;
}

static struct zeek_text text_of(const char *bytes, size_t length)
{
    return (struct zeek_text){ .bytes = bytes, .length = (uint32_t)length, .set = true };
}

/* "C" and the flow id in base 62: one uid per flow, like Zeek's connection uid. */
static struct zeek_text uid_of(uint64_t flow_id, char *out)
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char reversed[16];
    size_t n = 0;
    do {
        reversed[n++] = digits[flow_id % 62];
        flow_id /= 62;
    } while (flow_id);
    out[0] = 'C';
    for (size_t i = 0; i < n; i++)
        out[1 + i] = reversed[n - 1 - i];
    return text_of(out, n + 1);
}

/* Zeek's names of the query classes; others read "query-N" as Zeek writes them. */
static struct zeek_text class_name_of(uint16_t qclass, char *out)
{
    static const struct { uint16_t value; const char *name; } names[] = {
        { 1, "C_INTERNET" }, { 2, "C_CSNET" }, { 3, "C_CHAOS" }, { 4, "C_HESIOD" },
        { 254, "C_NONE" }, { 255, "C_ANY" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].value == qclass)
            return text_of(names[i].name, strlen(names[i].name));
    return text_of(out, (size_t)snprintf(out, 24, "query-%u", qclass));
}

static void answers_of(struct zeek_dns_record *r, struct zeek_dns_scratch *scratch,
                       const struct dns_message *m)
{
    for (unsigned i = 0; i < m->record_count && r->answer_count < ZEEK_ANSWERS_MAX; i++) {
        const struct dns_record *answer = &m->records[i];
        if (answer->section != DNS_SECTION_ANSWER)
            continue;
        unsigned n = r->answer_count++;
        r->answer_address[n] = answer->address;
        if (answer->address.family)
            r->answers[n] = (struct zeek_text){ .set = true };
        else if (answer->rdata.length)
            r->answers[n] = text_of(dns_text_ptr(m, answer->rdata), answer->rdata.length);
        else
            r->answers[n] = text_of(scratch->answer_type[n],
                                    dns_type_text(answer->type, scratch->answer_type[n]));
        r->ttls[n] = answer->ttl;
    }
    r->answers_set = r->ttls_set = r->answer_count > 0;
    r->ttl_count = r->answer_count;
}

void zeek_dns_record_from_event(struct zeek_dns_record *r, struct zeek_dns_scratch *scratch,
                                const struct dns_event *e)
{
    const struct dns_message *m = e->message;
    zeek_dns_record_clear(r);
    r->ts_us = e->query_time_us ? e->query_time_us : e->timestamp_us;
    if (e->query_time_us && e->is_response)
        r->rtt_us = e->timestamp_us - e->query_time_us;
    r->uid = uid_of(e->flow_id, scratch->uid);
    r->orig_h = e->client;
    r->resp_h = e->server;
    r->orig_p = e->client_port;
    r->resp_p = e->server_port;
    r->proto = e->protocol == IP_PROTOCOL_TCP ? text_of("tcp", 3) : text_of("udp", 3);
    r->trans_id = m->id;
    if (m->question_count > 0) {
        r->query = text_of(dns_text_ptr(m, m->qname), m->qname.length);
        r->qclass = m->qclass;
        r->qclass_name = class_name_of(m->qclass, scratch->qclass_name);
        r->qtype = m->qtype;
        r->qtype_name = text_of(scratch->qtype_name, dns_type_text(m->qtype, scratch->qtype_name));
    }
    r->aa = (m->flags & 0x0400) != 0;
    r->tc = (m->flags & 0x0200) != 0;
    r->rd = (m->flags & 0x0100) != 0;
    r->ra = (m->flags & 0x0080) != 0;
    r->z = (m->flags >> 4) & 7;
    r->rejected = 0;
    if (!e->is_response)
        return;
    r->rcode = m->rcode;
    r->rcode_name = text_of(scratch->rcode_name, dns_rcode_text(m->rcode, scratch->rcode_name));
    /* Zeek calls a response rejected when it carries no record at all */
    r->rejected = m->answer_count == 0 && m->authority_count == 0 && m->additional_count == 0;
    answers_of(r, scratch, m);
}

void zeek_dns_record_to_lookup(const struct zeek_dns_record *r, bool rtt_logged,
                               struct engine_lookup *lookup, struct ip_address *answer_storage)
{
    memset(lookup, 0, sizeof *lookup);
    lookup->time_us = r->ts_us;
    lookup->querier = r->orig_h;
    lookup->server = r->resp_h;
    if (r->query.set && r->query.length == 0) {
        lookup->qname = ".";  /* Zeek writes the root's name empty */
        lookup->qname_length = 1;
    } else {
        lookup->qname = r->query.set ? r->query.bytes : "";
        lookup->qname_length = r->query.set ? r->query.length : 0;
    }
    lookup->qtype = r->qtype == ZEEK_UNSET ? 0 : (uint16_t)r->qtype;
    lookup->has_response = r->rcode != ZEEK_UNSET;
    lookup->rcode = lookup->has_response ? (uint16_t)r->rcode : 0;
    /* Zeek sets rtt only when it saw the query and its response; a line
     * with a response and no rtt is a response to no query seen (a log
     * without the column cannot tell: its responses count as answered) */
    bool answered = lookup->has_response && (r->rtt_us != ZEEK_UNSET || !rtt_logged);
    lookup->part = answered ? LOOKUP_ANSWERED
                 : lookup->has_response ? LOOKUP_UNSOLICITED : LOOKUP_UNANSWERED;
    if (answered && r->rtt_us > 0 && r->rtt_us < 3600 * 1000000LL)
        lookup->time_us = r->ts_us + r->rtt_us; /* when it was answered, as a packet sensor counts it */
    for (unsigned i = 0; i < r->answer_count; i++)
        if (r->answer_address[i].family)
            engine_lookup_add_answer(lookup, answer_storage, &r->answer_address[i],
                                     i < r->ttl_count ? (uint32_t)r->ttls[i] : 0);
}

/* A decoded EVE string, kept in the scratch text; unset when absent or full. */
static struct zeek_text eve_text(struct eve_span span, struct zeek_dns_scratch *scratch,
                                 size_t *used)
{
    size_t room = sizeof scratch->text - *used;
    if (!span.ptr || room < 2)
        return (struct zeek_text){ 0 };
    size_t length = eve_span_decode(span, scratch->text + *used, room);
    struct zeek_text text = text_of(scratch->text + *used, length);
    *used += length + 1;
    return text;
}

/* EVE's "flags" is the header's flag word in hex. */
static void flags_of_eve(struct zeek_dns_record *r, struct eve_span flags)
{
    unsigned word = 0;
    for (size_t i = 0; flags.ptr && i < flags.length && i < 4; i++) {
        char c = flags.ptr[i];
        word = word * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
    }
    if (!flags.ptr)
        return;
    r->aa = (word & 0x0400) != 0;
    r->tc = (word & 0x0200) != 0;
    r->rd = (word & 0x0100) != 0;
    r->ra = (word & 0x0080) != 0;
    r->z = (word >> 4) & 7;
}

static void answers_of_eve(struct zeek_dns_record *r, struct zeek_dns_scratch *scratch,
                           const struct eve_record *eve, size_t *used)
{
    for (unsigned i = 0; i < eve->answer_count && r->answer_count < ZEEK_ANSWERS_MAX; i++) {
        const struct eve_answer *a = &eve->answers[i];
        unsigned n = r->answer_count++;
        r->answer_address[n].family = 0;
        if (eve_span_address(a->rdata, &r->answer_address[n]))
            r->answers[n] = (struct zeek_text){ .set = true };
        else
            r->answers[n] = eve_text(a->rdata.ptr ? a->rdata : a->rrtype, scratch, used);
        r->ttls[n] = a->ttl < 0 ? 0 : (double)a->ttl;
    }
    r->answers_set = r->ttls_set = r->answer_count > 0;
    r->ttl_count = r->answer_count;
}

void zeek_dns_record_from_eve(struct zeek_dns_record *r, struct zeek_dns_scratch *scratch,
                              const struct eve_record *eve, const struct engine_lookup *lookup)
{
    size_t used = 0;
    zeek_dns_record_clear(r);
    r->ts_us = lookup->time_us;
    uint64_t flow_id;
    if (eve_span_uint64(eve->flow_id, &flow_id))
        r->uid = uid_of(flow_id, scratch->uid);
    r->orig_h = lookup->querier;
    r->resp_h = lookup->server;
    bool flipped = eve->dns_version >= 3; /* a version 3 response comes from the server */
    r->orig_p = flipped ? eve->dest_port : eve->src_port;
    r->resp_p = flipped ? eve->src_port : eve->dest_port;
    if (eve_span_is(eve->proto, "UDP") || eve_span_is(eve->proto, "TCP"))
        r->proto = text_of(eve_span_is(eve->proto, "UDP") ? "udp" : "tcp", 3);
    r->trans_id = eve->dns_id;
    if (eve->rrname.ptr) {
        r->query = eve_text(eve->rrname, scratch, &used);
        r->qtype = lookup->qtype;
        r->qtype_name = text_of(scratch->qtype_name, dns_type_text(lookup->qtype, scratch->qtype_name));
    }
    if (eve->rcode.ptr) {
        r->rcode = lookup->rcode;
        r->rcode_name = eve_text(eve->rcode, scratch, &used);
    }
    flags_of_eve(r, eve->flags);
    answers_of_eve(r, scratch, eve, &used);
}
