/* pdns_table: passive DNS, as passivedns keeps it: one entry per distinct
 * answer (owner name, type, rdata) or failed lookup (name, type, rcode),
 * with when it was first and last seen, how often since it was last
 * written, and the last TTL, client and server. Entries are handed to a
 * writer on a schedule of packet time, and all of them when the table is
 * full, so memory is bounded and nothing counted is lost. It reads
 * decoded responses only; it knows no output format. */
#ifndef EXCLAVE_PDNS_TABLE_H
#define EXCLAVE_PDNS_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/counter_visit.h"
#include "base/ip_address.h"
#include "dns/dns_event.h"

struct pdns_entry {
    uint64_t hash;
    int64_t first_seen_us, last_seen_us;
    uint64_t count;            /* since the entry was last written */
    uint32_t ttl;              /* of the last record seen; 0 for a failed lookup */
    uint16_t rrtype;           /* the record's type, or the question's for a failed lookup */
    uint16_t rcode;            /* 0 for an answer */
    uint16_t name_length, rdata_length;
    struct ip_address address; /* A/AAAA: the answer's address; else family 0 */
    struct ip_address client, server; /* of the last response seen */
    char *text;                /* the name (lower-cased), then the rdata */
};

/* Called for each entry written; now_us is the packet time of the write. */
typedef void (*pdns_write_fn)(void *user, const struct pdns_entry *entry, int64_t now_us);

struct pdns_counters {
    uint64_t entries_written;
    uint64_t full_writes;            /* the table was full: everything written early */
    uint64_t unsolicited_skipped;    /* responses to no query seen: not entered */
    uint64_t records_without_rdata;  /* answers of types without a text form */
    uint64_t out_of_memory;          /* entries not made */
};

struct pdns_table {
    uint32_t max_entries, count;
    uint32_t slot_mask;              /* slots: a power of two, at least twice max_entries */
    uint32_t *slots;                 /* entry index + 1; 0 empty */
    struct pdns_entry *entries;
    int64_t every_us, next_write_us;
    int64_t newest_us;               /* the newest packet time entered */
    uint64_t seed;
    pdns_write_fn write;
    void *user;
    struct pdns_counters counters;
};

/* False when the memory cannot be had. */
bool pdns_table_init(struct pdns_table *table, uint32_t max_entries, int64_t every_us,
                     pdns_write_fn write, void *user);
void pdns_table_free(struct pdns_table *table);

/* A decoded DNS message; only responses to a query seen are entered. */
void pdns_table_observe(struct pdns_table *table, const struct dns_event *event);

/* The end of a run: every entry seen since its last write is written, at
 * the newest packet time seen, and the table emptied. */
void pdns_table_finish(struct pdns_table *table);

void pdns_table_visit_counters(const struct pdns_table *table, counter_visit_fn visit, void *user);

#endif
