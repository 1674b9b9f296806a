/* suricata8_plugin: exclave inside Suricata 8. Three hooks, no output of
 * its own for Suricata's records:
 *   - an EVE callback adds src_as/src_geo/dest_as/dest_geo (and on dns
 *     records as/geo in every address answer) to the records of every
 *     eve-log output the user has, in place, as the standalone sensor
 *     writes them;
 *   - the engine thread (plugin_engine) gets every DNS request and response
 *     as a lookup, from every worker with no lock on the way: from the dns
 *     records the callback sees, when an output logs them all; otherwise
 *     from a DNS transaction logger that renders each one;
 *   - the engine's alerts and the closing exclave_stats record go to a file
 *     of their own in Suricata's log directory.
 * Settings come from the top-level `exclave:` node; a mistake there stops
 * Suricata at start. The only state is struct exclave_suricata8, since
 * Suricata's plugin Init takes no argument. This file adapts the host's
 * 8.0 interface and nothing else. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suricata/plugin_config.h"
#include "suricata/plugin_engine.h"
#include "suricata/plugin_worker.h"
#include "suricata/suricata8_abi.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif
#ifndef EXCLAVE_SURICATA_VERSION
#define EXCLAVE_SURICATA_VERSION "8.0"
#endif

enum { IP_PROTO_TCP = 6, IP_PROTO_UDP = 17 };
/* rust/src/dns/log.rs: every record type, detailed answers (bit 61), not
 * the grouped copy of them (bit 60) that a lookup does not need */
static const uint64_t DNS_LOG_FLAGS = UINT64_MAX & ~(UINT64_C(1) << 60);

static struct exclave_suricata8 {
    struct plugin_config config;
    FILE *file;                        /* alerts and counters */
    struct json_out *out;
    struct plugin_engine engine;
    struct plugin_workers workers;
    bool workers_ready, running;       /* running: Init succeeded, the end not yet written */
    bool fed_from_records;             /* lookups from the dns records an output logs */
    bool tcp_proves;                   /* Suricata's streams start with a handshake only */
    AppProto dns;
} exclave_suricata8;

static void fail_at_start(const char *error)
{
    fprintf(stderr, "exclave: %s\n", error);
    exclave_suricata8.running = false;
    exit(EXIT_FAILURE);
}

/* ---- enrichment, on every record of every eve-log output --------------------------- */

/* The endpoints' members of the record in w->record, appended to jb. */
static void append_endpoints(SCJsonBuilder *jb, struct plugin_worker *w)
{
    struct json_out *o = &w->out;
    o->used = 0;
    eve_lookup_write_endpoints(&w->writer, &w->record);
    if (o->used > 1) { /* each member after a comma; SCJbSetFormatted adds the first */
        json_out_raw(o, "", 1);
        SCJbSetFormatted(jb, o->buffer + 1);
    }
    o->used = 0;
}

/* The lookup of the dns record parsed into w->record; false (counted when
 * the record lacks what a lookup needs) when it gives none. */
static bool record_lookup(struct plugin_worker *w, struct engine_lookup *lookup)
{
    const char *missing = NULL;
    enum eve_lookup_status found = eve_lookup_from_record(&w->record, &w->scratch, lookup, &missing);
    w->counters.plugin_dns_unusable += found == EVE_LOOKUP_BAD;
    return found == EVE_LOOKUP_OK;
}

/* A lookup over TCP had its handshake seen: Suricata's stream tracking
 * starts a connection only with one, unless stream.midstream or
 * stream.async-oneside allow otherwise. */
static void settle(const struct exclave_suricata8 *x, const struct plugin_worker *w,
                   struct engine_lookup *lookup)
{
    if (x->tcp_proves && eve_span_is(w->record.proto, "TCP"))
        lookup->source_proven = true;
}

/* The engine's lookup of a dns record parsed whole, once per message: the
 * record's copy for another eve-log output, handed over next in the same
 * thread, is not fed again. A copy is known by its flow_id, dns id, side
 * and packet time (outputs may log dns versions 2 and 3 side by side:
 * version 2 answers carry no tx_id, and come with no Flow). */
static void feed_once(struct exclave_suricata8 *x, struct plugin_worker *w)
{
    const struct eve_record *r = &w->record;
    struct engine_lookup lookup;
    if (!record_lookup(w, &lookup))
        return;
    uint64_t flow_id = 0;
    eve_span_uint64(r->flow_id, &flow_id);
    bool asks = lookup.part == LOOKUP_QUERY;
    if (flow_id == w->fed_flow_id && r->dns_id == w->fed_dns_id && asks == w->fed_asks &&
        lookup.time_us == w->fed_time_us)
        return;
    w->fed_flow_id = flow_id, w->fed_dns_id = r->dns_id, w->fed_asks = asks;
    w->fed_time_us = lookup.time_us;
    settle(x, w, &lookup); /* once per message, after the copy check */
    if (plugin_workers_add_ring(&x->workers, w)) /* a thread that logs no transaction has none */
        plugin_worker_push(w, &lookup);
}

/* A dns record that is fed to the engine or has answers or EDNS options to
 * enrich: copied, closed and parsed whole (its head, read in place already,
 * is not read again); when it has address answers or a
 * client subnet, the enriched copy
 * replaces the builder's text (SCJbReset, then every member as one
 * formatted piece), and Suricata closes it as usual. */
static void dns_record(struct exclave_suricata8 *x, SCJsonBuilder *jb, struct plugin_worker *w,
                       const char *text, size_t length, bool enrich)
{
    if (length + 1 > PLUGIN_RECORD_MAX) {
        w->counters.plugin_records_too_long++;
        return;
    }
    memcpy(w->record_copy, text, length);
    w->record_copy[length++] = '}';
    size_t at;
    if (eve_record_parse_rest(w->record_copy, length, &w->record, &at)) {
        w->counters.plugin_records_not_parsed++;
        return;
    }
    if (x->fed_from_records)
        feed_once(x, w);
    if (!enrich)
        return;
    if (!eve_lookup_enriches_inside(&w->record)) {
        append_endpoints(jb, w);
        return;
    }
    struct json_out *o = &w->out;
    o->used = 0;
    eve_lookup_write_enriched(&w->writer, w->record_copy, &w->record, true);
    if (o->used >= 3 && o->buffer[0] == '{') {
        o->buffer[o->used - 2] = '\0'; /* drops the closing brace and the newline */
        SCJbReset(jb);
        SCJbSetFormatted(jb, o->buffer + 1);
    }
    o->used = 0;
}

/* Adds exclave's members to the record jb holds, of the event types asked
 * for, and feeds the engine from dns records when that is the feed. The
 * builder's text is the record so far, without its closing brace. Its head
 * (event type and endpoints, which Suricata writes first) is read in place;
 * the endpoints' members are appended; a dns record to feed or with answers
 * goes to dns_record. */
static void enrich_record(ThreadVars *tv, const Packet *p, Flow *f, SCJsonBuilder *jb, void *user)
{
    (void)tv, (void)p, (void)f;
    struct exclave_suricata8 *x = user;
    struct plugin_worker *w = plugin_workers_mine(&x->workers);
    if (!w)
        return;
    w->counters.plugin_records++;
    const char *text = (const char *)SCJbPtr(jb);
    size_t length = SCJbLen(jb);
    static const char answers[] = "\"answers\":[", options[] = "\"opt\":[";
    if (!eve_record_parse_head(text, length, &w->record)) {
        w->counters.plugin_records_not_parsed++;
        return;
    }
    struct eve_span type = w->record.event_type;
    bool enrich = w->writer.geoip && plugin_config_enriches(&x->config, type.ptr, type.length);
    if (eve_span_is(type, "dns") &&
        (x->fed_from_records || (enrich && (memmem(text, length, answers, sizeof answers - 1) ||
                                            memmem(text, length, options, sizeof options - 1)))))
        dns_record(x, jb, w, text, length, enrich);
    else if (enrich)
        append_endpoints(jb, w);
}

/* ---- the engine's feed when no output logs every DNS transaction ---------------- */

/* The record's header as Suricata's own dns logger makes it: over UDP the
 * packet's direction (a response from the server, even in a flow whose
 * first packet was that response); over TCP, where a transaction completes
 * on whichever packet acknowledges it, the flow's. */
static SCJsonBuilder *dns_header(const Packet *p, bool request)
{
    SCJsonBuilder *jb = CreateEveHeader(p, EXCLAVE_LOG_DIR_PACKET, "dns", NULL, NULL);
    static const char tcp[] = "\"proto\":\"TCP\"";
    if (!jb || !memmem(SCJbPtr(jb), SCJbLen(jb), tcp, sizeof tcp - 1))
        return jb;
    SCJbFree(jb);
    return CreateEveHeader(p, request ? EXCLAVE_LOG_DIR_FLOW_TOSERVER : EXCLAVE_LOG_DIR_FLOW_TOCLIENT,
                           "dns", NULL, NULL);
}

static int dns_tx_logged(ThreadVars *tv, void *thread_data, const Packet *p, Flow *f, void *state,
                         void *tx, uint64_t tx_id)
{
    (void)tv, (void)f, (void)state, (void)tx_id;
    struct plugin_worker *w = thread_data;
    struct exclave_suricata8 *x = &exclave_suricata8;
    bool request = SCDnsTxIsRequest(tx);
    if (!w || x->fed_from_records || (!request && !SCDnsTxIsResponse(tx)))
        return EXCLAVE_TM_ECODE_OK;
    SCJsonBuilder *jb = dns_header(p, request);
    if (!jb)
        return EXCLAVE_TM_ECODE_OK;
    size_t at;
    struct engine_lookup lookup;
    if (SCDnsLogJson(tx, DNS_LOG_FLAGS, jb) && SCJbClose(jb) &&
        eve_record_parse((const char *)SCJbPtr(jb), SCJbLen(jb), &w->record, &at) == 0) {
        if (record_lookup(w, &lookup)) {
            settle(x, w, &lookup);
            plugin_worker_push(w, &lookup);
        }
    } else {
        w->counters.plugin_records_not_parsed++;
    }
    SCJbFree(jb);
    return EXCLAVE_TM_ECODE_OK;
}

/* Each logging thread's worker and ring exist before its first packet, so
 * the time-ordered merge of the rings waits for it from the start. */
static int dns_thread_init(ThreadVars *tv, const void *initdata, void **data)
{
    (void)tv;
    struct exclave_suricata8 *x = (struct exclave_suricata8 *)initdata;
    struct plugin_worker *w = plugin_workers_mine(&x->workers);
    *data = w && plugin_workers_add_ring(&x->workers, w) ? w : NULL;
    return *data ? EXCLAVE_TM_ECODE_OK : EXCLAVE_TM_ECODE_FAILED;
}

static int dns_thread_deinit(ThreadVars *tv, void *data)
{
    (void)tv, (void)data;
    return EXCLAVE_TM_ECODE_OK;
}

/* Suricata runs a transaction logger only for protocols that an output
 * already logs, and frees a transaction once every expected logger has
 * seen it: so the engine needs dns in some eve-log's types, and its logger
 * is added to the expected ones. The logger is there even when the feed
 * is the outputs' records: its thread start gives each logging thread its
 * ring before the first packet. */
static void register_dns_logger(struct exclave_suricata8 *x)
{
    x->dns = StringToAppProto("dns");
    int udp = AppLayerParserProtocolGetLoggerBits(IP_PROTO_UDP, x->dns);
    int tcp = AppLayerParserProtocolGetLoggerBits(IP_PROTO_TCP, x->dns);
    if (udp == 0 && tcp == 0)
        fail_at_start("the engine reads Suricata's DNS transactions, which Suricata runs only "
                      "when an output logs dns: add dns to the types of an eve-log output (an "
                      "output with filetype: nullsink will do), or set exclave.engine: no");
    if (SCOutputRegisterTxLogger(EXCLAVE_LOGGER_USER, "exclave", x->dns, dns_tx_logged, x, -1, -1,
                                 NULL, dns_thread_init, dns_thread_deinit) != 0)
        fail_at_start("Suricata refused exclave's DNS transaction logger");
    const int ours = 1 << EXCLAVE_LOGGER_USER;
    if (udp)
        AppLayerParserRegisterLoggerBits(IP_PROTO_UDP, x->dns, udp | ours);
    if (tcp)
        AppLayerParserRegisterLoggerBits(IP_PROTO_TCP, x->dns, tcp | ours);
}

/* Whether the dns entry of an eve-log's types logs everything a lookup
 * needs: requests and responses, every record type, detailed answers. */
static bool dns_type_logs_all(const struct suricata_conf_node *type)
{
    const struct suricata_conf_node *o = conf_node_child(type, "dns"), *formats;
    if (!o)
        return true;
    if (conf_value_boolean(conf_node_value(o, "enabled")) == 0 ||
        conf_value_boolean(conf_node_value(o, "requests")) == 0 ||
        conf_value_boolean(conf_node_value(o, "responses")) == 0 || conf_node_child(o, "types"))
        return false;
    if (!(formats = conf_node_child(o, "formats")))
        return true;
    for (const struct suricata_conf_node *f = formats->head.tqh_first; f; f = f->next.tqe_next)
        if (f->val && strcmp(f->val, "detailed") == 0)
            return true;
    return false;
}

/* Whether an enabled eve-log output logs every DNS transaction: then its
 * dns records, which the EVE callback reads anyway, are the engine's feed,
 * and no record is rendered twice. Otherwise the transaction logger renders
 * each one for the engine. */
static bool some_output_logs_all_dns(void)
{
    const struct suricata_conf_node *outputs = SCConfGetNode("outputs");
    for (const struct suricata_conf_node *o = outputs ? outputs->head.tqh_first : NULL; o;
         o = o->next.tqe_next) {
        const struct suricata_conf_node *eve = o->val && !strcmp(o->val, "eve-log")
                                                   ? conf_node_child(o, "eve-log") : NULL;
        if (!eve || conf_value_boolean(conf_node_value(eve, "enabled")) != 1)
            continue;
        const struct suricata_conf_node *types = conf_node_child(eve, "types");
        for (const struct suricata_conf_node *t = types ? types->head.tqh_first : NULL; t;
             t = t->next.tqe_next)
            if (t->val && !strcmp(t->val, "dns") && dns_type_logs_all(t))
                return true;
    }
    return false;
}

static void on_logging_ready(void *arg)
{
    struct exclave_suricata8 *x = arg;
    char error[PLUGIN_ERROR_MAX];
    if (x->config.engine_off)
        return;
    x->fed_from_records = some_output_logs_all_dns();
    const struct suricata_conf_node *midstream = SCConfGetNode("stream.midstream"),
                                    *oneside = SCConfGetNode("stream.async-oneside");
    x->tcp_proves = !(midstream && conf_value_boolean(midstream->val) == 1) &&
                    !(oneside && conf_value_boolean(oneside->val) == 1);
    register_dns_logger(x);
    if (!plugin_engine_start_thread(&x->engine, error))
        fail_at_start(error);
}

/* ---- start and end ------------------------------------------------------------------- */

/* Suricata gives plugins no shutdown hook; it ends with exit(), after its
 * threads are gone, so the rings are drained and the end written here. */
static void finish_at_exit(void)
{
    struct exclave_suricata8 *x = &exclave_suricata8;
    if (!x->running)
        return;
    x->running = false;
    plugin_engine_finish(&x->engine, &x->workers);
    if (fflush(x->file) != 0)
        fprintf(stderr, "exclave: %s: %s\n", x->config.filename, strerror(errno));
}

static bool default_enrich(struct plugin_config *c, char *error)
{
    static const char *const types[] = { "dns", "flow", "alert" };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (!(c->enrich[c->enrich_count++] = strdup(types[i]))) {
            snprintf(error, PLUGIN_ERROR_MAX, "out of memory");
            return false;
        }
    return true;
}

static bool open_plugin(struct exclave_suricata8 *x, char *error)
{
    if (!plugin_config_read(SCConfGetNode("exclave"), "exclave.", true, SCConfigGetLogDirectory(),
                            "exclave.json", &x->config, error) ||
        (!x->config.enrich_set && !default_enrich(&x->config, error)))
        return false;
    char note[256];
    const struct suricata_conf_node *home = SCConfGetNode("vars.address-groups.HOME_NET");
    if (!plugin_config_default_home(&x->config, home ? home->val : NULL, note, sizeof note))
        fprintf(stderr, "exclave: HOME_NET: %s; running without home networks (set exclave.home-net)\n",
                note);
    if (!(x->file = fopen(x->config.filename, "a"))) {
        snprintf(error, PLUGIN_ERROR_MAX, "exclave.filename: %.900s: cannot open for writing: %s",
                 x->config.filename, strerror(errno));
        return false;
    }
    if (!(x->out = malloc(sizeof *x->out))) {
        snprintf(error, PLUGIN_ERROR_MAX, "out of memory");
        return false;
    }
    json_out_init(x->out, x->file);
    if (!plugin_engine_open(&x->engine, &x->config, x->out, error))
        return false;
    x->workers_ready = plugin_workers_init(&x->workers, &x->config, &x->engine.geoip,
                                           plugin_engine_feed(&x->engine),
                                           NULL);
    return x->workers_ready;
}

static void plugin_init(void)
{
    struct exclave_suricata8 *x = &exclave_suricata8;
    char error[PLUGIN_ERROR_MAX] = "out of memory";
    if (!open_plugin(x, error))
        fail_at_start(error);
    if (!SCEveRegisterCallback(enrich_record, x))
        fail_at_start("Suricata refused exclave's EVE callback");
    if (SCRegisterOnLoggingReady(on_logging_ready, x) != 0)
        fail_at_start("Suricata refused exclave's logging-ready callback");
    x->running = true;
    atexit(finish_at_exit);
}

static SCPlugin exclave_plugin_description = {
    .version = EXCLAVE_SC_API_VERSION,
    .suricata_version = EXCLAVE_SURICATA_VERSION,
    .name = "exclave",
    .plugin_version = PACKAGE_VERSION,
    .license = "GPL-2.0-only",
    .author = "the exclave authors",
    .Init = plugin_init,
};

/* The one symbol exclave-suricata-engine.so exports, for the loader shim. */
SCPlugin *exclave_suricata_plugin(void);
SCPlugin *exclave_suricata_plugin(void)
{
    return &exclave_plugin_description;
}
