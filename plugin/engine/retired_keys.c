/* retired_keys: a ring of slots; each copy owns one allocation holding its
 * name and links. Taking a copy happens at expiry, off the lookup path. */
#include "engine/retired_keys.h"

#include <stdlib.h>
#include <string.h>

bool retired_keys_init(struct retired_keys *retired, uint32_t capacity)
{
    memset(retired, 0, sizeof *retired);
    if (capacity == 0)
        return true;
    retired->ring = calloc(capacity, sizeof *retired->ring);
    retired->capacity = retired->ring ? capacity : 0;
    return retired->ring != NULL;
}

void retired_keys_free(struct retired_keys *retired)
{
    for (uint32_t i = 0; i < retired->capacity; i++)
        free(retired->ring[i].text);
    free(retired->ring);
    memset(retired, 0, sizeof *retired);
}

/* The name and the links in one buffer; NULL when out of memory. */
static char *join_text(const struct key *key, const char *const *links, const uint16_t *lengths,
                       unsigned link_count)
{
    size_t size = (size_t)key->name_length + 1;
    for (unsigned i = 0; i < link_count; i++)
        size += (size_t)lengths[i] + 1;
    char *text = malloc(size), *at = text;
    if (!text)
        return NULL;
    memcpy(at, key->name, key->name_length);
    at += key->name_length;
    *at++ = '\0';
    for (unsigned i = 0; i < link_count; i++) {
        memcpy(at, links[i], lengths[i]);
        at += lengths[i];
        *at++ = '\0';
    }
    return text;
}

void retired_keys_add(struct retired_keys *retired, const struct key *key,
                      const char *const *links, const uint16_t *lengths, unsigned link_count)
{
    if (retired->capacity == 0) {
        retired->dropped++;
        return;
    }
    if (link_count > RETIRED_LINKS_MAX)
        link_count = RETIRED_LINKS_MAX;
    char *text = join_text(key, links, lengths, link_count);
    if (!text) {
        retired->dropped++;
        return;
    }
    struct retired_key *slot;
    if (retired->count == retired->capacity) { /* the oldest leaves */
        slot = &retired->ring[retired->oldest];
        retired->oldest = (retired->oldest + 1) % retired->capacity;
        free(slot->text);
        retired->dropped++;
    } else {
        slot = &retired->ring[(retired->oldest + retired->count) % retired->capacity];
        retired->count++;
    }
    slot->key = *key;
    slot->key.name = text;
    slot->key.domain = (struct key_ref){ 0, 0 };
    slot->key.dirty = false;
    if (key->kind == KEY_ADDRESS) {
        memset(&slot->key.linked, 0, sizeof slot->key.linked);
        slot->key.linked_count = 0;
    }
    slot->text = text;
    slot->link_count = (uint8_t)link_count;
    retired->kept++;
}

const struct retired_key *retired_keys_at(const struct retired_keys *retired, uint32_t index)
{
    return &retired->ring[(retired->oldest + index) % retired->capacity];
}

const char *retired_key_link(const struct retired_key *copy, unsigned index, size_t *length)
{
    const char *at = copy->text + copy->key.name_length + 1;
    for (unsigned i = 0; i < index; i++)
        at += strlen(at) + 1;
    *length = strlen(at);
    return at;
}
