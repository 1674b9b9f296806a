/* policy_host: runs the Lua 5.4 policies, one sandboxed lua_State per file
 * (no io, os except time helpers, package, require, debug, binary chunks or
 * collectgarbage beyond "count"), each with a memory cap and an instruction
 * budget per call. A policy that errors is reported with file:line, skipped
 * for that call and disabled after repeated errors; the others go on. It
 * calls Lua only on ticks (evaluate) and, when a policy defines on_lookup,
 * per lookup. It never touches aggregates except through the engine. */
#ifndef EXCLAVE_POLICY_HOST_H
#define EXCLAVE_POLICY_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"

enum { POLICY_MAX = 32, POLICY_NAME_MAX = 64, POLICY_PATH_MAX = 4096,
       POLICY_MESSAGES_MAX = 20,     /* error reports shown per policy */
       POLICY_LOG_LINES_MAX = 1000 };  /* exclave.log lines shown per policy */

/* One --set POLICY.NAME=VALUE. */
struct policy_variable {
    const char *policy;        /* points into the argument; not NUL-terminated */
    size_t policy_length;
    const char *name;          /* NUL-terminated; the variable name */
    size_t name_length;
    const char *value;
    bool used;                 /* a policy asked for it */
};

struct policy_limits {
    size_t memory_bytes;       /* per lua_State */
    uint64_t instructions;     /* per call */
    unsigned max_errors;       /* then the policy is disabled */
};

#define POLICY_COUNTERS(X)                                                                  \
    X(calls, "calls into policies (evaluate and on_lookup)")                              \
    X(errors, "calls that ended in an error (reported with file:line)")                   \
    X(budget_exceeded, "calls stopped by the instruction budget")                         \
    X(memory_refused, "calls that hit the memory cap")                                    \
    X(disabled, "policies disabled after repeated errors")                                \
    X(reloads, "policy reloads (SIGHUP)")                                                 \
    X(reload_failures, "policy files that failed to reload (the old version kept)")

struct policy_host_counters {
#define POLICY_COUNTER_FIELD(name, help) uint64_t name;
    POLICY_COUNTERS(POLICY_COUNTER_FIELD)
#undef POLICY_COUNTER_FIELD
};

struct policy;

struct policy_host {
    struct engine *engine;
    struct policy_limits limits;
    struct policy_variable *variables;
    size_t variable_count;
    struct policy *policies[POLICY_MAX];
    unsigned count;
    bool wants_keys, wants_lookups; /* some enabled policy has evaluate / on_lookup */
    struct key *evaluating;    /* the key of the current evaluate() call */
    uint64_t view_generation;  /* key views of older calls are refused */
    FILE *messages;            /* errors, exclave.log lines */
    struct json_out *evidence; /* scratch for alert evidence, made on first use */
    struct policy_host_counters counters;
};

void policy_limits_defaults(struct policy_limits *limits);

void policy_host_init(struct policy_host *host, struct engine *engine,
                      const struct policy_limits *limits, struct policy_variable *variables,
                      size_t variable_count, FILE *messages);
void policy_host_free(struct policy_host *host);

/* Loads a policy file. On failure (unreadable, syntax error, error while
 * running its top level, too many policies) writes why into error. */
bool policy_host_load(struct policy_host *host, const char *path, char *error, size_t error_size);

/* Loads a policy file, or every *.lua file of a directory in name order. */
bool policy_host_load_path(struct policy_host *host, const char *path, char *error,
                           size_t error_size);

/* After loading: every --set must have been read by a policy. */
bool policy_host_check_variables(const struct policy_host *host, char *error, size_t error_size);

/* Re-reads every policy file; a file that fails keeps its running version. */
void policy_host_reload(struct policy_host *host);

/* Whether any enabled policy defines evaluate / on_lookup. */
static inline bool policy_host_wants_keys(const struct policy_host *host)
{
    return host->wants_keys;
}
static inline bool policy_host_wants_lookups(const struct policy_host *host)
{
    return host->wants_lookups;
}

/* Makes this host the engine's decider: the engine's ticks and lookups
 * reach the policies from then on. */
void policy_host_attach(struct policy_host *host, struct engine *engine);

void policy_host_evaluate(struct policy_host *host, struct key *key);
void policy_host_on_lookup(struct policy_host *host, const struct engine_lookup *lookup,
                           uint32_t querier_asn);

void policy_host_print_counters(const struct policy_host *host, FILE *out);
void policy_host_visit_counters(const struct policy_host *host, counter_visit_fn visit, void *user);

/* Policy names in load order, for listing. */
const char *policy_host_name(const struct policy_host *host, unsigned index);

#endif
