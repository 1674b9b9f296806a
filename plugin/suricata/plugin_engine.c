/* plugin_engine: the engine thread, its policies, alerts and state. */
#define _GNU_SOURCE /* dladdr */
#include "suricata/plugin_engine.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "eve/stats_record.h"

/* NAME in the directory of this .so, written into buffer; false when the
 * .so's path is unknown. */
static bool beside_this_library(const char *name, char *buffer, size_t size)
{
    Dl_info self;
    if (!dladdr((void *)beside_this_library, &self) || !self.dli_fname)
        return false;
    const char *slash = strrchr(self.dli_fname, '/');
    snprintf(buffer, size, "%.*s/%s", slash ? (int)(slash - self.dli_fname) : 1,
             slash ? self.dli_fname : ".", name);
    return true;
}

/* Without `policy`: the installed scripts, or scripts/ beside this .so. */
static const char *default_policy_dir(char *buffer, size_t size)
{
    struct stat info;
    if (stat(EXCLAVE_SCRIPTS_DIR, &info) == 0 && S_ISDIR(info.st_mode))
        return EXCLAVE_SCRIPTS_DIR;
    return beside_this_library("scripts", buffer, size) && stat(buffer, &info) == 0 &&
           S_ISDIR(info.st_mode) ? buffer : NULL;
}

/* error, prefixed with the YAML key it comes from. */
static bool keyed_error(char *error, const struct plugin_config *c, const char *key)
{
    char reason[PLUGIN_ERROR_MAX];
    snprintf(reason, sizeof reason, "%s", error);
    snprintf(error, PLUGIN_ERROR_MAX, "%s%s: %.*s", c->where, key, PLUGIN_ERROR_MAX - 64, reason);
    return false;
}

/* The policy process's program: policy-program, or the exclave binary
 * beside this .so (a build tree), or the installed one. A threaded host
 * must not fork: the process is a program of its own. */
static const char *policy_program(const struct plugin_config *c, char *buffer, size_t size)
{
    if (c->policy_program)
        return c->policy_program;
    if (beside_this_library("exclave", buffer, size) && access(buffer, X_OK) == 0)
        return buffer;
    return EXCLAVE_BINDIR "/exclave";
}

static bool load_policies(struct plugin_engine *pe, char *error)
{
    const struct plugin_config *c = pe->config;
    struct policy_process_config config;
    policy_process_config_defaults(&config);
    config.limits = c->limits;
    config.variables = (struct policy_variable *)c->variables;
    config.variable_count = c->variable_count;
    config.messages = stderr;
    config.call_cpu_seconds = c->lua_cpu_seconds;
    config.program = policy_program(c, pe->program, sizeof pe->program);
    policy_process_init(&pe->policies, &config);
    pe->policies_ready = true;
    char buffer[PATH_MAX];
    const char *fallback = c->policy_count ? NULL : default_policy_dir(buffer, sizeof buffer);
    if (fallback && !policy_process_add_path(&pe->policies, fallback, error, PLUGIN_ERROR_MAX))
        return keyed_error(error, c, "policy");
    for (size_t i = 0; i < c->policy_count; i++)
        if (!policy_process_add_path(&pe->policies, c->policies[i], error, PLUGIN_ERROR_MAX))
            return keyed_error(error, c, "policy");
    if (!policy_process_start(&pe->policies, &pe->engine, error, PLUGIN_ERROR_MAX))
        return keyed_error(error, c, strncmp(error, "--set ", 6) == 0 ? "set" : "policy");
    return true;
}

/* The engine thread's alerts: written and flushed whole, at once. */
static void write_alert(void *user, const struct engine *engine, const struct engine_alert *alert)
{
    struct plugin_engine *pe = user;
    alert_writer_write(&pe->alerts, engine, alert);
    json_out_flush(pe->out);
}

static bool open_geoip(struct plugin_engine *pe, char *error)
{
    const struct plugin_config *c = pe->config;
    bool none_found;
    if (!geoip_open_chosen(&pe->geoip, c->geoip_dir, c->asn_db, c->country_db, &none_found, error,
                           PLUGIN_ERROR_MAX))
        return keyed_error(error, c, c->asn_db ? "asn-db" : c->country_db ? "country-db" : "geoip-dir");
    pe->geoip_open = true;
    if (none_found)
        fprintf(stderr, "exclave: no GeoIP databases found (see %sgeoip-dir); "
                        "records are written without ASN and country\n", c->where);
    return true;
}

bool plugin_engine_open(struct plugin_engine *pe, const struct plugin_config *config,
                        struct json_out *out, char *error)
{
    memset(pe, 0, sizeof *pe);
    pe->config = config;
    pe->out = out;
    if (!open_geoip(pe, error))
        return false;
    if (config->engine_off)
        return true;
    struct geoip *geoip = geoip_enabled(&pe->geoip) ? &pe->geoip : NULL;
    struct engine_config engine_config = config->engine;
    if (config->state) /* what it expires is kept for a later merge */
        engine_config.retired_max = ENGINE_RETIRED_TENTH;
    if (!engine_init(&pe->engine, &engine_config, geoip, error, PLUGIN_ERROR_MAX))
        return false;
    pe->engine_ready = true;
    alert_writer_init(&pe->alerts, out, stderr);
    engine_set_alert_sink(&pe->engine, write_alert, pe);
    if (config->state) {
        int loaded = state_autosave_start(&pe->autosave, &pe->engine, config->state, stderr, error,
                                          PLUGIN_ERROR_MAX);
        if (loaded < 0)
            return keyed_error(error, config, "state");
        if (loaded)
            fprintf(stderr, "exclave: %s: %u keys loaded\n", config->state, pe->engine.store.count);
    }
    return load_policies(pe, error);
}

bool plugin_engine_start_thread(struct plugin_engine *pe, char *error)
{
    if (!pe->engine_ready)
        return true;
    if (!engine_feed_start(&pe->feed, &pe->engine)) {
        snprintf(error, PLUGIN_ERROR_MAX, "cannot start the engine thread: %s", strerror(errno));
        return false;
    }
    pe->feed_started = true;
    return true;
}

struct engine_feed *plugin_engine_feed(struct plugin_engine *pe)
{
    return pe->engine_ready ? &pe->feed : NULL;
}

/* The last record of a run: every counter, as event_type exclave_stats,
 * stamped with the time it was written. */
static void write_stats(struct plugin_engine *pe, const struct plugin_workers *workers,
                        int64_t now_us)
{
    struct stats_record stats;
    stats_record_begin(&stats, pe->out, now_us);
    plugin_workers_visit_counters(workers, stats_record_counter, &stats);
    if (pe->engine_ready) {
        engine_visit_counters(&pe->engine, stats_record_counter, &stats);
        policy_process_visit_counters(&pe->policies, stats_record_counter, &stats);
    }
    stats_record_end(&stats);
}

void plugin_engine_finish(struct plugin_engine *pe, const struct plugin_workers *workers)
{
    char error[PLUGIN_ERROR_MAX];
    if (pe->feed_started) {
        engine_feed_stop(&pe->feed); /* drains the rings, runs the last evaluation */
        pe->feed_started = false;
    }
    if (pe->engine_ready && pe->config->state &&
        !state_file_save(&pe->engine, pe->config->state, error, sizeof error))
        fprintf(stderr, "exclave: %s\n", error);
    if (pe->policies_ready) /* finalizers may raise alerts: while the output is open */
        policy_process_finish(&pe->policies);
    struct timeval now;
    gettimeofday(&now, NULL);
    int64_t now_us = (int64_t)now.tv_sec * 1000000 + now.tv_usec;
    if (pe->engine_ready)
        alert_writer_write_summary(&pe->alerts, pe->out, now_us);
    write_stats(pe, workers, now_us);
    json_out_flush(pe->out);
    if (pe->engine_ready)
        alert_writer_print_summary(&pe->alerts, stderr);
}

void plugin_engine_free(struct plugin_engine *pe)
{
    if (pe->engine_ready) {
        engine_feed_free(&pe->feed);
        if (pe->policies_ready)
            policy_process_free(&pe->policies);
        alert_writer_free(&pe->alerts);
        engine_free(&pe->engine);
    }
    if (pe->geoip_open)
        geoip_close(&pe->geoip);
    memset(pe, 0, sizeof *pe);
}
