/* run_logs: `exclave --zeek PATH` and `--eve FILE`: log records into the
 * engine and out again enriched, file after file, and with --follow a log
 * being written, across rotations. It reads no packets. */
#include "cli/run_logs.h"

#include <stdarg.h>
#include <time.h>
#include <zlib.h>

#include "zeek/zeek_dns_record.h"

enum { PROGRESS_EVERY_LINES = 4096, FOLLOW_PAUSE_NS = 200 * 1000 * 1000 };

void run_logs_reload_if_asked(struct exclave_run *run)
{
    if (!exclave_signals.reload)
        return;
    exclave_signals.reload = 0;
    if (run->engine_ready)
        policy_process_reload(&run->policies);
}

enum { REORDER_WARNINGS_MAX = 10, FOLLOW_IDLE_DRAIN_SECONDS = 10 };
/* A file is complete, so only --reorder-lookups bounds what is held: how far a
 * `suricata -r` with workers writes behind depends on how its threads were
 * scheduled (9 to 30 days of the demo's time, seen), not on the data. */
static const double reorder_default_window = 3650 * 86400.0;
static const double reorder_follow_window = 120.0;          /* a log being written */

void run_logs_observe(void *user, const struct engine_lookup *lookup)
{
    struct exclave_run *run = user;
    engine_observe(&run->engine, lookup);
}

/* The lines of the log being read, Zeek or EVE. */
static struct line_reader *input_lines(struct exclave_run *run)
{
    return run->zeek ? &run->zeek->lines : &run->eve->lines;
}

static void tell_too_late(struct exclave_run *run, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
static void tell_too_late(struct exclave_run *run, const char *format, ...)
{
    static const char *const suppressed =
        "records behind the reorder window not shown (reorder_too_late in --stats)";
    va_list args;
    va_start(args, format);
    if (run->eve) /* a line of the file, or an entry of a Redis key */
        eve_reader_warn(run->eve, stderr, &run->reorder_warnings, REORDER_WARNINGS_MAX, suppressed,
                        format, args);
    else
        line_reader_warn(input_lines(run), stderr, &run->reorder_warnings, REORDER_WARNINGS_MAX,
                         suppressed, format, args);
    va_end(args);
}

/* Into the engine through the reorder buffer, so that it sees time order. */
static void feed_engine(struct exclave_run *run, const struct engine_lookup *lookup)
{
    if (!run->reorder_on) {
        engine_observe(&run->engine, lookup);
        return;
    }
    if (run->options.follow) /* for the idle hand-over of a quiet followed log */
        run->last_record_wall = time(NULL);
    if (!reorder_add(&run->reorder, lookup, run_logs_observe, run))
        tell_too_late(run, "record %.1f s behind the newest, later than the reorder window "
                           "(--reorder-window %.0f s, --reorder-lookups %zu) allows: not counted",
                      (double)(run->reorder.newest_us - lookup->time_us) / 1e6,
                      (double)run->reorder.window_us / 1e6, run->reorder.max_lookups);
}

/* Sets the reorder buffer up for this input: 0 seconds is none. */
void run_logs_start_reorder(struct exclave_run *run)
{
    const struct exclave_options *o = &run->options;
    double window = o->reorder_window_seconds >= 0 ? o->reorder_window_seconds
                  : o->follow ? reorder_follow_window : reorder_default_window;
    run->reorder_on = window > 0 && run->engine_ready;
    if (run->reorder_on)
        reorder_init(&run->reorder, (int64_t)(window * 1e6), (size_t)o->reorder_lookups);
}

/* An EVE record on its way through: into the engine when it is a lookup,
 * and out again, enriched when it is dns (or as a dns.log line). */
void run_logs_pass_eve_record(struct exclave_run *run, const struct engine_lookup *lookup)
{
    const struct eve_record *record = &run->eve->record;
    if (lookup && run->engine_ready)
        feed_engine(run, lookup);
    if (!run->log_dns)
        return; /* --log without dns: no record passes */
    if (run->dns_log) {
        if (lookup && lookup->has_response) {
            zeek_dns_record_from_eve(run->zeek_record, &run->zeek_scratch, record, lookup);
            zeek_dns_writer_write(run->dns_log, run->zeek_record);
        }
    } else if (lookup) {
        eve_lookup_write_enriched(&run->writer, run->eve->text, record, true);
    } else {
        json_out_raw(run->out, run->eve->text, run->eve->record_length);
        json_out_end_record(run->out);
    }
}

/* One record of the log being read (Zeek or EVE) into the engine and the
 * output: 1, 0 at the end (for now), -1 on a read error. */
static int next_log_record(struct exclave_run *run, char *error, size_t error_size)
{
    struct engine_lookup lookup;
    if (run->zeek) {
        int status = zeek_reader_next(run->zeek, &lookup, error, error_size);
        if (status > 0) {
            feed_engine(run, &lookup);
            if (run->dns_log && run->log_dns)
                zeek_dns_writer_write(run->dns_log, &run->zeek->record);
        }
        return status;
    }
    bool has_lookup = false;
    int status = eve_reader_next(run->eve, &lookup, &has_lookup, error, error_size);
    if (status > 0)
        run_logs_pass_eve_record(run, has_lookup ? &lookup : NULL);
    return status;
}

/* Every record the log holds now; SIGHUP reloads the policies. Returns the
 * reader's status: 0 at the end. */
static int drain_log(struct exclave_run *run, char *error, size_t error_size)
{
    int status = 0;
    struct line_reader *lines = input_lines(run);
    while (!exclave_signals.stop && (status = next_log_record(run, error, error_size)) > 0) {
        run_logs_reload_if_asked(run);
        run_check_output(run);
        run_check_counting(run);
        if (lines->line_number % PROGRESS_EVERY_LINES == 0) { /* not a clock read per record */
            run_show_progress(run, run->log_totals.records + lines->line_number,
                              (uint64_t)gzoffset(lines->file));
            run_write_stats_when_due(run, false);
        }
    }
    return status;
}

static bool open_log_input(struct exclave_run *run, const char *path, char *error,
                           size_t error_size)
{
    bool follow = run->options.follow;
    return run->zeek ? zeek_reader_open(run->zeek, path, follow, stderr, error, error_size)
                     : eve_reader_open(run->eve, path, follow, stderr, error, error_size);
}

static void close_log_input(struct exclave_run *run)
{
    struct log_totals *t = &run->log_totals;
    if (run->zeek) {
        t->records += run->zeek->counters.records;
        t->bad_lines += run->zeek->counters.bad_lines;
        t->bad_fields += run->zeek->counters.bad_fields;
        zeek_reader_close(run->zeek);
    } else if (run->eve) {
        t->records += run->eve->counters.records;
        t->bad_lines += run->eve->counters.bad_lines;
        t->lookups += run->eve->counters.dns_lookups;
        t->dns_unusable += run->eve->counters.dns_unusable;
        eve_reader_close(run->eve);
    }
}

void run_logs_drain_if_quiet(struct exclave_run *run)
{
    if (run->reorder_on && run->reorder.count &&
        time(NULL) - run->last_record_wall >= FOLLOW_IDLE_DRAIN_SECONDS)
        reorder_drain(&run->reorder, run_logs_observe, run); /* a quiet log: evaluate what came */
}

/* --follow at the end of the data: waits a moment; when the file was
 * rotated, reads the old one to its end and opens the new one. Returns the
 * reader's status. */
static int wait_for_more(struct exclave_run *run, const char *path, char *error,
                         size_t error_size)
{
    run_write_stats_when_due(run, false);
    run_flush_logs(run);
    run_logs_reload_if_asked(run);
    run_logs_drain_if_quiet(run);
    if (!line_reader_replaced(input_lines(run))) {
        struct timespec pause = { .tv_sec = 0, .tv_nsec = FOLLOW_PAUSE_NS };
        nanosleep(&pause, NULL);
        return 0;
    }
    int status = drain_log(run, error, error_size);
    if (status < 0)
        return status;
    close_log_input(run);
    run->log_totals.reopened++;
    return open_log_input(run, path, error, error_size) ? 0 : -1;
}

/* One log that is open already, or with --follow a log being written,
 * until a signal. Returns false on a read error (reported). */
static bool read_log_input(struct exclave_run *run, const char *path)
{
    char error[ERROR_SIZE];
    int status = drain_log(run, error, sizeof error);
    while (status == 0 && run->options.follow && !exclave_signals.stop)
        if ((status = wait_for_more(run, path, error, sizeof error)) == 0)
            status = drain_log(run, error, sizeof error);
    if (status < 0)
        fprintf(stderr, "exclave: %s\n", error);
    close_log_input(run);
    return status >= 0;
}

/* The Zeek logs in order, or the EVE log; the engine carries on from one
 * file to the next. */
int run_logs(struct exclave_run *run)
{
    run_start_progress(run, run->eve ? run->options.eve_file : run->options.zeek_file, "lines");
    run_logs_start_reorder(run);
    bool ok = true;
    if (run->eve)
        ok = read_log_input(run, run->options.eve_file);
    for (size_t i = 0; run->zeek && ok && i < run->zeek_files.count && !exclave_signals.stop; i++) {
        char error[ERROR_SIZE];
        ok = open_log_input(run, run->zeek_files.paths[i], error, sizeof error);
        if (!ok)
            fprintf(stderr, "exclave: %s\n", error);
        else
            ok = read_log_input(run, run->zeek_files.paths[i]);
    }
    if (run->reorder_on)
        reorder_drain(&run->reorder, run_logs_observe, run);
    return run_finish(run, ok) ? 0 : 1;
}
