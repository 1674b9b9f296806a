/* main: the `exclave` command. Parses the command line, opens the capture,
 * the GeoIP databases, the policies and the log, wires sensor -> EVE writer
 * and engine -> alert writer, runs, and prints counters and the alerts. All
 * run-time state lives in struct exclave_run; the only globals are the
 * signal flags, which a signal handler must reach. */
#include <unistd.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../geoip/geoip.h"
#include "alert_writer.h"
#include "engine.h"
#include "eve_reader.h"
#include "eve_writer.h"
#include "pcap_source.h"
#include "policy_host.h"
#include "sensor.h"
#include "state_file.h"
#include "state_merge.h"
#include "progress.h"
#include "capabilities.h"
#include "report_data.h"
#include "report_html.h"
#include "report_state.h"
#include "zeek_dns_writer.h"
#include "zeek_files.h"
#include "zeek_notice_writer.h"
#include "zeek_reader.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

static const int64_t state_save_every_us = 86400LL * 1000000; /* a day of packet time */
enum { RELOAD_CHECK_SECONDS = 5, ERROR_SIZE = GEOIP_ERROR_MAX, POLICY_ARGS_MAX = 64,
       MERGE_INPUTS_MAX = 64, PROGRESS_EVERY_LINES = 4096,
       VARIABLES_MAX = 256, FOLLOW_PAUSE_NS = 200 * 1000 * 1000 };

/* Set by signal handlers, read between capture batches. */
static struct exclave_signals {
    volatile sig_atomic_t stop;
    volatile sig_atomic_t reload;
} exclave_signals;

struct exclave_options {
    const char *read_file;
    const char *interface;
    const char *zeek_file;
    const char *eve_file;
    const char *state_file;
    const char *filter;
    const char *geoip_dir;
    const char *asn_db;
    const char *country_db;
    const char *log_dir;
    bool zeek_format;          /* --format zeek: dns.log and exclave.log */
    bool zeek_json;
    bool follow;
    bool print_stats;
    bool quiet;                /* no progress line on a terminal */
    bool engine_off;
    bool policies_off;
    const char *policy_args[POLICY_ARGS_MAX];   /* files or directories */
    size_t policy_arg_count;
    struct policy_variable variables[VARIABLES_MAX];
    size_t variable_count;
    struct sensor_config sensor;
    struct engine_config engine;
    struct policy_limits limits;
};

struct exclave_run {
    struct exclave_options options;
    struct geoip geoip;
    bool geoip_open;
    FILE *log_file;            /* eve.json; NULL with --format zeek */
    struct json_out *out;
    struct eve_writer writer;
    struct zeek_dns_writer *dns_log;       /* --format zeek */
    struct zeek_notice_writer *notice_log;
    struct zeek_dns_record *zeek_record;   /* scratch for a packet's dns.log line */
    struct zeek_dns_scratch zeek_scratch;
    bool engine_ready;
    struct engine engine;
    struct policy_host policies;
    struct alert_writer alerts;
    struct sensor sensor;
    struct pcap_source source;
    struct zeek_files zeek_files;
    struct zeek_reader *zeek;              /* the file being read */
    struct eve_reader *eve;                /* --eve */
    struct log_totals {                    /* of every Zeek or EVE file read */
        uint64_t records, bad_lines;
        uint64_t bad_fields;               /* Zeek: fields left unset */
        uint64_t dns_unusable;             /* EVE: dns records passed on, not counted */
        uint64_t lookups;                  /* EVE: dns records that became lookups */
        uint64_t reopened;                 /* --follow: rotations followed */
    } log_totals;
    time_t last_reload_check;
    int64_t last_state_save_us;            /* packet time of the last --state save */
    struct progress progress;
    uint64_t input_bytes;                  /* size of the file read, 0 when unknown */
};

static const char usage_text[] =
    "Usage: exclave (-r FILE | -i IFACE | --zeek PATH | --eve FILE) [options]\n"
    "       exclave merge STATE STATE... -o STATE\n"
    "       exclave dump-state STATE\n"
    "       exclave report (-l LOGDIR | --state STATE [engine/policy options]) -o REPORT.html\n"
    "Annotates every DNS lookup with ASN, AS organisation and country and writes\n"
    "Suricata-style EVE JSON.\n"
    "\n"
    "Input:\n"
    "  -r, --read FILE        read a pcap or pcapng file (- for standard input)\n"
    "  -i, --interface IFACE  capture live from IFACE\n"
    "      --zeek PATH        read a Zeek dns.log (TSV or JSON lines, plain or gzip),\n"
    "                         or a directory of them, into the engine; eve.json\n"
    "                         gets its alerts (--format zeek: its records too)\n"
    "      --eve FILE         read Suricata EVE JSON lines (dns version 2 or 3; - for\n"
    "                         standard input): dns records are enriched and counted,\n"
    "                         other records pass through unchanged\n"
    "      --follow           with --zeek FILE or --eve FILE: at its end wait for more,\n"
    "                         and reopen the file when it is rotated (like tail -F)\n"
    "  -f, --filter BPF       capture filter (live default: the DNS ports and IP fragments)\n"
    "      --dns-port PORT    a port that carries DNS (repeatable; default 53)\n"
    "      --match-timeout S  seconds a query waits for its response (default 10)\n"
    "\n"
    "Engine and policies:\n"
    "      --policy PATH      a Lua policy file, or a directory of them (repeatable;\n"
    "                         default: the installed scripts directory)\n"
    "      --set P.NAME=VAL   set variable NAME of policy P (repeatable)\n"
    "      --no-policies      keep the aggregates but run no policy\n"
    "      --no-engine        enrich and log only: no aggregates, no policies, no alerts\n"
    "      --interval S       evaluation tick in seconds of packet time (default 3600)\n"
    "      --window DAYS      alert window and idle-key expiry (default 30)\n"
    "      --max-keys N       keys kept in memory (default 100000)\n"
    "      --max-memory SIZE  cap the keys' memory instead (e.g. 256M, 2G)\n"
    "      --suffix-list FILE public suffix list (default: libpsl's, or the system's)\n"
    "      --lua-memory MB    memory cap per policy (default 64)\n"
    "      --lua-instructions N  instruction budget per policy call (default 10000000)\n"
    "      --state FILE       load the aggregates from FILE at start (when it exists),\n"
    "                         save them there every day of packet time and at the end\n"
    "\n"
    "Enrichment (MaxMind DB files):\n"
    "      --geoip-dir DIR    find GeoLite2-ASN.mmdb and GeoLite2-Country.mmdb (or -City) in DIR\n"
    "      --asn-db FILE      ASN database (autonomous_system_number/organization)\n"
    "      --country-db FILE  country or city database (nested or flat country_code layout)\n"
    "  Without these, /usr/share/GeoIP, /var/lib/GeoIP and /usr/local/share/GeoIP are searched.\n"
    "\n"
    "Output:\n"
    "  -l, --log-dir DIR      append records to DIR/eve.json (default .); - for standard output\n"
    "      --format FORMAT    eve (default): eve.json; zeek: Zeek's dns.log, enriched, and\n"
    "                         exclave.log (alerts), TSV with Zeek's header\n"
    "      --zeek-json        with --format zeek: JSON lines instead of TSV\n"
    "      --stats            print counters to standard error at the end\n"
    "      --quiet            no progress line (shown only when standard error is a terminal)\n"
    "\n"
    "  -V, --version          print the version\n"
    "  -h, --help             print this help\n";

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

static void install_signal_handlers(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    action.sa_handler = on_reload_signal;
    sigaction(SIGHUP, &action, NULL);
}

static void print_version(void)
{
    printf("exclave %s (%s, libmaxminddb %s)\n", PACKAGE_VERSION, pcap_lib_version(),
           MMDB_lib_version());
}

static bool parse_number(const char *text, double min, double max, double *value)
{
    char *end = NULL;
    errno = 0;
    *value = strtod(text, &end);
    return errno == 0 && end != text && *end == '\0' && *value >= min && *value <= max;
}

enum long_only_option { OPT_GEOIP_DIR = 256, OPT_ASN_DB, OPT_COUNTRY_DB, OPT_STATS, OPT_DNS_PORT,
                        OPT_MATCH_TIMEOUT, OPT_POLICY, OPT_SET, OPT_NO_POLICIES, OPT_NO_ENGINE,
                        OPT_INTERVAL, OPT_WINDOW, OPT_MAX_KEYS, OPT_MAX_MEMORY, OPT_SUFFIX_LIST,
                        OPT_LUA_MEMORY, OPT_LUA_INSTRUCTIONS, OPT_ZEEK, OPT_FORMAT, OPT_ZEEK_JSON,
                        OPT_FOLLOW, OPT_EVE, OPT_STATE, OPT_QUIET };

/* "256M", "2G", "1048576" -> bytes. */
static bool parse_size(const char *text, size_t *bytes)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || end == text || value <= 0)
        return false;
    double unit = 1;
    if (*end && strchr("kKmMgG", *end)) {
        unit = *end == 'k' || *end == 'K' ? 1024.0 : *end == 'm' || *end == 'M' ? 1048576.0 : 1073741824.0;
        end++;
    }
    if (*end || value * unit > 1e15)
        return false;
    *bytes = (size_t)(value * unit);
    return true;
}

/* optarg as a number in [min, max] (a whole one when whole); says why not. */
static bool number_option(const char *flag, double min, double max, bool whole, const char *what,
                          double *value)
{
    if (parse_number(optarg, min, max, value) && (!whole || *value == (double)(uint64_t)*value))
        return true;
    fprintf(stderr, "exclave: --%s: '%s' is not %s\n", flag, optarg, what);
    return false;
}

/* --set POLICY.NAME=VALUE */
static bool parse_variable(char *text, struct exclave_options *o)
{
    char *dot = strchr(text, '.'), *equals = strchr(text, '=');
    if (!dot || !equals || dot > equals || dot == text || equals == dot + 1 ||
        o->variable_count == VARIABLES_MAX)
        return false;
    *equals = '\0';
    o->variables[o->variable_count++] = (struct policy_variable){
        .policy = text, .policy_length = (size_t)(dot - text), .name = dot + 1,
        .name_length = (size_t)(equals - dot - 1), .value = equals + 1 };
    return true;
}

/* The engine's and the policies' options; 0, or an exit code after an error. */
static int parse_engine_option(int c, struct exclave_options *o)
{
    double number;
    switch (c) {
    case OPT_POLICY:
        if (o->policy_arg_count == POLICY_ARGS_MAX) {
            fprintf(stderr, "exclave: --policy: at most %d\n", POLICY_ARGS_MAX);
            return 2;
        }
        o->policy_args[o->policy_arg_count++] = optarg;
        return 0;
    case OPT_SET:
        if (!parse_variable(optarg, o)) {
            fprintf(stderr, "exclave: --set '%s': expected POLICY.NAME=VALUE\n", optarg);
            return 2;
        }
        return 0;
    case OPT_NO_POLICIES: o->policies_off = true; return 0;
    case OPT_NO_ENGINE: o->engine_off = true; return 0;
    case OPT_SUFFIX_LIST: o->engine.suffix_list_file = optarg; return 0;
    case OPT_ZEEK: o->zeek_file = optarg; return 0;
    case OPT_FOLLOW: o->follow = true; return 0;
    case OPT_EVE: o->eve_file = optarg; return 0;
    case OPT_STATE: o->state_file = optarg; return 0;
    case OPT_INTERVAL:
        return number_option("interval", 1, 365 * 86400.0, false,
                             "a number of seconds (1-31536000)", &o->engine.interval_seconds) ? 0 : 2;
    case OPT_WINDOW:
        if (!number_option("window", 0.001, 3650, false, "a number of days (0.001-3650)", &number))
            return 2;
        o->engine.window_seconds = number * 86400;
        return 0;
    case OPT_MAX_KEYS:
        if (!number_option("max-keys", 16, 1e9, true, "a whole number (16-1000000000)", &number))
            return 2;
        o->engine.max_keys = (uint32_t)number;
        return 0;
    case OPT_MAX_MEMORY:
        if (!parse_size(optarg, &o->engine.max_bytes) || o->engine.max_bytes < (1u << 20)) {
            fprintf(stderr, "exclave: --max-memory: '%s' is not a size of at least 1M (e.g. 256M)\n", optarg);
            return 2;
        }
        return 0;
    case OPT_LUA_MEMORY:
        if (!number_option("lua-memory", 1, 65536, false, "a number of MiB (1-65536)", &number))
            return 2;
        o->limits.memory_bytes = (size_t)(number * 1048576);
        return 0;
    case OPT_LUA_INSTRUCTIONS:
        if (!number_option("lua-instructions", 1000, 1e12, true, "a whole number (1000-1e12)", &number))
            return 2;
        o->limits.instructions = (uint64_t)number;
        return 0;
    default:
        fputs("Try 'exclave --help'.\n", stderr);
        return 2;
    }
}

/* The options that only make sense together; 0, or 2 after an error. */
static int check_output_options(const struct exclave_options *o)
{
    if (o->state_file && o->engine_off) {
        fprintf(stderr, "exclave: --state keeps the engine's aggregates; it cannot run with --no-engine\n");
        return 2;
    }
    if (o->zeek_json && !o->zeek_format) {
        fprintf(stderr, "exclave: --zeek-json goes with --format zeek\n");
        return 2;
    }
    if (o->zeek_format && strcmp(o->log_dir, "-") == 0) {
        fprintf(stderr, "exclave: --format zeek writes two logs (dns.log, exclave.log) into a "
                        "directory; -l - is for eve\n");
        return 2;
    }
    struct stat info;
    bool followable = (o->zeek_file && !(stat(o->zeek_file, &info) == 0 && S_ISDIR(info.st_mode))) ||
                      (o->eve_file && strcmp(o->eve_file, "-") != 0);
    if (o->follow && !followable) {
        fprintf(stderr, "exclave: --follow goes with --zeek FILE or --eve FILE (a log being "
                        "written, such as Zeek's current/dns.log or Suricata's eve.json)\n");
        return 2;
    }
    return 0;
}

/* Returns 0 to run, or an exit code (after printing help, version or an error). */
static int parse_options(int argc, char **argv, struct exclave_options *o)
{
    static const struct option long_options[] = {
        { "read", required_argument, NULL, 'r' },
        { "interface", required_argument, NULL, 'i' },
        { "zeek", required_argument, NULL, OPT_ZEEK },
        { "follow", no_argument, NULL, OPT_FOLLOW },
        { "eve", required_argument, NULL, OPT_EVE },
        { "state", required_argument, NULL, OPT_STATE },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "zeek-json", no_argument, NULL, OPT_ZEEK_JSON },
        { "filter", required_argument, NULL, 'f' },
        { "log-dir", required_argument, NULL, 'l' },
        { "geoip-dir", required_argument, NULL, OPT_GEOIP_DIR },
        { "asn-db", required_argument, NULL, OPT_ASN_DB },
        { "country-db", required_argument, NULL, OPT_COUNTRY_DB },
        { "dns-port", required_argument, NULL, OPT_DNS_PORT },
        { "match-timeout", required_argument, NULL, OPT_MATCH_TIMEOUT },
        { "stats", no_argument, NULL, OPT_STATS },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "policy", required_argument, NULL, OPT_POLICY },
        { "set", required_argument, NULL, OPT_SET },
        { "no-policies", no_argument, NULL, OPT_NO_POLICIES },
        { "no-engine", no_argument, NULL, OPT_NO_ENGINE },
        { "interval", required_argument, NULL, OPT_INTERVAL },
        { "window", required_argument, NULL, OPT_WINDOW },
        { "max-keys", required_argument, NULL, OPT_MAX_KEYS },
        { "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
        { "suffix-list", required_argument, NULL, OPT_SUFFIX_LIST },
        { "lua-memory", required_argument, NULL, OPT_LUA_MEMORY },
        { "lua-instructions", required_argument, NULL, OPT_LUA_INSTRUCTIONS },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    sensor_config_defaults(&o->sensor);
    engine_config_defaults(&o->engine);
    policy_limits_defaults(&o->limits);
    o->log_dir = ".";
    int c;
    double number;
    while ((c = getopt_long(argc, argv, "r:i:f:l:Vh", long_options, NULL)) != -1) {
        switch (c) {
        case 'r': o->read_file = optarg; break;
        case 'i': o->interface = optarg; break;
        case 'f': o->filter = optarg; break;
        case 'l': o->log_dir = optarg; break;
        case OPT_GEOIP_DIR: o->geoip_dir = optarg; break;
        case OPT_ASN_DB: o->asn_db = optarg; break;
        case OPT_COUNTRY_DB: o->country_db = optarg; break;
        case OPT_STATS: o->print_stats = true; break;
        case OPT_QUIET: o->quiet = true; break;
        case OPT_ZEEK_JSON: o->zeek_json = true; break;
        case OPT_FORMAT:
            if (strcmp(optarg, "eve") != 0 && strcmp(optarg, "zeek") != 0) {
                fprintf(stderr, "exclave: --format: '%s' is not eve or zeek\n", optarg);
                return 2;
            }
            o->zeek_format = strcmp(optarg, "zeek") == 0;
            break;
        case OPT_DNS_PORT:
            if (!number_option("dns-port", 1, 65535, true, "a port number (1-65535)", &number))
                return 2;
            sensor_config_add_port(&o->sensor, (uint16_t)number);
            break;
        case OPT_MATCH_TIMEOUT:
            if (!number_option("match-timeout", 0.001, 3600, false, "a number of seconds (0.001-3600)",
                               &o->sensor.match_timeout_seconds))
                return 2;
            break;
        case 'V': print_version(); return -1;
        case 'h': fputs(usage_text, stdout); return -1;
        default: {
            int status = parse_engine_option(c, o);
            if (status)
                return status;
        }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "exclave: unexpected argument '%s'; try 'exclave --help'\n", argv[optind]);
        return 2;
    }
    if ((o->read_file != NULL) + (o->interface != NULL) + (o->zeek_file != NULL) +
            (o->eve_file != NULL) != 1) {
        fprintf(stderr, "exclave: give exactly one of -r FILE, -i IFACE, --zeek PATH or --eve FILE; "
                        "try 'exclave --help'\n");
        return 2;
    }
    if (o->zeek_file && o->engine_off) {
        fprintf(stderr, "exclave: --zeek feeds the engine; it cannot run with --no-engine\n");
        return 2;
    }
    return check_output_options(o);
}

/* Resolves which database files to open and opens them. */
static bool open_geoip(struct exclave_run *run)
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

static bool open_eve_log(struct exclave_run *run)
{
    const char *dir = run->options.log_dir;
    if (strcmp(dir, "-") == 0) {
        run->log_file = stdout;
    } else {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/eve.json", dir);
        if (!(run->log_file = fopen(path, "a"))) {
            fprintf(stderr, "exclave: %s: cannot open for writing: %s\n", path, strerror(errno));
            return false;
        }
    }
    if (!(run->out = malloc(sizeof *run->out))) {
        fprintf(stderr, "exclave: out of memory\n");
        return false;
    }
    json_out_init(run->out, run->log_file);
    run->writer.out = run->out;
    run->writer.geoip = geoip_enabled(&run->geoip) ? &run->geoip : NULL;
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
        (!o->engine_off &&
         !zeek_notice_writer_open(run->notice_log, o->log_dir, o->zeek_json, error, sizeof error))) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    return true;
}

static bool open_log(struct exclave_run *run)
{
    const char *dir = run->options.log_dir;
    if (strcmp(dir, "-") != 0 && !make_log_dir(dir))
        return false;
    return run->options.zeek_format ? open_zeek_logs(run) : open_eve_log(run);
}

/* The sensor's sink. dns.log has one line per transaction, written when the
 * response arrives, as Zeek does. */
static void write_event(void *user, const struct dns_event *event)
{
    struct exclave_run *run = user;
    if (!run->dns_log) {
        eve_writer_dns(&run->writer, event);
    } else if (event->is_response) {
        zeek_dns_record_from_event(run->zeek_record, &run->zeek_scratch, event);
        zeek_dns_writer_write(run->dns_log, run->zeek_record);
    }
    if (run->engine_ready)
        engine_observe_dns_event(&run->engine, event);
}

/* The engine's alerts: the stderr line and table, and exclave.log or eve.json. */
static void write_alert(void *user, const struct engine *engine, const struct engine_alert *alert)
{
    struct exclave_run *run = user;
    progress_end(&run->progress); /* the alert's line starts at the left margin */
    alert_writer_write(&run->alerts, engine, alert);
    if (run->notice_log)
        zeek_notice_writer_write(run->notice_log, engine, alert);
}

static bool load_policy_path(struct exclave_run *run, const char *path)
{
    char error[ERROR_SIZE];
    if (policy_host_load_path(&run->policies, path, error, sizeof error))
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
    policy_host_init(&run->policies, &run->engine, &o->limits, o->variables, o->variable_count,
                     stderr);
    if (o->policies_off)
        return true;
    char buffer[PATH_MAX];
    if (o->policy_arg_count == 0) {
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
    if (!policy_host_check_variables(&run->policies, error, sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    engine_set_policies(&run->engine, &run->policies);
    return true;
}

/* After a tick: --state is saved once a day of packet time; a failed save
 * is reported and the run goes on (the previous save stays whole). */
static void save_state_daily(void *user, struct engine *engine, int64_t tick_us)
{
    struct exclave_run *run = user;
    if (tick_us - run->last_state_save_us < state_save_every_us)
        return;
    char error[ERROR_SIZE];
    run->last_state_save_us = tick_us;
    if (!state_file_save(engine, run->options.state_file, error, sizeof error))
        fprintf(stderr, "exclave: %s\n", error);
}

/* --state: the aggregates of earlier runs, when the file exists. */
static bool load_state(struct exclave_run *run)
{
    const char *path = run->options.state_file;
    if (!path)
        return true;
    char error[ERROR_SIZE];
    int loaded = state_file_load(&run->engine, path, error, sizeof error);
    if (loaded < 0) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    if (loaded)
        fprintf(stderr, "exclave: %s: %u keys loaded\n", path, run->engine.store.count);
    run->last_state_save_us = run->engine.now_us;
    engine_set_tick_hook(&run->engine, save_state_daily, run);
    return true;
}

/* The engine, its policies and the alert writer; all skipped by --no-engine. */
static bool open_engine(struct exclave_run *run)
{
    struct exclave_options *o = &run->options;
    if (o->engine_off)
        return true;
    char error[ERROR_SIZE];
    if (!engine_init(&run->engine, &o->engine, geoip_enabled(&run->geoip) ? &run->geoip : NULL,
                     error, sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    run->engine_ready = true;
    if (!load_state(run))
        return false;
    alert_writer_init(&run->alerts, run->out, stderr); /* out is NULL with --format zeek */
    engine_set_alert_sink(&run->engine, write_alert, run);
    return load_policies(run);
}

static void flush_logs(struct exclave_run *run)
{
    if (run->out) {
        json_out_flush(run->out);
        fflush(run->log_file);
    }
    if (run->dns_log)
        zeek_log_writer_flush(&run->dns_log->log);
    if (run->notice_log && run->notice_log->log.file)
        zeek_log_writer_flush(&run->notice_log->log);
}

/* The progress line: items read, how far through the input, alerts. */
static void show_progress(struct exclave_run *run, uint64_t count, uint64_t bytes)
{
    progress_update(&run->progress, count, bytes, run->input_bytes,
                    run->engine_ready ? run->engine.counters.alerts : 0);
}

/* Between capture batches: a live log is flushed; SIGHUP or a changed file
 * reopens the databases. */
static void between_batches(void *user)
{
    struct exclave_run *run = user;
    FILE *file = run->source.live ? NULL : pcap_file(run->source.handle);
    long position = file ? ftell(file) : -1;
    show_progress(run, run->sensor.counters.packets, position > 0 ? (uint64_t)position : 0);
    if (run->source.live) /* readers of a live log see records within a second */
        flush_logs(run);
    time_t now = time(NULL);
    bool forced = exclave_signals.reload;
    if (!forced && now - run->last_reload_check < RELOAD_CHECK_SECONDS)
        return;
    exclave_signals.reload = 0;
    run->last_reload_check = now;
    if (forced && run->engine_ready)
        policy_host_reload(&run->policies);
    char error[ERROR_SIZE];
    if (!geoip_reload(&run->geoip, forced, error, sizeof error))
        fprintf(stderr, "exclave: keeping the previous database: %s\n", error);
}

static bool open_source(struct exclave_run *run)
{
    struct exclave_options *o = &run->options;
    char error[ERROR_SIZE], default_filter[4096];
    bool ok;
    if (o->zeek_file) {
        ok = zeek_files_list(&run->zeek_files, o->zeek_file, error, sizeof error) &&
             (run->zeek = calloc(1, sizeof *run->zeek));
        if (ok && !run->zeek)
            snprintf(error, sizeof error, "out of memory");
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

static void print_stats(struct exclave_run *run)
{
    const struct log_totals *t = &run->log_totals;
    if (run->zeek)
        fprintf(stderr, "%-28s %llu\n%-28s %llu\n%-28s %llu\n%-28s %zu\n%-28s %llu\n",
                "zeek_records", (unsigned long long)t->records, "zeek_bad_lines",
                (unsigned long long)t->bad_lines, "zeek_bad_fields",
                (unsigned long long)t->bad_fields, "zeek_files",
                run->zeek_files.count, "zeek_reopened", (unsigned long long)t->reopened);
    else if (run->eve)
        fprintf(stderr, "%-28s %llu\n%-28s %llu\n%-28s %llu\n%-28s %llu\n%-28s %llu\n",
                "eve_records", (unsigned long long)t->records, "eve_dns_lookups",
                (unsigned long long)t->lookups, "eve_bad_lines", (unsigned long long)t->bad_lines,
                "eve_dns_unusable", (unsigned long long)t->dns_unusable, "eve_reopened",
                (unsigned long long)t->reopened);
    else
        sensor_print_counters(&run->sensor, stderr);
    const struct geoip_counters *g = &run->geoip.counters;
    fprintf(stderr, "%-28s %llu\n%-28s %llu\n%-28s %llu\n%-28s %llu\n%-28s %llu\n",
            "geoip_lookups", (unsigned long long)g->lookups,
            "geoip_cache_hits", (unsigned long long)g->cache_hits,
            "geoip_lookup_errors", (unsigned long long)g->lookup_errors,
            "geoip_reloads", (unsigned long long)g->reloads,
            "geoip_reload_failures", (unsigned long long)g->reload_failures);
    if (run->out)
        fprintf(stderr, "%-28s %llu\n%-28s %llu\n", "output_bytes",
                (unsigned long long)run->out->bytes_written, "output_write_errors",
                (unsigned long long)run->out->write_errors);
    if (run->dns_log)
        fprintf(stderr, "%-28s %llu\n%-28s %llu\n", "zeek_dns_log_records",
                (unsigned long long)run->dns_log->log.records, "zeek_notices",
                (unsigned long long)run->notice_log->log.records);
    if (run->engine_ready) {
        engine_print_counters(&run->engine, stderr);
        policy_host_print_counters(&run->policies, stderr);
    }
}

/* The end of any input: the last evaluation, the log flushed, counters and
 * the alert table printed. Returns ok, or false when the log failed. */
static bool finish_run(struct exclave_run *run, bool ok)
{
    char error[ERROR_SIZE];
    progress_end(&run->progress);
    if (run->engine_ready && !run->options.state_file)
        engine_finish(&run->engine);
    /* with --state the lookups since the last tick are saved unevaluated:
     * the next run's first tick evaluates them, as one long run would */
    if (run->engine_ready && run->options.state_file &&
        !state_file_save(&run->engine, run->options.state_file, error, sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        ok = false;
    }
    if (run->out) {
        json_out_flush(run->out);
        if (fflush(run->log_file) != 0 || run->out->write_errors) {
            fprintf(stderr, "exclave: writing the log failed: %s\n", strerror(errno));
            ok = false;
        }
    }
    if (run->dns_log && (!zeek_log_writer_close(&run->dns_log->log) ||
                         !zeek_log_writer_close(&run->notice_log->log))) {
        fprintf(stderr, "exclave: writing the Zeek logs in %s failed\n", run->options.log_dir);
        ok = false;
    }
    if (run->options.print_stats)
        print_stats(run);
    if (run->engine_ready)
        alert_writer_print_summary(&run->alerts, stderr);
    return ok;
}

/* The progress line's unit and, for a regular file, its size. */
static void start_progress(struct exclave_run *run, const char *path, const char *unit)
{
    struct stat info;
    run->input_bytes = path && strcmp(path, "-") != 0 && stat(path, &info) == 0 &&
                       S_ISREG(info.st_mode) ? (uint64_t)info.st_size : 0;
    progress_init(&run->progress, stderr, run->options.quiet, unit);
}

static int run_capture(struct exclave_run *run)
{
    char error[ERROR_SIZE];
    if (!sensor_init(&run->sensor, &run->options.sensor, write_event, run)) {
        fprintf(stderr, "exclave: out of memory setting up the sensor\n");
        return 1;
    }
    install_signal_handlers();
    start_progress(run, run->options.read_file, "packets");
    run->last_reload_check = time(NULL);
    bool ok = pcap_source_run(&run->source, &run->sensor, &exclave_signals.stop, between_batches,
                              run, error, sizeof error);
    if (!ok)
        fprintf(stderr, "exclave: %s\n", error);
    ok = finish_run(run, ok);
    sensor_free(&run->sensor);
    return ok ? 0 : 1;
}

static void reload_if_asked(struct exclave_run *run)
{
    if (!exclave_signals.reload)
        return;
    exclave_signals.reload = 0;
    if (run->engine_ready)
        policy_host_reload(&run->policies);
}

/* An EVE record on its way through: into the engine when it is a lookup,
 * and out again, enriched when it is dns (or as a dns.log line). */
static void pass_eve_record(struct exclave_run *run, const struct engine_lookup *lookup)
{
    const struct eve_record *record = &run->eve->record;
    if (lookup && run->engine_ready)
        engine_observe(&run->engine, lookup);
    if (run->dns_log) {
        if (lookup && lookup->has_response) {
            zeek_dns_record_from_eve(run->zeek_record, &run->zeek_scratch, record, lookup);
            zeek_dns_writer_write(run->dns_log, run->zeek_record);
        }
    } else if (lookup) {
        eve_lookup_write_enriched(&run->writer, run->eve->lines.line, record, true);
    } else {
        json_out_raw(run->out, run->eve->lines.line, run->eve->record_length);
        json_out_end_record(run->out);
    }
}

/* The lines of the log being read, Zeek or EVE. */
static struct line_reader *input_lines(struct exclave_run *run)
{
    return run->zeek ? &run->zeek->lines : &run->eve->lines;
}

/* One record of the log being read (Zeek or EVE) into the engine and the
 * output: 1, 0 at the end (for now), -1 on a read error. */
static int next_log_record(struct exclave_run *run, char *error, size_t error_size)
{
    struct engine_lookup lookup;
    if (run->zeek) {
        int status = zeek_reader_next(run->zeek, &lookup, error, error_size);
        if (status > 0) {
            engine_observe(&run->engine, &lookup);
            if (run->dns_log)
                zeek_dns_writer_write(run->dns_log, &run->zeek->record);
        }
        return status;
    }
    bool has_lookup = false;
    int status = eve_reader_next(run->eve, &lookup, &has_lookup, error, error_size);
    if (status > 0)
        pass_eve_record(run, has_lookup ? &lookup : NULL);
    return status;
}

/* Every record the log holds now; SIGHUP reloads the policies. Returns the
 * reader's status: 0 at the end. */
static int drain_log(struct exclave_run *run, char *error, size_t error_size)
{
    int status = 0;
    struct line_reader *lines = input_lines(run);
    while (!exclave_signals.stop && (status = next_log_record(run, error, error_size)) > 0) {
        reload_if_asked(run);
        if (lines->line_number % PROGRESS_EVERY_LINES == 0) /* not a clock read per record */
            show_progress(run, run->log_totals.records + lines->line_number,
                          (uint64_t)gzoffset(lines->file));
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

/* --follow at the end of the data: waits a moment; when the file was
 * rotated, reads the old one to its end and opens the new one. Returns the
 * reader's status. */
static int wait_for_more(struct exclave_run *run, const char *path, char *error,
                         size_t error_size)
{
    flush_logs(run);
    reload_if_asked(run);
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
static int run_logs(struct exclave_run *run)
{
    install_signal_handlers();
    start_progress(run, run->eve ? run->options.eve_file : run->options.zeek_file, "lines");
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
    return finish_run(run, ok) ? 0 : 1;
}

static void close_run(struct exclave_run *run)
{
    pcap_source_close(&run->source);
    if (run->zeek)
        zeek_reader_close(run->zeek);
    free(run->zeek);
    if (run->eve)
        eve_reader_close(run->eve);
    free(run->eve);
    zeek_files_free(&run->zeek_files);
    if (run->log_file && run->log_file != stdout)
        fclose(run->log_file);
    if (run->engine_ready) {
        policy_host_free(&run->policies);
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
    if (run->geoip_open)
        geoip_close(&run->geoip);
}

/* exclave merge A B... -o OUT: two sensors' --state files as one. */
static int run_merge(int argc, char **argv)
{
    const char *output = NULL, *inputs[MERGE_INPUTS_MAX];
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            output = argv[++i];
        else if (count < MERGE_INPUTS_MAX && argv[i][0] != '-')
            inputs[count++] = argv[i];
        else {
            fprintf(stderr, "exclave merge: unexpected '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!output || count < 2) {
        fprintf(stderr, "exclave merge: give two or more state files and -o OUTPUT\n");
        return 2;
    }
    char error[ERROR_SIZE];
    if (!state_merge_files(inputs, count, output, error, sizeof error)) {
        fprintf(stderr, "exclave merge: %s\n", error);
        return 1;
    }
    return 0;
}

/* exclave dump-state FILE: its keys as JSON lines. */
static int run_dump(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "exclave dump-state: give one state file\n");
        return 2;
    }
    char error[ERROR_SIZE];
    if (!state_dump_file(argv[1], stdout, error, sizeof error)) {
        fprintf(stderr, "exclave dump-state: %s\n", error);
        return 1;
    }
    return 0;
}

/* exclave report --state: loads the state with the policies, databases and
 * engine options in argv, evaluates every key once, and reads the alerts back from
 * an eve.json in a temporary directory; the state file is not written. */
static bool read_state_report(struct report_data *data, const char *state, int argc, char **argv)
{
    struct stat info;
    if (stat(state, &info) != 0) {
        fprintf(stderr, "exclave report: %s: %s\n", state, strerror(errno));
        return false;
    }
    char dir[PATH_MAX], eve_path[PATH_MAX + sizeof "/eve.json"], error[ERROR_SIZE];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/exclave-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    struct exclave_run *run = calloc(1, sizeof *run);
    char **args = calloc((size_t)argc + 10, sizeof *args);
    if (!run || !args || !mkdtemp(dir)) {
        fprintf(stderr, "exclave report: %s: %s\n", dir, strerror(errno));
        free(run);
        free(args);
        return false;
    }
    int count = 0;
    args[count++] = "exclave report";
    for (int i = 0; i < argc; i++)
        args[count++] = argv[i];
    char *fixed[] = { "--eve", "/dev/null", "-l", dir, "--state", (char *)state, "--quiet" };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        args[count++] = fixed[i];
    optind = 1;
    /* the policies may ask who owns an answer address: the databases too */
    bool ok = parse_options(count, args, &run->options) == 0 && open_geoip(run) && open_log(run) &&
              open_engine(run);
    if (ok) {
        engine_set_tick_hook(&run->engine, NULL, NULL); /* never save the state back */
        engine_evaluate_all(&run->engine);
        flush_logs(run);
        ok = report_data_read(data, dir, error, sizeof error);
        if (ok)
            report_state_fill(data, &run->engine, state);
        else
            fprintf(stderr, "exclave report: %s\n", error);
    }
    close_run(run);
    snprintf(eve_path, sizeof eve_path, "%s/eve.json", dir);
    unlink(eve_path);
    rmdir(dir);
    free(run);
    free(args);
    return ok;
}

static bool write_report(const struct report_data *data, const char *output)
{
    FILE *out = fopen(output, "w");
    bool ok = out && report_html_write(data, "exclave: exclusive DNS connections", out);
    ok = out && fclose(out) == 0 && ok;
    if (!ok)
        fprintf(stderr, "exclave report: %s: cannot write: %s\n", output, strerror(errno));
    else
        fprintf(stderr, "exclave report: %s: %zu keys\n", output, data->key_count);
    return ok;
}

/* exclave report (-l LOGDIR | --state FILE [engine and policy options]) -o report.html */
static int run_report(int argc, char **argv)
{
    const char *dir = NULL, *output = NULL, *state = NULL;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int rest_count = 0;
    for (int i = 1; rest && i < argc; i++) {
        bool valued = i + 1 < argc;
        if (valued && (strcmp(argv[i], "-l") == 0 || strcmp(argv[i], "--log-dir") == 0))
            dir = argv[++i];
        else if (valued && strcmp(argv[i], "-o") == 0)
            output = argv[++i];
        else if (valued && strcmp(argv[i], "--state") == 0)
            state = argv[++i];
        else
            rest[rest_count++] = argv[i];
    }
    if (!rest || !output || !dir == !state || (dir && rest_count)) {
        fprintf(stderr, "exclave report: give -l LOGDIR (with eve.json), or --state FILE with any "
                        "policy and engine options, and -o report.html\n");
        free(rest);
        return 2;
    }
    char error[ERROR_SIZE];
    struct report_data data;
    memset(&data, 0, sizeof data);
    bool ok = state ? read_state_report(&data, state, rest_count, rest)
                    : report_data_read(&data, dir, error, sizeof error);
    if (!ok && dir)
        fprintf(stderr, "exclave report: %s\n", error);
    ok = ok && write_report(&data, output);
    report_data_free(&data);
    free(rest);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return run_report(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return run_merge(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "dump-state") == 0)
        return run_dump(argc - 1, argv + 1);
    struct exclave_run *run = calloc(1, sizeof *run);
    if (!run) {
        fprintf(stderr, "exclave: out of memory\n");
        return 1;
    }
    int status = parse_options(argc, argv, &run->options);
    if (status == 0) {
        status = 1;
        if (open_geoip(run) && open_source(run) && open_log(run) && open_engine(run))
            status = run->zeek || run->eve ? run_logs(run) : run_capture(run);
    }
    close_run(run);
    free(run);
    return status < 0 ? 0 : status;
}
