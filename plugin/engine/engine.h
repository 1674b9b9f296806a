/* engine: turns lookups into per-key aggregates and runs the policies on
 * them. For every lookup it updates the name, its registered domain and each
 * answer address (no Lua unless a policy asked for on_lookup); on each
 * evaluation tick of packet time it hands the keys touched since the last
 * tick to the policies, and it passes their alerts, once per key and policy
 * per window, to one alert sink. It reads no packets and writes no files. */
#ifndef EXCLAVE_ENGINE_H
#define EXCLAVE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "geoip/geoip.h"
#include "engine/as_directory.h"
#include "dns/dns_event.h"
#include "base/counter_visit.h"
#include "base/network_list.h"
#include "engine/key_store.h"
#include "engine/registered_domain.h"
#include "engine/response_pairing.h"
#include "engine/retired_keys.h"
#include "engine/suppression.h"

enum {
    ENGINE_NAME_MAX = 1100,            /* presentation form of a 255-byte name, escaped */
    ENGINE_PAIR_SETS = 1 << 17,        /* caching-slot memory: 2 MiB */
    ENGINE_PAIR_WAYS = 4,
    ENGINE_RELATED_MAX = 8,
};
#define ENGINE_RETIRED_TENTH UINT32_MAX

#define ENGINE_COUNTERS(X)                                                                  \
    X(lookups_counted, "lookups attributed to keys")                                      \
    X(responses_counted, "responses whose rcode and answers were recorded")               \
    X(queries_seen, "queries seen, answered or not (counted as lookups once answered)")  \
    X(unsolicited_seen, "responses to no query seen: counted apart, never as lookups")  \
    X(names_truncated, "names longer than the engine keeps, cut before counting")         \
    X(unnamed, "messages or records without a question name: no key to count them on")  \
    X(times_refused, "lookups stamped outside 1970-2100: never counted")                 \
    X(evaluation_ticks, "evaluation ticks run (packet time)")                             \
    X(keys_evaluated, "keys handed to the policies")                                      \
    X(alerts, "alerts raised")                                                            \
    X(alerts_repeated, "alerts not raised again: same key and policy in the same window") \
    X(alerts_suppressed, "alerts not raised: an entry of the --suppress file matched")     \
    X(responses_unpaired, "logged responses whose request the log did not hold (unsolicited)")

struct engine_counters {
#define ENGINE_COUNTER_FIELD(name, help) uint64_t name;
    ENGINE_COUNTERS(ENGINE_COUNTER_FIELD)
#undef ENGINE_COUNTER_FIELD
};

struct engine_config {
    uint32_t max_keys;
    size_t max_bytes;                  /* 0: max_keys bounds memory */
    double interval_seconds;           /* evaluation tick, packet time */
    double window_seconds;             /* alert window and idle-key expiry */
    uint32_t retired_max;              /* expired keys kept for a later merge; 0: none,
                                          ENGINE_RETIRED_TENTH: a tenth of the keys */
    const char *suffix_list_file;      /* NULL: libpsl's */
    const char *suppress_file;         /* alerts not to raise (--suppress); NULL: none */
    const char *const *blocklist_zones; /* domain blocklists added to the built-in ones */
    size_t blocklist_zone_count;       /* (the strings are the caller's, for the engine's life) */
    bool count_unanswered;             /* a one-direction tap: queries count, as do responses
                                          to none seen (--count-unanswered) */
    const struct network_list *home_networks; /* queriers counted as home_lookups; NULL:
                                                 none (the caller's, for the engine's life) */
};

/* What one message or log record tells of a lookup. By default only an
 * answered lookup (RESPONSE, ANSWERED) counts toward a key's aggregates:
 * anyone can send a query with a forged source, or a response to nothing.
 * Queries and unsolicited responses are counted on their keys apart. */
enum lookup_part {
    LOOKUP_QUERY,              /* a query; its response, if any, comes as LOOKUP_RESPONSE */
    LOOKUP_RESPONSE,           /* a response to a query seen (paired by the sensor or the log) */
    LOOKUP_ANSWERED,           /* a query and its response in one record (a Zeek line) */
    LOOKUP_UNANSWERED,         /* a query whose record says no response came (a Zeek line) */
    LOOKUP_UNSOLICITED,        /* a response to no query seen */
};

/* One lookup from any source (packets, EVE or Zeek records). */
struct engine_lookup {
    int64_t time_us;
    struct ip_address querier, server;
    const char *qname;
    size_t qname_length;
    uint16_t qtype;
    uint8_t part;                      /* enum lookup_part */
    bool has_response;                 /* rcode and answers are set */
    uint16_t rcode;
    const struct ip_address *answers;  /* A/AAAA answers */
    size_t answer_count;
    uint32_t min_ttl;                  /* shortest TTL of those answers */
    bool source_proven;                /* the query's source is proven (TCP handshake, cookie) */
    uint64_t pair_key;                 /* a logged request's or response's, shared by the two
                                          (response_pairing); 0: paired already, or not known */
};

/* Adds an address answer and its TTL to a lookup being built, whose answers
 * live in storage (room for one more is the caller's to check); min_ttl
 * follows the shortest TTL. */
static inline void engine_lookup_add_answer(struct engine_lookup *lookup,
                                            struct ip_address *storage,
                                            const struct ip_address *address, uint32_t ttl)
{
    storage[lookup->answer_count] = *address;
    if (lookup->answer_count == 0 || ttl < lookup->min_ttl)
        lookup->min_ttl = ttl;
    lookup->answer_count++;
    lookup->answers = storage;
}

/* What a policy raised; the writer formats it with the key's evidence. */
struct engine_alert {
    const char *policy;
    const char *signature;
    uint32_t signature_id;
    int severity;                      /* 1 (high) .. 3, as Suricata */
    const struct key *key;
    int64_t time_us;
    int64_t window_start_us;
    const char *related[ENGINE_RELATED_MAX];
    size_t related_count;
    const char *evidence_json;         /* an object's members, "" for none */
};

struct engine;
typedef void (*engine_alert_fn)(void *user, const struct engine *engine,
                                const struct engine_alert *alert);

typedef void (*engine_tick_fn)(void *user, struct engine *engine, int64_t tick_us);

/* What decides about keys, given to the engine by a higher layer (the Lua
 * policies, in their own process): the engine calls it and knows nothing else of it. wants_keys
 * and wants_lookups are asked before each tick and each lookup, so that a
 * decider whose hooks are all disabled costs nothing. */
struct engine_decider {
    void *context;
    bool (*wants_keys)(const void *context);
    bool (*wants_lookups)(const void *context);
    void (*evaluate)(void *context, struct key *key);
    void (*on_lookup)(void *context, const struct engine_lookup *lookup, uint32_t querier_asn);
    /* optional: a decider that batches its calls makes them now (before a
     * tick, and after its keys were given; it may raise alerts) */
    void (*flush)(void *context);
};

struct engine {
    struct engine_config config;
    struct response_pairing pairing;   /* logged responses and their requests */
    struct key_store store;
    struct retired_keys retired;       /* expired keys, when config.retired_max */
    struct suppression suppression;    /* from config.suppress_file; count 0: none */
    struct as_directory directory;
    struct registered_domain domains;
    struct geoip *geoip;               /* NULL: every querier is of unknown ASN */
    uint32_t *recent_pairs;            /* (key, querier, caching slot) seen: per set, the ways'
                                          tags, newest first (0: empty) */
    struct engine_decider decider;     /* all NULL: aggregates only */
    engine_alert_fn alert_sink;
    void *alert_user;
    engine_tick_fn tick_hook;          /* after each tick (periodic state saves) */
    void *tick_user;
    int64_t now_us;                    /* newest packet time seen */
    int64_t first_us;
    int64_t next_tick_us;              /* 0: no lookup yet */
    int64_t next_expiry_us;
    int64_t tick_time_us;              /* "now" for policies during a tick */
    int64_t window_us;                 /* config.window_seconds, for the lookup path */
    struct engine_counters counters;
    char name_buffer[ENGINE_NAME_MAX + 1];
};

void engine_config_defaults(struct engine_config *config);

bool engine_init(struct engine *engine, const struct engine_config *config, struct geoip *geoip,
                 char *error, size_t error_size);
void engine_free(struct engine *engine);

void engine_set_alert_sink(struct engine *engine, engine_alert_fn sink, void *user);
void engine_set_decider(struct engine *engine, const struct engine_decider *decider);
void engine_set_tick_hook(struct engine *engine, engine_tick_fn hook, void *user);

/* The sensor's sink: attributes a DNS event (query or response). */
void engine_observe_dns_event(struct engine *engine, const struct dns_event *event);

/* The lookup engine_observe_dns_event gives the engine: its qname points
 * into the event's message, its answers into the storage given. */
void engine_lookup_from_dns_event(const struct dns_event *event, struct engine_lookup *lookup,
                                  struct ip_address answers[DNS_MAX_RECORDS]);
void engine_observe(struct engine *engine, const struct engine_lookup *lookup);

/* The window in microseconds: a key idle for longer starts over. */
int64_t engine_window_us(const struct engine *engine);

/* Runs the last evaluation (end of input). */
void engine_finish(struct engine *engine);

/* One evaluation of every key at the engine's clock, with the alert marks
 * cleared: what the policies make of a loaded --state (exclave report). */
void engine_evaluate_all(struct engine *engine);

/* Looks up a key by kind and name (any case). NULL when not kept. */
/* Links a name key to an address key, the address's current names looked
 * up for key_aggregate_link_name's choice. */
void engine_link_name(struct engine *engine, struct key *address, struct key_ref name);

struct key *engine_find_key(struct engine *engine, enum key_kind kind, const char *name,
                            size_t length);

/* Raises an alert unless this key and policy already alerted in this window.
 * policy_index < 32 identifies the policy for that check. */
bool engine_raise_alert(struct engine *engine, unsigned policy_index, struct engine_alert *alert);

/* The policies that alerted on this key in the current window, as a bit
 * mask by policy index. */
uint32_t engine_alerted_policies(const struct engine *engine, const struct key *key);

/* True for PTR lookups and for names that begin with a reversed IPv4
 * address (four decimal labels) or 32 IPv6 nibble labels: the shape of
 * reverse-DNS and DNS blocklist (DNSBL) queries. */
bool engine_is_reverse_lookup(const char *name, size_t length, uint16_t qtype);

/* The domain blocklists whose lookups (<domain>.ZONE) count as anti-spam
 * checks, like reversed-address DNSBL names: Spamhaus DBL, URIBL, SURBL. */
extern const char *const engine_builtin_blocklist_zones[];

/* True when the lower-case name is a lookup under one of the engine's
 * domain blocklist zones (built in, or from the config). */
bool engine_is_blocklist_lookup(const struct engine *engine, const char *name, size_t length);

/* Querier ASN, organisation and country as the engine sees them. */
void engine_describe_asn(const struct engine *engine, uint32_t asn, const char **org,
                         const char **country);

void engine_print_counters(const struct engine *engine, FILE *out);
void engine_visit_counters(const struct engine *engine, counter_visit_fn visit, void *user);

/* Adds from's caching-slot memory to into's (merging two sensors' states). */
void engine_merge_pairs(struct engine *into, const struct engine *from);

/* Way number `way` (of ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS, set by set) of
 * the caching-slot sets as a state file holds it: a 64-bit fingerprint, 0
 * for none. A way keeps the low half of its fingerprint, so a file of whole
 * fingerprints (written before the ways kept halves) restores exactly, and
 * a saved half restores as itself. */
uint64_t engine_pair_saved(const struct engine *engine, size_t way);
void engine_pair_restore(struct engine *engine, size_t way, uint64_t saved);

#endif
