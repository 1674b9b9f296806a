/* as_directory: the organisation and country last seen for each ASN, so that
 * aggregates can keep bare ASNs and still show who they are. Copies the
 * strings (GeoIP results point into a database that may be reloaded).
 * Allocates only when an ASN is seen for the first time; bounded at
 * AS_DIRECTORY_MAX ASNs (more are counted, not stored). */
#ifndef EXCLAVE_AS_DIRECTORY_H
#define EXCLAVE_AS_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { AS_DIRECTORY_MAX = 1 << 20 };

struct as_entry {
    uint32_t asn;              /* 0: empty */
    char country[3];
    char *org;                 /* NUL-terminated, or NULL */
};

struct as_directory {
    struct as_entry *entries;
    uint32_t mask;             /* capacity - 1 (a power of two) */
    uint32_t count;
    uint64_t not_stored;
};

bool as_directory_init(struct as_directory *directory);
void as_directory_free(struct as_directory *directory);

/* Records asn's organisation and country if the ASN is new. */
void as_directory_note(struct as_directory *directory, uint32_t asn, const char *org,
                       size_t org_length, const char country[2]);

const struct as_entry *as_directory_find(const struct as_directory *directory, uint32_t asn);

#endif
