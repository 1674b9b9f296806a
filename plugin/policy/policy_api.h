/* policy_api: what a policy sees from Lua: the `exclave` table (alert, key,
 * asn, now, log, var), read-only key views, and lookup tables for on_lookup.
 * Shared by policy_host (which owns the states) and nothing else. A key view
 * is valid only during the call it was passed to or looked up in; what it
 * reads is a key_snapshot. */
#ifndef EXCLAVE_POLICY_API_H
#define EXCLAVE_POLICY_API_H

#include <lua.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy/policy_candidates.h"
#include "policy/policy_host.h"

struct policy {
    struct policy_host *host;
    unsigned index;
    char name[POLICY_NAME_MAX];
    char label[POLICY_NAME_MAX + 8]; /* "policy NAME", for messages */
    char path[POLICY_PATH_MAX];
    lua_State *state;
    size_t memory_used;
    bool memory_refused;       /* the cap refused an allocation in this call */
    int64_t instructions_left;
    bool budget_hit;
    char last_where[POLICY_PATH_MAX + 16]; /* file:line at the last budget check */
    bool has_evaluate, has_on_lookup, disabled;
    struct policy_candidates candidates; /* the keys evaluate is called for */
    /* as declared: candidates.alerted_by names (resolved to bits after each
     * load) and candidates.once */
    char alerted_by[POLICY_CANDIDATE_NAMES_MAX][POLICY_NAME_MAX];
    unsigned alerted_by_count;
    bool once;
    uint64_t errors;
    unsigned messages_shown;   /* error reports */
    unsigned log_lines;        /* exclave.log and print */
};

/* The signature_id of a policy's alerts when it sets none: 9100000 plus a
 * hash of its name (FNV-1a, mod 900000), so that it stays the same whatever
 * else is loaded and in what order. */
uint32_t policy_api_default_signature_id(const char *name);

/* Installs the global `exclave` table in the policy's state. */
void policy_api_open(struct policy *policy);

void policy_api_push_key(lua_State *L, struct policy *policy, struct key_snapshot *snapshot);
void policy_api_push_lookup(lua_State *L, struct policy *policy,
                            const struct engine_lookup *lookup, uint32_t querier_asn);

/* A message about the policy on the host's message stream, at most
 * POLICY_MESSAGES_MAX per policy. */
void policy_message(struct policy *policy, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* A line the policy logs itself, at most POLICY_LOG_LINES_MAX per policy. */
void policy_log(struct policy *policy, const char *text);

#endif
