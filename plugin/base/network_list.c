/* network_list: parsing and a linear match; lists are a handful of
 * networks, checked once per lookup. */
#include "base/network_list.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum network_parse_status network_parse(const char *text, size_t length, struct network *out)
{
    char item[IP_ADDRESS_TEXT_MAX + 8];
    if (length >= sizeof item)
        return NETWORK_NOT_ADDRESS;
    memcpy(item, text, length);
    item[length] = '\0';
    char *slash = strchr(item, '/');
    if (slash)
        *slash = '\0';
    if (!ip_address_parse(item, &out->base))
        return NETWORK_NOT_ADDRESS;
    unsigned most = out->base.family == 4 ? 32 : 128;
    unsigned long prefix = most;
    if (slash) {
        char *end;
        prefix = strtoul(slash + 1, &end, 10);
        if (!isdigit((unsigned char)slash[1]) || *end || prefix > most)
            return NETWORK_BAD_PREFIX;
    }
    ip_address_mask(&out->base, (unsigned)prefix); /* 10.1.2.3/8 is 10.0.0.0/8, as Suricata reads it */
    out->prefix_length = (unsigned char)prefix;
    return NETWORK_OK;
}

/* One item of a list, with what is wrong with it in error. */
static bool parse_item(const char *text, size_t length, struct network *out, char *error,
                       size_t error_size)
{
    switch (network_parse(text, length, out)) {
    case NETWORK_OK:
        return true;
    case NETWORK_NOT_ADDRESS:
        snprintf(error, error_size, "'%.*s': not an address or ADDRESS/PREFIX", length > 60 ? 60 : (int)length,
                 text);
        return false;
    default:
        snprintf(error, error_size, "'%.*s': the prefix length must be 0 to %u", (int)length, text,
                 out->base.family == 4 ? 32 : 128);
        return false;
    }
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
        if (!parse_item(p, item, &list->networks[list->count], error, error_size))
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

bool network_contains(const struct network *network, const struct ip_address *address)
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
        if (network_contains(&list->networks[i], address))
            return true;
    return false;
}
