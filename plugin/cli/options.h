/* options: what the command line of a run asks for. */
#ifndef EXCLAVE_CLI_OPTIONS_H
#define EXCLAVE_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "capture/sensor.h"
#include "engine/engine.h"
#include "policy/policy_host.h"

enum { POLICY_ARGS_MAX = 64, VARIABLES_MAX = 256, BLOCKLIST_ZONES_MAX = 64 };

/* --log: what the log holds */
enum log_content { LOG_DNS = 1, LOG_ALERTS = 2, LOG_STATS = 4, LOG_PDNS = 8,
                   LOG_DEFAULT = LOG_DNS | LOG_ALERTS };

struct exclave_options {
    const char *read_file;
    const char *interface;
    const char *zeek_file;
    const char *eve_file;
    const char *state_file;
    const char *redis_password_file; /* --redis-password-file */
    double retired_keys;         /* --retired-keys; -1: a tenth of the keys with --state */
    double state_every_seconds;  /* --state-every: saves of a Redis reader's state */
    double redis_buffer_mb;      /* --redis-buffer: -l redis://'s queue while the server is away */
    const char *filter;
    const char *geoip_dir;
    const char *asn_db;
    const char *country_db;
    const char *log_dir;
    bool zeek_format;          /* --format zeek: dns.log and exclave.log */
    unsigned log_content;      /* --log: enum log_content bits */
    double stats_every_seconds; /* --stats-every: wall-clock seconds between stats records */
    double pdns_every_seconds; /* --pdns-every: packet-time seconds between passive-DNS writes */
    double pdns_max;           /* --pdns-max: passive-DNS entries kept */
    bool pdns_passivedns;      /* --pdns-format passivedns: passivedns.log's lines */
    bool pdns_format_given;
    bool zeek_json;
    bool follow;
    bool print_stats;
    bool quiet;                /* no progress line on a terminal */
    bool check;                /* --check: no log; exit 1 when a policy had an error */
    bool log_tunnel;           /* --log-tunnel: a "tunnel" object on tunnelled records */
    bool community_id;         /* --community-id */
    bool ecs_names;            /* --field-names ecs */
    double community_id_seed;  /* --community-id-seed; -1: not given (0) */
    double reorder_window_seconds; /* --reorder-window; < 0: the default for the input */
    double reorder_lookups;    /* --reorder-lookups */
    bool engine_off;
    bool policies_off;
    bool default_policies;     /* --default-policies: load them beside --policy */
    const char *policy_args[POLICY_ARGS_MAX];   /* files or directories */
    size_t policy_arg_count;
    const char *blocklist_zones[BLOCKLIST_ZONES_MAX]; /* --blocklist-zone */
    struct network_list home_networks;                /* --home-net */
    struct policy_variable variables[VARIABLES_MAX];
    size_t variable_count;
    struct sensor_config sensor;
    unsigned threads;          /* --threads: threads for -r/-i; 0: the cores available */
    struct engine_config engine;
    struct policy_limits limits;
    double policy_cpu_seconds; /* --lua-cpu */
};

/* Fills o from argv. Returns 0 to run, -1 after printing help or the
 * version (exit 0), or an exit code after printing what is wrong. */
int exclave_parse_options(int argc, char **argv, struct exclave_options *o);

void exclave_print_version(void);

#endif
