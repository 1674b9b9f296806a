/* zeek_dns_record: one line of Zeek's dns.log as values, whatever it was
 * read from (a Zeek log in TSV or JSON, or a decoded DNS response): what the
 * Zeek reader fills and the dns.log writer formats. A plain struct; its texts
 * point into storage owned by whoever filled it and live until the next
 * record. It does no I/O and no enrichment. */
#ifndef EXCLAVE_ZEEK_DNS_RECORD_H
#define EXCLAVE_ZEEK_DNS_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/dns_event.h"
#include "engine/engine.h"
#include "eve/eve_record.h"
#include "base/ip_address.h"

enum { ZEEK_ANSWERS_MAX = 64, ZEEK_UNSET = -1 };

struct zeek_text {
    const char *bytes;         /* decoded: no \xNN escapes left */
    uint32_t length;
    bool set;
};

struct zeek_dns_record {
    int64_t ts_us;
    struct zeek_text uid, proto, query, qclass_name, qtype_name, rcode_name;
    struct ip_address orig_h, resp_h;      /* family 0: unset */
    int64_t orig_p, resp_p, trans_id, qclass, qtype, rcode, z, rtt_us; /* ZEEK_UNSET */
    int8_t aa, tc, rd, ra, rejected;       /* 0, 1 or ZEEK_UNSET */
    bool answers_set, ttls_set;
    uint16_t answer_count, ttl_count;
    struct zeek_text answers[ZEEK_ANSWERS_MAX];
    struct ip_address answer_address[ZEEK_ANSWERS_MAX]; /* family 0: not an address */
    double ttls[ZEEK_ANSWERS_MAX];
};

/* Every field unset. */
void zeek_dns_record_clear(struct zeek_dns_record *record);

/* Storage for the texts zeek_dns_record_from_event makes (uid, names of
 * codes): lives as long as the record. */
struct zeek_dns_scratch {
    char uid[24];
    char qclass_name[24], qtype_name[24], rcode_name[24];
    char answer_type[ZEEK_ANSWERS_MAX][16]; /* answers with no rdata text */
    char text[8192];                        /* decoded EVE strings */
};

/* A response as Zeek logs a transaction: ts of the query (or of the
 * response when no query was seen), rtt, flags, answers and TTLs. */
void zeek_dns_record_from_event(struct zeek_dns_record *record, struct zeek_dns_scratch *scratch,
                                const struct dns_event *event);

/* An EVE dns response (version 2 "answer", version 3 "response") whose
 * lookup is already made: ts of the response (EVE has no query time, so no
 * rtt), uid from flow_id, trans_id, flags, rcode, answers and TTLs. */
void zeek_dns_record_from_eve(struct zeek_dns_record *record, struct zeek_dns_scratch *scratch,
                              const struct eve_record *eve, const struct engine_lookup *lookup);

/* The engine's lookup for a record read from a Zeek log: querier orig_h,
 * server resp_h, the query (the root "." when Zeek wrote it empty), qtype,
 * rcode, and the address answers with their TTLs, kept in answer_storage
 * (ZEEK_ANSWERS_MAX of them); answered, unanswered or unsolicited by its
 * rcode and rtt (rtt_logged: the log has an rtt column at all). The lookup
 * points into the record. */
void zeek_dns_record_to_lookup(const struct zeek_dns_record *record, bool rtt_logged,
                               struct engine_lookup *lookup, struct ip_address *answer_storage);

#endif
