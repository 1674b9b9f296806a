/* key_aggregate: everything exclave remembers about one key (a queried name,
 * a registered domain or an answer address) in one fixed-size struct, and
 * the updates the hot path makes to it. Times are packet times. It does not
 * find keys, decide what is suspicious, or allocate (the name is the only
 * separately stored part, and key_store owns it). */
#ifndef EXCLAVE_KEY_AGGREGATE_H
#define EXCLAVE_KEY_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/asn_tally.h"
#include "engine/querier_tally.h"
#include "engine/distinct_counter.h"
#include "base/ip_address.h"

enum key_kind { KEY_NAME = 0, KEY_DOMAIN = 1, KEY_ADDRESS = 2, KEY_KINDS };

enum {
    KEY_DAILY_DAYS = 128,      /* per-day series kept, newest last */
    KEY_ANSWERS_MAX = 4,       /* answer addresses kept per name or domain */
    KEY_NAMES_MAX = 4,         /* names kept per address */
    KEY_COUNTRY_BITS = 26 * 26,
    KEY_DEFAULT_SLOT_SECONDS = 300, /* caching slot while no TTL was seen */
};

enum key_rcode { KEY_RCODE_NOERROR, KEY_RCODE_SERVFAIL, KEY_RCODE_NXDOMAIN, KEY_RCODE_REFUSED,
                 KEY_RCODE_OTHER, KEY_RCODES };

/* A reference to another key that is checked before use: the slot may have
 * been reused for another key since. */
struct key_ref {
    uint32_t slot;
    uint32_t hash_check;       /* low 32 bits of the key's hash; 0: empty */
};

struct key {
    uint64_t hash;
    char *name;                /* lower case, NUL-terminated; owned by key_store */
    uint16_t name_length;
    uint8_t kind;              /* enum key_kind */
    bool in_use;
    bool dirty;                /* touched since the last evaluation tick */
    bool no_domain;            /* a name that has no registered domain */
    struct key_ref domain;     /* a name's registered-domain key, once known */
    uint32_t slot_seconds;     /* caching slot: the shortest answer TTL seen */
    uint64_t lookups;
    uint64_t lookups_corrected;
    uint64_t reverse_lookups;  /* PTR, or a reversed address under a zone (DNSBL style) */
    int64_t first_seen_us, last_seen_us;
    int64_t last_answer_us;    /* last response with an address answer; 0: none */
    int64_t nxdomain_since_us; /* first NXDOMAIN after the last answer; 0: none */
    uint32_t rcodes[KEY_RCODES];
    struct distinct_counter queriers, prefixes, asns;
    uint8_t countries[(KEY_COUNTRY_BITS + 7) / 8];
    struct asn_tally asn_tally;
    struct asn_tally country_tally; /* per querier country: key_country_id's in `asn` */
    uint32_t hours[24];
    int32_t daily_last_day;    /* days since the epoch of daily[last]; 0: none yet */
    uint16_t daily[KEY_DAILY_DAYS]; /* ring, saturating; index day % KEY_DAILY_DAYS */
    uint8_t daily_asns[KEY_DAILY_DAYS]; /* same ring: bit i set when the ASN in
                                         * asn_tally.slot[i] looked it up that day */
    uint8_t linked_count;
    union {
        struct ip_address answers[KEY_ANSWERS_MAX]; /* names and domains */
        struct key_ref names[KEY_NAMES_MAX];        /* addresses */
    } linked;
    uint32_t alerted_policies; /* bit per policy, for alert_period */
    uint32_t alert_period;
    /* what is counted apart from the lookups, which are answered ones (or,
     * with count_unanswered, every query and unsolicited response) */
    uint64_t queries;          /* queries seen, answered or not */
    uint64_t answered;         /* responses to a query seen */
    uint64_t unsolicited;      /* responses to no query seen */
    uint64_t home_lookups;     /* lookups counted whose querier is in the home networks */
    uint32_t names_cut;        /* an address's names left out or made to go (KEY_NAMES_MAX) */
    uint64_t proven_lookups;   /* lookups counted whose query proved its source */
    struct querier_tally top_queriers; /* who dominates it, if anyone */
};

/* Queries seen that no response answered (yet): what a forger can add. */
static inline uint64_t key_unanswered(const struct key *key)
{
    return key->queries > key->answered ? key->queries - key->answered : 0;
}

/* One lookup as the engine attributes it to a key. */
struct key_lookup {
    int64_t time_us;
    const struct ip_address *querier;
    uint64_t querier_hash, prefix_hash;
    uint32_t asn;              /* querier's ASN, 0 unknown */
    char country[2];           /* querier's country, "\0\0" unknown */
    bool corrected;            /* first lookup of this querier in this caching slot */
    bool reverse;              /* PTR, or a name that starts with a reversed address */
    bool home;                 /* the querier is in the home networks */
    bool proven;               /* its query proved its source (TCP handshake, server cookie) */
};

void key_aggregate_count_lookup(struct key *key, const struct key_lookup *lookup);

/* A country's two upper-case letters as one number for country_tally; 0
 * for anything else (unknown). */
static inline uint32_t key_country_id(const char country[2])
{
    unsigned a = (unsigned char)country[0], b = (unsigned char)country[1];
    return a >= 'A' && a <= 'Z' && b >= 'A' && b <= 'Z' ? a << 8 | b : 0;
}

/* The two letters of a key_country_id into out; false for 0 (unknown). */
static inline bool key_country_text(uint32_t id, char out[2])
{
    out[0] = (char)(id >> 8);
    out[1] = (char)(id & 0xff);
    return id != 0;
}

/* A response for a name (or its domain): rcode, and the address answers. */
void key_aggregate_note_response(struct key *key, int64_t time_us, uint16_t rcode,
                                 const struct ip_address *answers, size_t answer_count,
                                 uint32_t min_ttl);

/* The caching slot follows the shortest answer TTL seen (0: none given). */
void key_aggregate_note_ttl(struct key *key, uint32_t ttl);

/* Links a name to an address key. When the address has KEY_NAMES_MAX names
 * already, what matters for a rotation decides: a name's silence (its
 * first NXDOMAIN after its last answer) if it went silent, else when it was
 * first seen; the least recent makes way if the new name is more recent,
 * else the new name is left out. current[i] is the key of
 * linked.names[i] (NULL: no longer kept, first to go), incoming the new
 * name's key. A name left out or made to go counts in names_cut. */
void key_aggregate_link_name(struct key *address_key, struct key_ref name,
                             const struct key *const current[KEY_NAMES_MAX], const struct key *incoming);

/* Adds from's aggregates into into (the same key seen by another sensor):
 * counts add up, sketches and sets unite, times take the earliest first and
 * latest last. References to other keys (domain, names) are the caller's
 * to translate; answers are united here. */
void key_aggregate_merge(struct key *into, const struct key *from);

uint64_t key_aggregate_country_count(const struct key *key);

/* A distinct count of the key (queriers, prefixes, asns), never above its
 * lookups: a sketch's estimate may overshoot. */
uint64_t key_aggregate_distinct(const struct key *key, const struct distinct_counter *counter);
static inline uint64_t key_aggregate_day(int64_t time_us)
{
    return (uint64_t)(time_us / 86400000000LL);
}

/* Count for days-since-epoch `day`, 0 when outside the kept series. */
uint32_t key_aggregate_daily(const struct key *key, int64_t day);

/* The asn_tally slots (bit i: slot i) that looked the key up on `day`, 0
 * when outside the kept series. */
uint8_t key_aggregate_daily_asns(const struct key *key, int64_t day);

const char *key_kind_name(enum key_kind kind);

/* Checks a key record that comes from outside (a state file, perhaps
 * another sensor's, perhaps forged with a right checksum): every count and
 * index in range, every flag 0 or 1, every time from 1970 to 2100. Returns
 * NULL when the record can be used, else what is wrong. `bytes` holds
 * sizeof(struct key) bytes; the name pointer and hash in it are ignored. */
const char *key_aggregate_check_record(const void *bytes);

/* An ASN's share of the key's corrected lookups, 0 to 1. */
static inline double key_asn_share(const struct key *key, const struct asn_count *count)
{
    return key->lookups_corrected ? (double)count->corrected / (double)key->lookups_corrected : 0;
}

#endif
