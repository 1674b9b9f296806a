/* suricata_plugin: exclave inside Suricata 7 as the EVE file type "exclave".
 * Suricata hands it every EVE record it renders; each is written on to
 * eve-exclave.json, dns records enriched as the standalone sensor enriches
 * them and turned into lookups for the engine, which runs (with its Lua 5.4
 * policies) on a thread of its own and writes its alerts into the same
 * file. All state lives in struct exclave_plugin, one per eve-log output.
 * It is built as exclave-suricata-engine.so and loaded by suricata_shim.
 * This file adapts the host; it must not grow engine or format logic, so
 * that an adapter for another Suricata version stays small. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "geoip/geoip.h"
#include "eve/alert_writer.h"
#include "engine/engine.h"
#include "engine/engine_feed.h"
#include "eve/eve_lookup.h"
#include "policy/policy_host.h"
#include "suricata/suricata_abi.h"

enum { PLUGIN_LIST_MAX = 64, PLUGIN_ERROR_MAX = 1024, PLUGIN_FLUSH_SECONDS = 1 };

/* The eve-log node's settings, named like the command line's flags. */
struct plugin_config {
    char filename[PATH_MAX];
    const char *geoip_dir, *asn_db, *country_db;
    const char *policies[PLUGIN_LIST_MAX];
    size_t policy_count;
    char *variable_texts[PLUGIN_LIST_MAX];          /* "P.NAME=VALUE", owned */
    struct policy_variable variables[PLUGIN_LIST_MAX];
    size_t variable_count;
    const char *enrich[PLUGIN_LIST_MAX];            /* event types besides dns */
    size_t enrich_count;
    bool engine_off;                                /* engine: no - enrich only */
    struct engine_config engine;
    struct policy_limits limits;
};

/* One Suricata thread's share: its own GeoIP cache, output buffer, parse
 * state and ring to the engine. Found by thread, because with
 * `threaded: no` Suricata calls Write from every worker with no thread data. */
struct plugin_worker {
    struct geoip geoip;
    struct json_out out;
    struct eve_writer writer;
    struct eve_record record;
    struct eve_lookup_scratch scratch;
    struct engine_feed_ring *ring;
    time_t last_flush;
    uint64_t records, dns_lookups, not_parsed, dns_unusable;
    struct plugin_worker *next;
};

struct exclave_plugin {
    struct plugin_config config;
    FILE *file;                    /* shared by every writer; stdio locks it per fwrite */
    pthread_key_t worker_key;
    pthread_mutex_t workers_lock;  /* only to add a worker */
    struct plugin_worker *workers;
    struct geoip engine_geoip;     /* the engine thread's */
    bool engine_on, geoip_open;
    struct engine engine;
    struct policy_host policies;
    struct alert_writer alerts;
    struct json_out *alert_out;
    struct engine_feed feed;
};

/* ---- configuration ------------------------------------------------------------- */

static bool number_setting(const ConfNode *conf, const char *name, double min, double max,
                           double *value, char *error)
{
    const char *text = ConfNodeLookupChildValue(conf, name);
    if (!text)
        return true;
    char *end = NULL;
    errno = 0;
    double number = strtod(text, &end);
    if (errno || end == text || *end || number < min || number > max) {
        snprintf(error, PLUGIN_ERROR_MAX, "eve-log %s: '%s' is not a number from %g to %g", name,
                 text, min, max);
        return false;
    }
    *value = number;
    return true;
}

/* A sequence (or a single value) of strings under name. */
static bool list_setting(const ConfNode *conf, const char *name, const char **out, size_t *count,
                         char *error)
{
    const ConfNode *node = ConfNodeLookupChild(conf, name);
    if (!node)
        return true;
    if (node->val && !node->head.tqh_first) {
        out[(*count)++] = node->val;
        return true;
    }
    for (const ConfNode *child = node->head.tqh_first; child; child = child->next.tqe_next) {
        if (*count == PLUGIN_LIST_MAX) {
            snprintf(error, PLUGIN_ERROR_MAX, "eve-log %s: at most %d entries", name, PLUGIN_LIST_MAX);
            return false;
        }
        if (child->val)
            out[(*count)++] = child->val;
    }
    return true;
}

/* One policy variable "P.NAME" = VALUE. */
static bool add_variable(struct plugin_config *c, const char *policy, const char *name,
                         const char *value, char *error)
{
    if (c->variable_count == PLUGIN_LIST_MAX || !value) {
        snprintf(error, PLUGIN_ERROR_MAX, "eve-log set: %s", value ? "too many variables"
                                                                   : "a variable without a value");
        return false;
    }
    size_t length = strlen(policy) + strlen(name) + strlen(value) + 3;
    char *text = malloc(length);
    if (!text) {
        snprintf(error, PLUGIN_ERROR_MAX, "out of memory");
        return false;
    }
    snprintf(text, length, "%s.%s=%s", policy, name, value);
    char *dot = text + strlen(policy), *equals = dot + 1 + strlen(name);
    *equals = '\0';
    for (char *c = dot + 1; c < equals; c++) /* Suricata's yaml reader turns _ into - */
        if (*c == '-')
            *c = '_';
    c->variable_texts[c->variable_count] = text;
    c->variables[c->variable_count++] = (struct policy_variable){
        .policy = text, .policy_length = (size_t)(dot - text), .name = dot + 1,
        .name_length = strlen(name), .value = equals + 1 };
    return true;
}

/* set: { exclusive.min_lookups: 50 } or set: { exclusive: { min_lookups: 50 } } */
static bool variables_setting(const ConfNode *conf, struct plugin_config *c, char *error)
{
    const ConfNode *set = ConfNodeLookupChild(conf, "set");
    for (const ConfNode *n = set ? set->head.tqh_first : NULL; n; n = n->next.tqe_next) {
        if (n->head.tqh_first) {
            for (const ConfNode *v = n->head.tqh_first; v; v = v->next.tqe_next)
                if (!add_variable(c, n->name, v->name, v->val, error))
                    return false;
            continue;
        }
        char policy[128];
        const char *dot = n->name ? strchr(n->name, '.') : NULL;
        if (!dot || dot == n->name || (size_t)(dot - n->name) >= sizeof policy) {
            snprintf(error, PLUGIN_ERROR_MAX, "eve-log set: '%s' is not POLICY.NAME",
                     n->name ? n->name : "");
            return false;
        }
        snprintf(policy, sizeof policy, "%.*s", (int)(dot - n->name), n->name);
        if (!add_variable(c, policy, dot + 1, n->val, error))
            return false;
    }
    return true;
}

static void default_filename(struct plugin_config *c, const char *name)
{
    if (name && name[0] == '/')
        snprintf(c->filename, sizeof c->filename, "%s", name);
    else
        snprintf(c->filename, sizeof c->filename, "%s/%s", ConfigGetLogDirectory(),
                 name ? name : "eve-exclave.json");
}

static bool read_config(const ConfNode *conf, struct plugin_config *c, char *error)
{
    engine_config_defaults(&c->engine);
    policy_limits_defaults(&c->limits);
    default_filename(c, ConfNodeLookupChildValue(conf, "filename"));
    c->geoip_dir = ConfNodeLookupChildValue(conf, "geoip-dir");
    c->asn_db = ConfNodeLookupChildValue(conf, "asn-db");
    c->country_db = ConfNodeLookupChildValue(conf, "country-db");
    double max_keys = c->engine.max_keys, window_days = c->engine.window_seconds / 86400;
    bool ok = number_setting(conf, "interval", 1, 365 * 86400.0, &c->engine.interval_seconds, error) &&
              number_setting(conf, "max-keys", 16, 1e9, &max_keys, error) &&
              number_setting(conf, "window", 0.001, 3650, &window_days, error) &&
              list_setting(conf, "policy", c->policies, &c->policy_count, error) &&
              list_setting(conf, "enrich", c->enrich, &c->enrich_count, error) &&
              variables_setting(conf, c, error);
    const char *engine = ConfNodeLookupChildValue(conf, "engine");
    c->engine_off = engine && (strcmp(engine, "no") == 0 || strcmp(engine, "false") == 0);
    c->engine.max_keys = (uint32_t)max_keys;
    c->engine.window_seconds = window_days * 86400;
    return ok;
}

/* ---- engine ---------------------------------------------------------------------- */

/* Without `policy`: the installed scripts, or scripts/ beside this .so. */
static const char *default_policy_dir(char *buffer, size_t size)
{
    struct stat info;
    if (stat(EXCLAVE_SCRIPTS_DIR, &info) == 0 && S_ISDIR(info.st_mode))
        return EXCLAVE_SCRIPTS_DIR;
    Dl_info self;
    if (!dladdr((void *)default_policy_dir, &self) || !self.dli_fname)
        return NULL;
    const char *slash = strrchr(self.dli_fname, '/');
    snprintf(buffer, size, "%.*s/scripts", slash ? (int)(slash - self.dli_fname) : 1,
             slash ? self.dli_fname : ".");
    return stat(buffer, &info) == 0 && S_ISDIR(info.st_mode) ? buffer : NULL;
}

static bool load_policies(struct exclave_plugin *p, char *error)
{
    struct plugin_config *c = &p->config;
    policy_host_init(&p->policies, &p->engine, &c->limits, c->variables, c->variable_count, stderr);
    char buffer[PATH_MAX];
    const char *fallback = c->policy_count ? NULL : default_policy_dir(buffer, sizeof buffer);
    if (fallback && !policy_host_load_path(&p->policies, fallback, error, PLUGIN_ERROR_MAX))
        return false;
    for (size_t i = 0; i < c->policy_count; i++)
        if (!policy_host_load_path(&p->policies, c->policies[i], error, PLUGIN_ERROR_MAX))
            return false;
    if (!policy_host_check_variables(&p->policies, error, PLUGIN_ERROR_MAX))
        return false;
    policy_host_attach(&p->policies, &p->engine);
    return true;
}

/* The engine thread's alerts: written and flushed whole, at once. */
static void write_alert(void *user, const struct engine *engine, const struct engine_alert *alert)
{
    struct exclave_plugin *p = user;
    alert_writer_write(&p->alerts, engine, alert);
    json_out_flush(p->alert_out);
}

static bool start_engine(struct exclave_plugin *p, char *error)
{
    if (p->config.engine_off)
        return true;
    bool none_found;
    if (!geoip_open_chosen(&p->engine_geoip, p->config.geoip_dir, p->config.asn_db,
                           p->config.country_db, &none_found, error, PLUGIN_ERROR_MAX))
        return false;
    p->geoip_open = true;
    if (none_found)
        fprintf(stderr, "exclave: no GeoIP databases found (see geoip-dir); "
                        "records are written without ASN and country\n");
    struct geoip *geoip = geoip_enabled(&p->engine_geoip) ? &p->engine_geoip : NULL;
    if (!engine_init(&p->engine, &p->config.engine, geoip, error, PLUGIN_ERROR_MAX))
        return false;
    p->engine_on = true;
    alert_writer_init(&p->alerts, p->alert_out, stderr);
    engine_set_alert_sink(&p->engine, write_alert, p);
    if (!load_policies(p, error))
        return false;
    if (!engine_feed_start(&p->feed, &p->engine)) {
        snprintf(error, PLUGIN_ERROR_MAX, "cannot start the engine thread: %s", strerror(errno));
        return false;
    }
    return true;
}

/* ---- workers ---------------------------------------------------------------------- */

static struct plugin_worker *new_worker(struct exclave_plugin *p)
{
    struct plugin_worker *w = calloc(1, sizeof *w);
    char error[PLUGIN_ERROR_MAX];
    bool none_found;
    if (!w)
        return NULL;
    bool geoip_ok = geoip_open_chosen(&w->geoip, p->config.geoip_dir, p->config.asn_db,
                                      p->config.country_db, &none_found, error, sizeof error);
    if (geoip_ok && p->engine_on && !(w->ring = engine_feed_add_producer(&p->feed)))
        snprintf(error, sizeof error, "no ring to the engine (out of memory, or %d threads)",
                 ENGINE_FEED_PRODUCERS_MAX);
    if (!geoip_ok || (p->engine_on && !w->ring)) {
        fprintf(stderr, "exclave: a worker could not start: %s\n", error);
        if (geoip_ok)
            geoip_close(&w->geoip);
        free(w);
        return NULL;
    }
    json_out_init(&w->out, p->file);
    w->writer.out = &w->out;
    w->writer.geoip = geoip_enabled(&w->geoip) ? &w->geoip : NULL;
    w->last_flush = time(NULL);
    pthread_mutex_lock(&p->workers_lock);
    w->next = p->workers;
    p->workers = w;
    pthread_mutex_unlock(&p->workers_lock);
    pthread_setspecific(p->worker_key, w);
    return w;
}

static struct plugin_worker *worker_of(struct exclave_plugin *p)
{
    struct plugin_worker *w = pthread_getspecific(p->worker_key);
    return w ? w : new_worker(p);
}

static bool enriched_type(const struct exclave_plugin *p, struct eve_span event_type)
{
    for (size_t i = 0; i < p->config.enrich_count; i++)
        if (eve_span_equals(event_type, p->config.enrich[i], strlen(p->config.enrich[i])))
            return true;
    return false;
}

/* One record, parsed: into the engine when it is a dns lookup, and out. */
static void pass_record(struct exclave_plugin *p, struct plugin_worker *w, const char *text)
{
    struct engine_lookup lookup;
    const char *missing = NULL;
    enum eve_lookup_status found = eve_lookup_from_record(&w->record, &w->scratch, &lookup, &missing);
    w->dns_unusable += found == EVE_LOOKUP_BAD;
    if (found == EVE_LOOKUP_OK) {
        w->dns_lookups++;
        if (p->engine_on)
            engine_feed_push(w->ring, &lookup);
        eve_lookup_write_enriched(&w->writer, text, &w->record, true);
    } else if (enriched_type(p, w->record.event_type) || found == EVE_LOOKUP_BAD) {
        eve_lookup_write_enriched(&w->writer, text, &w->record, found == EVE_LOOKUP_BAD);
    } else {
        json_out_raw(&w->out, text, w->record.end + 1);
        json_out_end_record(&w->out);
    }
}

static int plugin_write(const char *buffer, int length, void *init_data, void *thread_data)
{
    (void)thread_data;
    struct exclave_plugin *p = init_data;
    struct plugin_worker *w = worker_of(p);
    size_t n = length > 0 ? (size_t)length : 0;
    while (n && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r'))
        n--;
    if (!w) { /* no worker state: the record still goes out as it came */
        fwrite(buffer, 1, n, p->file);
        fputc('\n', p->file);
        return 0;
    }
    w->records++;
    size_t at;
    if (eve_record_parse(buffer, n, &w->record, &at)) {
        w->not_parsed++;
        json_out_raw(&w->out, buffer, n);
        json_out_end_record(&w->out);
    } else {
        pass_record(p, w, buffer);
    }
    time_t now = time(NULL);
    if (now - w->last_flush >= PLUGIN_FLUSH_SECONDS) { /* a live sensor's readers keep up */
        json_out_flush(&w->out);
        w->last_flush = now;
    }
    return 0;
}

/* ---- counters --------------------------------------------------------------------- */

/* The exclave_stats object under construction: a counter_visit_fn's user. */
struct stats_json {
    struct json_out *out;
    bool first;
};

static void write_counter(void *user, const char *name, uint64_t value)
{
    struct stats_json *stats = user;
    json_out_raw(stats->out, stats->first ? "\"" : ",\"", stats->first ? 1 : 2);
    json_out_raw(stats->out, name, strlen(name));
    json_out_literal(stats->out, "\":");
    json_out_uint(stats->out, value);
    stats->first = false;
}

/* The last record of a run: every counter, as event_type exclave_stats. */
static void write_stats(struct exclave_plugin *p, struct json_out *out)
{
    uint64_t records = 0, lookups = 0, not_parsed = 0, unusable = 0, waits = 0,
             names_cut = 0, answers_cut = 0, geoip_lookups = 0, geoip_errors = 0;
    for (const struct plugin_worker *w = p->workers; w; w = w->next) {
        records += w->records;
        lookups += w->dns_lookups;
        not_parsed += w->not_parsed;
        unusable += w->dns_unusable;
        if (w->ring) {
            waits += w->ring->waits;
            names_cut += w->ring->names_cut;
            answers_cut += w->ring->answers_cut;
        }
        geoip_lookups += w->geoip.counters.lookups;
        geoip_errors += w->geoip.counters.lookup_errors;
    }
    struct stats_json stats = { .out = out, .first = true };
    json_out_literal(out, "{\"event_type\":\"exclave_stats\",\"exclave_stats\":{");
    write_counter(&stats, "plugin_records", records);
    write_counter(&stats, "plugin_dns_lookups", lookups);
    write_counter(&stats, "plugin_records_not_parsed", not_parsed);
    write_counter(&stats, "plugin_dns_unusable", unusable);
    write_counter(&stats, "plugin_ring_waits", waits);
    write_counter(&stats, "plugin_names_cut", names_cut);
    write_counter(&stats, "plugin_answers_cut", answers_cut);
    write_counter(&stats, "geoip_lookups", geoip_lookups);
    write_counter(&stats, "geoip_lookup_errors", geoip_errors);
    if (p->engine_on) {
        engine_visit_counters(&p->engine, write_counter, &stats);
        policy_host_visit_counters(&p->policies, write_counter, &stats);
    }
    json_out_literal(out, "}}");
    json_out_end_record(out);
}

/* ---- the file type ----------------------------------------------------------------- */

static void plugin_free(struct exclave_plugin *p)
{
    if (p->engine_on) {
        engine_feed_free(&p->feed);
        policy_host_free(&p->policies);
        alert_writer_free(&p->alerts);
        engine_free(&p->engine);
    }
    for (struct plugin_worker *w = p->workers, *next; w; w = next) {
        next = w->next;
        geoip_close(&w->geoip);
        free(w);
    }
    if (p->geoip_open)
        geoip_close(&p->engine_geoip);
    free(p->alert_out);
    for (size_t i = 0; i < p->config.variable_count; i++)
        free(p->config.variable_texts[i]);
    if (p->file)
        fclose(p->file);
    pthread_key_delete(p->worker_key);
    pthread_mutex_destroy(&p->workers_lock);
    free(p);
}

static int plugin_init(ConfNode *conf, bool threaded, void **init_data)
{
    (void)threaded; /* either way, each calling thread gets its own worker */
    struct exclave_plugin *p = calloc(1, sizeof *p);
    char error[PLUGIN_ERROR_MAX] = "out of memory";
    if (!p || pthread_key_create(&p->worker_key, NULL) != 0) {
        fprintf(stderr, "exclave: %s\n", error);
        free(p);
        return -1;
    }
    pthread_mutex_init(&p->workers_lock, NULL);
    bool ok = read_config(conf, &p->config, error);
    if (ok && !(p->file = fopen(p->config.filename, "a"))) {
        snprintf(error, sizeof error, "%s: cannot open for writing: %s", p->config.filename,
                 strerror(errno));
        ok = false;
    }
    if (ok && !(p->alert_out = malloc(sizeof *p->alert_out)))
        ok = false;
    if (ok)
        json_out_init(p->alert_out, p->file); /* alerts and the closing counters */
    ok = ok && start_engine(p, error);
    if (!ok) {
        fprintf(stderr, "exclave: %s\n", error);
        plugin_free(p);
        return -1;
    }
    *init_data = p;
    return 0;
}

static void plugin_deinit(void *init_data)
{
    struct exclave_plugin *p = init_data;
    if (p->engine_on)
        engine_feed_stop(&p->feed); /* drains the rings, runs the last evaluation */
    for (struct plugin_worker *w = p->workers; w; w = w->next)
        json_out_flush(&w->out);
    struct json_out *out = p->alert_out;
    write_stats(p, out);
    json_out_flush(out);
    if (p->engine_on)
        alert_writer_print_summary(&p->alerts, stderr);
    plugin_free(p);
}

/* Suricata calls this on each logging thread as it starts: its worker (and
 * ring) exist before the first packet, so the time-ordered merge of the
 * rings waits for it from the start. */
static int plugin_thread_init(void *init_data, int thread_id, void **thread_data)
{
    (void)thread_id;
    *thread_data = NULL;
    return worker_of(init_data) ? 0 : -1;
}

static int plugin_thread_deinit(void *init_data, void *thread_data)
{
    (void)thread_data;
    struct exclave_plugin *p = init_data;
    struct plugin_worker *w = pthread_getspecific(p->worker_key);
    if (w)
        json_out_flush(&w->out);
    return 0;
}

static SCEveFileType exclave_file_type = {
    .name = "exclave",
    .Init = plugin_init,
    .Write = plugin_write,
    .Deinit = plugin_deinit,
    .ThreadInit = plugin_thread_init,
    .ThreadDeinit = plugin_thread_deinit,
};

static void plugin_register(void)
{
    if (!SCRegisterEveFileType(&exclave_file_type))
        fprintf(stderr, "exclave: Suricata refused the EVE file type 'exclave'\n");
}

static SCPlugin exclave_plugin_description = {
    .name = "exclave",
    .license = "GPL-2.0-only",
    .author = "the exclave authors",
    .Init = plugin_register,
};

/* The one symbol exclave-suricata-engine.so exports, for the loader shim. */
SCPlugin *exclave_suricata_plugin(void);
SCPlugin *exclave_suricata_plugin(void)
{
    return &exclave_plugin_description;
}
