/* registered_domain: the registrable domain of a name ("trump-email.com" for
 * "mail1.trump-email.com", "example.co.uk" for "a.b.example.co.uk") from the
 * Public Suffix List through libpsl: the newer of libpsl's built-in list and
 * the system's (Debian's publicsuffix package), or a file given by the user.
 * Answers point into the caller's name; nothing is allocated per call. */
#ifndef EXCLAVE_REGISTERED_DOMAIN_H
#define EXCLAVE_REGISTERED_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

struct registered_domain {
    void *psl;                 /* psl_ctx_t */
    bool owned;                /* loaded from a file: freed by us */
};

/* list_file NULL: libpsl's choice (system list if newer than the built-in). */
bool registered_domain_init(struct registered_domain *domains, const char *list_file,
                            char *error, size_t error_size);
void registered_domain_free(struct registered_domain *domains);

/* The registrable suffix of a lower-case name, pointing into name; NULL when
 * the name is itself a public suffix or is not a domain name. */
const char *registered_domain_of(const struct registered_domain *domains, const char *name);

#endif
