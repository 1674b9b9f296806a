/* network_list: parsing and a linear match; lists are a handful of
 * networks, checked once per lookup. */
#include "base/network_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One "ADDRESS[/PREFIX]" of length bytes at text. */
static bool parse_network(const char *text, size_t length, struct network *out, char *error,
                          size_t error_size)
{
    char item[IP_ADDRESS_TEXT_MAX + 8];
    if (length >= sizeof item) {
        snprintf(error, error_size, "'%.*s...': not an address or network", 40, text);
        return false;
    }
    memcpy(item, text, length);
    item[length] = '\0';
    char *slash = strchr(item, '/');
    if (slash)
        *slash = '\0';
    if (!ip_address_parse(item, &out->base)) {
        snprintf(error, error_size, "'%.*s': not an address or ADDRESS/PREFIX", (int)length, text);
        return false;
    }
    unsigned most = out->base.family == 4 ? 32 : 128;
    unsigned long prefix = most;
    if (slash) {
        char *end;
        prefix = strtoul(slash + 1, &end, 10);
        if (end == slash + 1 || *end || prefix > most) {
            snprintf(error, error_size, "'%.*s': the prefix length must be 0 to %u", (int)length,
                     text, most);
            return false;
        }
    }
    ip_address_mask(&out->base, (unsigned)prefix); /* 10.1.2.3/8 is 10.0.0.0/8, as Suricata reads it */
    out->prefix_length = (unsigned char)prefix;
    return true;
}

bool network_list_add(struct network_list *list, const char *text, char *error, size_t error_size)
{
    const char *p = text + strspn(text, " \t");
    size_t length = strlen(p);
    while (length && (p[length - 1] == ' ' || p[length - 1] == '\t'))
        length--;
    if (length >= 2 && p[0] == '[' && p[length - 1] == ']') {
        p++;
        length -= 2;
    }
    const char *end = p + length;
    size_t added = 0;
    while (p < end) {
        size_t skip = strspn(p, ", \t");
        p += skip;
        if (p >= end)
            break;
        size_t item = strcspn(p, ", \t");
        if (p + item > end)
            item = (size_t)(end - p);
        if (*p == '!' || *p == '$' || *p == '[') {
            snprintf(error, error_size, "'%.*s': only plain networks are understood (no negation, "
                                        "variable or nested group)", (int)item, p);
            return false;
        }
        if (list->count == NETWORK_LIST_MAX) {
            snprintf(error, error_size, "more than %d networks", NETWORK_LIST_MAX);
            return false;
        }
        if (!parse_network(p, item, &list->networks[list->count], error, error_size))
            return false;
        list->count++;
        added++;
        p += item;
    }
    if (!added) {
        snprintf(error, error_size, "no network given");
        return false;
    }
    return true;
}

static bool in_network(const struct network *network, const struct ip_address *address)
{
    if (network->base.family != address->family)
        return false;
    unsigned whole = network->prefix_length / 8, bits = network->prefix_length % 8;
    if (memcmp(network->base.bytes, address->bytes, whole))
        return false;
    if (!bits)
        return true;
    unsigned char mask = (unsigned char)(0xff00u >> bits);
    return (address->bytes[whole] & mask) == network->base.bytes[whole];
}

bool network_list_contains(const struct network_list *list, const struct ip_address *address)
{
    for (size_t i = 0; i < list->count; i++)
        if (in_network(&list->networks[i], address))
            return true;
    return false;
}
