/* passivedns_line: names as passivedns prints them, with the root's dot at
 * the end, and so the names in the answers of CNAME, NS, PTR and DNAME;
 * the class is IN (the table keeps no class: DNS seen on the wire is IN).
 * A failed lookup's answer is its rcode and its TTL 0, as passivedns
 * writes them. A "|" (which would split the line) or a byte below space
 * in a name is written as DNS presentation's \DDD. */
#include "pdns/passivedns_line.h"

#include <stdio.h>

#include "dns/dns_codes.h"
#include "dns/dns_message.h"

enum { SEPARATOR_LENGTH = 2 };

static void separator(struct json_out *out)
{
    json_out_raw(out, "||", SEPARATOR_LENGTH);
}

/* Text from the table: "|", control bytes and DEL as \DDD, the rest as is. */
static void text(struct json_out *out, const char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == '|' || c < 0x20 || c == 0x7f) {
            char escaped[5];
            snprintf(escaped, sizeof escaped, "\\%03u", c);
            json_out_raw(out, escaped, 4);
        } else {
            json_out_raw(out, (const char *)&c, 1);
        }
    }
}

/* A domain name with the dot passivedns ends it with. */
static void name(struct json_out *out, const char *bytes, size_t length)
{
    text(out, bytes, length);
    if (length == 0 || bytes[length - 1] != '.')
        json_out_raw(out, ".", 1);
}

static bool rdata_is_a_name(uint16_t type)
{
    return type == DNS_TYPE_CNAME || type == DNS_TYPE_NS || type == DNS_TYPE_PTR ||
           type == DNS_TYPE_DNAME;
}

static void address(struct json_out *out, const struct ip_address *ip)
{
    char buffer[IP_ADDRESS_TEXT_MAX];
    json_out_raw(out, buffer, ip_address_format(ip, buffer));
}

/* "1462323600.041000": seconds and microseconds of the epoch. */
static void time_text(struct json_out *out, int64_t us)
{
    char buffer[32];
    int length = snprintf(buffer, sizeof buffer, "%lld.%06lld", (long long)(us / 1000000),
                          (long long)(us % 1000000));
    json_out_raw(out, buffer, (size_t)length);
}

void passivedns_line_write(void *user, const struct pdns_entry *e, int64_t now_us)
{
    (void)now_us; /* passivedns prints when the entry was last seen */
    struct json_out *out = user;
    char code[16];
    time_text(out, e->last_seen_us);
    separator(out);
    address(out, &e->client);
    separator(out);
    address(out, &e->server);
    json_out_literal(out, "||IN||");
    name(out, e->text, e->name_length);
    separator(out);
    json_out_raw(out, code, dns_type_text(e->rrtype, code));
    separator(out);
    if (e->rcode) {
        json_out_raw(out, code, dns_rcode_text(e->rcode, code));
        json_out_literal(out, "||0||");
    } else {
        const char *rdata = e->text + e->name_length;
        if (rdata_is_a_name(e->rrtype))
            name(out, rdata, e->rdata_length);
        else
            text(out, rdata, e->rdata_length);
        separator(out);
        json_out_uint(out, e->ttl);
        separator(out);
    }
    json_out_uint(out, e->count);
    json_out_end_record(out);
}
