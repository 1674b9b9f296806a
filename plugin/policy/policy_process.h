/* policy_process: the sensor's side of the policy process. It reads the
 * policy files, starts `exclave policy-host` (policy_child) with a socket
 * and a shared progress page, and is the engine's decider: the keys worth a
 * call (C checks each policy's candidates) and the lookups for on_lookup
 * go to the process in batches, as snapshots; while it waits it answers
 * the process's requests and checks every alert it sends. A call that runs
 * longer than its CPU budget, a crash or a sandbox kill stops the process:
 * it is reported (policy, function, file:line), the policy disabled after
 * repeated stops, the process started again and the batch resumed after
 * the call that failed. The engine and every record are the sensor's and
 * lose nothing. It never runs Lua itself. */
#ifndef EXCLAVE_POLICY_PROCESS_H
#define EXCLAVE_POLICY_PROCESS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "engine/engine.h"
#include "policy/policy_candidates.h"
#include "policy/policy_host.h"
#include "policy/policy_wire.h"

#define POLICY_PROCESS_COUNTERS(X)                                                          \
    X(process_starts, "policy processes started (1, plus one per restart)")                 \
    X(calls_stopped, "calls stopped by the CPU budget (the process killed and restarted)")  \
    X(process_crashes, "policy processes that died (a signal, the sandbox, an exit)")       \
    X(alerts_refused, "alerts from the policy process that failed the sensor's checks")

struct policy_process_counters {
#define POLICY_PROCESS_FIELD(name, help) uint64_t name;
    POLICY_PROCESS_COUNTERS(POLICY_PROCESS_FIELD)
#undef POLICY_PROCESS_FIELD
};

/* The caps the policy API applies, checked again on what the process sends. */
enum { POLICY_SIGNATURE_MAX = 512, POLICY_RELATED_NAME_MAX = 1100, POLICY_EVIDENCE_MAX = 32768 };

struct policy_process_config {
    struct policy_limits limits;
    struct policy_variable *variables;
    size_t variable_count;
    FILE *messages;
    const char *program;       /* the exclave binary, started as `PROGRAM policy-host` */
    double call_cpu_seconds;   /* CPU time a call may take before the process is killed */
    unsigned max_stops;        /* a policy stopped this often is disabled */
};

/* What the sensor knows of one policy. */
struct policy_state {
    char path[POLICY_PATH_MAX];
    char *text;                /* the file as last read */
    size_t text_length;
    char name[POLICY_NAME_MAX];
    bool has_evaluate, has_on_lookup, disabled;
    struct policy_candidates candidates; /* the keys its evaluate is called for */
    uint64_t errors, errors_before; /* this process's, and the dead ones' */
    unsigned stops;
};

struct policy_process {
    struct policy_process_config config;
    struct engine *engine;
    struct policy_state policies[POLICY_MAX];
    unsigned count;
    bool wants_keys, wants_lookups;
    pid_t pid;                 /* 0: not running */
    int fd, progress_fd;
    clockid_t cpu_clock;
    struct policy_progress *progress;
    uint32_t job_type;         /* the batch being collected (0: none) */
    int64_t job_tick_us, job_now_us;
    struct wire_buffer items;  /* the batch's keys or lookups, each one after the other */
    uint32_t *item_offsets;
    uint32_t item_count, item_capacity;
    struct wire_buffer in, out;
    struct {                   /* an alert from the process, copied NUL-terminated while checked */
        char signature[POLICY_SIGNATURE_MAX + 1];
        char related[ENGINE_RELATED_MAX][POLICY_RELATED_NAME_MAX + 1];
        char evidence[POLICY_EVIDENCE_MAX + 1];
    } alert_text;
    struct key_snapshot_copy subject; /* a failed call's key, decoded to name it */
    struct policy_host_counters counters, counters_before;
    struct policy_process_counters process_counters;
};

void policy_process_config_defaults(struct policy_process_config *config);

void policy_process_init(struct policy_process *process, const struct policy_process_config *config);

/* Reads a policy file, or every *.lua file of a directory in name order. */
bool policy_process_add_path(struct policy_process *process, const char *path, char *error,
                             size_t error_size);

/* Starts the process and loads the policies in it; checks that every --set
 * was read. On success the process is the engine's decider. */
bool policy_process_start(struct policy_process *process, struct engine *engine, char *error,
                          size_t error_size);

/* Reads the files again; a file that fails keeps its running version. */
void policy_process_reload(struct policy_process *process);

/* Runs what is batched, closes the Lua states (their finalizers may raise
 * alerts) and waits for the process to end. The log must still be open. */
void policy_process_finish(struct policy_process *process);

void policy_process_free(struct policy_process *process);

void policy_process_visit_counters(const struct policy_process *process, counter_visit_fn visit,
                                   void *user);
void policy_process_print_counters(const struct policy_process *process, FILE *out);

#endif
