/* lookup_matcher: pairs DNS responses with the queries they answer (client,
 * server, ports, transport, transaction id and question), like passivedns,
 * so that an answer is only trusted when we saw it asked. Fixed memory: a
 * set-associative table; queries older than the timeout are forgotten. It
 * stores no names and writes nothing. */
#ifndef EXCLAVE_LOOKUP_MATCHER_H
#define EXCLAVE_LOOKUP_MATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/ip_address.h"

enum { LOOKUP_MATCHER_WAYS = 8, LOOKUP_MATCHER_DEFAULT_CAPACITY = 1 << 18 };

struct lookup_key {
    struct ip_address client, server;
    uint16_t client_port, server_port;
    uint16_t id;
    uint8_t protocol;
    uint64_t tunnel_key;       /* the encapsulation's flow key (VNI, GRE key); 0 if none */
    uint64_t question_hash;    /* hash of qname text and qtype */
    uint8_t source_proof;      /* carried with the query to its response, not matched */
    int64_t asked_us;          /* set by add_query: when it was asked */
};

struct lookup_matcher_counters {
    uint64_t queries_tracked;
    uint64_t queries_repeated;  /* same key asked again before an answer */
    uint64_t queries_evicted;   /* pushed out by a full set before the timeout */
    uint64_t responses_matched;
};

struct lookup_set;

struct lookup_matcher {
    struct lookup_set *sets;   /* tags and times: one cache line per set */
    struct lookup_key *keys;   /* set_count * LOOKUP_MATCHER_WAYS, read on a tag hit */
    uint32_t set_count;
    uint32_t timeout_ms;
    bool epoch_set;
    int64_t epoch_us;          /* the whole second the millisecond clock counts from */
    struct lookup_matcher_counters counters;
};

bool lookup_matcher_init(struct lookup_matcher *matcher, uint32_t capacity, double timeout_seconds);
void lookup_matcher_free(struct lookup_matcher *matcher);

/* Times are packet times in microseconds since the epoch. The timeout is
 * kept to the millisecond, on whole milliseconds of packet time, so two
 * matchers that saw different first packets decide alike. */
void lookup_matcher_add_query(struct lookup_matcher *matcher, const struct lookup_key *key,
                              int64_t now_us);

/* True when the response answers a pending query (which is then removed);
 * *query_time_us receives when it was asked, *proof the query's
 * source_proof. */
bool lookup_matcher_take_response(struct lookup_matcher *matcher, const struct lookup_key *key,
                                  int64_t now_us, int64_t *query_time_us, uint8_t *proof);

/* Queries asked and never answered so far (timed out, evicted or pending). */
uint64_t lookup_matcher_unanswered(const struct lookup_matcher *matcher);

#endif
