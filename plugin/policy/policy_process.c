/* policy_process: starting, feeding, watching and restarting the policy
 * process. Everything it reads from the process is checked as input. */
#define _GNU_SOURCE
#include "policy/policy_process.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/iso_time.h"
#include "base/printable.h"
#include "base/warning_limit.h"
#include "dns/dns_message.h"
#include "geoip/geoip.h"
#include "policy/evidence_json.h"
#include "policy/policy_child.h"
#include "policy/policy_protocol.h"

extern char **environ;

enum { STOP_GRACE_MS = 2000, BATCH_ITEMS_MAX = 4096, POLICY_LOOKUP_BATCH = 256, BATCH_BYTES_MAX = 4 << 20, WATCH_EVERY_MS = 100,
       SIGNATURE_MAX = POLICY_SIGNATURE_MAX, RELATED_MAX_BYTES = POLICY_RELATED_NAME_MAX,
       EVIDENCE_MAX = POLICY_EVIDENCE_MAX, FILE_MAX = 16 << 20 };

void policy_process_config_defaults(struct policy_process_config *config)
{
    memset(config, 0, sizeof *config);
    policy_limits_defaults(&config->limits);
    config->program = "/proc/self/exe";
    config->call_cpu_seconds = 5;
    config->max_stops = 3;
}

void policy_process_init(struct policy_process *process, const struct policy_process_config *config)
{
    memset(process, 0, sizeof *process);
    process->config = *config;
    process->fd = process->progress_fd = -1;
}

/* ---- the files ------------------------------------------------------------------- */

static bool read_file(const char *path, char **text, size_t *length, char *error, size_t error_size)
{
    FILE *in = fopen(path, "rb");
    struct stat info;
    if (!in || fstat(fileno(in), &info) != 0 || !S_ISREG(info.st_mode) || info.st_size > FILE_MAX) {
        snprintf(error, error_size, "policy %s: %s", path,
                 !in ? strerror(errno) : "not a regular file of at most 16 MiB");
        if (in)
            fclose(in);
        return false;
    }
    char *bytes = malloc((size_t)info.st_size + 1);
    size_t got = bytes ? fread(bytes, 1, (size_t)info.st_size + 1, in) : 0;
    bool ok = bytes && !ferror(in) && got <= (size_t)info.st_size;
    fclose(in);
    if (!ok) {
        free(bytes);
        snprintf(error, error_size, "policy %s: cannot read it", path);
        return false;
    }
    free(*text);
    *text = bytes;
    *length = got;
    return true;
}

static bool add_file(struct policy_process *process, const char *path, char *error, size_t error_size)
{
    if (process->count == POLICY_MAX) {
        snprintf(error, error_size, "policy %s: at most %d policies can be loaded", path, POLICY_MAX);
        return false;
    }
    struct policy_state *policy = &process->policies[process->count];
    memset(policy, 0, sizeof *policy);
    snprintf(policy->path, sizeof policy->path, "%s", path);
    if (!read_file(path, &policy->text, &policy->text_length, error, error_size))
        return false;
    process->count++;
    return true;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_lua_file(const struct dirent *entry)
{
    size_t length = strlen(entry->d_name);
    return entry->d_name[0] != '.' && length > 4 && strcmp(entry->d_name + length - 4, ".lua") == 0;
}

bool policy_process_add_path(struct policy_process *process, const char *path, char *error,
                             size_t error_size)
{
    struct stat info;
    if (stat(path, &info) != 0) {
        snprintf(error, error_size, "--policy %s: %s", path, strerror(errno));
        return false;
    }
    if (!S_ISDIR(info.st_mode))
        return add_file(process, path, error, error_size);
    struct dirent **entries;
    int n = scandir(path, &entries, is_lua_file, by_name);
    if (n <= 0) { /* a wrong directory must not mean "no policies" in silence */
        snprintf(error, error_size, "--policy %s: %s", path,
                 n < 0 ? strerror(errno) : "a directory without a *.lua file");
        if (n == 0)
            free(entries);
        return false;
    }
    bool ok = true;
    for (int i = 0; i < n; i++) {
        char file[POLICY_PATH_MAX];
        snprintf(file, sizeof file, "%s/%s", path, entries[i]->d_name);
        ok = ok && add_file(process, file, error, error_size);
        free(entries[i]);
    }
    free(entries);
    return ok;
}

/* ---- the process -------------------------------------------------------------------- */

static bool make_progress_page(struct policy_process *process)
{
    if (process->progress)
        return true;
    int fd = memfd_create("exclave-policy-progress", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, sizeof *process->progress) != 0) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    void *page = mmap(NULL, sizeof *process->progress, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (page == MAP_FAILED) {
        close(fd);
        return false;
    }
    process->progress = page;
    process->progress_fd = fcntl(fd, F_DUPFD_CLOEXEC, 10); /* above the numbers dup2 targets */
    close(fd);
    return process->progress_fd >= 0;
}

static bool spawn(struct policy_process *process, char *error, size_t error_size)
{
    int pair[2];
    if (!make_progress_page(process) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        snprintf(error, error_size, "policy process: %s", strerror(errno));
        return false;
    }
    memset(process->progress, 0, sizeof *process->progress);
    int theirs = fcntl(pair[1], F_DUPFD_CLOEXEC, 10);
    close(pair[1]);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, theirs, POLICY_CHILD_SOCKET_FD);
    posix_spawn_file_actions_adddup2(&actions, process->progress_fd, POLICY_CHILD_PROGRESS_FD);
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, 0); /* a terminal's ^C is the sensor's to handle */
    sigset_t defaults;
    sigfillset(&defaults);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                              POSIX_SPAWN_SETSIGMASK);
    char *argv[] = { (char *)process->config.program, "policy-host", NULL };
    int status = theirs < 0 ? errno
                            : posix_spawn(&process->pid, process->config.program, &actions,
                                          &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (theirs >= 0)
        close(theirs);
    if (status != 0) {
        close(pair[0]);
        process->pid = 0;
        snprintf(error, error_size, "policy process: cannot start %s: %s", process->config.program,
                 strerror(status));
        return false;
    }
    process->fd = pair[0];
    if (clock_getcpuclockid(process->pid, &process->cpu_clock) != 0)
        process->cpu_clock = (clockid_t)-1;
    process->process_counters.process_starts++;
    return true;
}

/* The process's end, after a kill or a closed socket: how it ended. */
static void reap(struct policy_process *process, char *how, size_t size)
{
    int status = 0;
    if (process->fd >= 0)
        close(process->fd);
    process->fd = -1;
    if (process->pid > 0 && waitpid(process->pid, &status, 0) == process->pid) {
        if (WIFSIGNALED(status))
            snprintf(how, size, "%s%s", strsignal(WTERMSIG(status)),
                     WTERMSIG(status) == SIGSYS ? " (the sandbox refused a system call)" : "");
        else
            snprintf(how, size, "exit status %d", WEXITSTATUS(status));
    } else {
        snprintf(how, size, "ended");
    }
    process->pid = 0;
    process->counters_before = process->counters;
    for (unsigned i = 0; i < process->count; i++) {
        process->policies[i].errors_before += process->policies[i].errors;
        process->policies[i].errors = 0;
    }
}

static int64_t child_cpu_ns(const struct policy_process *process)
{
    struct timespec t;
    if (process->cpu_clock == (clockid_t)-1 || clock_gettime(process->cpu_clock, &t) != 0)
        return 0;
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* ---- messages from the process ------------------------------------------------------- */

static void print_lines(struct policy_process *process, const char *text, size_t length)
{
    FILE *out = process->config.messages;
    while (out && length > 0) {
        const char *end = memchr(text, '\n', length);
        size_t line = end ? (size_t)(end - text) : length;
        char safe[4 * 1024 + 8];
        printable_copy(safe, sizeof safe, text, line);
        bool ours = !strncmp(safe, "exclave: policy ", 16) ||
                    !strncmp(safe, "exclave: keeping the running version: ", 38);
        fprintf(out, "%s%s\n", ours ? "" : "exclave: policy process: ", safe);
        text += line + (end != NULL);
        length -= line + (end != NULL);
    }
}

/* ---- requests ------------------------------------------------------------------------ */

static bool reply(struct policy_process *process)
{
    return wire_send(process->fd, &process->out);
}

static bool answer_find_key(struct policy_process *process, struct wire_reader *in)
{
    uint8_t kind = wire_get_u8(in);
    size_t length;
    const char *name = wire_get_text(in, UINT16_MAX, &length);
    if (!name || kind >= KEY_KINDS)
        return false;
    struct key *key = engine_find_key(process->engine, (enum key_kind)kind, name, length);
    wire_begin(&process->out, POLICY_MSG_KEY);
    wire_put_u8(&process->out, key != NULL);
    if (key) {
        struct key_snapshot snapshot;
        key_snapshot_take(&snapshot, process->engine, key);
        key_snapshot_encode(&snapshot, &process->out);
    }
    return reply(process);
}

static bool answer_describe(struct policy_process *process, struct wire_reader *in)
{
    struct ip_address address;
    if (!wire_get(in, &address, sizeof address) || (address.family != 4 && address.family != 6))
        return false;
    struct geoip_result result = { 0 };
    struct geoip *geoip = process->engine->geoip;
    if (geoip)
        geoip_lookup(geoip, &address, &result);
    wire_begin(&process->out, POLICY_MSG_ASN);
    wire_put_u8(&process->out, geoip != NULL);
    wire_put_u32(&process->out, result.asn);
    wire_put_text(&process->out, result.org, result.org ? result.org_length : 0);
    wire_put_text(&process->out, result.country, strnlen(result.country, 2));
    return reply(process);
}

/* A text of at most max bytes without NUL, copied NUL-terminated. */
static bool get_clean_text(struct wire_reader *in, size_t max, char *out)
{
    size_t length;
    const char *text = wire_get_text(in, max, &length);
    if (!text || memchr(text, '\0', length))
        return false;
    memcpy(out, text, length);
    out[length] = '\0';
    return true;
}

/* What the process's alert must be before the sensor writes it: the same
 * caps the policy API applies, checked again, and evidence of one shape. */
static bool read_alert(struct policy_process *process, struct wire_reader *in,
                       struct engine_alert *alert, unsigned *policy, char *signature,
                       char related[][RELATED_MAX_BYTES + 1], char *evidence)
{
    struct key_ref ref;
    *policy = wire_get_u32(in);
    wire_get(in, &ref, sizeof ref);
    alert->time_us = wire_get_i64(in);
    alert->signature_id = wire_get_u32(in);
    alert->severity = (int)wire_get_u32(in);
    if (!get_clean_text(in, SIGNATURE_MAX, signature) || *policy >= process->count ||
        alert->severity < 1 || alert->severity > 4)
        return false;
    uint32_t related_count = wire_get_u32(in);
    if (related_count > ENGINE_RELATED_MAX)
        return false;
    for (uint32_t i = 0; i < related_count; i++) {
        if (!get_clean_text(in, RELATED_MAX_BYTES, related[i]))
            return false;
        alert->related[i] = related[i];
    }
    alert->related_count = related_count;
    if (!get_clean_text(in, EVIDENCE_MAX, evidence) || !evidence_json_is_valid(evidence, strlen(evidence)))
        return false;
    if (!iso_time_is_sane(alert->time_us))
        alert->time_us = process->engine->now_us;
    alert->key = key_store_deref(&process->engine->store, ref);
    alert->policy = process->policies[*policy].name;
    alert->signature = signature;
    alert->evidence_json = evidence;
    return true;
}

static bool answer_alert(struct policy_process *process, struct wire_reader *in)
{
    struct engine_alert alert = { 0 };
    unsigned policy;
    bool valid = read_alert(process, in, &alert, &policy, process->alert_text.signature,
                            process->alert_text.related, process->alert_text.evidence);
    bool raised = valid && alert.key && engine_raise_alert(process->engine, policy, &alert);
    if (!valid)
        process->process_counters.alerts_refused++;
    wire_begin(&process->out, POLICY_MSG_RAISED);
    wire_put_u8(&process->out, raised);
    return valid && reply(process);
}

/* The policies' state as the process reports it (STARTED and DONE). */
static bool read_policies(struct policy_process *process, struct wire_reader *in)
{
    if (wire_get_u32(in) != process->count)
        return false;
    for (unsigned i = 0; i < process->count; i++) {
        struct policy_state *p = &process->policies[i];
        p->errors = (uint64_t)wire_get_i64(in);
        p->disabled = wire_get_u8(in) || p->stops >= process->config.max_stops;
        p->has_evaluate = wire_get_u8(in);
        p->has_on_lookup = wire_get_u8(in);
        if (!policy_candidates_decode(&p->candidates, in))
            return false;
        if (!get_clean_text(in, POLICY_NAME_MAX - 1, p->name))
            return false;
    }
    process->wants_keys = process->wants_lookups = false;
    for (unsigned i = 0; i < process->count; i++) {
        process->wants_keys |= process->policies[i].has_evaluate && !process->policies[i].disabled;
        process->wants_lookups |= process->policies[i].has_on_lookup && !process->policies[i].disabled;
    }
    return !in->failed;
}

static bool read_done(struct policy_process *process, struct wire_reader *in)
{
    struct policy_host_counters now;
#define GET_COUNTER(name, help) now.name = (uint64_t)wire_get_i64(in);
    POLICY_COUNTERS(GET_COUNTER)
#undef GET_COUNTER
#define ADD_COUNTER(name, help) process->counters.name = process->counters_before.name + now.name;
    POLICY_COUNTERS(ADD_COUNTER)
#undef ADD_COUNTER
    return read_policies(process, in);
}

/* ---- waiting, watching ------------------------------------------------------------------ */

enum wait_result { WAIT_DONE, WAIT_STOPPED, WAIT_DIED };

struct watch {
    uint64_t calls;
    uint32_t in_call;
    int64_t cpu_at_change;
};

/* True when the process has spent more than its budget of CPU time since
 * its progress last changed. */
static bool over_budget(struct policy_process *process, struct watch *watch)
{
    int64_t cpu = child_cpu_ns(process);
    if (process->progress->calls_started != watch->calls || process->progress->in_call != watch->in_call) {
        *watch = (struct watch){ process->progress->calls_started, process->progress->in_call, cpu };
        return false;
    }
    return (double)(cpu - watch->cpu_at_change) > process->config.call_cpu_seconds * 1e9;
}

/* Asks the process to write where its call is and end (SIGUSR1), and
 * kills it if it has not ended within STOP_GRACE_MS: the line is a help,
 * the stop is certain. */
static void stop_child(struct policy_process *process)
{
    kill(process->pid, SIGUSR1);
    for (int waited = 0; waited < STOP_GRACE_MS; waited += 10) {
        siginfo_t info = { 0 };
        if (waitid(P_PID, (id_t)process->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid)
            return;
        struct timespec pause = { 0, 10 * 1000000 };
        nanosleep(&pause, NULL);
    }
    kill(process->pid, SIGKILL);
}

/* Answers requests until the process sends `until`; *first_message holds
 * it then. */
static enum wait_result serve(struct policy_process *process, uint32_t until)
{
    struct watch watch = { process->progress->calls_started, process->progress->in_call,
                           child_cpu_ns(process) };
    for (;;) {
        struct pollfd ready = { .fd = process->fd, .events = POLLIN };
        int n = poll(&ready, 1, WATCH_EVERY_MS);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0) {
            if (over_budget(process, &watch)) {
                stop_child(process);
                return WAIT_STOPPED;
            }
            continue;
        }
        int64_t type = wire_receive(process->fd, &process->in);
        struct wire_reader in = wire_reader_of(&process->in);
        bool ok = type > 0;
        if (type == until)
            return WAIT_DONE;
        else if (type == POLICY_MSG_FIND_KEY) ok = answer_find_key(process, &in);
        else if (type == POLICY_MSG_DESCRIBE) ok = answer_describe(process, &in);
        else if (type == POLICY_MSG_ALERT) ok = answer_alert(process, &in);
        else if (type == POLICY_MSG_MESSAGE) {
            size_t length;
            const char *text = wire_get_text(&in, WIRE_MESSAGE_MAX, &length);
            ok = text != NULL;
            if (ok)
                print_lines(process, text, length);
        } else ok = false;
        if (!ok) { /* gone, or not keeping to the protocol: either way it ends */
            kill(process->pid, SIGKILL);
            return WAIT_DIED;
        }
    }
}

static void attach(struct policy_process *process);

/* ---- starting ------------------------------------------------------------------------ */

/* "exclave: SUBJECT: message", escaped. */
static void report(struct policy_process *process, const char *subject, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void report(struct policy_process *process, const char *subject, const char *format, ...)
{
    if (!process->config.messages)
        return;
    va_list args;
    va_start(args, format);
    warning_vprint(process->config.messages, subject, format, args);
    va_end(args);
}

static void send_start(struct policy_process *process)
{
    struct wire_buffer *out = &process->out;
    const struct policy_process_config *c = &process->config;
    wire_begin(out, POLICY_MSG_START);
    wire_put_i64(out, (int64_t)c->limits.memory_bytes);
    wire_put_i64(out, (int64_t)c->limits.instructions);
    wire_put_u32(out, c->limits.max_errors);
    wire_put_u32(out, (uint32_t)c->variable_count);
    for (size_t i = 0; i < c->variable_count; i++) {
        const struct policy_variable *v = &c->variables[i];
        wire_put_text(out, v->policy, v->policy_length);
        wire_put_text(out, v->name, strlen(v->name));
        wire_put_text(out, v->value, strlen(v->value));
    }
    const struct network_list *home = process->engine->config.home_networks;
    wire_put_u32(out, home ? (uint32_t)home->count : 0);
    if (home)
        wire_put(out, home->networks, home->count * sizeof home->networks[0]);
    wire_put_u32(out, process->count);
    for (unsigned i = 0; i < process->count; i++) {
        const struct policy_state *p = &process->policies[i];
        wire_put_text(out, p->path, strlen(p->path));
        wire_put_u8(out, p->disabled);
        wire_put_text(out, p->text, p->text_length);
    }
}

static bool read_started(struct policy_process *process, char *error, size_t error_size)
{
    struct wire_reader in = wire_reader_of(&process->in);
    bool loaded = wire_get_u8(&in);
    size_t length;
    const char *why = wire_get_text(&in, 8192, &length);
    if (!loaded) {
        char safe[4 * 8192 + 8];
        printable_copy(safe, sizeof safe, why ? why : "", length);
        snprintf(error, error_size, "%s", safe);
        return false;
    }
    if (!read_policies(process, &in) || wire_get_u32(&in) != process->config.variable_count) {
        snprintf(error, error_size, "policy process: a START reply that does not decode");
        return false;
    }
    for (size_t i = 0; i < process->config.variable_count; i++)
        process->config.variables[i].used |= wire_get_u8(&in);
    return !in.failed;
}

/* Which policy was running, as the progress page says. */
static const char *running_policy(const struct policy_process *process)
{
    uint32_t index = process->progress->policy;
    return index < process->count ? process->policies[index].path : "(none)";
}

/* Starts a process and loads the policies. A policy whose load is stopped
 * (a loop at its top level) or kills the process is an error at the first
 * start; at a restart it is disabled and the start tried again. */
static bool start_process(struct policy_process *process, bool first, char *error, size_t error_size)
{
    for (unsigned attempt = 0; attempt <= process->count; attempt++) {
        if (!spawn(process, error, error_size))
            return false;
        send_start(process);
        enum wait_result result = wire_send(process->fd, &process->out)
                                      ? serve(process, POLICY_MSG_STARTED) : WAIT_DIED;
        if (result == WAIT_DONE)
            return read_started(process, error, error_size);
        char how[128];
        uint32_t index = process->progress->policy;
        const char *where = process->progress->where;
        reap(process, how, sizeof how);
        snprintf(error, error_size, "policy %s: %s while loading, at %s", running_policy(process),
                 result == WAIT_STOPPED ? "over its CPU budget" : how, where[0] ? where : "its start");
        if (first || index >= process->count)
            return false;
        report(process, "policy process", "%s: disabled", error);
        process->policies[index].disabled = true;
    }
    return false;
}

bool policy_process_start(struct policy_process *process, struct engine *engine, char *error,
                          size_t error_size)
{
    process->engine = engine;
    if (!start_process(process, true, error, error_size))
        return false;
    if (!policy_variables_all_used(process->config.variables, process->config.variable_count, error,
                                   error_size))
        return false;
    attach(process);
    return true;
}

/* ---- jobs ---------------------------------------------------------------------------- */

/* Changes whenever the sensor's databases may have: the child keeps its
 * DESCRIBE answers only while it stays the same. */
static uint64_t databases_generation(const struct policy_process *process)
{
    const struct geoip *geoip = process->engine->geoip;
    return geoip ? 1 + geoip->counters.reloads + geoip->counters.reload_failures : 0;
}

static void send_job(struct policy_process *process, uint32_t from, uint32_t first)
{
    struct wire_buffer *out = &process->out;
    wire_begin(out, process->job_type);
    wire_put_i64(out, (int64_t)databases_generation(process));
    if (process->job_type == POLICY_MSG_EVALUATE) {
        wire_put_i64(out, process->job_tick_us);
        wire_put_i64(out, process->job_now_us);
    }
    wire_put_u32(out, first);
    wire_put_u32(out, process->item_count - from);
    uint32_t offset = process->item_offsets[from];
    wire_put(out, process->items.bytes + offset, process->items.length - offset);
}

/* What the failed call was about: a key's name, or "lookup". */
static void subject_of(struct policy_process *process, uint32_t item, char *subject, size_t size)
{
    snprintf(subject, size, "lookup");
    if (process->job_type != POLICY_MSG_EVALUATE || item >= process->item_count)
        return;
    struct key_snapshot_copy *copy = &process->subject;
    struct wire_reader in = { process->items.bytes + process->item_offsets[item],
                              process->items.bytes + process->items.length, false };
    if (key_snapshot_decode(&in, copy))
        printable_copy(subject, size, copy->key.name, copy->key.name_length);
}

/* After the process died in a job: reports the call, charges its policy,
 * and says where to resume (*from, *first). False when nothing was running:
 * the job is then given up rather than tried without end. */
static bool blame(struct policy_process *process, enum wait_result result, uint64_t calls_before,
                  uint32_t *from, uint32_t *first)
{
    struct policy_progress *p = process->progress;
    uint32_t item = *from + p->item, policy = p->policy;
    bool started = p->calls_started != calls_before && policy < process->count;
    char how[128], function[sizeof p->function], where[sizeof p->where], subject[300];
    memcpy(function, p->function, sizeof function);
    function[sizeof function - 1] = '\0';
    memcpy(where, p->where, sizeof where);
    where[sizeof where - 1] = '\0';
    reap(process, how, sizeof how);
    if (result == WAIT_STOPPED)
        snprintf(how, sizeof how, "over its CPU budget of %g s", process->config.call_cpu_seconds);
    process->process_counters.calls_stopped += result == WAIT_STOPPED;
    process->process_counters.process_crashes += result != WAIT_STOPPED;
    if (!started) {
        report(process, "policy process", "ended (%s) outside any call: this batch is not evaluated", how);
        return false;
    }
    struct policy_state *blamed = &process->policies[policy];
    subject_of(process, item, subject, sizeof subject);
    char label[POLICY_NAME_MAX + 8];
    snprintf(label, sizeof label, "policy %s", blamed->name);
    report(process, label, "%s(%s) stopped: %s, at %s; the policy process is restarted", function,
           subject, how, where[0] ? where : blamed->path);
    blamed->errors_before++;
    process->counters_before.errors++;
    process->counters.errors++;
    if (++blamed->stops >= process->config.max_stops && !blamed->disabled) {
        blamed->disabled = true;
        process->counters_before.disabled++;
        process->counters.disabled++;
        report(process, label, "disabled after %u stopped calls", blamed->stops);
    }
    *from = item;
    *first = policy + 1;
    return true;
}

static void run_job(struct policy_process *process)
{
    uint32_t from = 0, first = 0;
    while (from < process->item_count) {
        char error[POLICY_PATH_MAX + 1024];
        if (!process->pid && !start_process(process, false, error, sizeof error)) {
            report(process, "policy process", "cannot restart: %s; %u keys or lookups not evaluated",
                   error, process->item_count - from);
            return;
        }
        uint64_t calls_before = process->progress->calls_started;
        send_job(process, from, first);
        enum wait_result result = wire_send(process->fd, &process->out)
                                      ? serve(process, POLICY_MSG_DONE) : WAIT_DIED;
        if (result == WAIT_DONE) {
            struct wire_reader in = wire_reader_of(&process->in);
            if (read_done(process, &in))
                return;
            kill(process->pid, SIGKILL);
            result = WAIT_DIED;
        }
        if (!blame(process, result, calls_before, &from, &first))
            return;
    }
}

static void flush(struct policy_process *process)
{
    if (process->job_type && process->item_count)
        run_job(process);
    process->job_type = 0;
    process->item_count = 0;
    process->items.length = 0;
    process->items.failed = false;
}

/* Makes room for one more item of a batch of `type`, flushing a batch of
 * the other type first. */
static bool begin_item(struct policy_process *process, uint32_t type)
{
    if (process->job_type != type)
        flush(process);
    process->job_type = type;
    if (process->item_count == process->item_capacity) {
        uint32_t capacity = process->item_capacity ? process->item_capacity * 2 : 256;
        uint32_t *grown = realloc(process->item_offsets, capacity * sizeof *grown);
        if (!grown)
            return false;
        process->item_offsets = grown;
        process->item_capacity = capacity;
    }
    process->item_offsets[process->item_count] = (uint32_t)process->items.length;
    return true;
}

static void end_item(struct policy_process *process, uint32_t batch_max)
{
    if (process->items.failed) { /* out of memory: this item is not sent */
        process->items.failed = false;
        process->items.length = process->item_offsets[process->item_count];
        return;
    }
    if (++process->item_count >= batch_max || process->items.length >= BATCH_BYTES_MAX)
        flush(process);
}

/* The key's alerts are read only for a policy whose floor it meets: most
 * keys touched in a tick meet none, and are judged on their first cache
 * line. */
static bool wants(const struct policy_process *process, const struct key *key)
{
    uint32_t alerted = 0;
    bool alerted_read = false;
    for (unsigned i = 0; i < process->count; i++) {
        const struct policy_state *p = &process->policies[i];
        if (!p->has_evaluate || p->disabled || !policy_candidates_floor_met(&p->candidates, key))
            continue;
        if (!alerted_read) {
            alerted = engine_alerted_policies(process->engine, key);
            alerted_read = true;
        }
        if (policy_candidates_pass(&p->candidates, key, alerted, process->engine->tick_time_us))
            return true;
    }
    return false;
}

static void decider_evaluate(void *context, struct key *key)
{
    struct policy_process *process = context;
    if (!wants(process, key) || !begin_item(process, POLICY_MSG_EVALUATE))
        return;
    process->job_tick_us = process->engine->tick_time_us;
    process->job_now_us = process->engine->now_us;
    struct key_snapshot snapshot;
    key_snapshot_take(&snapshot, process->engine, key);
    key_snapshot_encode(&snapshot, &process->items);
    end_item(process, BATCH_ITEMS_MAX);
}

static void decider_on_lookup(void *context, const struct engine_lookup *lookup, uint32_t querier_asn)
{
    struct policy_process *process = context;
    if (!begin_item(process, POLICY_MSG_LOOKUPS))
        return;
    struct wire_buffer *out = &process->items;
    size_t answers = lookup->answer_count < DNS_MAX_RECORDS ? lookup->answer_count : DNS_MAX_RECORDS;
    wire_put_i64(out, process->engine->now_us);
    wire_put_i64(out, lookup->time_us);
    wire_put(out, &lookup->querier, sizeof lookup->querier);
    wire_put(out, &lookup->server, sizeof lookup->server);
    wire_put_u16(out, lookup->qtype);
    wire_put_u16(out, lookup->rcode);
    wire_put_u8(out, lookup->has_response);
    wire_put_u8(out, lookup->part);
    wire_put_u32(out, lookup->min_ttl);
    wire_put_text(out, lookup->qname, lookup->qname_length);
    wire_put_u32(out, querier_asn);
    wire_put_u32(out, (uint32_t)answers);
    wire_put(out, lookup->answers, answers * sizeof *lookup->answers);
    end_item(process, POLICY_LOOKUP_BATCH);
}

static bool decider_wants_keys(const void *context)
{
    return ((const struct policy_process *)context)->wants_keys;
}

static bool decider_wants_lookups(const void *context)
{
    return ((const struct policy_process *)context)->wants_lookups;
}

static void decider_flush(void *context)
{
    flush(context);
}

static void attach(struct policy_process *process)
{
    const struct engine_decider decider = {
        .context = process, .wants_keys = decider_wants_keys, .wants_lookups = decider_wants_lookups,
        .evaluate = decider_evaluate, .on_lookup = decider_on_lookup, .flush = decider_flush,
    };
    engine_set_decider(process->engine, &decider);
}

/* ---- reload, finish ----------------------------------------------------------------------- */

/* A job with no items (RELOAD, FINISH): sent as it is, DONE awaited. */
static bool run_plain(struct policy_process *process, const char *what)
{
    char error[POLICY_PATH_MAX + 1024];
    if (!process->pid && !start_process(process, false, error, sizeof error)) {
        report(process, "policy process", "cannot restart for %s: %s", what, error);
        return false;
    }
    enum wait_result result = wire_send(process->fd, &process->out)
                                  ? serve(process, POLICY_MSG_DONE) : WAIT_DIED;
    struct wire_reader in = wire_reader_of(&process->in);
    if (result == WAIT_DONE && read_done(process, &in))
        return true;
    char how[128];
    const char *policy = running_policy(process);
    char where[sizeof process->progress->where];
    memcpy(where, process->progress->where, sizeof where);
    where[sizeof where - 1] = '\0';
    reap(process, how, sizeof how);
    report(process, "policy process", "%s: ended (%s) in policy %s, at %s", what,
           result == WAIT_STOPPED ? "over its CPU budget" : how, policy, where);
    process->process_counters.calls_stopped += result == WAIT_STOPPED;
    process->process_counters.process_crashes += result != WAIT_STOPPED;
    return false;
}

void policy_process_reload(struct policy_process *process)
{
    if (!process->engine) /* never started: no policies */
        return;
    flush(process);
    wire_begin(&process->out, POLICY_MSG_RELOAD);
    wire_put_u32(&process->out, process->count);
    for (unsigned i = 0; i < process->count; i++) {
        struct policy_state *p = &process->policies[i];
        char error[POLICY_PATH_MAX + 512];
        bool readable = read_file(p->path, &p->text, &p->text_length, error, sizeof error);
        if (!readable && process->config.messages)
            fprintf(process->config.messages, "exclave: keeping the running version: %s\n", error);
        wire_put_u8(&process->out, readable);
        wire_put_text(&process->out, p->text, p->text_length);
    }
    if (!run_plain(process, "reload"))
        process->counters.reloads++;
}

void policy_process_finish(struct policy_process *process)
{
    if (!process->engine)
        return;
    flush(process);
    if (process->pid) {
        wire_begin(&process->out, POLICY_MSG_FINISH);
        if (run_plain(process, "closing the policies")) {
            char how[128];
            reap(process, how, sizeof how);
        }
    }
    engine_set_decider(process->engine, NULL);
    process->engine = NULL;
}

void policy_process_free(struct policy_process *process)
{
    if (process->pid > 0) {
        char how[128];
        kill(process->pid, SIGKILL);
        reap(process, how, sizeof how);
    }
    for (unsigned i = 0; i < process->count; i++)
        free(process->policies[i].text);
    process->count = 0;
    free(process->item_offsets);
    process->item_offsets = NULL;
    wire_buffer_free(&process->items);
    wire_buffer_free(&process->in);
    wire_buffer_free(&process->out);
    if (process->progress)
        munmap(process->progress, sizeof *process->progress);
    process->progress = NULL;
    if (process->progress_fd >= 0)
        close(process->progress_fd);
    process->progress_fd = -1;
}

void policy_process_visit_counters(const struct policy_process *process, counter_visit_fn visit,
                                   void *user)
{
#define HOST_COUNTER_VISIT(name, help) visit(user, "policy_" #name, process->counters.name);
    POLICY_COUNTERS(HOST_COUNTER_VISIT)
#undef HOST_COUNTER_VISIT
#define PROCESS_COUNTER_VISIT(name, help) visit(user, "policy_" #name, process->process_counters.name);
    POLICY_PROCESS_COUNTERS(PROCESS_COUNTER_VISIT)
#undef PROCESS_COUNTER_VISIT
}

void policy_process_print_counters(const struct policy_process *process, FILE *out)
{
    policy_process_visit_counters(process, counter_print, out);
}
