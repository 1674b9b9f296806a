/* run: opening, flushing and closing what a run uses (see run.h). */
#include "cli/run.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/capabilities.h"
#include "cli/run_check.h"
#include "cli/run_threads.h"
#include "cli/run_counters.h"
#include "engine/state_file.h"
#include "eve/pdns_record.h"
#include "pdns/passivedns_line.h"
#include "eve/stats_record.h"

enum { PDNS_DEFAULT_MAX = 262144, PDNS_DEFAULT_EVERY_SECONDS = 3600, STATS_DEFAULT_EVERY_SECONDS = 60 };

static double stats_every(const struct exclave_options *o)
{
    return o->stats_every_seconds >= 0 ? o->stats_every_seconds : STATS_DEFAULT_EVERY_SECONDS;
}

struct exclave_signals exclave_signals;

static void on_stop_signal(int signal_number)
{
    (void)signal_number;
    exclave_signals.stop = 1;
}

static void on_reload_signal(int signal_number)
{
    (void)signal_number;
    exclave_signals.reload = 1;
}

/* Called before anything slow (databases, a large state): a SIGHUP during
 * the start is remembered and served by the first reload check, a SIGTERM
 * ends the run at its first stop check. The three are unblocked in case the
 * parent left them blocked. */
void exclave_install_signal_handlers(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    action.sa_handler = on_reload_signal;
    sigaction(SIGHUP, &action, NULL);
    sigset_t ours;
    sigemptyset(&ours);
    sigaddset(&ours, SIGINT);
    sigaddset(&ours, SIGTERM);
    sigaddset(&ours, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &ours, NULL);
}

/* Resolves which database files to open and opens them. */
bool run_open_geoip(struct exclave_run *run)
{
    const struct exclave_options *o = &run->options;
    char error[ERROR_SIZE];
    bool none_found;
    if (!geoip_open_chosen(&run->geoip, o->geoip_dir, o->asn_db, o->country_db, &none_found, error,
                           sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    if (none_found)
        fprintf(stderr, "exclave: no GeoIP databases found (see --geoip-dir); "
                        "records are written without ASN and country\n");
    run->geoip_open = true;
    return true;
}

static bool make_log_dir(const char *dir)
{
    if (mkdir(dir, 0755) == 0 || errno == EEXIST)
        return true;
    fprintf(stderr, "exclave: -l %s: cannot create log directory: %s\n", dir, strerror(errno));
    return false;
}

static bool read_redis_password(struct exclave_run *run, char *error, size_t error_size);

/* -l redis://: eve.json's records published to a key. */
static bool open_redis_log(struct exclave_run *run)
{
    struct redis_url url;
    char error[ERROR_SIZE];
    if (!redis_url_parse(run->options.log_dir, &url, error, sizeof error) ||
        (!run->redis_password && !read_redis_password(run, error, sizeof error))) {
        fprintf(stderr, "exclave: -l %s\n", error);
        return false;
    }
    double megabytes = run->options.redis_buffer_mb > 0 ? run->options.redis_buffer_mb : 64;
    if (!(run->sink = calloc(1, sizeof *run->sink)) ||
        !redis_sink_open(run->sink, &url, run->redis_password, (size_t)(megabytes * 1048576),
                         stderr, error, sizeof error) ||
        !(run->log_file = redis_sink_file(run->sink))) {
        fprintf(stderr, "exclave: -l %s: out of memory\n", run->options.log_dir);
        return false;
    }
    redis_url_describe(&url, run->log_name, sizeof run->log_name);
    return true;
}

/* A log file opened for appending, or NULL with the reason said. */
static FILE *open_for_append(const char *path)
{
    FILE *file = fopen(path, "a");
    if (!file)
        fprintf(stderr, "exclave: %s: cannot open for writing: %s\n", path, strerror(errno));
    return file;
}

/* The buffered writer of a log; NULL when out of memory (said). json_out
 * buffers, so stdio is unbuffered: a failed write fails at once. */
static struct json_out *writer_on(FILE *file)
{
    struct json_out *out = malloc(sizeof *out);
    if (!out) {
        fprintf(stderr, "exclave: out of memory\n");
        return NULL;
    }
    setvbuf(file, NULL, _IONBF, 0);
    json_out_init(out, file);
    return out;
}

static bool open_eve_log(struct exclave_run *run)
{
    const char *dir = run->options.log_dir;
    if (!run->options.check && redis_url_is_one(dir)) {
        if (!open_redis_log(run))
            return false;
    } else if (run->options.check) { /* --check: the records go nowhere */
        snprintf(run->log_name, sizeof run->log_name, "/dev/null");
        if (!(run->log_file = fopen(run->log_name, "a"))) {
            fprintf(stderr, "exclave: /dev/null: %s\n", strerror(errno));
            return false;
        }
    } else if (strcmp(dir, "-") == 0) {
        run->log_file = stdout;
        snprintf(run->log_name, sizeof run->log_name, "standard output");
    } else {
        snprintf(run->log_name, sizeof run->log_name, "%s/eve.json", dir);
        if (!(run->log_file = open_for_append(run->log_name)))
            return false;
    }
    if (!(run->out = writer_on(run->log_file)))
        return false;
    run->writer.out = run->out;
    run->writer.geoip = geoip_enabled(&run->geoip) ? &run->geoip : NULL;
    run->writer.log_tunnel = run->options.log_tunnel;
    run->writer.community_id = run->options.community_id;
    run->writer.ecs_names = run->options.ecs_names;
    run->writer.community_id_seed = run->options.community_id_seed > 0
                                        ? (uint16_t)run->options.community_id_seed : 0;
    return true;
}

/* --format zeek: dns.log and exclave.log in the log directory. */
static bool open_zeek_logs(struct exclave_run *run)
{
    const struct exclave_options *o = &run->options;
    char error[ERROR_SIZE];
    run->dns_log = calloc(1, sizeof *run->dns_log);
    run->notice_log = calloc(1, sizeof *run->notice_log);
    run->zeek_record = calloc(1, sizeof *run->zeek_record);
    if (!run->dns_log || !run->notice_log || !run->zeek_record) {
        fprintf(stderr, "exclave: out of memory\n");
        return false;
    }
    struct geoip *geoip = geoip_enabled(&run->geoip) ? &run->geoip : NULL;
    if (!zeek_dns_writer_open(run->dns_log, o->log_dir, o->zeek_json, geoip, error, sizeof error) ||
        (!o->engine_off && (o->log_content & LOG_ALERTS) &&
         !zeek_notice_writer_open(run->notice_log, o->log_dir, o->zeek_json, error, sizeof error))) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    return true;
}

/* True when the output (an open descriptor, or a path that may exist)
 * is the same file as the input path. */
static bool same_file(const char *input, int output_fd, const char *output_path)
{
    struct stat in, out;
    if (strcmp(input, "-") == 0 || stat(input, &in) != 0)
        return false;
    bool have = output_path ? stat(output_path, &out) == 0 : fstat(output_fd, &out) == 0;
    return have && S_ISREG(out.st_mode) && in.st_dev == out.st_dev && in.st_ino == out.st_ino;
}

static bool refuse_self_read(const char *log_dir, const char *output, const char *input)
{
    fprintf(stderr, "exclave: -l %s: the output %s is the input %s itself: exclave would read its "
                    "own records back for ever; give another -l\n", log_dir, output, input);
    return false;
}

/* An output that is one of the inputs would be read back for ever (a
 * Suricata user's --eve /var/log/suricata/eve.json -l /var/log/suricata
 * once wrote 74 GB): refused before anything is opened for writing. */
static bool outputs_are_not_inputs(const struct exclave_run *run)
{
    static const char *const eve_logs[] = { "eve.json", NULL };
    static const char *const zeek_logs[] = { "dns.log", "exclave.log", NULL };
    const struct exclave_options *o = &run->options;
    if (o->eve_file && redis_url_is_one(o->eve_file) && redis_url_is_one(o->log_dir)) {
        struct redis_url in, out;
        char error[ERROR_SIZE], a[REDIS_URL_HOST_MAX + REDIS_URL_KEY_MAX + 32], b[sizeof a];
        if (redis_url_parse(o->eve_file, &in, error, sizeof error) &&
            redis_url_parse(o->log_dir, &out, error, sizeof error)) {
            redis_url_describe(&in, a, sizeof a);
            redis_url_describe(&out, b, sizeof b);
            if (strcmp(a, b) == 0)
                return refuse_self_read(o->log_dir, b, o->eve_file);
        }
    }
    size_t inputs = run->zeek ? run->zeek_files.count : o->eve_file ? 1 : 0;
    for (size_t i = 0; i < inputs; i++) {
        const char *input = run->zeek ? run->zeek_files.paths[i] : o->eve_file;
        if (strcmp(o->log_dir, "-") == 0) {
            if (same_file(input, STDOUT_FILENO, NULL))
                return refuse_self_read(o->log_dir, "(standard output)", input);
            continue;
        }
        for (const char *const *name = o->zeek_format ? zeek_logs : eve_logs; *name; name++) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", o->log_dir, *name);
            if (same_file(input, -1, path))
                return refuse_self_read(o->log_dir, path, input);
        }
    }
    return true;
}

/* --pdns-format passivedns: DIR/passivedns.log, appended to as passivedns does. */
static bool open_passivedns_log(struct exclave_run *run)
{
    snprintf(run->passivedns_name, sizeof run->passivedns_name, "%s/passivedns.log",
             run->options.log_dir);
    return (run->passivedns_file = open_for_append(run->passivedns_name)) &&
           (run->passivedns_out = writer_on(run->passivedns_file));
}

/* --log pdns: the table, writing into the EVE log (or passivedns.log). */
static bool open_pdns(struct exclave_run *run)
{
    const struct exclave_options *o = &run->options;
    if (!(o->log_content & LOG_PDNS))
        return true;
    uint32_t max = o->pdns_max > 0 ? (uint32_t)o->pdns_max : PDNS_DEFAULT_MAX;
    double every = o->pdns_every_seconds > 0 ? o->pdns_every_seconds : PDNS_DEFAULT_EVERY_SECONDS;
    pdns_write_fn write = pdns_record_write;
    void *writer = &run->writer;
    if (o->pdns_passivedns) {
        if (!run->options.check && !open_passivedns_log(run))
            return false;
        write = passivedns_line_write;
        writer = run->passivedns_out ? (void *)run->passivedns_out : (void *)run->out;
    }
    if (!pdns_table_init(&run->pdns, max, (int64_t)(every * 1e6), write, writer)) {
        fprintf(stderr, "exclave: out of memory for %u passive-DNS entries (--pdns-max)\n", max);
        return false;
    }
    run->pdns_on = true;
    return true;
}

bool run_open_log(struct exclave_run *run)
{
    const char *dir = run->options.log_dir;
    if (!outputs_are_not_inputs(run))
        return false;
    if (strcmp(dir, "-") != 0 && !redis_url_is_one(dir) && !run->options.check && !make_log_dir(dir))
        return false;
    run->log_dns = run->options.log_content & LOG_DNS;
    run->next_stats_wall = time(NULL) + (time_t)stats_every(&run->options);
    return run->options.zeek_format ? open_zeek_logs(run) : open_eve_log(run) && open_pdns(run);
}

bool run_stats_due(const struct exclave_run *run)
{
    return (run->options.log_content & LOG_STATS) && run->out && stats_every(&run->options) > 0 &&
           time(NULL) >= run->next_stats_wall;
}

void run_write_stats_when_due(struct exclave_run *run, bool force)
{
    double every = stats_every(&run->options);
    if (!(run->options.log_content & LOG_STATS) || !run->out || (!force && every <= 0))
        return;
    time_t now = time(NULL);
    if (!force && now < run->next_stats_wall)
        return;
    run->next_stats_wall = now + (time_t)every;
    pcap_source_update_drops(&run->source); /* the capture holds still meanwhile */
    struct stats_record stats;
    stats_record_begin(&stats, run->out, (int64_t)now * 1000000);
    run_visit_counters(run, stats_record_counter, &stats);
    stats_record_end(&stats);
}

/* The engine's alerts: the stderr line and table, and exclave.log or eve.json. */
static void write_alert(void *user, const struct engine *engine, const struct engine_alert *alert)
{
    struct exclave_run *run = user;
    progress_end(&run->progress); /* the alert's line starts at the left margin */
    alert_writer_write(&run->alerts, engine, alert);
    if (run->notice_log && (run->options.log_content & LOG_ALERTS))
        zeek_notice_writer_write(run->notice_log, engine, alert);
}

static bool load_policy_path(struct exclave_run *run, const char *path)
{
    char error[ERROR_SIZE];
    if (policy_process_add_path(&run->policies, path, error, sizeof error))
        return true;
    fprintf(stderr, "exclave: %s\n", error);
    return false;
}

/* Without --policy: the installed scripts, or scripts/ beside the running
 * program (a build tree). NULL when neither exists. */
static const char *default_policy_dir(char *buffer, size_t size)
{
    struct stat info;
    if (stat(EXCLAVE_SCRIPTS_DIR, &info) == 0 && S_ISDIR(info.st_mode))
        return EXCLAVE_SCRIPTS_DIR;
    char program[PATH_MAX - sizeof "/scripts"];
    ssize_t length = readlink("/proc/self/exe", program, sizeof program - 1);
    if (length <= 0)
        return NULL;
    program[length] = '\0';
    char *slash = strrchr(program, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    snprintf(buffer, size, "%s/scripts", program);
    return stat(buffer, &info) == 0 && S_ISDIR(info.st_mode) ? buffer : NULL;
}

static bool load_policies(struct exclave_run *run)
{
    struct exclave_options *o = &run->options;
    struct policy_process_config config;
    policy_process_config_defaults(&config);
    config.limits = o->limits;
    config.variables = o->variables;
    config.variable_count = o->variable_count;
    config.messages = stderr;
    config.call_cpu_seconds = o->policy_cpu_seconds;
    policy_process_init(&run->policies, &config);
    if (o->policies_off)
        return true;
    char buffer[PATH_MAX];
    if (o->policy_arg_count == 0 || o->default_policies) { /* --policy replaces them, unless asked */
        const char *dir = default_policy_dir(buffer, sizeof buffer);
        if (!dir)
            fprintf(stderr, "exclave: no policies found in %s (see --policy); counting only\n",
                    EXCLAVE_SCRIPTS_DIR);
        else if (!load_policy_path(run, dir))
            return false;
    }
    for (size_t i = 0; i < o->policy_arg_count; i++)
        if (!load_policy_path(run, o->policy_args[i]))
            return false;
    char error[ERROR_SIZE];
    if (run->policies.count == 0 && o->variable_count == 0)
        return true;
    if (!policy_process_start(&run->policies, &run->engine, error, sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    return true;
}

/* --state: the aggregates of earlier runs, when the file exists. */
static bool load_state(struct exclave_run *run)
{
    const char *path = run->options.state_file;
    if (!path)
        return true;
    char error[ERROR_SIZE];
    if (run->redis_url) { /* saved by run_redis with the stream's position, not once a day */
        int loaded = state_file_directory_writable(path, error, sizeof error)
                         ? state_file_load_resumable(&run->engine, path, &run->resume_input, error,
                                                     sizeof error)
                         : -1;
        if (loaded < 0)
            fprintf(stderr, "exclave: %s\n", error);
        if (loaded > 0)
            fprintf(stderr, "exclave: %s: %u keys loaded\n", path, run->engine.store.count);
        return loaded >= 0;
    }
    int loaded = state_autosave_start(&run->autosave, &run->engine, path, stderr, error,
                                      sizeof error);
    if (loaded < 0) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    if (loaded)
        fprintf(stderr, "exclave: %s: %u keys loaded\n", path, run->engine.store.count);
    return true;
}

/* The engine, its policies and the alert writer; all skipped by --no-engine. */
bool run_open_engine(struct exclave_run *run)
{
    struct exclave_options *o = &run->options;
    if (o->engine_off)
        return true;
    char error[ERROR_SIZE];
    if (o->state_file) /* what it expires is kept for a later merge */
        o->engine.retired_max = o->retired_keys >= 0 ? (uint32_t)o->retired_keys : ENGINE_RETIRED_TENTH;
    if (!engine_init(&run->engine, &o->engine, geoip_enabled(&run->geoip) ? &run->geoip : NULL,
                     error, sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    run->engine_ready = true;
    if (!load_state(run))
        return false;
    /* out is NULL with --format zeek: exclave.log has the alerts then */
    alert_writer_init(&run->alerts, o->log_content & LOG_ALERTS ? run->out : NULL, stderr);
    engine_set_alert_sink(&run->engine, write_alert, run);
    return load_policies(run);
}

void run_check_output(struct exclave_run *run)
{
    if (!run->out || !run->out->write_errors || run->write_failure_told)
        return;
    run->write_failure_told = true;
    progress_end(&run->progress);
    fprintf(stderr, "exclave: %s: cannot write: %s; records are lost while this lasts, and "
                    "counted (output_records_lost); the run goes on and exits 1\n",
            run->log_name, strerror(run->out->first_error));
}

enum { ONE_DIRECTION_QUERIES = 1000 }; /* seen before the warning can be given */

void run_check_counting(struct exclave_run *run)
{
    if (!run->engine_ready || run->one_direction_told || run->options.engine.count_unanswered)
        return;
    const struct engine_counters *c = &run->engine.counters;
    if (c->queries_seen < ONE_DIRECTION_QUERIES || c->lookups_counted * 10 >= c->queries_seen)
        return;
    run->one_direction_told = true;
    progress_end(&run->progress);
    fprintf(stderr, "exclave: %llu queries seen and %llu answered: lookups count only when "
                    "answered, so almost nothing is counted. A sensor that sees one direction "
                    "(asymmetric routing, a query-only tap) needs --count-unanswered; forged "
                    "queries look the same (engine_queries_seen in --stats)\n",
            (unsigned long long)c->queries_seen, (unsigned long long)c->lookups_counted);
}

void run_flush_logs(struct exclave_run *run)
{
    if (run->out) {
        json_out_flush(run->out);
        fflush(run->log_file);
    }
    if (run->passivedns_out)
        json_out_flush(run->passivedns_out);
    if (run->sink)
        redis_sink_flush(run->sink);
    if (run->dns_log)
        zeek_log_writer_flush(&run->dns_log->log);
    if (run->notice_log && run->notice_log->log.file)
        zeek_log_writer_flush(&run->notice_log->log);
}

/* The progress line: items read, how far through the input, alerts. */
void run_show_progress(struct exclave_run *run, uint64_t count, uint64_t bytes)
{
    progress_update(&run->progress, count, bytes, run->input_bytes,
                    run->engine_ready ? run->engine.counters.alerts : 0);
}

/* The password: the first line of --redis-password-file, or
 * EXCLAVE_REDIS_PASSWORD; never a command-line word (ps shows those). */
static bool read_redis_password(struct exclave_run *run, char *error, size_t error_size)
{
    const char *path = run->options.redis_password_file, *from_environment = getenv("EXCLAVE_REDIS_PASSWORD");
    if (!path) {
        if (from_environment && *from_environment && !(run->redis_password = strdup(from_environment))) {
            snprintf(error, error_size, "out of memory");
            return false;
        }
        return true;
    }
    FILE *file = fopen(path, "r");
    char line[1024];
    if (!file || !fgets(line, sizeof line, file)) {
        snprintf(error, error_size, "--redis-password-file %s: %s", path,
                 file ? "empty" : strerror(errno));
        if (file)
            fclose(file);
        return false;
    }
    fclose(file);
    line[strcspn(line, "\r\n")] = '\0';
    if (!(run->redis_password = strdup(line))) {
        snprintf(error, error_size, "out of memory");
        return false;
    }
    return true;
}

/* --eve redis://: the URL checked and the password read now; the
 * connection is made by run_redis, once the state says where to go on. */
static bool open_redis_input(struct exclave_run *run, char *error, size_t error_size)
{
    if (!(run->redis_url = calloc(1, sizeof *run->redis_url)) ||
        !(run->eve = calloc(1, sizeof *run->eve))) {
        snprintf(error, error_size, "out of memory");
        return false;
    }
    if (!redis_url_parse(run->options.eve_file, run->redis_url, error, error_size) ||
        !read_redis_password(run, error, error_size))
        return false;
    eve_reader_start_entries(run->eve, stderr);
    return true;
}

bool run_open_source(struct exclave_run *run)
{
    struct exclave_options *o = &run->options;
    char error[ERROR_SIZE], default_filter[4096];
    bool ok;
    if (o->zeek_file) {
        ok = zeek_files_list(&run->zeek_files, o->zeek_file, error, sizeof error) &&
             (run->zeek = calloc(1, sizeof *run->zeek));
        if (ok && !run->zeek)
            snprintf(error, sizeof error, "out of memory");
    } else if (o->eve_file && redis_url_is_one(o->eve_file)) {
        ok = open_redis_input(run, error, sizeof error);
    } else if (o->eve_file) {
        ok = (run->eve = calloc(1, sizeof *run->eve)) &&
             eve_reader_open(run->eve, o->eve_file, o->follow, stderr, error, sizeof error);
        if (!run->eve)
            snprintf(error, sizeof error, "out of memory");
    } else if (o->read_file) {
        ok = pcap_source_open_file(&run->source, o->read_file, o->filter, error, sizeof error);
    } else {
        if (!o->filter)
            pcap_source_default_filter(&o->sensor, default_filter, sizeof default_filter);
        ok = pcap_source_open_live(&run->source, o->interface, o->filter ? o->filter : default_filter,
                                   error, sizeof error) &&
             capabilities_drop_all(error, sizeof error);
    }
    if (!ok)
        fprintf(stderr, "exclave: %s\n", error);
    return ok;
}

/* Says when the databases left many addresses without an owner: records
 * without as/geo are otherwise easy to take for the databases' last word. */
static void say_coverage(const struct exclave_run *run)
{
    struct geoip_counters all; /* this thread's and the workers' */
    run_threads_geoip_counters(run, &all);
    const struct geoip_counters *g = &all;
    if (!run->geoip_open || !run->geoip.asn_db.open || g->lookups == 0 || g->no_asn * 100 < g->lookups)
        return;
    fprintf(stderr, "exclave: %llu of %llu address lookups (%.0f%%) found no AS in the ASN database "
                    "(geoip_no_asn in --stats)\n", (unsigned long long)g->no_asn,
            (unsigned long long)g->lookups, 100.0 * (double)g->no_asn / (double)g->lookups);
}

/* Says when the kernel or the interface dropped frames of a live capture:
 * what exclave never saw is counted nowhere else. */
static void say_capture_drops(const struct pcap_source *source)
{
    if (source->kernel_drops || source->interface_drops)
        fprintf(stderr, "exclave: %s: %llu frames dropped by the kernel (capture buffer full) and "
                        "%llu by the interface: they were never seen (capture_kernel_drops, "
                        "capture_interface_drops)\n", source->name,
                (unsigned long long)source->kernel_drops,
                (unsigned long long)source->interface_drops);
}

/* What each --suppress entry kept back, with its reason. */
static void say_suppressed(const struct suppression *suppression)
{
    for (size_t i = 0; i < suppression->count; i++) {
        const struct suppression_entry *e = &suppression->entries[i];
        if (e->alerts)
            fprintf(stderr, "exclave: %s:%u suppressed %llu alert%s: %s\n", suppression->path,
                    e->line, (unsigned long long)e->alerts, e->alerts == 1 ? "" : "s", e->reason);
    }
}

/* The end of any input: the last evaluation, the log flushed, counters and
 * the alert table printed. Returns ok, or false when the log failed. */
bool run_finish(struct exclave_run *run, bool ok)
{
    char error[ERROR_SIZE];
    progress_end(&run->progress);
    pcap_source_update_drops(&run->source); /* the capture is over: no thread reads it */
    if (run->engine_ready && !run->options.state_file)
        engine_finish(&run->engine);
    /* with --state the lookups since the last tick are saved unevaluated:
     * the next run's first tick evaluates them, as one long run would */
    if (run->engine_ready && run->options.state_file && !run->state_saved_by_input &&
        !state_file_save(&run->engine, run->options.state_file, error, sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        ok = false;
    }
    /* The Lua states close while the log is open: a policy's finalizers
     * may still raise alerts, and they are written like any other. */
    if (run->engine_ready)
        policy_process_finish(&run->policies);
    if (run->engine_ready && run->options.check && !run_check_policies(run))
        ok = false;
    if (run->pdns_on)
        pdns_table_finish(&run->pdns);
    run_write_stats_when_due(run, true);
    run_check_counting(run); /* a short run may end before any batch boundary */
    if (run->out) {
        json_out_flush(run->out);
        if (run->sink)
            redis_sink_flush(run->sink);
        run_check_output(run);
        if (run->sink && (run->sink->records_queued || run->sink->counters.dropped)) {
            fprintf(stderr, "exclave: %s: %llu records dropped, %zu not sent (the server was away)\n",
                    run->log_name, (unsigned long long)run->sink->counters.dropped,
                    run->sink->records_queued);
            ok = false;
        }
        if (fflush(run->log_file) != 0 || run->out->write_errors) {
            fprintf(stderr, "exclave: %s: %llu records were not written\n", run->log_name,
                    (unsigned long long)run->out->records_lost);
            ok = false;
        }
    }
    if (run->passivedns_out && (!json_out_flush(run->passivedns_out) ||
                                run->passivedns_out->write_errors)) {
        fprintf(stderr, "exclave: %s: %llu passive-DNS lines were not written\n",
                run->passivedns_name, (unsigned long long)run->passivedns_out->records_lost);
        ok = false;
    }
    if (run->dns_log && (!zeek_log_writer_close(&run->dns_log->log) ||
                         !zeek_log_writer_close(&run->notice_log->log))) {
        fprintf(stderr, "exclave: writing the Zeek logs in %s failed\n", run->options.log_dir);
        ok = false;
    }
    if (run->options.print_stats)
        run_visit_counters(run, counter_print, stderr);
    say_coverage(run);
    say_capture_drops(&run->source);
    if (run->engine_ready) {
        alert_writer_print_summary(&run->alerts, stderr);
        say_suppressed(&run->engine.suppression);
    }
    return ok;
}

/* The progress line's unit and, for a regular file, its size. */
void run_start_progress(struct exclave_run *run, const char *path, const char *unit)
{
    struct stat info;
    run->input_bytes = path && strcmp(path, "-") != 0 && stat(path, &info) == 0 &&
                       S_ISREG(info.st_mode) ? (uint64_t)info.st_size : 0;
    progress_init(&run->progress, stderr, run->options.quiet, unit);
}

void run_close(struct exclave_run *run)
{
    pcap_source_close(&run->source);
    if (run->zeek)
        zeek_reader_close(run->zeek);
    free(run->zeek);
    if (run->eve && !run->redis_url)
        eve_reader_close(run->eve);
    free(run->eve);
    if (run->redis)
        redis_source_close(run->redis);
    free(run->redis);
    free(run->redis_url);
    free(run->redis_password);
    free(run->resume_input.bytes);
    zeek_files_free(&run->zeek_files);
    if (run->log_file && run->log_file != stdout)
        fclose(run->log_file); /* -l redis://: the last records sent */
    free(run->sink);
    reorder_free(&run->reorder);
    if (run->passivedns_file)
        fclose(run->passivedns_file);
    free(run->passivedns_out);
    run_threads_free(run);
    if (run->pool)
        sensor_pool_free(run->pool);
    free(run->pool);
    free(run->pdns_message);
    if (run->engine_ready) {
        policy_process_free(&run->policies);
        alert_writer_free(&run->alerts);
        engine_free(&run->engine);
    }
    free(run->out);
    if (run->dns_log) {
        zeek_log_writer_close(&run->dns_log->log);
        zeek_log_writer_close(&run->notice_log->log);
    }
    free(run->dns_log);
    free(run->notice_log);
    free(run->zeek_record);
    if (run->pdns_on)
        pdns_table_free(&run->pdns);
    if (run->geoip_open)
        geoip_close(&run->geoip);
}
