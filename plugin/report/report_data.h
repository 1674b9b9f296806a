/* report_data: what `exclave report` shows, read from EVE files (a log
 * directory's eve.json, exclave.json and eve-exclave.json and their
 * rotations, or files named, plain or gzip): the alerted keys (one per policy, kind and key, with the latest
 * alert's evidence) and, for each, its lookups per day and querier ASN and
 * per hour of the day, counted again from the dns records themselves. It
 * reads and counts; it draws nothing. */
#ifndef EXCLAVE_REPORT_DATA_H
#define EXCLAVE_REPORT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ip_address.h"
#include "engine/registered_domain.h"

struct json_object;

enum { REPORT_KEYS_MAX = 200, REPORT_TOP_ASNS = 4, REPORT_SERIES = REPORT_TOP_ASNS + 1,
       REPORT_DAYS_MAX = 400, REPORT_ALERT_TIMES = 64, REPORT_FILES_MAX = 4096,
       REPORT_QUERIERS_MAX = 64,       /* queriers kept apart per key; the rest summed */
       REPORT_QUERIERS_SHOWN = 10,
       REPORT_SIBLINGS_MAX = 16,       /* other names on a key's answer networks, kept per key */
       REPORT_ADDRESSES_MAX = 8,       /* of a key's answers, for its siblings */
       REPORT_SLOT_SECONDS = 300 };    /* the engine's caching slot before a TTL is known */

struct report_asn {
    uint32_t asn;
    char org[96];
    char country[3];
    double share;
    int64_t lookups, proven;           /* proven < 0: the alert does not say */
};

/* Another name answered with an address in the same /24 (IPv4) or /48
 * (IPv6) as one of the key's answers: marketing mail for many brands from
 * one server would show here. */
struct report_sibling {
    char name[256];
    uint64_t lookups;
    uint32_t top_asn;                  /* the ASN that asked it most */
    uint64_t top_asn_lookups;
    uint32_t asns[4];                  /* the first four ASNs that asked it, with their lookups */
    uint64_t asn_lookups[4];
};

/* One querier of a key, counted from the records: who asked, from where. */
struct report_querier {
    char address[46];
    int64_t asn;                       /* -1: the records did not say */
    char org[96], country[3];
    uint64_t lookups;
    uint64_t slots;                    /* distinct REPORT_SLOT_SECONDS slots with a lookup */
    int64_t first_us, last_us, last_slot;
};

/* Where a record is, so that the analyst can find it: file:line, flow_id. */
struct report_sample {
    const char *file;                  /* data->file_names' string, or NULL: none */
    uint64_t line;
    char flow_id[24];                  /* "" when the record has none */
    int64_t time_us;
};

struct report_key {
    char policy[64], kind[8], name[256], signature[256], related[256];
    struct json_object *evidence;      /* the latest alert's evidence object (held), or NULL */
    char answers[512];                 /* its answers (or names, for an address), comma-separated */
    int severity;
    uint64_t lookups, lookups_corrected, queriers;
    int64_t proven;                    /* the last alert's lookups with a proven source; < 0: not said */
    int64_t first_seen_us, last_seen_us, nxdomain_since_us, alerted_us;
    int64_t predecessor_silenced_us;   /* a rotation's evidence: when the old name went quiet */
    unsigned alerts;
    int64_t alert_times[REPORT_ALERT_TIMES]; /* of the first alerts, to see one come again */
    struct report_asn top[REPORT_TOP_ASNS];
    unsigned top_count;
    int32_t first_day;                 /* day of days[0] (days since the epoch) */
    uint32_t days[REPORT_DAYS_MAX][REPORT_SERIES]; /* per top ASN, then all others */
    uint32_t hours[24];
    uint64_t counted;                  /* lookups counted from the records: answered ones */
    uint64_t queries_seen, answered_seen, unsolicited_seen; /* name and domain keys: the records */
    int64_t counted_first_us, counted_last_us; /* their times */
    struct report_sample first_sample, last_sample; /* the first and last of them */
    struct report_querier queriers_seen[REPORT_QUERIERS_MAX];
    unsigned querier_count;
    uint64_t other_querier_lookups;    /* of queriers past REPORT_QUERIERS_MAX */
    struct ip_address networks[REPORT_ADDRESSES_MAX]; /* the answers' /24s and /48s */
    unsigned network_count;
    struct report_sibling siblings[REPORT_SIBLINGS_MAX];
    unsigned sibling_count;
    uint64_t other_sibling_lookups;
    char domain[256];                  /* a name's registered domain ("": none, or not yet) */
};

struct report_data {
    struct report_key *keys;
    size_t key_count;
    uint64_t records, dns_records, alerts;
    uint64_t bad_lines;                /* lines over the reader's buffer, left out */
    uint64_t alerts_repeated;          /* alerts read twice: the log holds more than one
                                          run over the same data */
    size_t files_read;
    char **file_names;                 /* the files read, for the page's footer */
    int64_t from_us, to_us;            /* records outside [from, to) are left out; 0: open */
    const char *state_path;            /* from a --state: daily totals, not split by ASN */
    struct registered_domain *domains; /* names' registered domains; NULL: none (no list) */
    int64_t state_clock_us;
};

/* Reads every path: an EVE file (plain or gzip), or a directory whose
 * eve.json, exclave.json and eve-exclave.json (and their rotations, such as
 * eve.json.1 or eve.json.2.gz) it reads. Records outside [from_us, to_us)
 * are left out (0: no bound). False with a message naming the path; a
 * directory without one of those files is an error too. */
bool report_data_read(struct report_data *data, const char *const *paths, size_t count,
                      int64_t from_us, int64_t to_us, char *error, size_t error_size);
void report_data_free(struct report_data *data);

/* A key's figures as the table shows them, as of the end of the data:
 * lookups, queriers and first and last seen from the records when there
 * are any (a log), else the last alert's (a state). */
struct report_row {
    uint64_t lookups, queriers;
    bool more_queriers;                /* past REPORT_QUERIERS_MAX: at least queriers */
    int64_t first_us, last_us;
};
void report_key_row(const struct report_key *key, struct report_row *row);

/* The keys in ranked (room for key_count), ranked as the end-of-run table:
 * severity, then corrected lookups, then name. */
void report_data_rank(const struct report_data *data, const struct report_key **ranked);

/* The key alerted by policy on name (any kind), or NULL. */
const struct report_key *report_data_find(const struct report_data *data, const char *name);

#endif
