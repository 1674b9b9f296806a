/* suricata7_plugin: exclave inside Suricata 7 as the EVE file type
 * "exclave". Suricata hands it every EVE record it renders; each is written
 * on to eve-exclave.json, dns records enriched as the standalone sensor
 * enriches them and turned into lookups for the engine (plugin_engine),
 * whose alerts go into the same file. All state lives in struct
 * exclave_plugin, one per eve-log output. Built as
 * exclave-suricata-engine.so and loaded by suricata_shim. This file adapts
 * the host's 7.0 interface and nothing else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suricata/plugin_config.h"
#include "suricata/plugin_engine.h"
#include "suricata/plugin_worker.h"
#include "suricata/suricata7_abi.h"

enum { PLUGIN_FLUSH_SECONDS = 1 };

struct exclave_plugin {
    struct plugin_config config;
    FILE *file;                    /* shared by every writer; stdio locks it per fwrite */
    struct json_out *alert_out;
    struct plugin_engine engine;
    struct plugin_workers workers;
    bool workers_ready;
};

/* One record, parsed: into the engine when it is a dns lookup, and out. */
static void pass_record(struct exclave_plugin *p, struct plugin_worker *w, const char *text)
{
    struct engine_lookup lookup;
    const char *missing = NULL;
    enum eve_lookup_status found = eve_lookup_from_record(&w->record, &w->scratch, &lookup, &missing);
    w->counters.plugin_dns_unusable += found == EVE_LOOKUP_BAD;
    struct eve_span type = w->record.event_type;
    if (found == EVE_LOOKUP_OK) {
        /* a thread that never hands over dns (the flow manager's) gets no ring,
         * which the time-ordered merge would otherwise wait for */
        if (plugin_workers_add_ring(&p->workers, w))
            plugin_worker_push(w, &lookup);
        eve_lookup_write_enriched(&w->writer, text, &w->record, true);
    } else if (plugin_config_enriches(&p->config, type.ptr, type.length) || found == EVE_LOOKUP_BAD) {
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
    struct plugin_worker *w = plugin_workers_mine(&p->workers);
    size_t n = length > 0 ? (size_t)length : 0;
    while (n && (buffer[n - 1] == '\n' || buffer[n - 1] == '\r'))
        n--;
    if (!w) { /* no worker state: the record still goes out as it came */
        fwrite(buffer, 1, n, p->file);
        fputc('\n', p->file);
        return 0;
    }
    w->counters.plugin_records++;
    size_t at;
    if (eve_record_parse(buffer, n, &w->record, &at)) {
        w->counters.plugin_records_not_parsed++;
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

static void plugin_free(struct exclave_plugin *p)
{
    plugin_engine_free(&p->engine);
    if (p->workers_ready)
        plugin_workers_free(&p->workers);
    free(p->alert_out);
    plugin_config_free(&p->config);
    if (p->file)
        fclose(p->file);
    free(p);
}

static bool open_plugin(struct exclave_plugin *p, ConfNode *conf, char *error)
{
    if (!plugin_config_read(conf, "eve-log ", false, ConfigGetLogDirectory(), "eve-exclave.json",
                            &p->config, error))
        return false;
    if (!(p->file = fopen(p->config.filename, "a"))) {
        snprintf(error, PLUGIN_ERROR_MAX, "%.900s: cannot open for writing: %s", p->config.filename,
                 strerror(errno));
        return false;
    }
    if (!(p->alert_out = malloc(sizeof *p->alert_out)))
        return false;
    json_out_init(p->alert_out, p->file); /* alerts and the closing counters */
    if (!plugin_engine_open(&p->engine, &p->config, p->alert_out, error) ||
        !plugin_engine_start_thread(&p->engine, error))
        return false;
    p->workers_ready = plugin_workers_init(&p->workers, &p->config, &p->engine.geoip,
                                           plugin_engine_feed(&p->engine),
                                           p->file);
    return p->workers_ready;
}

static int plugin_init(ConfNode *conf, bool threaded, void **init_data)
{
    (void)threaded; /* either way, each calling thread gets its own worker */
    struct exclave_plugin *p = calloc(1, sizeof *p);
    char error[PLUGIN_ERROR_MAX] = "out of memory";
    if (!p || !open_plugin(p, conf, error)) {
        fprintf(stderr, "exclave: %s\n", error);
        if (p)
            plugin_free(p);
        return -1;
    }
    *init_data = p;
    return 0;
}

static void plugin_deinit(void *init_data)
{
    struct exclave_plugin *p = init_data;
    plugin_workers_flush(&p->workers);
    plugin_engine_finish(&p->engine, &p->workers);
    plugin_free(p);
}

/* Suricata calls this on each logging thread as it starts: its worker (and
 * ring) exist before the first packet, so the time-ordered merge of the
 * rings waits for it from the start. */
static int plugin_thread_init(void *init_data, int thread_id, void **thread_data)
{
    (void)thread_id;
    struct exclave_plugin *p = init_data;
    *thread_data = NULL;
    struct plugin_worker *w = plugin_workers_mine(&p->workers);
    return w && plugin_workers_add_ring(&p->workers, w) ? 0 : -1;
}

static int plugin_thread_deinit(void *init_data, void *thread_data)
{
    (void)thread_data;
    struct exclave_plugin *p = init_data;
    struct plugin_worker *w = pthread_getspecific(p->workers.key);
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
