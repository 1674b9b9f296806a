/* suppression: the alerts an analyst has already judged, read from a file
 * (as Suricata's threshold.config suppress and Zeek's Notice::ignored):
 * names, registered domains with every name under them, addresses and
 * networks, and leading querier ASNs, each with the reason it is expected
 * and an optional end in packet time. It parses and matches; it raises,
 * counts and writes nothing itself. */
#ifndef EXCLAVE_SUPPRESSION_H
#define EXCLAVE_SUPPRESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ip_address.h"
#include "base/network_list.h"
#include "engine/key_aggregate.h"

enum suppression_kind { SUPPRESS_NAME, SUPPRESS_DOMAIN, SUPPRESS_ADDRESS, SUPPRESS_ASN };

struct suppression_entry {
    enum suppression_kind kind;
    char *value;               /* name or domain, lower case, without a trailing dot */
    size_t value_length;
    struct network network;    /* address: the network */
    uint32_t asn;
    int64_t until_us;          /* suppresses alerts before this packet time; 0: always */
    char *reason;
    unsigned line;             /* in the file, for messages */
    uint64_t alerts;           /* alerts it suppressed */
};

struct suppression {
    struct suppression_entry *entries;
    size_t count;
    char *path;
};

/* Reads path; false with "PATH:LINE: what is wrong" in error. */
bool suppression_load(struct suppression *suppression, const char *path, char *error,
                      size_t error_size);
void suppression_free(struct suppression *suppression);

/* The first entry that suppresses an alert at time_us on the key (kind,
 * name) whose leading querier ASN is leading_asn (0: none), counted there;
 * NULL when none does. */
const struct suppression_entry *suppression_match(struct suppression *suppression,
                                                  enum key_kind kind, const char *name,
                                                  size_t length, uint32_t leading_asn,
                                                  int64_t time_us);

#endif
