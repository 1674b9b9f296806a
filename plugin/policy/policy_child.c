/* policy_child: the policy process's loop: jobs in, requests out. Every
 * reply it waits for must be the one it asked for; anything else, or a
 * closed socket, ends the process (the sensor restarts it if it wants). */
#define _GNU_SOURCE
#include "policy/policy_child.h"

#include <lauxlib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dns/dns_message.h"
#include "policy/describe_cache.h"
#include "policy/policy_api.h"
#include "policy/policy_host.h"
#include "policy/policy_protocol.h"
#include "policy/policy_sandbox.h"
#include "policy/policy_wire.h"

enum { VIEWS_MAX = 64, TEXT_MAX = WIRE_MESSAGE_MAX, EXIT_BROKEN = 70,
       EXIT_STOPPED = POLICY_CHILD_EXIT_STOPPED };

struct child_view {
    struct wire_buffer bytes;  /* the reply the copy points into */
    struct key_snapshot_copy copy;
};

/* The one context of the process. */
struct child {
    int fd;
    struct policy_host host;
    struct policy_progress *progress;
    struct wire_buffer job, out, reply;
    char *variable_text;       /* the --set strings, NUL-terminated */
    struct policy_variable variables[256];
    size_t variable_count;
    struct child_view *views[VIEWS_MAX];
    unsigned view_count;
    struct key_snapshot_copy evaluated;
    struct describe_cache describe; /* exclave.asn's answers, for this generation of databases */
    struct network_list home_networks;
    FILE *messages;
};

/* Only the signal handler below reaches the context this way. */
static struct child *the_child;

/* SIGUSR1: the sensor is about to kill this process for a call over its
 * budget. The call may be inside a C loop where no hook runs; the Lua
 * function that called it still knows its line. Writes it to the progress
 * page and ends. (Not async-signal-safe in general: the process is being
 * killed either way, and the sensor waits for the line only so long.) */
static void say_where_and_exit(int signal_number)
{
    (void)signal_number;
    struct child *c = the_child;
    uint32_t index = c ? c->progress->policy : UINT32_MAX;
    if (c && c->progress->in_call && index < c->host.count && c->host.policies[index]->state) {
        lua_State *L = c->host.policies[index]->state;
        lua_Debug ar;
        for (int level = 0; lua_getstack(L, level, &ar); level++) {
            if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
                snprintf(c->progress->where, sizeof c->progress->where, "%s:%d", ar.short_src,
                         ar.currentline);
                break;
            }
        }
    }
    _exit(EXIT_STOPPED);
}

static _Noreturn void broken(const char *what)
{
    fprintf(stderr, "exclave: policy process: %s\n", what);
    _exit(EXIT_BROKEN);
}

static void send_out(struct child *c)
{
    if (!wire_send(c->fd, &c->out))
        broken("the sensor is gone");
}

/* Sends c->out and waits for the reply of `type`. */
static struct wire_reader ask(struct child *c, uint32_t type)
{
    send_out(c);
    if (wire_receive(c->fd, &c->reply) != type)
        broken("the sensor sent something that is not the reply asked for");
    return wire_reader_of(&c->reply);
}

/* ---- the world, over the socket ------------------------------------------------ */

static struct key_snapshot *child_find_key(void *context, enum key_kind kind, const char *name,
                                           size_t length)
{
    struct child *c = context;
    if (c->view_count == VIEWS_MAX)
        return NULL;
    wire_begin(&c->out, POLICY_MSG_FIND_KEY);
    wire_put_u8(&c->out, (uint8_t)kind);
    wire_put_text(&c->out, name, length);
    struct wire_reader in = ask(c, POLICY_MSG_KEY);
    if (!wire_get_u8(&in))
        return NULL;
    struct child_view *view = calloc(1, sizeof *view);
    if (!view)
        return NULL;
    view->bytes = c->reply; /* the copy points into these bytes: they move to the view */
    memset(&c->reply, 0, sizeof c->reply);
    if (!key_snapshot_decode(&in, &view->copy))
        broken("a key from the sensor does not decode");
    c->views[c->view_count++] = view;
    return &view->copy.snapshot;
}

/* The found answer as the policy API reads it: org points into the cache. */
static bool describe_from(const struct describe_answer *answer, struct policy_asn *found)
{
    found->asn = answer->asn;
    found->org = answer->org_length ? answer->org : NULL;
    found->org_length = answer->org_length;
    memcpy(found->country, answer->country, sizeof found->country);
    return answer->found;
}

static bool child_describe_address(void *context, const struct ip_address *address,
                                   struct policy_asn *found)
{
    struct child *c = context;
    const struct describe_answer *kept = describe_cache_find(&c->describe, address);
    if (kept)
        return describe_from(kept, found);
    wire_begin(&c->out, POLICY_MSG_DESCRIBE);
    wire_put(&c->out, address, sizeof *address);
    struct wire_reader in = ask(c, POLICY_MSG_ASN);
    bool known = wire_get_u8(&in);
    size_t length;
    found->asn = wire_get_u32(&in);
    found->org = wire_get_text(&in, 4096, &found->org_length);
    const char *country = wire_get_text(&in, 2, &length);
    memset(found->country, 0, sizeof found->country);
    if (country)
        memcpy(found->country, country, length);
    if (found->org && found->org_length == 0)
        found->org = NULL;
    if (in.failed)
        broken("an ASN reply from the sensor does not decode");
    describe_cache_keep(&c->describe, address, known, found->asn, found->org, found->org_length,
                        found->country);
    return known;
}

static bool child_raise_alert(void *context, unsigned policy_index, const struct key_snapshot *key,
                              struct engine_alert *alert)
{
    struct child *c = context;
    struct wire_buffer *out = &c->out;
    wire_begin(out, POLICY_MSG_ALERT);
    wire_put_u32(out, policy_index);
    wire_put(out, &key->ref, sizeof key->ref);
    wire_put_i64(out, alert->time_us);
    wire_put_u32(out, alert->signature_id);
    wire_put_u32(out, (uint32_t)alert->severity);
    wire_put_text(out, alert->signature, strlen(alert->signature));
    wire_put_u32(out, (uint32_t)alert->related_count);
    for (size_t i = 0; i < alert->related_count; i++)
        wire_put_text(out, alert->related[i], strlen(alert->related[i]));
    wire_put_text(out, alert->evidence_json, strlen(alert->evidence_json));
    struct wire_reader in = ask(c, POLICY_MSG_RAISED);
    return wire_get_u8(&in) != 0;
}

static void child_call_ended(void *context)
{
    struct child *c = context;
    while (c->view_count > 0) {
        struct child_view *view = c->views[--c->view_count];
        wire_buffer_free(&view->bytes);
        free(view);
    }
}

/* The host's message stream: each write goes to the sensor as it is. */
static ssize_t write_message(void *cookie, const char *bytes, size_t length)
{
    struct child *c = cookie;
    struct wire_buffer message = { 0 };
    wire_begin(&message, POLICY_MSG_MESSAGE);
    wire_put_text(&message, bytes, length);
    bool sent = wire_send(c->fd, &message);
    wire_buffer_free(&message);
    if (!sent)
        broken("the sensor is gone");
    return (ssize_t)length;
}

/* ---- replies ------------------------------------------------------------------ */

static void put_policies(struct child *c)
{
    const struct policy_host *host = &c->host;
    wire_put_u32(&c->out, host->count);
    for (unsigned i = 0; i < host->count; i++) {
        const struct policy *p = host->policies[i];
        wire_put_i64(&c->out, (int64_t)p->errors);
        wire_put_u8(&c->out, p->disabled);
        wire_put_u8(&c->out, p->has_evaluate);
        wire_put_u8(&c->out, p->has_on_lookup);
        policy_candidates_encode(&p->candidates, &c->out);
        wire_put_text(&c->out, p->name, strlen(p->name));
    }
}

static void send_done(struct child *c)
{
    fflush(c->messages);
    wire_begin(&c->out, POLICY_MSG_DONE);
#define PUT_COUNTER(name, help) wire_put_i64(&c->out, (int64_t)c->host.counters.name);
    POLICY_COUNTERS(PUT_COUNTER)
#undef PUT_COUNTER
    put_policies(c);
    send_out(c);
}

/* ---- jobs --------------------------------------------------------------------- */

/* A text of the message as a NUL-terminated copy appended to *block. */
static char *copy_text(struct wire_reader *in, char **cursor)
{
    size_t length;
    const char *text = wire_get_text(in, TEXT_MAX, &length);
    if (!text)
        broken("a START message that does not decode");
    char *copy = *cursor;
    memcpy(copy, text, length);
    copy[length] = '\0';
    *cursor += length + 1;
    return copy;
}

static void read_variables(struct child *c, struct wire_reader *in)
{
    uint32_t count = wire_get_u32(in);
    if (count > sizeof c->variables / sizeof c->variables[0])
        broken("too many variables");
    c->variable_text = malloc(c->job.length + 1); /* the texts fit in the message */
    if (!c->variable_text)
        broken("out of memory");
    char *cursor = c->variable_text;
    for (uint32_t i = 0; i < count; i++) {
        struct policy_variable *v = &c->variables[i];
        v->policy = copy_text(in, &cursor);
        v->policy_length = strlen(v->policy);
        v->name = copy_text(in, &cursor);
        v->name_length = strlen(v->name);
        v->value = copy_text(in, &cursor);
    }
    c->variable_count = count;
}

/* The sensor's home networks, checked as if they came from anyone. */
static void read_home_networks(struct child *c, struct wire_reader *in)
{
    uint32_t count = wire_get_u32(in);
    if (count > NETWORK_LIST_MAX)
        broken("too many home networks");
    wire_get(in, c->home_networks.networks, count * sizeof c->home_networks.networks[0]);
    for (uint32_t i = 0; i < count; i++) {
        const struct network *n = &c->home_networks.networks[i];
        if ((n->base.family != 4 || n->prefix_length > 32) &&
            (n->base.family != 6 || n->prefix_length > 128))
            broken("a home network that is not one");
    }
    c->home_networks.count = count;
}

/* Loads every policy: a disabled one as an empty chunk, so that the
 * policies keep their numbers. */
static bool load_policies(struct child *c, struct wire_reader *in, char *error, size_t error_size)
{
    uint32_t count = wire_get_u32(in);
    for (uint32_t i = 0; i < count && !in->failed; i++) {
        size_t path_length, length;
        const char *path_bytes = wire_get_text(in, POLICY_PATH_MAX - 1, &path_length);
        bool disabled = wire_get_u8(in);
        const char *source = wire_get_text(in, TEXT_MAX, &length);
        char path[POLICY_PATH_MAX];
        if (!path_bytes || !source)
            broken("a START message that does not decode");
        memcpy(path, path_bytes, path_length);
        path[path_length] = '\0';
        if (!policy_host_load_text(&c->host, path, disabled ? "" : source, disabled ? 0 : length,
                                   error, error_size))
            return false;
        if (disabled)
            c->host.policies[c->host.count - 1]->disabled = true;
    }
    return policy_host_check_candidates(&c->host, error, error_size);
}

static void start(struct child *c)
{
    if (wire_receive(c->fd, &c->job) != POLICY_MSG_START)
        broken("the first message is not START");
    struct wire_reader in = wire_reader_of(&c->job);
    struct policy_limits limits;
    limits.memory_bytes = (size_t)wire_get_i64(&in);
    limits.instructions = (uint64_t)wire_get_i64(&in);
    limits.max_errors = wire_get_u32(&in);
    read_variables(c, &in);
    read_home_networks(c, &in);
    char error[POLICY_PATH_MAX + 1024] = "";
    /* room for every state at its cap, the libraries and the messages */
    size_t address_space = (POLICY_MAX + 1) * limits.memory_bytes + ((size_t)1 << 30);
    if (!policy_sandbox_enter(address_space, error, sizeof error))
        broken(error);
    const struct policy_world world = { .context = c, .find_key = child_find_key,
                                        .describe_address = child_describe_address,
                                        .raise_alert = child_raise_alert,
                                        .call_ended = child_call_ended };
    policy_host_init(&c->host, &world, &limits, c->variables, c->variable_count, c->messages);
    c->host.progress = c->progress;
    c->host.home_networks = c->home_networks.count ? &c->home_networks : NULL;
    bool loaded = load_policies(c, &in, error, sizeof error);
    fflush(c->messages);
    wire_begin(&c->out, POLICY_MSG_STARTED);
    wire_put_u8(&c->out, loaded);
    wire_put_text(&c->out, error, loaded ? 0 : strlen(error));
    put_policies(c);
    wire_put_u32(&c->out, (uint32_t)c->variable_count);
    for (size_t i = 0; i < c->variable_count; i++)
        wire_put_u8(&c->out, c->variables[i].used);
    send_out(c);
}

static void evaluate(struct child *c)
{
    struct wire_reader in = wire_reader_of(&c->job);
    describe_cache_begin(&c->describe, (uint64_t)wire_get_i64(&in));
    c->host.tick_time_us = wire_get_i64(&in);
    c->host.now_us = wire_get_i64(&in);
    unsigned first = wire_get_u32(&in);
    uint32_t count = wire_get_u32(&in);
    for (uint32_t i = 0; i < count; i++) {
        if (!key_snapshot_decode(&in, &c->evaluated))
            broken("a key from the sensor does not decode");
        c->progress->item = i;
        c->progress->policy = UINT32_MAX; /* none yet: a restart begins at the first */
        policy_host_evaluate(&c->host, &c->evaluated.snapshot, i == 0 ? first : 0);
    }
}

static bool read_lookup(struct wire_reader *in, struct engine_lookup *lookup,
                        struct ip_address *answers, uint32_t *querier_asn)
{
    memset(lookup, 0, sizeof *lookup);
    lookup->time_us = wire_get_i64(in);
    wire_get(in, &lookup->querier, sizeof lookup->querier);
    wire_get(in, &lookup->server, sizeof lookup->server);
    lookup->qtype = wire_get_u16(in);
    lookup->rcode = wire_get_u16(in);
    lookup->has_response = wire_get_u8(in);
    lookup->part = wire_get_u8(in);
    lookup->min_ttl = wire_get_u32(in);
    lookup->qname = wire_get_text(in, UINT16_MAX, &lookup->qname_length);
    *querier_asn = wire_get_u32(in);
    lookup->answer_count = wire_get_u32(in);
    if (lookup->answer_count > DNS_MAX_RECORDS)
        return false;
    wire_get(in, answers, lookup->answer_count * sizeof *answers);
    lookup->answers = answers;
    return !in->failed && lookup->qname;
}

static void on_lookups(struct child *c)
{
    struct wire_reader in = wire_reader_of(&c->job);
    describe_cache_begin(&c->describe, (uint64_t)wire_get_i64(&in));
    unsigned first = wire_get_u32(&in);
    uint32_t count = wire_get_u32(&in);
    for (uint32_t i = 0; i < count; i++) {
        struct engine_lookup lookup;
        struct ip_address answers[DNS_MAX_RECORDS];
        uint32_t querier_asn;
        c->host.now_us = wire_get_i64(&in);
        if (!read_lookup(&in, &lookup, answers, &querier_asn))
            broken("a lookup from the sensor does not decode");
        c->progress->item = i;
        c->progress->policy = UINT32_MAX; /* none yet: a restart begins at the first */
        policy_host_on_lookup(&c->host, &lookup, querier_asn, i == 0 ? first : 0);
    }
}

static void reload(struct child *c)
{
    struct wire_reader in = wire_reader_of(&c->job);
    uint32_t count = wire_get_u32(&in);
    c->host.counters.reloads++;
    for (uint32_t i = 0; i < count && i < c->host.count; i++) {
        bool readable = wire_get_u8(&in);
        size_t length;
        const char *source = wire_get_text(&in, TEXT_MAX, &length);
        char error[POLICY_PATH_MAX + 512];
        if (!source)
            broken("a RELOAD message that does not decode");
        if (!readable || c->host.policies[i]->disabled)
            continue; /* the sensor said why it could not read it */
        if (!policy_host_replace(&c->host, i, source, length, error, sizeof error)) {
            c->host.counters.reload_failures++;
            fprintf(c->messages, "exclave: keeping the running version: %s\n", error);
        }
    }
    char error[POLICY_PATH_MAX + 512];
    if (!policy_host_check_candidates(&c->host, error, sizeof error))
        fprintf(c->messages, "exclave: after the reload, %s\n", error);
}

int policy_child_main(void)
{
    static struct child c;
    the_child = &c;
    c.fd = POLICY_CHILD_SOCKET_FD;
    struct sigaction on_stop = { .sa_handler = say_where_and_exit };
    sigemptyset(&on_stop.sa_mask);
    sigaction(SIGUSR1, &on_stop, NULL);
    c.progress = mmap(NULL, sizeof *c.progress, PROT_READ | PROT_WRITE, MAP_SHARED,
                      POLICY_CHILD_PROGRESS_FD, 0);
    if (c.progress == MAP_FAILED)
        broken("cannot map the progress page (not started by the sensor?)");
    close(POLICY_CHILD_PROGRESS_FD);
    c.messages = fopencookie(&c, "w", (cookie_io_functions_t){ .write = write_message });
    if (!c.messages)
        broken("cannot open the message stream");
    setvbuf(c.messages, NULL, _IOLBF, 0);
    start(&c);
    for (;;) {
        int64_t type = wire_receive(c.fd, &c.job);
        if (type <= 0)
            _exit(type == 0 ? 0 : EXIT_BROKEN);
        if (type == POLICY_MSG_EVALUATE) evaluate(&c);
        else if (type == POLICY_MSG_LOOKUPS) on_lookups(&c);
        else if (type == POLICY_MSG_RELOAD) reload(&c);
        else if (type == POLICY_MSG_FINISH) policy_host_close_states(&c.host);
        else broken("an unknown job");
        send_done(&c);
        if (type == POLICY_MSG_FINISH)
            _exit(0); /* no exit handlers: a leak checker would need system calls it may not make */
    }
}
