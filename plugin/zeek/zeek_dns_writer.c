/* zeek_dns_writer: the dns.log column list and one record's fields in that
 * order. Must not allocate. */
#include "zeek/zeek_dns_writer.h"

#include <math.h>

static const struct zeek_log_column dns_columns[] = {
    { "ts", "time" }, { "uid", "string" }, { "id.orig_h", "addr" }, { "id.orig_p", "port" },
    { "id.resp_h", "addr" }, { "id.resp_p", "port" }, { "proto", "enum" },
    { "trans_id", "count" }, { "rtt", "interval" }, { "query", "string" },
    { "qclass", "count" }, { "qclass_name", "string" }, { "qtype", "count" },
    { "qtype_name", "string" }, { "rcode", "count" }, { "rcode_name", "string" },
    { "AA", "bool" }, { "TC", "bool" }, { "RD", "bool" }, { "RA", "bool" }, { "Z", "count" },
    { "answers", "vector[string]" }, { "TTLs", "vector[interval]" }, { "rejected", "bool" },
    { "orig_asn", "count" }, { "orig_as_org", "string" }, { "orig_cc", "string" },
    { "resp_asn", "count" }, { "resp_as_org", "string" }, { "resp_cc", "string" },
    { "answer_asns", "vector[count]" }, { "answer_ccs", "vector[string]" },
};

bool zeek_dns_writer_open(struct zeek_dns_writer *writer, const char *dir, bool json,
                          struct geoip *geoip, char *error, size_t error_size)
{
    writer->geoip = geoip;
    return zeek_log_writer_open(&writer->log, dir, "dns", json, dns_columns,
                                sizeof dns_columns / sizeof dns_columns[0], error, error_size);
}

static void write_text(struct zeek_log_writer *log, struct zeek_text text)
{
    if (text.set)
        zeek_log_string(log, text.bytes, text.length);
    else
        zeek_log_unset(log);
}

static void write_number(struct zeek_log_writer *log, int64_t value)
{
    if (value == ZEEK_UNSET)
        zeek_log_unset(log);
    else
        zeek_log_count(log, (uint64_t)value);
}

static void write_flag(struct zeek_log_writer *log, int8_t value)
{
    if (value == ZEEK_UNSET)
        zeek_log_unset(log);
    else
        zeek_log_bool(log, value);
}

static void write_address(struct zeek_log_writer *log, const struct ip_address *address)
{
    if (address->family)
        zeek_log_addr(log, address);
    else
        zeek_log_unset(log);
}

static void write_answers(struct zeek_log_writer *log, const struct zeek_dns_record *r)
{
    if (!r->answers_set) {
        zeek_log_unset(log);
    } else {
        zeek_log_vector_begin(log);
        for (unsigned i = 0; i < r->answer_count; i++)
            if (r->answer_address[i].family)
                zeek_log_addr(log, &r->answer_address[i]);
            else
                write_text(log, r->answers[i]);
        zeek_log_vector_end(log);
    }
    if (!r->ttls_set) {
        zeek_log_unset(log);
        return;
    }
    zeek_log_vector_begin(log);
    for (unsigned i = 0; i < r->ttl_count; i++)
        zeek_log_interval(log, llround(r->ttls[i] * 1e6));
    zeek_log_vector_end(log);
}

/* The three enrichment columns of one endpoint. */
static void write_endpoint(struct zeek_dns_writer *w, const struct ip_address *address)
{
    struct geoip_result found = { 0 };
    if (w->geoip && address->family)
        geoip_lookup(w->geoip, address, &found);
    if (found.asn)
        zeek_log_count(&w->log, found.asn);
    else
        zeek_log_unset(&w->log);
    write_text(&w->log, (struct zeek_text){ found.org, found.org_length, found.org != NULL });
    write_text(&w->log, (struct zeek_text){ found.country, 2, found.country[0] != '\0' });
}

static void write_answer_enrichment(struct zeek_dns_writer *w, const struct zeek_dns_record *r)
{
    struct geoip_result found[ZEEK_ANSWERS_MAX];
    for (unsigned i = 0; i < r->answer_count; i++) {
        found[i] = (struct geoip_result){ 0 };
        if (w->geoip && r->answer_address[i].family)
            geoip_lookup(w->geoip, &r->answer_address[i], &found[i]);
    }
    for (int column = 0; column < 2; column++) {
        if (!r->answers_set) {
            zeek_log_unset(&w->log);
            continue;
        }
        zeek_log_vector_begin(&w->log);
        for (unsigned i = 0; i < r->answer_count; i++)
            if (column == 0 && found[i].asn)
                zeek_log_count(&w->log, found[i].asn);
            else if (column == 1 && found[i].country[0])
                zeek_log_string(&w->log, found[i].country, 2);
            else
                zeek_log_unset(&w->log);
        zeek_log_vector_end(&w->log);
    }
}

void zeek_dns_writer_write(struct zeek_dns_writer *w, const struct zeek_dns_record *r)
{
    struct zeek_log_writer *log = &w->log;
    zeek_log_time(log, r->ts_us);
    write_text(log, r->uid);
    write_address(log, &r->orig_h);
    write_number(log, r->orig_p);
    write_address(log, &r->resp_h);
    write_number(log, r->resp_p);
    write_text(log, r->proto);
    write_number(log, r->trans_id);
    if (r->rtt_us == ZEEK_UNSET)
        zeek_log_unset(log);
    else
        zeek_log_interval(log, r->rtt_us);
    write_text(log, r->query);
    write_number(log, r->qclass);
    write_text(log, r->qclass_name);
    write_number(log, r->qtype);
    write_text(log, r->qtype_name);
    write_number(log, r->rcode);
    write_text(log, r->rcode_name);
    write_flag(log, r->aa);
    write_flag(log, r->tc);
    write_flag(log, r->rd);
    write_flag(log, r->ra);
    write_number(log, r->z);
    write_answers(log, r);
    write_flag(log, r->rejected);
    write_endpoint(w, &r->orig_h);
    write_endpoint(w, &r->resp_h);
    write_answer_enrichment(w, r);
    zeek_log_end_record(log);
}
