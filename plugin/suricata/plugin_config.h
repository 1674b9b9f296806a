/* plugin_config: the plugin's settings from Suricata's YAML: in 8.0 the
 * top-level `exclave:` node, in 7.0 the keys of its eve-log output, named as
 * the command line's flags. Every value is checked and copied (the host may
 * free its tree before the plugin is done); a bad one gives a message that
 * names the YAML key. It opens no file and starts nothing. */
#ifndef EXCLAVE_SURICATA_PLUGIN_CONFIG_H
#define EXCLAVE_SURICATA_PLUGIN_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/engine.h"
#include "policy/policy_host.h"
#include "suricata/conf_node.h"

enum { PLUGIN_LIST_MAX = 64, PLUGIN_ERROR_MAX = 1024 };

struct plugin_config {
    const char *where;                              /* "exclave." or "eve-log ": messages */
    char filename[PATH_MAX];                        /* alerts and counters (8), or every record (7) */
    char *geoip_dir, *asn_db, *country_db, *state, *suppress;
    char *policy_program;                           /* the exclave binary for the policy process */
    double lua_cpu_seconds;
    char *policies[PLUGIN_LIST_MAX];
    size_t policy_count;
    char *variable_texts[PLUGIN_LIST_MAX];          /* "P.NAME=VALUE" */
    struct policy_variable variables[PLUGIN_LIST_MAX];
    size_t variable_count;
    char *blocklist_zones[PLUGIN_LIST_MAX];         /* blocklist-zone: added to the built-in ones */
    size_t blocklist_zone_count;
    char *enrich[PLUGIN_LIST_MAX];                  /* event types whose endpoints are enriched */
    size_t enrich_count;
    bool enrich_set;                                /* given in the YAML (else the host's default) */
    bool engine_off;                                /* engine: no - enrich only */
    bool ecs_names;                                 /* field-names: ecs */
    bool home_set;                                  /* home-net given (else the host's HOME_NET) */
    struct network_list home_networks;              /* home-net */
    struct engine_config engine;
    struct policy_limits limits;
};

/* Reads node (NULL: every default) into c. where prefixes the key in
 * messages; strict refuses keys it does not know (the `exclave:` node is
 * exclave's alone; an eve-log node also holds Suricata's own keys). The
 * default filename, in log_dir unless absolute, is default_filename. False
 * with error set; plugin_config_free is needed either way. */
bool plugin_config_read(const struct suricata_conf_node *node, const char *where, bool strict,
                        const char *log_dir, const char *default_filename,
                        struct plugin_config *c, char *error);

/* Without a home-net setting: Suricata's HOME_NET (an address-groups
 * value, or NULL) as the home networks. False, with why in note, when it
 * holds what exclave does not read (a negation, a variable): the plugin
 * then runs without home networks and says so. */
bool plugin_config_default_home(struct plugin_config *c, const char *home_net, char *note,
                                size_t note_size);

/* Whether event_type (length bytes) is in the enrich list. */
bool plugin_config_enriches(const struct plugin_config *c, const char *event_type, size_t length);

void plugin_config_free(struct plugin_config *c);

#endif
