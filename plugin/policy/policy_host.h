/* policy_host: runs the Lua 5.4 policies, one sandboxed lua_State per file
 * (no io, os except time helpers, package, require, debug, binary chunks or
 * collectgarbage beyond "count"), each with a memory cap and an instruction
 * budget per call. A policy that errors is reported with file:line, skipped
 * for that call and disabled after repeated errors; the others go on. It
 * calls Lua only on ticks (evaluate) and, when a policy defines on_lookup,
 * per lookup. It sees keys as snapshots and reaches the rest through a
 * policy_world, never the engine: in the sensor's policy process
 * (policy_child) the world is the sensor at the other end of a socket; in
 * unit tests, an engine in the same process (policy_local). */
#ifndef EXCLAVE_POLICY_HOST_H
#define EXCLAVE_POLICY_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "policy/key_snapshot.h"

enum { POLICY_MAX = 32, POLICY_NAME_MAX = 64, POLICY_PATH_MAX = 4096,
       POLICY_MESSAGES_MAX = 20,     /* error reports shown per policy */
       POLICY_LOG_LINES_MAX = 1000,  /* exclave.log lines shown per policy */
       POLICY_CANDIDATE_NAMES_MAX = 8 }; /* policies one candidates.alerted_by names */

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

/* What exclave.asn gives: the strings are valid until the call ends. */
struct policy_asn {
    uint32_t asn;              /* 0: unknown */
    const char *org;           /* NULL: unknown */
    size_t org_length;
    char country[3];           /* "": unknown */
};

/* Everything outside the Lua states that a policy reaches. Snapshots that
 * find_key returns live until call_ended. */
struct policy_world {
    void *context;
    struct key_snapshot *(*find_key)(void *context, enum key_kind kind, const char *name,
                                     size_t length);
    bool (*describe_address)(void *context, const struct ip_address *address,
                             struct policy_asn *found);
    /* alert->key is unset: the world finds the sensor's key by key->ref */
    bool (*raise_alert)(void *context, unsigned policy_index, const struct key_snapshot *key,
                        struct engine_alert *alert);
    void (*call_ended)(void *context);
};

/* Where the policies are, for a watcher in another process (memory shared
 * with the sensor): which call is in progress and the file:line last seen. */
struct policy_progress {
    volatile uint64_t calls_started;
    volatile uint32_t policy;      /* index of the policy in the call */
    volatile uint32_t in_call;     /* 1 while a call runs */
    volatile uint32_t item;        /* the key or lookup of the job (set by the job's runner) */
    char function[16];             /* "evaluate", "on_lookup", "load", "close" */
    char where[POLICY_PATH_MAX + 16];
};

struct policy_host {
    struct policy_world world;
    struct policy_progress *progress; /* NULL: nobody watches */
    int64_t now_us;            /* exclave.now() outside evaluate */
    int64_t tick_time_us;      /* exclave.now() in evaluate */
    struct policy_limits limits;
    struct policy_variable *variables;
    size_t variable_count;
    struct policy *policies[POLICY_MAX];
    unsigned count;
    bool wants_keys, wants_lookups; /* some enabled policy has evaluate / on_lookup */
    struct key_snapshot *evaluating; /* the key of the current evaluate() call */
    uint64_t view_generation;  /* key views of older calls are refused */
    FILE *messages;            /* errors, exclave.log lines */
    struct json_out *evidence; /* scratch for alert evidence, made on first use */
    struct policy_host_counters counters;
    const struct network_list *home_networks; /* exclave.home's; NULL: none */
};

void policy_limits_defaults(struct policy_limits *limits);

void policy_host_init(struct policy_host *host, const struct policy_world *world,
                      const struct policy_limits *limits, struct policy_variable *variables,
                      size_t variable_count, FILE *messages);
void policy_host_free(struct policy_host *host);

/* Loads a policy file. On failure (unreadable, syntax error, error while
 * running its top level, too many policies) writes why into error. */
bool policy_host_load(struct policy_host *host, const char *path, char *error, size_t error_size);

/* The same from the file's text, read by someone else (the sensor, for its
 * policy process, which may open no file); path names it in messages. */
bool policy_host_load_text(struct policy_host *host, const char *path, const char *text,
                           size_t length, char *error, size_t error_size);


/* After loading: every policy a candidates.alerted_by names is loaded. */
bool policy_host_check_candidates(const struct policy_host *host, char *error, size_t error_size);

/* After loading: every --set must have been read by a policy. */
bool policy_host_check_variables(const struct policy_host *host, char *error, size_t error_size);
bool policy_variables_all_used(const struct policy_variable *variables, size_t count, char *error,
                               size_t error_size);

/* Re-reads every policy file; a file that fails keeps its running version. */
void policy_host_reload(struct policy_host *host);

/* Replaces policy `index` by a new version from its text; false (and the
 * running version kept, the reason in error) when the text fails. */
bool policy_host_replace(struct policy_host *host, unsigned index, const char *text, size_t length,
                         char *error, size_t error_size);

/* Whether any enabled policy defines evaluate / on_lookup. */
static inline bool policy_host_wants_keys(const struct policy_host *host)
{
    return host->wants_keys;
}
static inline bool policy_host_wants_lookups(const struct policy_host *host)
{
    return host->wants_lookups;
}

/* Policies from `first` on, in load order, evaluate the key. */
void policy_host_evaluate(struct policy_host *host, struct key_snapshot *key, unsigned first);
void policy_host_on_lookup(struct policy_host *host, const struct engine_lookup *lookup,
                           uint32_t querier_asn, unsigned first);

/* Whether the key (alerted: the policies that alerted on it in this window)
 * is a candidate of some enabled policy that evaluates, at tick_time_us: C
 * decides which keys are worth a call into Lua. */
bool policy_host_wants_key(const struct policy_host *host, const struct key *key, uint32_t alerted);

/* Closes the Lua states, last first (their finalizers may still raise
 * alerts through the world), and keeps the host's counters and names. */
void policy_host_close_states(struct policy_host *host);

void policy_host_print_counters(const struct policy_host *host, FILE *out);
void policy_host_visit_counters(const struct policy_host *host, counter_visit_fn visit, void *user);

/* Policy names in load order, for listing. */
const char *policy_host_name(const struct policy_host *host, unsigned index);

#endif
