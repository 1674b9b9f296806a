/* plugin_config: settings from the YAML tree, checked key by key. */
#include "suricata/plugin_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/number_text.h"

/* The keys exclave reads; in strict mode any other is an error. */
static const char *const known_keys[] = {
    "filename", "geoip-dir", "asn-db", "country-db", "policy", "set", "interval", "window",
    "max-keys", "max-memory", "state", "engine", "enrich", "suffix-list", "lua-memory",
    "lua-instructions", "lua-cpu", "policy-program", "blocklist-zone", "suppress",
    "count-unanswered", "home-net", "field-names", NULL,
};

static bool fail(char *error, const struct plugin_config *c, const char *key, const char *what,
                 const char *value)
{
    snprintf(error, PLUGIN_ERROR_MAX, "%s%s: %s%s%s%s", c->where, key, value ? "'" : "",
             value ? value : "", value ? "' " : "", what);
    return false;
}

static bool copy_text(char **out, const char *text, char *error)
{
    if (!text)
        return true;
    if ((*out = strdup(text)))
        return true;
    snprintf(error, PLUGIN_ERROR_MAX, "out of memory");
    return false;
}

static bool check_keys(const struct suricata_conf_node *node, const struct plugin_config *c,
                       char *error)
{
    for (const struct suricata_conf_node *n = node->head.tqh_first; n; n = n->next.tqe_next) {
        size_t i = 0;
        while (known_keys[i] && (!n->name || strcmp(n->name, known_keys[i]) != 0))
            i++;
        if (!known_keys[i])
            return fail(error, c, n->name ? n->name : "?", "is not a setting of exclave "
                        "(see README, Inside Suricata)", NULL);
    }
    return true;
}

static bool number_setting(const struct suricata_conf_node *node, const struct plugin_config *c,
                           const char *key, double min, double max, bool whole, double *value,
                           char *error)
{
    const char *text = conf_node_value(node, key);
    if (!text)
        return true;
    double number;
    if (!number_text_parse(text, min, max, &number) || (whole && number != (double)(uint64_t)number)) {
        char what[128];
        snprintf(what, sizeof what, "is not a %snumber from %g to %g", whole ? "whole " : "", min, max);
        return fail(error, c, key, what, text);
    }
    *value = number;
    return true;
}

/* A sequence (or a single value) of strings under key. */
static bool list_setting(const struct suricata_conf_node *node, const struct plugin_config *c,
                         const char *key, char **out, size_t *count, char *error)
{
    const struct suricata_conf_node *list = conf_node_child(node, key);
    if (!list)
        return true;
    if (list->val && !list->head.tqh_first)
        return copy_text(&out[(*count)++], list->val, error);
    for (const struct suricata_conf_node *item = list->head.tqh_first; item;
         item = item->next.tqe_next) {
        if (*count == PLUGIN_LIST_MAX)
            return fail(error, c, key, "has more than 64 entries", NULL);
        if (!item->val || !*item->val)
            return fail(error, c, key, "has an entry that is not a plain value", NULL);
        if (!copy_text(&out[(*count)++], item->val, error))
            return false;
    }
    return true;
}

/* One policy variable "P.NAME" = VALUE. */
static bool add_variable(struct plugin_config *c, const char *policy, const char *name,
                         const char *value, char *error)
{
    if (c->variable_count == PLUGIN_LIST_MAX)
        return fail(error, c, "set", "has more than 64 variables", NULL);
    if (!value)
        return fail(error, c, "set", "has a variable without a value", name);
    size_t length = strlen(policy) + strlen(name) + strlen(value) + 3;
    char *text = malloc(length);
    if (!text) {
        snprintf(error, PLUGIN_ERROR_MAX, "out of memory");
        return false;
    }
    snprintf(text, length, "%s.%s=%s", policy, name, value);
    char *dot = text + strlen(policy), *equals = dot + 1 + strlen(name);
    *equals = '\0';
    for (char *p = dot + 1; p < equals; p++) /* Suricata's yaml reader turns _ into - */
        if (*p == '-')
            *p = '_';
    c->variable_texts[c->variable_count] = text;
    c->variables[c->variable_count++] = (struct policy_variable){
        .policy = text, .policy_length = (size_t)(dot - text), .name = dot + 1,
        .name_length = strlen(name), .value = equals + 1 };
    return true;
}

/* set: { exclusive.min_lookups: 50 } or set: { exclusive: { min_lookups: 50 } } */
static bool variables_setting(const struct suricata_conf_node *node, struct plugin_config *c,
                              char *error)
{
    const struct suricata_conf_node *set = conf_node_child(node, "set");
    for (const struct suricata_conf_node *n = set ? set->head.tqh_first : NULL; n;
         n = n->next.tqe_next) {
        if (n->head.tqh_first) {
            for (const struct suricata_conf_node *v = n->head.tqh_first; v; v = v->next.tqe_next)
                if (!add_variable(c, n->name ? n->name : "", v->name ? v->name : "", v->val, error))
                    return false;
            continue;
        }
        char policy[128];
        const char *dot = n->name ? strchr(n->name, '.') : NULL;
        if (!dot || dot == n->name || (size_t)(dot - n->name) >= sizeof policy)
            return fail(error, c, "set", "is not POLICY.NAME", n->name ? n->name : "");
        snprintf(policy, sizeof policy, "%.*s", (int)(dot - n->name), n->name);
        if (!add_variable(c, policy, dot + 1, n->val, error))
            return false;
    }
    return true;
}

static bool boolean_setting(const struct suricata_conf_node *node, const struct plugin_config *c,
                            const char *key, bool *value, char *error)
{
    const char *text = conf_node_value(node, key);
    if (!text)
        return true;
    int boolean = conf_value_boolean(text);
    if (boolean < 0)
        return fail(error, c, key, "is not yes or no", text);
    *value = boolean == 1;
    return true;
}

static bool size_setting(const struct suricata_conf_node *node, struct plugin_config *c,
                         char *error)
{
    const char *text = conf_node_value(node, "max-memory");
    if (!text)
        return true;
    if (!number_text_parse_size(text, &c->engine.max_bytes) || c->engine.max_bytes < (1u << 20))
        return fail(error, c, "max-memory", "is not a size of at least 1M (e.g. 256M)", text);
    return true;
}

static bool file_settings(const struct suricata_conf_node *node, struct plugin_config *c,
                          const char *log_dir, const char *default_filename, char *error)
{
    const char *name = conf_node_value(node, "filename");
    if (name && name[0] == '/')
        snprintf(c->filename, sizeof c->filename, "%s", name);
    else
        snprintf(c->filename, sizeof c->filename, "%s/%s", log_dir, name ? name : default_filename);
    return copy_text(&c->geoip_dir, conf_node_value(node, "geoip-dir"), error) &&
           copy_text(&c->asn_db, conf_node_value(node, "asn-db"), error) &&
           copy_text(&c->country_db, conf_node_value(node, "country-db"), error) &&
           copy_text(&c->state, conf_node_value(node, "state"), error) &&
           copy_text(&c->suppress, conf_node_value(node, "suppress"), error) &&
           copy_text(&c->policy_program, conf_node_value(node, "policy-program"), error) &&
           copy_text((char **)&c->engine.suffix_list_file, conf_node_value(node, "suffix-list"), error);
}

/* field-names: eve (src_as, src_geo) or ecs (source.as, source.geo). */
static bool names_setting(const struct suricata_conf_node *node, struct plugin_config *c, char *error)
{
    const char *text = conf_node_value(node, "field-names");
    if (!text || !strcmp(text, "eve"))
        return true;
    if (strcmp(text, "ecs") != 0)
        return fail(error, c, "field-names", "is not eve or ecs", text);
    c->ecs_names = true;
    return true;
}

/* home-net: one value, or a list, of networks. */
static bool home_setting(const struct suricata_conf_node *node, struct plugin_config *c, char *error)
{
    const struct suricata_conf_node *home = conf_node_child(node, "home-net");
    if (!home)
        return true;
    char why[256];
    const struct suricata_conf_node *item = home->head.tqh_first;
    const char *text = item ? item->val : home->val;
    do {
        if (!text || !network_list_add(&c->home_networks, text, why, sizeof why))
            return fail(error, c, "home-net", text ? why : "needs a network", NULL);
        item = item ? item->next.tqe_next : NULL;
        text = item ? item->val : NULL;
    } while (item);
    c->home_set = true;
    c->engine.home_networks = &c->home_networks;
    return true;
}

bool plugin_config_default_home(struct plugin_config *c, const char *home_net, char *note,
                                size_t note_size)
{
    if (c->home_set || !home_net)
        return true;
    if (!network_list_add(&c->home_networks, home_net, note, note_size)) {
        c->home_networks.count = 0;
        return false;
    }
    c->engine.home_networks = &c->home_networks;
    return true;
}

bool plugin_config_read(const struct suricata_conf_node *node, const char *where, bool strict,
                        const char *log_dir, const char *default_filename,
                        struct plugin_config *c, char *error)
{
    memset(c, 0, sizeof *c);
    c->where = where;
    engine_config_defaults(&c->engine);
    policy_limits_defaults(&c->limits);
    c->lua_cpu_seconds = 5;
    double max_keys = c->engine.max_keys, window_days = c->engine.window_seconds / 86400,
           lua_mb = (double)c->limits.memory_bytes / 1048576, instructions = (double)c->limits.instructions;
    bool engine_on = true;
    bool ok = (!strict || !node || check_keys(node, c, error)) &&
              file_settings(node, c, log_dir, default_filename, error) &&
              number_setting(node, c, "interval", 1, 365 * 86400.0, false, &c->engine.interval_seconds, error) &&
              number_setting(node, c, "max-keys", 16, 1e9, true, &max_keys, error) &&
              number_setting(node, c, "window", 0.001, 3650, false, &window_days, error) &&
              number_setting(node, c, "lua-memory", 1, 65536, false, &lua_mb, error) &&
              number_setting(node, c, "lua-instructions", 1000, 1e12, true, &instructions, error) &&
              number_setting(node, c, "lua-cpu", 0.05, 3600, false, &c->lua_cpu_seconds, error) &&
              size_setting(node, c, error) &&
              list_setting(node, c, "policy", c->policies, &c->policy_count, error) &&
              list_setting(node, c, "enrich", c->enrich, &c->enrich_count, error) &&
              list_setting(node, c, "blocklist-zone", c->blocklist_zones, &c->blocklist_zone_count,
                           error) &&
              variables_setting(node, c, error) &&
              home_setting(node, c, error) &&
              names_setting(node, c, error) &&
              boolean_setting(node, c, "engine", &engine_on, error) &&
              boolean_setting(node, c, "count-unanswered", &c->engine.count_unanswered, error);
    c->enrich_set = conf_node_child(node, "enrich") != NULL;
    c->engine.blocklist_zones = (const char *const *)c->blocklist_zones;
    c->engine.blocklist_zone_count = c->blocklist_zone_count;
    c->engine_off = !engine_on;
    c->engine.suppress_file = c->suppress;
    c->engine.max_keys = (uint32_t)max_keys;
    c->engine.window_seconds = window_days * 86400;
    c->limits.memory_bytes = (size_t)(lua_mb * 1048576);
    c->limits.instructions = (uint64_t)instructions;
    return ok;
}

bool plugin_config_enriches(const struct plugin_config *c, const char *event_type, size_t length)
{
    for (size_t i = 0; i < c->enrich_count; i++)
        if (strlen(c->enrich[i]) == length && memcmp(c->enrich[i], event_type, length) == 0)
            return true;
    return false;
}

void plugin_config_free(struct plugin_config *c)
{
    free(c->geoip_dir);
    free(c->asn_db);
    free(c->country_db);
    free(c->state);
    free(c->suppress);
    free(c->policy_program);
    free((char *)c->engine.suffix_list_file);
    for (size_t i = 0; i < c->policy_count; i++)
        free(c->policies[i]);
    for (size_t i = 0; i < c->variable_count; i++)
        free(c->variable_texts[i]);
    for (size_t i = 0; i < c->enrich_count; i++)
        free(c->enrich[i]);
    for (size_t i = 0; i < c->blocklist_zone_count; i++)
        free(c->blocklist_zones[i]);
    memset(c, 0, sizeof *c);
}
