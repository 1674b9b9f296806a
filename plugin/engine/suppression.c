/* suppression: one entry per line, "KIND VALUE [until=DATE] REASON", read
 * once at start into an array that each alert scans (alerts are rare). */
#include "engine/suppression.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/iso_time.h"

enum { SUPPRESSION_LINE_MAX = 4096, SUPPRESSION_ENTRIES_MAX = 1 << 20 };

static const char *const kind_words[] = { "name", "domain", "address", "asn" };

static char *copy_text(const char *text, size_t length)
{
    char *copy = malloc(length + 1);
    if (copy) {
        memcpy(copy, text, length);
        copy[length] = '\0';
    }
    return copy;
}

/* The next word of *at (spaces skipped); its length, 0 at the end. */
static size_t next_word(const char **at, const char **word)
{
    while (**at == ' ' || **at == '\t')
        (*at)++;
    *word = *at;
    while (**at && **at != ' ' && **at != '\t')
        (*at)++;
    return (size_t)(*at - *word);
}

static const char *parse_value(struct suppression_entry *e, const char *word, size_t length)
{
    char text[SUPPRESSION_LINE_MAX];
    memcpy(text, word, length);
    text[length] = '\0';
    if (e->kind == SUPPRESS_ASN) {
        char *end;
        errno = 0;
        unsigned long asn = strtoul(text, &end, 10);
        if (*end || errno || asn == 0 || asn > UINT32_MAX || !isdigit((unsigned char)text[0]))
            return "an ASN is a number from 1 to 4294967295";
        e->asn = (uint32_t)asn;
        return NULL;
    }
    if (e->kind == SUPPRESS_ADDRESS) {
        switch (network_parse(text, strlen(text), &e->network)) {
        case NETWORK_OK: return NULL;
        case NETWORK_NOT_ADDRESS: return "not an IPv4 or IPv6 address (ADDRESS or ADDRESS/PREFIX)";
        default: return "the prefix is not a number of bits the address has";
        }
    }
    while (length > 1 && word[length - 1] == '.')
        length--;
    for (size_t i = 0; i < length; i++)
        text[i] = (char)tolower((unsigned char)word[i]);
    if (!(e->value = copy_text(text, length)))
        return "out of memory";
    e->value_length = length;
    return NULL;
}

static const char *parse_until(struct suppression_entry *e, const char *word, size_t length)
{
    char text[64];
    length -= 6; /* "until=" */
    if (length < sizeof text) {
        memcpy(text, word + 6, length);
        text[length] = '\0';
    }
    if (length >= sizeof text || !iso_time_parse_day_or_time(text, &e->until_us) || e->until_us == 0)
        return "until= takes a date (2026-12-31) or a time (2026-12-31T12:00:00Z)";
    return NULL;
}

/* One line into e; NULL, or what is wrong. */
static const char *parse_line(struct suppression_entry *e, const char *line)
{
    const char *at = line, *word;
    size_t length = next_word(&at, &word);
    e->kind = SUPPRESS_NAME;
    while (e->kind <= SUPPRESS_ASN && !(strlen(kind_words[e->kind]) == length &&
                                        memcmp(kind_words[e->kind], word, length) == 0))
        e->kind++;
    if (e->kind > SUPPRESS_ASN)
        return "the kind is name, domain, address or asn";
    if (!(length = next_word(&at, &word)))
        return "a value follows the kind";
    const char *wrong = parse_value(e, word, length);
    if (wrong)
        return wrong;
    const char *rest = at;
    length = next_word(&at, &word);
    if (length >= 6 && memcmp(word, "until=", 6) == 0) {
        if ((wrong = parse_until(e, word, length)))
            return wrong;
        rest = at;
    }
    while (*rest == ' ' || *rest == '\t')
        rest++;
    size_t reason_length = strlen(rest);
    while (reason_length && (rest[reason_length - 1] == ' ' || rest[reason_length - 1] == '\t'))
        reason_length--;
    if (!reason_length)
        return "a reason follows (why these alerts are expected)";
    return (e->reason = copy_text(rest, reason_length)) ? NULL : "out of memory";
}

static bool grow(struct suppression *s, size_t *room)
{
    if (s->count < *room)
        return true;
    size_t bigger = *room ? *room * 2 : 16;
    struct suppression_entry *entries = realloc(s->entries, bigger * sizeof *entries);
    if (!entries)
        return false;
    s->entries = entries;
    *room = bigger;
    return true;
}

/* Reads the lines of file into s; false with the message set. */
static bool read_entries(struct suppression *s, FILE *file, char *error, size_t error_size)
{
    char line[SUPPRESSION_LINE_MAX];
    size_t room = 0;
    for (unsigned number = 1; fgets(line, sizeof line, file); number++) {
        size_t length = strcspn(line, "\r\n");
        if (line[length] == '\0' && !feof(file)) {
            snprintf(error, error_size, "%s:%u: a line longer than %d bytes", s->path, number,
                     SUPPRESSION_LINE_MAX - 2);
            return false;
        }
        line[length] = '\0';
        char *comment = strchr(line, '#');
        if (comment)
            *comment = '\0';
        if (line[strspn(line, " \t")] == '\0')
            continue;
        if (s->count >= SUPPRESSION_ENTRIES_MAX || !grow(s, &room)) {
            snprintf(error, error_size, "%s:%u: too many entries", s->path, number);
            return false;
        }
        struct suppression_entry *e = &s->entries[s->count];
        memset(e, 0, sizeof *e);
        e->line = number;
        const char *wrong = parse_line(e, line);
        s->count++; /* freed with the others, whole or not */
        if (wrong) {
            snprintf(error, error_size, "%s:%u: %s", s->path, number, wrong);
            return false;
        }
    }
    return true;
}

bool suppression_load(struct suppression *s, const char *path, char *error, size_t error_size)
{
    memset(s, 0, sizeof *s);
    FILE *file = fopen(path, "r");
    if (!file) {
        snprintf(error, error_size, "%s: cannot read: %s", path, strerror(errno));
        return false;
    }
    bool ok = (s->path = copy_text(path, strlen(path))) != NULL &&
              read_entries(s, file, error, error_size);
    fclose(file);
    if (!ok)
        suppression_free(s);
    return ok;
}

void suppression_free(struct suppression *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->entries[i].value);
        free(s->entries[i].reason);
    }
    free(s->entries);
    free(s->path);
    memset(s, 0, sizeof *s);
}

static bool under_domain(const struct suppression_entry *e, const char *name, size_t length)
{
    if (length == e->value_length)
        return memcmp(name, e->value, length) == 0;
    return length > e->value_length && name[length - e->value_length - 1] == '.' &&
           memcmp(name + length - e->value_length, e->value, e->value_length) == 0;
}

static bool in_network(const struct suppression_entry *e, const char *name)
{
    struct ip_address address;
    return ip_address_parse(name, &address) && network_contains(&e->network, &address);
}

static bool matches(const struct suppression_entry *e, enum key_kind kind, const char *name,
                    size_t length, uint32_t leading_asn)
{
    switch (e->kind) {
    case SUPPRESS_NAME:
        return kind == KEY_NAME && length == e->value_length && memcmp(name, e->value, length) == 0;
    case SUPPRESS_DOMAIN:
        return kind != KEY_ADDRESS && under_domain(e, name, length);
    case SUPPRESS_ADDRESS:
        return kind == KEY_ADDRESS && in_network(e, name);
    case SUPPRESS_ASN:
        return leading_asn && leading_asn == e->asn;
    }
    return false;
}

const struct suppression_entry *suppression_match(struct suppression *s, enum key_kind kind,
                                                  const char *name, size_t length,
                                                  uint32_t leading_asn, int64_t time_us)
{
    for (size_t i = 0; i < s->count; i++) {
        struct suppression_entry *e = &s->entries[i];
        if ((!e->until_us || time_us < e->until_us) && matches(e, kind, name, length, leading_asn)) {
            e->alerts++;
            return e;
        }
    }
    return NULL;
}
