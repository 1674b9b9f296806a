/* as_directory: open addressing on the ASN, doubled when half full. */
#include "engine/as_directory.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

enum { INITIAL_CAPACITY = 1024 };

bool as_directory_init(struct as_directory *directory)
{
    memset(directory, 0, sizeof *directory);
    directory->entries = calloc(INITIAL_CAPACITY, sizeof *directory->entries);
    directory->mask = INITIAL_CAPACITY - 1;
    return directory->entries != NULL;
}

void as_directory_free(struct as_directory *directory)
{
    for (uint32_t i = 0; directory->entries && i <= directory->mask; i++)
        free(directory->entries[i].org);
    free(directory->entries);
    memset(directory, 0, sizeof *directory);
}

static struct as_entry *slot_for(struct as_entry *entries, uint32_t mask, uint32_t asn)
{
    uint32_t at = (uint32_t)hash_mix(asn) & mask;
    while (entries[at].asn && entries[at].asn != asn)
        at = (at + 1) & mask;
    return &entries[at];
}

static bool grow(struct as_directory *directory)
{
    uint32_t capacity = (directory->mask + 1) * 2;
    struct as_entry *entries = calloc(capacity, sizeof *entries);
    if (!entries)
        return false;
    for (uint32_t i = 0; i <= directory->mask; i++)
        if (directory->entries[i].asn)
            *slot_for(entries, capacity - 1, directory->entries[i].asn) = directory->entries[i];
    free(directory->entries);
    directory->entries = entries;
    directory->mask = capacity - 1;
    return true;
}

void as_directory_note(struct as_directory *directory, uint32_t asn, const char *org,
                       size_t org_length, const char country[2])
{
    if (asn == 0)
        return;
    struct as_entry *entry = slot_for(directory->entries, directory->mask, asn);
    if (entry->asn)
        return;
    if (directory->count >= AS_DIRECTORY_MAX ||
        ((directory->count + 1) * 2 > directory->mask + 1 && !grow(directory))) {
        directory->not_stored++;
        return;
    }
    entry = slot_for(directory->entries, directory->mask, asn);
    entry->asn = asn;
    memcpy(entry->country, country, 2);
    entry->country[2] = '\0';
    if (org && (entry->org = malloc(org_length + 1))) {
        memcpy(entry->org, org, org_length);
        entry->org[org_length] = '\0';
    }
    directory->count++;
}

const struct as_entry *as_directory_find(const struct as_directory *directory, uint32_t asn)
{
    if (asn == 0)
        return NULL;
    const struct as_entry *entry = slot_for(directory->entries, directory->mask, asn);
    return entry->asn ? entry : NULL;
}
