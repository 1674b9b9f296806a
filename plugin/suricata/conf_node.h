/* conf_node: one node of Suricata's YAML configuration, as both Suricata
 * 7.0 (ConfNode) and 8.0 (SCConfNode) lay it out (conf.h of each), and the
 * two look-ups the plugin needs, done here on the tree itself so that the
 * settings code is the same for both hosts. Declarations and tree walks
 * only; no Suricata call. */
#ifndef EXCLAVE_SURICATA_CONF_NODE_H
#define EXCLAVE_SURICATA_CONF_NODE_H

#include <string.h>

struct suricata_conf_node {
    char *name;
    char *val;
    int is_seq;
    int final;
    struct suricata_conf_node *parent;
    struct { struct suricata_conf_node *tqh_first; struct suricata_conf_node **tqh_last; } head;
    struct { struct suricata_conf_node *tqe_next; struct suricata_conf_node **tqe_prev; } next;
};

/* The child named name, or NULL. */
static inline const struct suricata_conf_node *conf_node_child(const struct suricata_conf_node *node,
                                                               const char *name)
{
    for (const struct suricata_conf_node *c = node ? node->head.tqh_first : NULL; c;
         c = c->next.tqe_next)
        if (c->name && strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* The value of the child named name, or NULL. */
static inline const char *conf_node_value(const struct suricata_conf_node *node, const char *name)
{
    const struct suricata_conf_node *child = conf_node_child(node, name);
    return child ? child->val : NULL;
}

/* Suricata's spellings of a boolean value: 1 for yes/true/on/1, 0 for
 * no/false/off/0, -1 for anything else (NULL included). */
static inline int conf_value_boolean(const char *text)
{
    static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
    for (size_t i = 0; text && i < sizeof yes / sizeof *yes; i++) {
        if (strcmp(text, yes[i]) == 0)
            return 1;
        if (strcmp(text, no[i]) == 0)
            return 0;
    }
    return -1;
}

#endif
