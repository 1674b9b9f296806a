/* plugin_engine: the engine half of the plugin, the same for every host
 * version: the engine and its Lua policies on a thread of their own, fed by
 * the workers' rings (engine_feed), their alerts written to one output,
 * --state loaded at start and saved daily and at the end, and the closing
 * exclave_stats record. It knows no Suricata function. */
#ifndef EXCLAVE_SURICATA_PLUGIN_ENGINE_H
#define EXCLAVE_SURICATA_PLUGIN_ENGINE_H

#include <stdbool.h>

#include "engine/engine.h"
#include "engine/engine_feed.h"
#include "engine/state_file.h"
#include "eve/alert_writer.h"
#include <limits.h>

#include "policy/policy_process.h"
#include "suricata/plugin_config.h"
#include "suricata/plugin_worker.h"

struct plugin_engine {
    const struct plugin_config *config;
    struct json_out *out;              /* alerts and the closing counters */
    struct geoip geoip;                /* the engine thread's */
    bool geoip_open, engine_ready, policies_ready, feed_started;
    struct engine engine;
    struct policy_process policies;
    char program[PATH_MAX];            /* the policy process's program, when found beside the .so */
    struct alert_writer alerts;
    struct engine_feed feed;
    struct state_autosave autosave;
};

/* Opens the databases, the engine, its state and its policies (all checked
 * now, so that a mistake stops the host at start), then with start_thread
 * the engine thread. Without the engine (engine: no) only the output is
 * kept. False with error naming the setting. */
bool plugin_engine_open(struct plugin_engine *pe, const struct plugin_config *config,
                        struct json_out *out, char *error);
bool plugin_engine_start_thread(struct plugin_engine *pe, char *error);

/* The feed that workers push to; NULL without the engine. */
struct engine_feed *plugin_engine_feed(struct plugin_engine *pe);

/* End of the run: drains the rings, runs the last evaluation, saves the
 * state, writes the alert table (an exclave_summary record) and the
 * exclave_stats record with the workers' counters, and prints the table to
 * stderr. */
void plugin_engine_finish(struct plugin_engine *pe, const struct plugin_workers *workers);

void plugin_engine_free(struct plugin_engine *pe);

#endif
