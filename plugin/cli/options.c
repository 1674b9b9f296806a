/* options: the command line of a run (capture, Zeek or EVE input) into
 * struct exclave_options. It checks every value and every combination and
 * says what is wrong; it opens nothing and starts nothing. */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <maxminddb.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/number_text.h"
#include "redis/redis_url.h"
#include "cli/usage.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

void exclave_print_version(void)
{
    printf("exclave %s (%s, libmaxminddb %s)\n", PACKAGE_VERSION, pcap_lib_version(),
           MMDB_lib_version());
}

enum long_only_option { OPT_GEOIP_DIR = 256, OPT_ASN_DB, OPT_COUNTRY_DB, OPT_STATS, OPT_DNS_PORT,
                        OPT_MATCH_TIMEOUT, OPT_POLICY, OPT_SET, OPT_NO_POLICIES, OPT_NO_ENGINE,
                        OPT_INTERVAL, OPT_WINDOW, OPT_MAX_KEYS, OPT_MAX_MEMORY, OPT_SUFFIX_LIST,
                        OPT_LUA_MEMORY, OPT_LUA_INSTRUCTIONS, OPT_LUA_CPU, OPT_ZEEK, OPT_FORMAT, OPT_ZEEK_JSON,
                        OPT_FOLLOW, OPT_EVE, OPT_STATE, OPT_QUIET, OPT_TUNNEL_PORT,
                        OPT_TUNNEL_DEPTH, OPT_LOG_TUNNEL, OPT_COMMUNITY_ID, OPT_COMMUNITY_ID_SEED,
                        OPT_SUPPRESS, OPT_REORDER_WINDOW, OPT_REORDER_LOOKUPS,
                        OPT_CHECK, OPT_BLOCKLIST_ZONE, OPT_DEFAULT_POLICIES,
                        OPT_REDIS_PASSWORD_FILE, OPT_STATE_EVERY, OPT_REDIS_BUFFER,
                        OPT_RETIRED_KEYS, OPT_LOG, OPT_STATS_EVERY, OPT_PDNS_EVERY,
                        OPT_PDNS_MAX, OPT_COUNT_UNANSWERED, OPT_HOME_NET,
                        OPT_FIELD_NAMES, OPT_THREADS, OPT_PDNS_FORMAT };

/* optarg as a number in [min, max] (a whole one when whole); says why not. */
static bool number_option(const char *flag, double min, double max, bool whole, const char *what,
                          double *value)
{
    if (number_text_parse(optarg, min, max, value) && (!whole || *value == (double)(uint64_t)*value))
        return true;
    fprintf(stderr, "exclave: --%s: '%s' is not %s\n", flag, optarg, what);
    return false;
}

/* --tunnel-port KIND=PORT[,PORT...] or KIND=off: replaces that kind's ports. */
static bool parse_tunnel_ports(const char *text, struct packet_decoder_config *decoder)
{
    char kind_name[16];
    const char *equals = strchr(text, '=');
    enum encapsulation_kind kind;
    size_t name_length = equals ? (size_t)(equals - text) : 0;
    if (!equals || name_length >= sizeof kind_name) {
        fprintf(stderr, "exclave: --tunnel-port '%s': expected KIND=PORT[,PORT...] or KIND=off\n", text);
        return false;
    }
    memcpy(kind_name, text, name_length);
    kind_name[name_length] = '\0';
    if (!encapsulation_from_name(kind_name, &kind) ||
        !packet_decoder_set_tunnel_ports(decoder, kind, NULL, 0)) {
        fprintf(stderr, "exclave: --tunnel-port: '%s' is not vxlan, vxlan-gpe, geneve, gre or teredo\n",
                kind_name);
        return false;
    }
    if (strcmp(equals + 1, "off") == 0)
        return true;
    uint16_t ports[PACKET_TUNNEL_PORTS_MAX];
    unsigned count = 0;
    for (const char *cursor = equals + 1; ; cursor++) {
        char *end;
        errno = 0;
        unsigned long port = strtoul(cursor, &end, 10);
        if (end == cursor || errno || port < 1 || port > 65535 || (*end && *end != ',') ||
            count == PACKET_TUNNEL_PORTS_MAX) {
            fprintf(stderr, "exclave: --tunnel-port '%s': ports are numbers 1-65535, comma-separated\n",
                    text);
            return false;
        }
        ports[count++] = (uint16_t)port;
        if (!*end)
            break;
        cursor = end;
    }
    if (!packet_decoder_set_tunnel_ports(decoder, kind, ports, count)) {
        fprintf(stderr, "exclave: --tunnel-port: at most %d tunnel ports in all\n",
                PACKET_TUNNEL_PORTS_MAX);
        return false;
    }
    return true;
}

/* The capture's own options; 0, 1 if c is not one, or 2 after an error. */
static int parse_capture_option(int c, struct exclave_options *o)
{
    double number;
    switch (c) {
    case OPT_DNS_PORT:
        if (!number_option("dns-port", 1, 65535, true, "a port number (1-65535)", &number))
            return 2;
        sensor_config_add_port(&o->sensor, (uint16_t)number);
        return 0;
    case OPT_MATCH_TIMEOUT:
        return number_option("match-timeout", 0.001, 3600, false, "a number of seconds (0.001-3600)",
                             &o->sensor.match_timeout_seconds) ? 0 : 2;
    case OPT_TUNNEL_PORT:
        return parse_tunnel_ports(optarg, &o->sensor.decoder) ? 0 : 2;
    case OPT_TUNNEL_DEPTH:
        if (!number_option("tunnel-depth", 0, ENCAP_DEPTH_MAX, true, "a whole number (0-8)", &number))
            return 2;
        o->sensor.decoder.tunnel_depth_max = (unsigned)number;
        return 0;
    case OPT_THREADS:
        if (!number_option("threads", 1, 64, true, "a whole number of threads (1-64)", &number))
            return 2;
        o->threads = (unsigned)number;
        return 0;
    case OPT_LOG_TUNNEL: o->log_tunnel = true; return 0;
    case OPT_COMMUNITY_ID: o->community_id = true; return 0;
    case OPT_COMMUNITY_ID_SEED:
        return number_option("community-id-seed", 0, 65535, true, "a whole number (0-65535)",
                             &o->community_id_seed) ? 0 : 2;
    default: return 1;
    }
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
    case OPT_CHECK: o->check = true; return 0;
    case OPT_DEFAULT_POLICIES: o->default_policies = true; return 0;
    case OPT_NO_ENGINE: o->engine_off = true; return 0;
    case OPT_COUNT_UNANSWERED: o->engine.count_unanswered = true; return 0;
    case OPT_SUFFIX_LIST: o->engine.suffix_list_file = optarg; return 0;
    case OPT_BLOCKLIST_ZONE:
        if (o->engine.blocklist_zone_count == BLOCKLIST_ZONES_MAX || !*optarg || strchr(optarg, ' ')) {
            fprintf(stderr, "exclave: --blocklist-zone '%s': a zone name (at most %d of them)\n",
                    optarg, BLOCKLIST_ZONES_MAX);
            return 2;
        }
        o->blocklist_zones[o->engine.blocklist_zone_count++] = optarg;
        o->engine.blocklist_zones = o->blocklist_zones;
        return 0;
    case OPT_ZEEK: o->zeek_file = optarg; return 0;
    case OPT_FOLLOW: o->follow = true; return 0;
    case OPT_EVE: o->eve_file = optarg; return 0;
    case OPT_STATE: o->state_file = optarg; return 0;
    case OPT_SUPPRESS: o->engine.suppress_file = optarg; return 0;
    case OPT_HOME_NET: {
        char error[256];
        if (!network_list_add(&o->home_networks, optarg, error, sizeof error)) {
            fprintf(stderr, "exclave: --home-net: %s\n", error);
            return 2;
        }
        o->engine.home_networks = &o->home_networks;
        return 0;
    }
    case OPT_REORDER_WINDOW:
        return number_option("reorder-window", 0, 3650 * 86400.0, false,
                             "a number of seconds (0-315360000)", &o->reorder_window_seconds) ? 0 : 2;
    case OPT_REORDER_LOOKUPS:
        return number_option("reorder-lookups", 1, 1e8, true, "a whole number (1-100000000)",
                             &o->reorder_lookups) ? 0 : 2;
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
        if (!number_text_parse_size(optarg, &o->engine.max_bytes) || o->engine.max_bytes < (1u << 20)) {
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
    case OPT_LUA_CPU:
        return number_option("lua-cpu", 0.05, 3600, false, "a number of seconds (0.05-3600)",
                             &o->policy_cpu_seconds) ? 0 : 2;
    case OPT_REDIS_PASSWORD_FILE: o->redis_password_file = optarg; return 0;
    case OPT_REDIS_BUFFER:
        return number_option("redis-buffer", 1, 65536, false, "a number of megabytes (1-65536)",
                             &o->redis_buffer_mb) ? 0 : 2;
    case OPT_RETIRED_KEYS:
        return number_option("retired-keys", 0, 1e9, true, "a whole number (0-1000000000)",
                             &o->retired_keys) ? 0 : 2;
    case OPT_STATE_EVERY:
        return number_option("state-every", 0.1, 86400, false, "a number of seconds (0.1-86400)",
                             &o->state_every_seconds) ? 0 : 2;
    default:
        fputs("Try 'exclave --help'.\n", stderr);
        return 2;
    }
}

/* --log dns,alerts,stats,pdns (any of them, at least one) into bits. */
static bool parse_log_content(const char *text, unsigned *content)
{
    static const struct { const char *name; unsigned bit; } kinds[] = {
        { "dns", LOG_DNS }, { "alerts", LOG_ALERTS }, { "stats", LOG_STATS }, { "pdns", LOG_PDNS },
    };
    *content = 0;
    for (const char *word = text; *word;) {
        size_t length = strcspn(word, ",");
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (strlen(kinds[i].name) == length && strncmp(word, kinds[i].name, length) == 0)
                bit = kinds[i].bit;
        if (!bit) {
            fprintf(stderr, "exclave: --log '%s': '%.*s' is not dns, alerts, stats or pdns\n", text,
                    (int)length, word);
            return false;
        }
        *content |= bit;
        word += length + (word[length] == ',');
    }
    if (!*content)
        fprintf(stderr, "exclave: --log: give at least one of dns, alerts, stats, pdns\n");
    return *content != 0;
}

/* The --log choices that only make sense with some inputs and formats. */
static int check_log_content(const struct exclave_options *o)
{
    if ((o->log_content & (LOG_STATS | LOG_PDNS)) && o->zeek_format) {
        fprintf(stderr, "exclave: --log stats and pdns write EVE records; with --format zeek the "
                        "counters are in --stats and there is no passive-DNS log\n");
        return 2;
    }
    if ((o->log_content & LOG_PDNS) && !o->read_file && !o->interface) {
        fprintf(stderr, "exclave: --log pdns is made from DNS messages: it goes with -r or -i\n");
        return 2;
    }
    if (o->stats_every_seconds >= 0 && !(o->log_content & LOG_STATS)) {
        fprintf(stderr, "exclave: --stats-every goes with --log stats\n");
        return 2;
    }
    if ((o->pdns_every_seconds >= 0 || o->pdns_max >= 0 || o->pdns_format_given) &&
        !(o->log_content & LOG_PDNS)) {
        fprintf(stderr, "exclave: --pdns-every, --pdns-max and --pdns-format go with --log pdns\n");
        return 2;
    }
    if (o->pdns_passivedns && o->log_dir &&
        (strcmp(o->log_dir, "-") == 0 || redis_url_is_one(o->log_dir))) {
        fprintf(stderr, "exclave: --pdns-format passivedns writes DIR/passivedns.log: give -l DIR\n");
        return 2;
    }
    return 0;
}

/* The options that only make sense together; 0, or 2 after an error. */
static int check_output_options(const struct exclave_options *o)
{
    if (o->state_file && o->engine_off) {
        fprintf(stderr, "exclave: --state keeps the engine's aggregates; it cannot run with --no-engine\n");
        return 2;
    }
    if (o->check && (o->engine_off || o->policies_off || o->zeek_format || o->state_file)) {
        fprintf(stderr, "exclave: --check runs the policies and writes nothing: it cannot go with "
                        "--no-engine, --no-policies, --format zeek or --state\n");
        return 2;
    }
    if (o->ecs_names && o->zeek_format) {
        fprintf(stderr, "exclave: --field-names ecs names EVE records' fields; Zeek's logs keep "
                        "their own names\n");
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
    bool from_redis = o->eve_file && redis_url_is_one(o->eve_file);
    bool to_redis = redis_url_is_one(o->log_dir);
    if ((o->community_id || o->community_id_seed >= 0) &&
        (o->zeek_file || o->eve_file || o->zeek_format)) {
        fprintf(stderr, "exclave: --community-id adds the flow hash to the EVE records exclave writes "
                        "from -r or -i; Suricata's and Zeek's records carry their own "
                        "(community-id: true, Zeek's community-id package)\n");
        return 2;
    }
    if (o->community_id_seed >= 0 && !o->community_id) {
        fprintf(stderr, "exclave: --community-id-seed goes with --community-id\n");
        return 2;
    }
    if (!o->state_file && o->retired_keys >= 0) {
        fprintf(stderr, "exclave: --retired-keys goes with --state\n");
        return 2;
    }
    if (!from_redis && o->state_every_seconds > 0) {
        fprintf(stderr, "exclave: --state-every goes with --eve redis://HOST:PORT/KEY\n");
        return 2;
    }
    if (!from_redis && !to_redis && o->redis_password_file) {
        fprintf(stderr, "exclave: --redis-password-file goes with --eve redis:// or -l redis://\n");
        return 2;
    }
    if (!to_redis && o->redis_buffer_mb > 0) {
        fprintf(stderr, "exclave: --redis-buffer goes with -l redis://HOST:PORT/KEY\n");
        return 2;
    }
    if (to_redis && o->zeek_format) {
        fprintf(stderr, "exclave: -l redis:// publishes EVE records; --format zeek writes files\n");
        return 2;
    }
    return check_log_content(o);
}

/* Returns 0 to run, or an exit code (after printing help, version or an error). */
/* --FLAG FIRST|SECOND: *second says which; false (said) for anything else. */
static bool two_way_option(const char *flag, const char *first, const char *second, bool *is_second)
{
    if (strcmp(optarg, first) != 0 && strcmp(optarg, second) != 0) {
        fprintf(stderr, "exclave: --%s: '%s' is not %s or %s\n", flag, optarg, first, second);
        return false;
    }
    *is_second = strcmp(optarg, second) == 0;
    return true;
}

int exclave_parse_options(int argc, char **argv, struct exclave_options *o)
{
    static const struct option long_options[] = {
        { "read", required_argument, NULL, 'r' },
        { "interface", required_argument, NULL, 'i' },
        { "zeek", required_argument, NULL, OPT_ZEEK },
        { "follow", no_argument, NULL, OPT_FOLLOW },
        { "eve", required_argument, NULL, OPT_EVE },
        { "state", required_argument, NULL, OPT_STATE },
        { "reorder-window", required_argument, NULL, OPT_REORDER_WINDOW },
        { "reorder-lookups", required_argument, NULL, OPT_REORDER_LOOKUPS },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "zeek-json", no_argument, NULL, OPT_ZEEK_JSON },
        { "filter", required_argument, NULL, 'f' },
        { "log-dir", required_argument, NULL, 'l' },
        { "geoip-dir", required_argument, NULL, OPT_GEOIP_DIR },
        { "asn-db", required_argument, NULL, OPT_ASN_DB },
        { "country-db", required_argument, NULL, OPT_COUNTRY_DB },
        { "dns-port", required_argument, NULL, OPT_DNS_PORT },
        { "match-timeout", required_argument, NULL, OPT_MATCH_TIMEOUT },
        { "tunnel-port", required_argument, NULL, OPT_TUNNEL_PORT },
        { "tunnel-depth", required_argument, NULL, OPT_TUNNEL_DEPTH },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "log-tunnel", no_argument, NULL, OPT_LOG_TUNNEL },
        { "community-id", no_argument, NULL, OPT_COMMUNITY_ID },
        { "community-id-seed", required_argument, NULL, OPT_COMMUNITY_ID_SEED },
        { "stats", no_argument, NULL, OPT_STATS },
        { "log", required_argument, NULL, OPT_LOG },
        { "stats-every", required_argument, NULL, OPT_STATS_EVERY },
        { "pdns-every", required_argument, NULL, OPT_PDNS_EVERY },
        { "pdns-max", required_argument, NULL, OPT_PDNS_MAX },
        { "pdns-format", required_argument, NULL, OPT_PDNS_FORMAT },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "policy", required_argument, NULL, OPT_POLICY },
        { "set", required_argument, NULL, OPT_SET },
        { "no-policies", no_argument, NULL, OPT_NO_POLICIES },
        { "check", no_argument, NULL, OPT_CHECK },
        { "default-policies", no_argument, NULL, OPT_DEFAULT_POLICIES },
        { "no-engine", no_argument, NULL, OPT_NO_ENGINE },
        { "count-unanswered", no_argument, NULL, OPT_COUNT_UNANSWERED },
        { "interval", required_argument, NULL, OPT_INTERVAL },
        { "window", required_argument, NULL, OPT_WINDOW },
        { "max-keys", required_argument, NULL, OPT_MAX_KEYS },
        { "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
        { "suffix-list", required_argument, NULL, OPT_SUFFIX_LIST },
        { "blocklist-zone", required_argument, NULL, OPT_BLOCKLIST_ZONE },
        { "lua-memory", required_argument, NULL, OPT_LUA_MEMORY },
        { "lua-instructions", required_argument, NULL, OPT_LUA_INSTRUCTIONS },
        { "lua-cpu", required_argument, NULL, OPT_LUA_CPU },
        { "redis-password-file", required_argument, NULL, OPT_REDIS_PASSWORD_FILE },
        { "state-every", required_argument, NULL, OPT_STATE_EVERY },
        { "retired-keys", required_argument, NULL, OPT_RETIRED_KEYS },
        { "suppress", required_argument, NULL, OPT_SUPPRESS },
        { "home-net", required_argument, NULL, OPT_HOME_NET },
        { "field-names", required_argument, NULL, OPT_FIELD_NAMES },
        { "redis-buffer", required_argument, NULL, OPT_REDIS_BUFFER },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    sensor_config_defaults(&o->sensor);
    engine_config_defaults(&o->engine);
    policy_limits_defaults(&o->limits);
    o->policy_cpu_seconds = 5;
    o->log_dir = ".";
    o->reorder_window_seconds = -1;
    o->retired_keys = -1;
    o->community_id_seed = -1;
    o->reorder_lookups = 262144;
    o->log_content = LOG_DEFAULT;
    o->stats_every_seconds = o->pdns_every_seconds = o->pdns_max = -1; /* not given */
    int c;
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
        case OPT_LOG:
            if (!parse_log_content(optarg, &o->log_content))
                return 2;
            break;
        case OPT_STATS_EVERY:
            if (!number_option("stats-every", 0, 86400, false, "a number of seconds (0-86400)",
                               &o->stats_every_seconds))
                return 2;
            break;
        case OPT_PDNS_EVERY:
            if (!number_option("pdns-every", 1, 30 * 86400.0, false,
                               "a number of seconds (1-2592000)", &o->pdns_every_seconds))
                return 2;
            break;
        case OPT_PDNS_MAX:
            if (!number_option("pdns-max", 16, 1e8, true, "a whole number (16-100000000)",
                               &o->pdns_max))
                return 2;
            break;
        case OPT_PDNS_FORMAT:
            if (!two_way_option("pdns-format", "eve", "passivedns", &o->pdns_passivedns))
                return 2;
            o->pdns_format_given = true;
            break;
        case OPT_FORMAT:
            if (!two_way_option("format", "eve", "zeek", &o->zeek_format))
                return 2;
            break;
        case OPT_FIELD_NAMES:
            if (!two_way_option("field-names", "eve", "ecs", &o->ecs_names))
                return 2;
            break;
        case 'V': exclave_print_version(); return -1;
        case 'h': fputs(exclave_usage_text, stdout); return -1;
        default: {
            int status = parse_capture_option(c, o);
            if (status == 1)
                status = parse_engine_option(c, o);
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
