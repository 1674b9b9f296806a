/* run_capture: `exclave -r FILE` and `-i IFACE`: packets through the sensor
 * into the EVE (or Zeek dns.log) writer and the engine. Between batches it
 * flushes a live log and reloads databases and policies when asked; it never
 * blocks the capture on anything slower. */
#include "cli/run_capture.h"

#include <time.h>

#include "cli/run_threads.h"
#include "zeek/zeek_dns_record.h"

enum { RELOAD_CHECK_SECONDS = 5 };

/* The message's record: EVE, or dns.log's one line per transaction,
 * written when the response arrives, as Zeek does. */
static void write_dns_record(struct exclave_run *run, const struct dns_event *event)
{
    if (!run->dns_log) {
        eve_writer_dns(&run->writer, event);
    } else if (event->is_response) {
        zeek_dns_record_from_event(run->zeek_record, &run->zeek_scratch, event);
        zeek_dns_writer_write(run->dns_log, run->zeek_record);
    }
}

/* The sensor's sink. */
static void write_event(void *user, const struct dns_event *event)
{
    struct exclave_run *run = user;
    if (run->log_dns)
        write_dns_record(run, event);
    if (run->pdns_on)
        pdns_table_observe(&run->pdns, event);
    if (run->engine_ready)
        engine_observe_dns_event(&run->engine, event);
}

/* Between capture batches: a live log is flushed; SIGHUP or a changed file
 * reopens the databases. */
static void between_batches(void *user)
{
    struct exclave_run *run = user;
    FILE *file = run->source.live ? NULL : pcap_file(run->source.handle);
    long position = file ? ftell(file) : -1;
    run_show_progress(run, run->sensor.counters.packets, position > 0 ? (uint64_t)position : 0);
    if (run->source.live) /* readers of a live log see records within a second */
        run_flush_logs(run);
    run_check_output(run);
    run_check_counting(run);
    run_write_stats_when_due(run, false);
    if (run_reload_due(run))
        run_reload(run);
}

bool run_reload_due(const struct exclave_run *run)
{
    return exclave_signals.reload || time(NULL) - run->last_reload_check >= RELOAD_CHECK_SECONDS;
}

void run_reload(struct exclave_run *run)
{
    bool forced = exclave_signals.reload;
    exclave_signals.reload = 0;
    run->last_reload_check = time(NULL);
    if (forced && run->engine_ready)
        policy_process_reload(&run->policies);
    char error[ERROR_SIZE];
    if (!geoip_reload(&run->geoip, forced, error, sizeof error))
        fprintf(stderr, "exclave: keeping the previous database: %s\n", error);
    if (forced) { /* what an operator's systemctl reload can be checked by */
        progress_end(&run->progress);
        fprintf(stderr, "exclave: SIGHUP: policies and databases reloaded\n");
    }
}

int run_capture(struct exclave_run *run)
{
    char error[ERROR_SIZE];
    unsigned threads = run_threads_wanted(run);
    if (threads > 1) /* a capture thread, the workers and this one */
        return run_capture_threads(run, threads - 1);
    if (!sensor_init(&run->sensor, &run->options.sensor, write_event, run)) {
        fprintf(stderr, "exclave: out of memory setting up the sensor\n");
        return 1;
    }
    run_start_progress(run, run->options.read_file, "packets");
    run->last_reload_check = time(NULL);
    bool ok = pcap_source_run(&run->source, &run->sensor, &exclave_signals.stop, between_batches,
                              run, error, sizeof error);
    if (!ok)
        fprintf(stderr, "exclave: %s\n", error);
    ok = run_finish(run, ok);
    sensor_free(&run->sensor);
    return ok ? 0 : 1;
}
