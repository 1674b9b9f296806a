/* pdns_table: the passive-DNS entries and their schedule (see the header).
 * Names and rdata come from hostile packets: they are copied with their
 * lengths, hashed with a seed drawn at start, and probes are bounded. It
 * must not format output or read packets. */
#include "pdns/pdns_table.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/hash.h"

enum { NAME_TEXT_MAX = 1100, PROBE_MAX = 64 };

/* A distinct answer as observe() sees it, before it is an entry. */
struct pdns_sighting {
    const char *name, *rdata;
    uint16_t name_length, rdata_length, rrtype, rcode;
    uint32_t ttl;
    const struct ip_address *address;
    const struct dns_event *event;
};

bool pdns_table_init(struct pdns_table *table, uint32_t max_entries, int64_t every_us,
                     pdns_write_fn write, void *user)
{
    memset(table, 0, sizeof *table);
    uint32_t slots = 16;
    while (slots < 2 * (uint64_t)max_entries && slots < (1u << 31))
        slots <<= 1;
    table->slots = calloc(slots, sizeof *table->slots);
    table->entries = calloc(max_entries, sizeof *table->entries);
    if (!table->slots || !table->entries) {
        pdns_table_free(table);
        return false;
    }
    if (getrandom(&table->seed, sizeof table->seed, GRND_NONBLOCK) != sizeof table->seed)
        table->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)table;
    table->max_entries = max_entries;
    table->slot_mask = slots - 1;
    table->every_us = every_us;
    table->write = write;
    table->user = user;
    return true;
}

void pdns_table_free(struct pdns_table *table)
{
    for (uint32_t i = 0; table->entries && i < table->count; i++)
        free(table->entries[i].text);
    free(table->entries);
    free(table->slots);
    table->entries = NULL;
    table->slots = NULL;
    table->count = 0;
}

static uint64_t hash_of(const struct pdns_table *table, const struct pdns_sighting *s)
{
    uint64_t h = hash_bytes(s->name, s->name_length,
                            table->seed ^ ((uint64_t)s->rrtype << 16) ^ s->rcode);
    return hash_bytes(s->rdata, s->rdata_length, h);
}

static bool same(const struct pdns_entry *e, uint64_t hash, const struct pdns_sighting *s)
{
    return e->hash == hash && e->rrtype == s->rrtype && e->rcode == s->rcode &&
           e->name_length == s->name_length && e->rdata_length == s->rdata_length &&
           memcmp(e->text, s->name, s->name_length) == 0 &&
           memcmp(e->text + s->name_length, s->rdata, s->rdata_length) == 0;
}

/* The slot holding the sighting's entry, or the empty slot it would take;
 * UINT32_MAX when the probe is longer than PROBE_MAX. */
static uint32_t probe(const struct pdns_table *table, uint64_t hash, const struct pdns_sighting *s)
{
    uint32_t at = (uint32_t)hash & table->slot_mask;
    for (unsigned step = 0; step < PROBE_MAX; step++, at = (at + 1) & table->slot_mask) {
        uint32_t index = table->slots[at];
        if (!index || same(&table->entries[index - 1], hash, s))
            return at;
    }
    return UINT32_MAX;
}

/* Hands every entry seen since its last write to the writer; keeps those
 * (their count reset) unless forget_all, and forgets the rest. */
static void write_entries(struct pdns_table *table, int64_t now_us, bool forget_all)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < table->count; i++) {
        struct pdns_entry *e = &table->entries[i];
        bool seen = e->count > 0;
        if (seen) {
            table->write(table->user, e, now_us);
            table->counters.entries_written++;
            e->count = 0;
        }
        if (seen && !forget_all)
            table->entries[kept++] = *e;
        else
            free(e->text);
    }
    table->count = kept;
    memset(table->slots, 0, ((size_t)table->slot_mask + 1) * sizeof *table->slots);
    for (uint32_t i = 0; i < kept; i++) { /* a chain never outgrows the probe: half the slots are free */
        uint32_t at = (uint32_t)table->entries[i].hash & table->slot_mask;
        while (table->slots[at])
            at = (at + 1) & table->slot_mask;
        table->slots[at] = i + 1;
    }
}

void pdns_table_finish(struct pdns_table *table)
{
    write_entries(table, table->newest_us, true);
}

/* The schedule's turns that fell due before this packet time. */
static void write_when_due(struct pdns_table *table, int64_t time_us)
{
    if (table->next_write_us == 0)
        table->next_write_us = (time_us / table->every_us + 1) * table->every_us;
    if (time_us < table->next_write_us)
        return;
    write_entries(table, table->next_write_us, false);
    table->next_write_us = (time_us / table->every_us + 1) * table->every_us;
}

static struct pdns_entry *new_entry(struct pdns_table *table, uint64_t hash,
                                    const struct pdns_sighting *s, int64_t time_us)
{
    uint32_t at = probe(table, hash, s);
    if (table->count == table->max_entries || at == UINT32_MAX) {
        table->counters.full_writes++;
        write_entries(table, time_us, true);
        at = probe(table, hash, s);
    }
    char *text = malloc((size_t)s->name_length + s->rdata_length + 1);
    if (!text || at == UINT32_MAX) {
        free(text);
        table->counters.out_of_memory++;
        return NULL;
    }
    memcpy(text, s->name, s->name_length);
    memcpy(text + s->name_length, s->rdata, s->rdata_length);
    struct pdns_entry *e = &table->entries[table->count];
    *e = (struct pdns_entry){ .hash = hash, .first_seen_us = time_us, .last_seen_us = time_us,
                              .rrtype = s->rrtype, .rcode = s->rcode,
                              .name_length = s->name_length, .rdata_length = s->rdata_length,
                              .text = text };
    if (s->address)
        e->address = *s->address;
    table->slots[at] = ++table->count;
    return e;
}

static void enter(struct pdns_table *table, const struct pdns_sighting *s)
{
    int64_t time_us = s->event->timestamp_us;
    uint64_t hash = hash_of(table, s);
    uint32_t at = probe(table, hash, s);
    struct pdns_entry *e = at != UINT32_MAX && table->slots[at] ? &table->entries[table->slots[at] - 1]
                                                                : new_entry(table, hash, s, time_us);
    if (!e)
        return;
    if (time_us < e->first_seen_us)
        e->first_seen_us = time_us;
    if (time_us >= e->last_seen_us) {
        e->last_seen_us = time_us;
        e->ttl = s->ttl;
        e->client = s->event->client;
        e->server = s->event->server;
    }
    e->count++;
}

/* The name lower-cased into out (DNS names compare without case); 0 when
 * it is longer than any name in presentation form can be. */
static uint16_t lower_name(const char *name, uint16_t length, char out[NAME_TEXT_MAX])
{
    if (length > NAME_TEXT_MAX)
        return 0;
    for (uint16_t i = 0; i < length; i++)
        out[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] + 32) : name[i];
    return length;
}

static void enter_answers(struct pdns_table *table, const struct dns_event *event)
{
    const struct dns_message *m = event->message;
    char name[NAME_TEXT_MAX], address[IP_ADDRESS_TEXT_MAX];
    for (unsigned i = 0; i < m->record_count; i++) {
        const struct dns_record *r = &m->records[i];
        if (r->section != DNS_SECTION_ANSWER)
            continue;
        struct pdns_sighting s = { .rrtype = r->type, .ttl = r->ttl, .event = event };
        if (r->address.family) {
            s.rdata = address;
            s.rdata_length = (uint16_t)ip_address_format(&r->address, address);
            s.address = &r->address;
        } else {
            s.rdata = dns_text_ptr(m, r->rdata);
            s.rdata_length = r->rdata.length;
        }
        if (!s.rdata_length) {
            table->counters.records_without_rdata++;
            continue;
        }
        s.name = name;
        if ((s.name_length = lower_name(dns_text_ptr(m, r->owner), r->owner.length, name)))
            enter(table, &s);
    }
}

static bool has_answer(const struct dns_message *m)
{
    for (unsigned i = 0; i < m->record_count; i++)
        if (m->records[i].section == DNS_SECTION_ANSWER)
            return true;
    return false;
}

void pdns_table_observe(struct pdns_table *table, const struct dns_event *event)
{
    const struct dns_message *m = event->message;
    if (!event->is_response || !m || m->question_count == 0)
        return;
    if (event->unsolicited) {
        table->counters.unsolicited_skipped++;
        return;
    }
    write_when_due(table, event->timestamp_us);
    if (event->timestamp_us > table->newest_us)
        table->newest_us = event->timestamp_us;
    if (has_answer(m)) {
        enter_answers(table, event);
        return;
    }
    if (m->rcode == 0) /* no data, no error: nothing to remember */
        return;
    char name[NAME_TEXT_MAX];
    struct pdns_sighting s = { .name = name, .rdata = "", .rrtype = m->qtype, .rcode = m->rcode,
                               .event = event };
    if ((s.name_length = lower_name(dns_text_ptr(m, m->qname), m->qname.length, name)))
        enter(table, &s);
}

void pdns_table_visit_counters(const struct pdns_table *table, counter_visit_fn visit, void *user)
{
    visit(user, "pdns_entries", table->count);
    visit(user, "pdns_entries_written", table->counters.entries_written);
    visit(user, "pdns_full_writes", table->counters.full_writes);
    visit(user, "pdns_unsolicited_skipped", table->counters.unsolicited_skipped);
    visit(user, "pdns_records_without_rdata", table->counters.records_without_rdata);
    visit(user, "pdns_out_of_memory", table->counters.out_of_memory);
}
