/* pdns_record: the pdns EVE record (see the header). Its text comes from
 * packets: every string goes through json_out_string. */
#include "eve/pdns_record.h"

#include "dns/dns_codes.h"

void pdns_record_write(void *user, const struct pdns_entry *e, int64_t now_us)
{
    struct eve_writer *w = user;
    struct json_out *out = w->out;
    char code[16];
    json_out_literal(out, "{\"timestamp\":");
    json_out_timestamp(out, now_us);
    json_out_literal(out, ",\"event_type\":\"pdns\",\"src_ip\":");
    json_out_ip(out, &e->client);
    json_out_literal(out, ",\"dest_ip\":");
    json_out_ip(out, &e->server);
    eve_writer_enrich(w, EVE_ENRICH_SOURCE, &e->client);
    eve_writer_enrich(w, EVE_ENRICH_DESTINATION, &e->server);
    json_out_literal(out, ",\"pdns\":{\"rrname\":");
    json_out_string(out, e->text, e->name_length);
    json_out_literal(out, ",\"rrtype\":");
    json_out_string(out, code, dns_type_text(e->rrtype, code));
    if (e->rcode) {
        json_out_literal(out, ",\"rcode\":");
        json_out_string(out, code, dns_rcode_text(e->rcode, code));
    } else {
        json_out_literal(out, ",\"rdata\":");
        json_out_string(out, e->text + e->name_length, e->rdata_length);
        if (e->address.family)
            eve_writer_enrich(w, EVE_ENRICH_INNER, &e->address);
        json_out_literal(out, ",\"ttl\":");
        json_out_uint(out, e->ttl);
    }
    json_out_literal(out, ",\"count\":");
    json_out_uint(out, e->count);
    json_out_literal(out, ",\"first_seen\":");
    json_out_timestamp(out, e->first_seen_us);
    json_out_literal(out, ",\"last_seen\":");
    json_out_timestamp(out, e->last_seen_us);
    json_out_literal(out, "}}");
    json_out_end_record(out);
}
