/* eve_record: reads one EVE JSON record just far enough for exclave: the
 * event type, the endpoints, the time, and of a dns record (version 2 of
 * Suricata 7 or version 3 of Suricata 8) the question, the rcode, each
 * answer and the EDNS client subnet, with the byte offsets where enrichment
 * fields can be spliced in.
 * It checks that the whole record is well-formed JSON, copies nothing and
 * allocates nothing; values are spans of the record's own text. */
#ifndef EXCLAVE_EVE_RECORD_H
#define EXCLAVE_EVE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/ip_address.h"

enum { EVE_ANSWERS_MAX = 64, EVE_DEPTH_MAX = 32 };

/* A JSON string's raw text between its quotes (escapes not decoded), or a
 * number's text; ptr NULL when absent. */
struct eve_span {
    const char *ptr;
    size_t length;
};

struct eve_answer {
    struct eve_span rrname, rrtype, rdata;
    int64_t ttl;               /* -1 when absent */
    size_t end;                /* offset of the answer object's closing brace */
};

struct eve_record {
    struct eve_span event_type, timestamp, src_ip, dest_ip, proto, flow_id;
    int64_t src_port, dest_port;           /* -1 when absent */
    int64_t src_asn, dest_asn;             /* src_as/dest_as.number of an enriched record, or -1 */
    struct eve_span src_org, dest_org;     /* their organization */
    struct eve_span src_country, dest_country; /* src_geo/dest_geo.country_iso_code */
    size_t end;                            /* offset of the record's closing brace */
    size_t head_end;                       /* after the head's last member (parse_head) */
    /* dns */
    bool has_dns;
    int64_t dns_version, dns_id;           /* -1 when absent */
    int64_t dns_tx_id;                     /* Suricata's transaction number in the flow, -1 */
    struct eve_span dns_type, rrname, rrtype, rcode, flags;
    struct eve_span client_subnet;         /* hex data of version 3's EDNS client subnet option */
    size_t dns_end;                        /* offset of the dns object's closing brace */
    unsigned answer_count;
    unsigned answers_not_kept;             /* past EVE_ANSWERS_MAX */
    bool has_enrichment;                   /* src_as or dest_as already there */
    bool dns_unsolicited;                  /* "unsolicited": true (exclave's own records) */
    struct eve_answer answers[EVE_ANSWERS_MAX]; /* last: a parse clears what is before it */
};

/* Parses text[0..length) (one record, no newline needed). Returns NULL on
 * success, or what is wrong; *error_offset tells where. */
const char *eve_record_parse(const char *text, size_t length, struct eve_record *record,
                             size_t *error_offset);

/* Reads the top-level members of text[0..length) only until event_type,
 * src_ip and dest_ip are known (Suricata writes them first), for a host
 * that needs no more of the record; the rest is not checked, and a record
 * may be unfinished. False when the three were not found in well-formed
 * members. */
bool eve_record_parse_head(const char *text, size_t length, struct eve_record *record);

/* After eve_record_parse_head found the head of a record, parses the rest
 * of it as eve_record_parse would: text[0..length) must begin with the
 * text the head was read from (the head's spans keep pointing there). */
const char *eve_record_parse_rest(const char *text, size_t length, struct eve_record *record,
                                  size_t *error_offset);

/* True when the span is exactly text[0..length). */
static inline bool eve_span_equals(struct eve_span span, const char *text, size_t length)
{
    return span.length == length && span.ptr && memcmp(span.ptr, text, length) == 0;
}

/* The same against a string literal, whose length is known when compiling. */
#define eve_span_is(span, literal) eve_span_equals((span), "" literal, sizeof(literal) - 1)

/* A span holding an address, parsed; false when it is not one. */
bool eve_span_address(struct eve_span span, struct ip_address *address);

/* A number span as an unsigned integer (flow ids use all 64 bits); false
 * when it is not one. */
bool eve_span_uint64(struct eve_span span, uint64_t *value);

/* Decodes a string span's JSON escapes into out (at most size - 1 bytes,
 * NUL-terminated); returns the length. \u escapes above 0x7f become UTF-8. */
size_t eve_span_decode(struct eve_span span, char *out, size_t size);

#endif
