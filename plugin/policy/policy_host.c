/* policy_host: state creation (allocator with a cap, count hook for the
 * instruction budget, the sandboxed globals), loading, reloading and the
 * protected calls. */
#include "policy/policy_host.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_out.h"
#include "policy/policy_api.h"
#include "policy/policy_declarations.h"
#include "base/warning_limit.h"

enum { HOOK_EVERY = 1000 };

static void note_call(struct policy_host *host, const struct policy *policy, const char *function);
static void end_call(struct policy_host *host);

void policy_limits_defaults(struct policy_limits *limits)
{
    limits->memory_bytes = 64u << 20;
    limits->instructions = 10000000;
    limits->max_errors = 10;
}

void policy_host_init(struct policy_host *host, const struct policy_world *world,
                      const struct policy_limits *limits, struct policy_variable *variables,
                      size_t variable_count, FILE *messages)
{
    memset(host, 0, sizeof *host);
    host->world = *world;
    host->limits = *limits;
    host->variables = variables;
    host->variable_count = variable_count;
    host->messages = messages;
}

static void close_policy(struct policy *policy)
{
    if (policy && policy->state)
        lua_close(policy->state);
    free(policy);
}

/* Last first, each out of the list before its state closes: a finalizer
 * that runs then (and may call the API) sees only policies still open. */
void policy_host_close_states(struct policy_host *host)
{
    for (unsigned i = host->count; i-- > 0;) {
        struct policy *policy = host->policies[i];
        if (!policy->state)
            continue;
        lua_State *L = policy->state;
        policy->state = NULL;
        note_call(host, policy, "close");
        lua_close(L);
        end_call(host);
    }
}

void policy_host_free(struct policy_host *host)
{
    policy_host_close_states(host);
    while (host->count > 0)
        close_policy(host->policies[--host->count]);
    free(host->evidence);
    host->evidence = NULL;
}

void policy_message(struct policy *policy, const char *format, ...)
{
    FILE *out = policy->host->messages;
    if (!warning_allowed(out, &policy->messages_shown, POLICY_MESSAGES_MAX, policy->label,
                         "messages not shown"))
        return;
    va_list args;
    va_start(args, format);
    warning_vprint(out, policy->label, format, args);
    va_end(args);
}

void policy_log(struct policy *policy, const char *text)
{
    FILE *out = policy->host->messages;
    if (warning_allowed(out, &policy->log_lines, POLICY_LOG_LINES_MAX, policy->label,
                        "log lines not shown"))
        warning_print(out, policy->label, "%s", text); /* escaped and cut there */
}

/* ---- the watcher's view ----------------------------------------------------- */

static void note_call(struct policy_host *host, const struct policy *policy, const char *function)
{
    struct policy_progress *p = host->progress;
    if (!p)
        return;
    p->policy = policy->index;
    snprintf(p->function, sizeof p->function, "%s", function);
    snprintf(p->where, sizeof p->where, "%s", policy->path);
    p->calls_started++;
    p->in_call = 1;
}

static void end_call(struct policy_host *host)
{
    if (host->progress)
        host->progress->in_call = 0;
    if (host->world.call_ended)
        host->world.call_ended(host->world.context);
}

/* ---- the sandbox --------------------------------------------------------------- */

static void *capped_alloc(void *user, void *block, size_t old_size, size_t new_size)
{
    struct policy *policy = user;
    size_t old = block ? old_size : 0;
    if (new_size == 0) {
        free(block);
        policy->memory_used -= old;
        return NULL;
    }
    if (new_size > old && policy->memory_used - old + new_size > policy->host->limits.memory_bytes) {
        policy->memory_refused = true;
        return NULL;
    }
    void *grown = realloc(block, new_size);
    if (grown)
        policy->memory_used = policy->memory_used - old + new_size;
    return grown;
}

static struct policy *policy_of(lua_State *L)
{
    void *user = NULL;
    lua_getallocf(L, &user);
    return user;
}

/* Every HOOK_EVERY instructions: charges the budget and notes where the
 * policy is, so that a stop (budget or memory) can say file:line. */
static void budget_hook(lua_State *L, lua_Debug *ar)
{
    struct policy *policy = policy_of(L);
    policy->instructions_left -= HOOK_EVERY;
    if (lua_getinfo(L, "Sl", ar)) {
        snprintf(policy->last_where, sizeof policy->last_where, "%s:%d", ar->short_src,
                 ar->currentline);
        if (policy->host->progress)
            memcpy(policy->host->progress->where, policy->last_where, sizeof policy->last_where);
    }
    if (policy->instructions_left <= 0) {
        policy->budget_hit = true;
        luaL_error(L, "%s: instruction budget of %I exceeded", policy->last_where,
                   (lua_Integer)policy->host->limits.instructions);
    }
}

/* load() of text only; binary chunks could break the VM. */
static int sandboxed_load(lua_State *L)
{
    int given = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_pushliteral(L, "t");
    if (given >= 4)
        lua_pushvalue(L, 4);
    lua_call(L, given >= 4 ? 4 : 3, 2);
    return 2;
}

static int sandboxed_collectgarbage(lua_State *L)
{
    const char *option = luaL_optstring(L, 1, "collect");
    if (strcmp(option, "count") != 0)
        return luaL_error(L, "collectgarbage('%s') is not available to policies; only 'count'",
                          option);
    struct policy *policy = policy_of(L);
    lua_pushnumber(L, (lua_Number)policy->memory_used / 1024.0);
    return 1;
}

static int sandboxed_print(lua_State *L)
{
    luaL_Buffer line;
    luaL_buffinit(L, &line);
    for (int i = 1, n = lua_gettop(L); i <= n; i++) {
        if (i > 1)
            luaL_addchar(&line, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&line);
    }
    luaL_pushresult(&line);
    policy_log(policy_of(L), lua_tostring(L, -1));
    return 0;
}

static void open_library(lua_State *L, const char *name, lua_CFunction open)
{
    luaL_requiref(L, name, open, 1);
    lua_pop(L, 1);
}

/* Keeps only os.time, os.date, os.clock and os.difftime. */
static void restrict_os(lua_State *L)
{
    static const char *const kept[] = { "time", "date", "clock", "difftime" };
    luaL_requiref(L, "os", luaopen_os, 0);
    lua_createtable(L, 0, 4);
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        lua_getfield(L, -2, kept[i]);
        lua_setfield(L, -2, kept[i]);
    }
    lua_setglobal(L, "os");
    lua_pop(L, 1);
}

static void build_sandbox(lua_State *L)
{
    open_library(L, "_G", luaopen_base);
    open_library(L, LUA_TABLIBNAME, luaopen_table);
    open_library(L, LUA_STRLIBNAME, luaopen_string);
    open_library(L, LUA_MATHLIBNAME, luaopen_math);
    open_library(L, LUA_UTF8LIBNAME, luaopen_utf8);
    open_library(L, LUA_COLIBNAME, luaopen_coroutine);
    restrict_os(L);
    static const char *const removed[] = { "dofile", "loadfile", "require", "package", "io",
                                           "debug" };
    for (size_t i = 0; i < sizeof removed / sizeof removed[0]; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed[i]);
    }
    lua_getglobal(L, "string");
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    lua_getglobal(L, "load");
    lua_pushcclosure(L, sandboxed_load, 1);
    lua_setglobal(L, "load");
    lua_register(L, "collectgarbage", sandboxed_collectgarbage);
    lua_register(L, "print", sandboxed_print);
}

/* Runs protected: a state too small for the libraries fails cleanly. */
static int setup_state(lua_State *L)
{
    build_sandbox(L);
    policy_api_open(policy_of(L));
    return 0;
}

/* Which hooks any enabled policy defines; after every load, reload and
 * disabling, so that the per-lookup path reads one flag. */
static void refresh_hooks(struct policy_host *host)
{
    host->wants_keys = host->wants_lookups = false;
    for (unsigned i = 0; i < host->count; i++) {
        const struct policy *policy = host->policies[i];
        host->wants_keys |= policy->has_evaluate && !policy->disabled;
        host->wants_lookups |= policy->has_on_lookup && !policy->disabled;
    }
}

static uint32_t policy_bit(const struct policy *policy)
{
    return 1u << (policy->index % 32);
}

/* The loaded policy named `name`, or NULL. */
static const struct policy *policy_named(const struct policy_host *host, const char *name)
{
    for (unsigned i = 0; i < host->count; i++)
        if (strcmp(host->policies[i]->name, name) == 0)
            return host->policies[i];
    return NULL;
}

/* candidates.alerted_by and .once as policy bits; after every load, since a
 * policy may name one loaded after it. */
static void resolve_candidates(struct policy_host *host)
{
    for (unsigned i = 0; i < host->count; i++) {
        struct policy *policy = host->policies[i];
        policy->candidates.alerted_by = 0;
        for (unsigned n = 0; n < policy->alerted_by_count; n++) {
            const struct policy *named = policy_named(host, policy->alerted_by[n]);
            policy->candidates.alerted_by |= named ? policy_bit(named) : 0;
        }
        policy->candidates.not_alerted_by = policy->once ? policy_bit(policy) : 0;
    }
}

bool policy_host_check_candidates(const struct policy_host *host, char *error, size_t error_size)
{
    for (unsigned i = 0; i < host->count; i++) {
        const struct policy *policy = host->policies[i];
        for (unsigned n = 0; n < policy->alerted_by_count; n++) {
            if (!policy_named(host, policy->alerted_by[n])) {
                snprintf(error, error_size, "policy %s: candidates.alerted_by names '%s', which is "
                                            "not loaded: its evaluate would never be called",
                         policy->path, policy->alerted_by[n]);
                return false;
            }
        }
    }
    return true;
}

/* ---- loading -------------------------------------------------------------------- */

static void name_from_path(const char *path, char *name, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t length = strcspn(base, ".");
    if (length >= size)
        length = size - 1;
    memcpy(name, base, length);
    name[length] = '\0';
}

static void start_budget(struct policy *policy)
{
    policy->last_where[0] = '\0';
    policy->instructions_left = (int64_t)policy->host->limits.instructions;
    policy->budget_hit = false;
    policy->memory_refused = false;
}

/* Loads the text, or the file when text is NULL, as a chunk named after the
 * file (so that messages say file:line). */
static int load_chunk(lua_State *L, const char *path, const char *text, size_t length)
{
    if (!text)
        return luaL_loadfilex(L, path, "t");
    if (length > 0 && text[0] == '#') { /* a "#!" line, skipped as lua(1) does; its newline kept */
        const char *newline = memchr(text, '\n', length);
        size_t skipped = newline ? (size_t)(newline - text) : length;
        text += skipped;
        length -= skipped;
    }
    lua_pushfstring(L, "@%s", path);
    int status = luaL_loadbufferx(L, text, length, lua_tostring(L, -1), "t");
    lua_remove(L, -2);
    return status;
}

/* A new state running the file (or its text); NULL (and error) on failure. */
static struct policy *open_policy(struct policy_host *host, const char *path, const char *text,
                                  size_t text_length, unsigned index, char *error, size_t error_size)
{
    struct policy *policy = calloc(1, sizeof *policy);
    if (!policy) {
        snprintf(error, error_size, "%s: out of memory", path);
        return NULL;
    }
    policy->host = host;
    policy->index = index;
    snprintf(policy->path, sizeof policy->path, "%s", path);
    name_from_path(path, policy->name, sizeof policy->name);
    snprintf(policy->label, sizeof policy->label, "policy %s", policy->name);
    lua_State *L = policy->state = lua_newstate(capped_alloc, policy);
    if (!L) {
        snprintf(error, error_size, "%s: cannot create a Lua state", path);
        free(policy);
        return NULL;
    }
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_EVERY);
    start_budget(policy);
    lua_pushcfunction(L, setup_state);
    note_call(host, policy, "load");
    bool loaded = lua_pcall(L, 0, 0, 0) == LUA_OK && load_chunk(L, path, text, text_length) == LUA_OK &&
                  lua_pcall(L, 0, 0, 0) == LUA_OK;
    if (loaded) {
        lua_settop(L, 0);
        lua_pushcfunction(L, policy_read_declarations);
        lua_pushlightuserdata(L, policy);
        loaded = lua_pcall(L, 1, 0, 0) == LUA_OK;
    }
    end_call(host);
    host->view_generation++; /* a view the chunk made (and kept) dies with it */
    if (!loaded) {
        snprintf(error, error_size, "policy %s: %s", path,
                 lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "an error that is not a string");
        close_policy(policy);
        return NULL;
    }
    return policy;
}

bool policy_host_load(struct policy_host *host, const char *path, char *error, size_t error_size)
{
    return policy_host_load_text(host, path, NULL, 0, error, error_size);
}

bool policy_host_load_text(struct policy_host *host, const char *path, const char *text,
                           size_t length, char *error, size_t error_size)
{
    if (host->count == POLICY_MAX) {
        snprintf(error, error_size, "policy %s: at most %d policies can be loaded", path,
                 POLICY_MAX);
        return false;
    }
    struct policy *policy = open_policy(host, path, text, length, host->count, error, error_size);
    if (!policy)
        return false;
    for (unsigned i = 0; i < host->count; i++) {
        if (policy_api_default_signature_id(host->policies[i]->name) ==
            policy_api_default_signature_id(policy->name) &&
            strcmp(host->policies[i]->name, policy->name) != 0) {
            snprintf(error, error_size, "policy %s: its default signature_id (%u) is also policy "
                                        "%s's; set signature_id in one of them", path,
                     policy_api_default_signature_id(policy->name), host->policies[i]->name);
            close_policy(policy);
            return false;
        }
        if (strcmp(host->policies[i]->name, policy->name) == 0) {
            snprintf(error, error_size, "policy %s: another policy is already named '%s' (%s)",
                     path, policy->name, host->policies[i]->path);
            close_policy(policy);
            return false;
        }
    }
    host->policies[host->count++] = policy;
    resolve_candidates(host);
    refresh_hooks(host);
    return true;
}

bool policy_host_check_variables(const struct policy_host *host, char *error, size_t error_size)
{
    return policy_variables_all_used(host->variables, host->variable_count, error, error_size);
}

bool policy_variables_all_used(const struct policy_variable *variables, size_t count, char *error,
                               size_t error_size)
{
    for (size_t i = 0; i < count; i++) {
        const struct policy_variable *v = &variables[i];
        if (!v->used) {
            snprintf(error, error_size, "--set %.*s.%s: no loaded policy reads this variable",
                     (int)v->policy_length, v->policy, v->name);
            return false;
        }
    }
    return true;
}

bool policy_host_replace(struct policy_host *host, unsigned index, const char *text, size_t length,
                         char *error, size_t error_size)
{
    struct policy *fresh = index < host->count
                               ? open_policy(host, host->policies[index]->path, text, length, index,
                                             error, error_size)
                               : NULL;
    if (!fresh)
        return false;
    close_policy(host->policies[index]);
    host->policies[index] = fresh;
    resolve_candidates(host);
    refresh_hooks(host);
    return true;
}

void policy_host_reload(struct policy_host *host)
{
    host->counters.reloads++;
    for (unsigned i = 0; i < host->count; i++) {
        char error[POLICY_PATH_MAX + 512];
        if (!policy_host_replace(host, i, NULL, 0, error, sizeof error)) {
            host->counters.reload_failures++;
            if (host->messages)
                fprintf(host->messages, "exclave: keeping the running version: %s\n", error);
        }
    }
    char error[POLICY_PATH_MAX + 512];
    if (!policy_host_check_candidates(host, error, sizeof error) && host->messages)
        fprintf(host->messages, "exclave: after the reload, %s\n", error);
}

/* ---- calls ---------------------------------------------------------------------- */

static void report_failure(struct policy_host *host, struct policy *policy, const char *function,
                           const char *subject)
{
    lua_State *L = policy->state;
    /* no allocation here: the state may be out of memory */
    const char *message = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                         : "(an error value that is not a string)";
    host->counters.errors++;
    host->counters.budget_exceeded += policy->budget_hit;
    host->counters.memory_refused += policy->memory_refused;
    if (policy->memory_refused) /* Lua's memory errors carry no position */
        policy_message(policy, "%s(%s): %s: memory cap of %zu bytes reached, in %s", function,
                       subject, message, host->limits.memory_bytes,
                       policy->last_where[0] ? policy->last_where : policy->path);
    else
        policy_message(policy, "%s(%s): %s", function, subject, message);
    if (++policy->errors >= host->limits.max_errors) {
        policy->disabled = true;
        refresh_hooks(host);
        host->counters.disabled++;
        if (host->messages)
            fprintf(host->messages, "exclave: policy %s disabled after %llu errors\n",
                    policy->name, (unsigned long long)policy->errors);
    }
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT);
}

/* What a protected call is about; read by the trampolines below. */
struct policy_call {
    struct policy *policy;
    struct key_snapshot *key;
    const struct engine_lookup *lookup;
    uint32_t querier_asn;
};

/* Everything that allocates (the key view, the lookup table) happens inside
 * the protected call, so running out of memory is an ordinary error. */
static int call_evaluate(lua_State *L)
{
    struct policy_call *call = lua_touserdata(L, 1);
    policy_raw_global(L, "evaluate");
    policy_api_push_key(L, call->policy, call->key);
    lua_call(L, 1, 0);
    return 0;
}

static int call_on_lookup(lua_State *L)
{
    struct policy_call *call = lua_touserdata(L, 1);
    policy_raw_global(L, "on_lookup");
    policy_api_push_lookup(L, call->policy, call->lookup, call->querier_asn);
    lua_call(L, 1, 0);
    return 0;
}

static void protected_call(struct policy_host *host, struct policy_call *call,
                           lua_CFunction trampoline, const char *function, const char *subject)
{
    struct policy *policy = call->policy;
    lua_State *L = policy->state;
    host->counters.calls++;
    host->view_generation++; /* views are valid in the call that made them, no other */
    start_budget(policy);
    note_call(host, policy, function);
    lua_settop(L, 0);
    lua_pushcfunction(L, trampoline);
    lua_pushlightuserdata(L, call);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK)
        report_failure(host, policy, function, subject);
    lua_settop(L, 0);
    host->view_generation++;
    end_call(host);
}

static bool wants(const struct policy *policy, const struct key *key, uint32_t alerted,
                  int64_t now_us)
{
    return policy->has_evaluate && !policy->disabled &&
           policy_candidates_pass(&policy->candidates, key, alerted, now_us);
}

bool policy_host_wants_key(const struct policy_host *host, const struct key *key, uint32_t alerted)
{
    for (unsigned i = 0; i < host->count; i++)
        if (wants(host->policies[i], key, alerted, host->tick_time_us))
            return true;
    return false;
}

void policy_host_evaluate(struct policy_host *host, struct key_snapshot *key, unsigned first)
{
    host->evaluating = key;
    for (unsigned i = first; i < host->count; i++) {
        struct policy *policy = host->policies[i];
        /* key->alerted grows as the policies before this one alert */
        if (!wants(policy, key->key, key->alerted, host->tick_time_us))
            continue;
        struct policy_call call = { .policy = policy, .key = key };
        protected_call(host, &call, call_evaluate, "evaluate", key->key->name);
    }
    host->evaluating = NULL;
}

void policy_host_on_lookup(struct policy_host *host, const struct engine_lookup *lookup,
                           uint32_t querier_asn, unsigned first)
{
    for (unsigned i = first; i < host->count; i++) {
        struct policy *policy = host->policies[i];
        if (!policy->has_on_lookup || policy->disabled)
            continue;
        struct policy_call call = { .policy = policy, .lookup = lookup,
                                    .querier_asn = querier_asn };
        protected_call(host, &call, call_on_lookup, "on_lookup", "lookup");
    }
}

void policy_host_visit_counters(const struct policy_host *host, counter_visit_fn visit, void *user)
{
#define POLICY_COUNTER_VISIT(name, help) visit(user, "policy_" #name, host->counters.name);
    POLICY_COUNTERS(POLICY_COUNTER_VISIT)
#undef POLICY_COUNTER_VISIT
}

void policy_host_print_counters(const struct policy_host *host, FILE *out)
{
    policy_host_visit_counters(host, counter_print, out);
}

const char *policy_host_name(const struct policy_host *host, unsigned index)
{
    return index < host->count ? host->policies[index]->name : NULL;
}
