/* network_list: a short list of IPv4 and IPv6 networks (a home network, as
 * Suricata's HOME_NET and Zeek's Site::local_nets), read from text and
 * matched against addresses. Fixed size: it never allocates. It knows
 * nothing of where the list comes from or what membership means. */
#ifndef EXCLAVE_NETWORK_LIST_H
#define EXCLAVE_NETWORK_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/ip_address.h"

enum { NETWORK_LIST_MAX = 256 };

struct network {
    struct ip_address base;    /* bits past prefix_length are zero */
    unsigned char prefix_length;
};

struct network_list {
    size_t count;
    struct network networks[NETWORK_LIST_MAX];
};

/* Adds the networks of text to list: addresses or ADDRESS/PREFIX, separated
 * by commas or spaces, the whole optionally in [ ] (Suricata's address-group
 * form). False, with what is wrong in error, on anything else (a negation,
 * a variable, too many networks). Host bits past the prefix are cleared. */
bool network_list_add(struct network_list *list, const char *text, char *error, size_t error_size);

bool network_list_contains(const struct network_list *list, const struct ip_address *address);

/* One network: "ADDRESS[/PREFIX]", length bytes at text. */
enum network_parse_status { NETWORK_OK, NETWORK_NOT_ADDRESS, NETWORK_BAD_PREFIX };
enum network_parse_status network_parse(const char *text, size_t length, struct network *out);

bool network_contains(const struct network *network, const struct ip_address *address);

#endif
