/* main: the `exclave` command. Parses the command line, opens the capture,
 * the GeoIP databases and the log, wires sensor -> EVE writer, runs, and
 * prints counters. All run-time state lives in struct exclave_run; the only
 * globals are the signal flags, which a signal handler must reach. */
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
#include "eve_writer.h"
#include "pcap_source.h"
#include "sensor.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

enum { RELOAD_CHECK_SECONDS = 5, ERROR_SIZE = GEOIP_ERROR_MAX };

/* Set by signal handlers, read between capture batches. */
static struct exclave_signals {
    volatile sig_atomic_t stop;
    volatile sig_atomic_t reload;
} exclave_signals;

struct exclave_options {
    const char *read_file;
    const char *interface;
    const char *filter;
    const char *geoip_dir;
    const char *asn_db;
    const char *country_db;
    const char *log_dir;
    bool print_stats;
    struct sensor_config sensor;
};

struct exclave_run {
    struct exclave_options options;
    struct geoip geoip;
    bool geoip_open;
    FILE *log_file;
    struct json_out *out;
    struct eve_writer writer;
    struct sensor sensor;
    struct pcap_source source;
    time_t last_reload_check;
};

static const char usage_text[] =
    "Usage: exclave (-r FILE | -i IFACE) [options]\n"
    "Annotates every DNS lookup with ASN, AS organisation and country and writes\n"
    "Suricata-style EVE JSON.\n"
    "\n"
    "Input:\n"
    "  -r, --read FILE        read a pcap or pcapng file (- for standard input)\n"
    "  -i, --interface IFACE  capture live from IFACE\n"
    "  -f, --filter BPF       capture filter (live default: the DNS ports and IP fragments)\n"
    "      --dns-port PORT    a port that carries DNS (repeatable; default 53)\n"
    "      --match-timeout S  seconds a query waits for its response (default 10)\n"
    "\n"
    "Enrichment (MaxMind DB files):\n"
    "      --geoip-dir DIR    find GeoLite2-ASN.mmdb and GeoLite2-Country.mmdb (or -City) in DIR\n"
    "      --asn-db FILE      ASN database (autonomous_system_number/organization)\n"
    "      --country-db FILE  country or city database (nested or flat country_code layout)\n"
    "  Without these, /usr/share/GeoIP, /var/lib/GeoIP and /usr/local/share/GeoIP are searched.\n"
    "\n"
    "Output:\n"
    "  -l, --log-dir DIR      append records to DIR/eve.json (default .); - for standard output\n"
    "      --stats            print counters to standard error at the end\n"
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
                        OPT_MATCH_TIMEOUT };

/* Returns 0 to run, or an exit code (after printing help, version or an error). */
static int parse_options(int argc, char **argv, struct exclave_options *o)
{
    static const struct option long_options[] = {
        { "read", required_argument, NULL, 'r' },
        { "interface", required_argument, NULL, 'i' },
        { "filter", required_argument, NULL, 'f' },
        { "log-dir", required_argument, NULL, 'l' },
        { "geoip-dir", required_argument, NULL, OPT_GEOIP_DIR },
        { "asn-db", required_argument, NULL, OPT_ASN_DB },
        { "country-db", required_argument, NULL, OPT_COUNTRY_DB },
        { "dns-port", required_argument, NULL, OPT_DNS_PORT },
        { "match-timeout", required_argument, NULL, OPT_MATCH_TIMEOUT },
        { "stats", no_argument, NULL, OPT_STATS },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    sensor_config_defaults(&o->sensor);
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
        case OPT_DNS_PORT:
            if (!parse_number(optarg, 1, 65535, &number) || number != (int)number) {
                fprintf(stderr, "exclave: --dns-port: '%s' is not a port number (1-65535)\n", optarg);
                return 2;
            }
            sensor_config_add_port(&o->sensor, (uint16_t)number);
            break;
        case OPT_MATCH_TIMEOUT:
            if (!parse_number(optarg, 0.001, 3600, &o->sensor.match_timeout_seconds)) {
                fprintf(stderr, "exclave: --match-timeout: '%s' is not a number of seconds (0.001-3600)\n", optarg);
                return 2;
            }
            break;
        case 'V': print_version(); return -1;
        case 'h': fputs(usage_text, stdout); return -1;
        default: fputs("Try 'exclave --help'.\n", stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "exclave: unexpected argument '%s'; try 'exclave --help'\n", argv[optind]);
        return 2;
    }
    if (!o->read_file == !o->interface) {
        fprintf(stderr, "exclave: give exactly one of -r FILE or -i IFACE; try 'exclave --help'\n");
        return 2;
    }
    return 0;
}

/* Resolves which database files to open and opens them. */
static bool open_geoip(struct exclave_run *run)
{
    struct exclave_options *o = &run->options;
    char asn[GEOIP_PATH_MAX] = "", country[GEOIP_PATH_MAX] = "", error[ERROR_SIZE];
    if (o->geoip_dir) {
        geoip_find_in_dir(o->geoip_dir, asn, country, sizeof asn);
        if (!*asn && !*country) {
            fprintf(stderr, "exclave: --geoip-dir %s: no GeoLite2-ASN.mmdb, GeoLite2-Country.mmdb "
                            "or GeoLite2-City.mmdb there\n", o->geoip_dir);
            return false;
        }
    }
    if (o->asn_db)
        snprintf(asn, sizeof asn, "%s", o->asn_db);
    if (o->country_db)
        snprintf(country, sizeof country, "%s", o->country_db);
    if (!o->geoip_dir && !o->asn_db && !o->country_db && !geoip_find_default(asn, country, sizeof asn))
        fprintf(stderr, "exclave: no GeoIP databases found (see --geoip-dir); "
                        "records are written without ASN and country\n");
    if (!geoip_open(&run->geoip, asn, country, error, sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    run->geoip_open = true;
    return true;
}

static bool open_log(struct exclave_run *run)
{
    const char *dir = run->options.log_dir;
    if (strcmp(dir, "-") == 0) {
        run->log_file = stdout;
    } else {
        char path[PATH_MAX];
        if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "exclave: -l %s: cannot create log directory: %s\n", dir, strerror(errno));
            return false;
        }
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

static void write_event(void *user, const struct dns_event *event)
{
    eve_writer_dns(user, event);
}

/* Between capture batches: a live log is flushed; SIGHUP or a changed file
 * reopens the databases. */
static void between_batches(void *user)
{
    struct exclave_run *run = user;
    if (run->source.live) { /* readers of a live log see records within a second */
        json_out_flush(run->out);
        fflush(run->log_file);
    }
    time_t now = time(NULL);
    bool forced = exclave_signals.reload;
    if (!forced && now - run->last_reload_check < RELOAD_CHECK_SECONDS)
        return;
    exclave_signals.reload = 0;
    run->last_reload_check = now;
    char error[ERROR_SIZE];
    if (!geoip_reload(&run->geoip, forced, error, sizeof error))
        fprintf(stderr, "exclave: keeping the previous database: %s\n", error);
}

static bool open_source(struct exclave_run *run)
{
    struct exclave_options *o = &run->options;
    char error[ERROR_SIZE], default_filter[4096];
    bool ok;
    if (o->read_file) {
        ok = pcap_source_open_file(&run->source, o->read_file, o->filter, error, sizeof error);
    } else {
        if (!o->filter)
            pcap_source_default_filter(&o->sensor, default_filter, sizeof default_filter);
        ok = pcap_source_open_live(&run->source, o->interface, o->filter ? o->filter : default_filter,
                                   error, sizeof error);
    }
    if (!ok)
        fprintf(stderr, "exclave: %s\n", error);
    return ok;
}

static void print_stats(struct exclave_run *run)
{
    sensor_print_counters(&run->sensor, stderr);
    const struct geoip_counters *g = &run->geoip.counters;
    fprintf(stderr, "%-28s %llu\n%-28s %llu\n%-28s %llu\n%-28s %llu\n%-28s %llu\n",
            "geoip_lookups", (unsigned long long)g->lookups,
            "geoip_cache_hits", (unsigned long long)g->cache_hits,
            "geoip_lookup_errors", (unsigned long long)g->lookup_errors,
            "geoip_reloads", (unsigned long long)g->reloads,
            "geoip_reload_failures", (unsigned long long)g->reload_failures);
    fprintf(stderr, "%-28s %llu\n%-28s %llu\n", "output_bytes",
            (unsigned long long)run->out->bytes_written, "output_write_errors",
            (unsigned long long)run->out->write_errors);
}

static int run_capture(struct exclave_run *run)
{
    char error[ERROR_SIZE];
    if (!sensor_init(&run->sensor, &run->options.sensor, write_event, &run->writer)) {
        fprintf(stderr, "exclave: out of memory setting up the sensor\n");
        return 1;
    }
    install_signal_handlers();
    run->last_reload_check = time(NULL);
    bool ok = pcap_source_run(&run->source, &run->sensor, &exclave_signals.stop, between_batches,
                              run, error, sizeof error);
    if (!ok)
        fprintf(stderr, "exclave: %s\n", error);
    json_out_flush(run->out);
    if (fflush(run->log_file) != 0 || run->out->write_errors) {
        fprintf(stderr, "exclave: writing the log failed: %s\n", strerror(errno));
        ok = false;
    }
    if (run->options.print_stats)
        print_stats(run);
    sensor_free(&run->sensor);
    return ok ? 0 : 1;
}

static void close_run(struct exclave_run *run)
{
    pcap_source_close(&run->source);
    if (run->log_file && run->log_file != stdout)
        fclose(run->log_file);
    free(run->out);
    if (run->geoip_open)
        geoip_close(&run->geoip);
}

int main(int argc, char **argv)
{
    struct exclave_run *run = calloc(1, sizeof *run);
    if (!run) {
        fprintf(stderr, "exclave: out of memory\n");
        return 1;
    }
    int status = parse_options(argc, argv, &run->options);
    if (status == 0) {
        status = 1;
        if (open_geoip(run) && open_source(run) && open_log(run))
            status = run_capture(run);
    }
    close_run(run);
    free(run);
    return status < 0 ? 0 : status;
}
