/* key_aggregate: the per-key counters. Every update is a handful of stores
 * into the struct; nothing here loops over more than a few dozen bytes. */
#include "engine/key_aggregate.h"

#include <stddef.h>
#include <string.h>

#include "base/iso_time.h"

const char *key_kind_name(enum key_kind kind)
{
    static const char *const names[KEY_KINDS] = { "name", "domain", "address" };
    return kind < KEY_KINDS ? names[kind] : "?";
}

static bool flag_byte_ok(const uint8_t *bytes, size_t offset)
{
    return bytes[offset] <= 1;
}

static bool counter_ok(const struct distinct_counter *counter)
{
    return counter->exact_count <= DISTINCT_EXACT_MAX || counter->exact_count == DISTINCT_SKETCH;
}

static const char *check_times(const struct key *key)
{
    if (key->lookups && (!iso_time_is_sane(key->first_seen_us) ||
                         !iso_time_is_sane(key->last_seen_us) ||
                         key->first_seen_us > key->last_seen_us))
        return "first or last seen outside 1970-2100, or in the wrong order";
    if (!iso_time_is_unset_or_sane(key->last_answer_us) ||
        !iso_time_is_unset_or_sane(key->nxdomain_since_us))
        return "an answer or NXDOMAIN time outside 1970-2100";
    if (key->daily_last_day < 0 ||
        key->daily_last_day >= (int32_t)(EXCLAVE_TIME_MAX_US / 86400000000LL))
        return "the daily series ends outside 1970-2100";
    return NULL;
}

const char *key_aggregate_check_record(const void *bytes)
{
    const uint8_t *raw = bytes;
    if (!flag_byte_ok(raw, offsetof(struct key, in_use)) || !flag_byte_ok(raw, offsetof(struct key, dirty)) ||
        !flag_byte_ok(raw, offsetof(struct key, no_domain)) ||
        !flag_byte_ok(raw, offsetof(struct key, asn_tally) + offsetof(struct asn_tally, approximate)) ||
        !flag_byte_ok(raw, offsetof(struct key, country_tally) + offsetof(struct asn_tally, approximate)))
        return "a flag that is neither 0 nor 1";
    struct key key;
    memcpy(&key, bytes, sizeof key);
    if (key.kind >= KEY_KINDS)
        return "an unknown kind";
    if (key.top_queriers.used > QUERIER_TALLY_SLOTS)
        return "more top queriers than it keeps";
    for (unsigned i = 0; i < key.top_queriers.used; i++)
        if (key.top_queriers.slot[i].address.family != 4 && key.top_queriers.slot[i].address.family != 6)
            return "a top querier that is not an address";
    if (key.asn_tally.used > ASN_TALLY_SLOTS || key.country_tally.used > ASN_TALLY_SLOTS)
        return "more ASNs or countries in its tally than it has slots";
    if (!counter_ok(&key.queriers) || !counter_ok(&key.prefixes) || !counter_ok(&key.asns))
        return "a distinct count that is neither exact nor a sketch";
    if (key.linked_count > (key.kind == KEY_ADDRESS ? KEY_NAMES_MAX : KEY_ANSWERS_MAX))
        return "more linked names or answers than a key keeps";
    for (unsigned i = 0; key.kind != KEY_ADDRESS && i < key.linked_count; i++)
        if (key.linked.answers[i].family != 4 && key.linked.answers[i].family != 6)
            return "an answer that is not an address";
    if (key.lookups_corrected > key.lookups || key.reverse_lookups > key.lookups ||
        key.home_lookups > key.lookups || key.proven_lookups > key.lookups)
        return "more corrected, reverse, home or proven lookups than lookups";
    return check_times(&key);
}

static void note_country(struct key *key, const char country[2])
{
    uint32_t id = key_country_id(country);
    if (!id)
        return;
    unsigned bit = ((id >> 8) - 'A') * 26 + ((id & 0xff) - 'A');
    key->countries[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

uint64_t key_aggregate_country_count(const struct key *key)
{
    uint64_t n = 0;
    for (size_t i = 0; i < sizeof key->countries; i++)
        n += (uint64_t)__builtin_popcount(key->countries[i]);
    return n;
}

uint64_t key_aggregate_distinct(const struct key *key, const struct distinct_counter *counter)
{
    uint64_t estimate = distinct_counter_estimate(counter);
    return estimate < key->lookups ? estimate : key->lookups;
}

/* Moves the daily ring forward to `day`, clearing the days skipped. */
static void advance_days(struct key *key, int32_t day)
{
    if (key->daily_last_day == 0 || day - key->daily_last_day >= KEY_DAILY_DAYS) {
        memset(key->daily, 0, sizeof key->daily);
        memset(key->daily_asns, 0, sizeof key->daily_asns);
    } else {
        for (int32_t d = key->daily_last_day + 1; d <= day; d++) {
            key->daily[d % KEY_DAILY_DAYS] = 0;
            key->daily_asns[d % KEY_DAILY_DAYS] = 0;
        }
    }
    key->daily_last_day = day;
}

/* A slot of the ASN tally that changed hands: the days were the old ASN's. */
static void forget_slot_days(struct key *key, unsigned slot)
{
    uint8_t keep = (uint8_t)~(1u << slot);
    for (size_t d = 0; d < KEY_DAILY_DAYS; d++)
        key->daily_asns[d] &= keep;
}

static void count_day(struct key *key, int64_t time_us, unsigned asn_slot)
{
    int32_t day = (int32_t)key_aggregate_day(time_us);
    if (day > key->daily_last_day)
        advance_days(key, day);
    else if (key->daily_last_day - day >= KEY_DAILY_DAYS)
        return; /* older than the series (out-of-order input) */
    uint16_t *count = &key->daily[day % KEY_DAILY_DAYS];
    if (*count != UINT16_MAX)
        (*count)++;
    key->daily_asns[day % KEY_DAILY_DAYS] |= (uint8_t)(1u << asn_slot);
}

void key_aggregate_count_lookup(struct key *key, const struct key_lookup *lookup)
{
    if (key->lookups == 0 || lookup->time_us < key->first_seen_us)
        key->first_seen_us = lookup->time_us;
    if (lookup->time_us > key->last_seen_us)
        key->last_seen_us = lookup->time_us;
    key->lookups++;
    key->lookups_corrected += lookup->corrected;
    key->reverse_lookups += lookup->reverse;
    key->home_lookups += lookup->home;
    key->proven_lookups += lookup->proven;
    if (lookup->querier)
        querier_tally_add(&key->top_queriers, lookup->querier);
    if (lookup->corrected) { /* else this querier was counted already, in this very slot */
        distinct_counter_add(&key->queriers, lookup->querier_hash);
        distinct_counter_add(&key->prefixes, lookup->prefix_hash);
        distinct_counter_add(&key->asns,
                             (uint64_t)lookup->asn * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
        note_country(key, lookup->country);
    }
    bool replaced;
    unsigned asn_slot = asn_tally_add(&key->asn_tally, lookup->asn, lookup->corrected, lookup->proven,
                                      &replaced);
    if (replaced)
        forget_slot_days(key, asn_slot);
    asn_tally_add(&key->country_tally, key_country_id(lookup->country), lookup->corrected,
                  lookup->proven, NULL);
    key->hours[(lookup->time_us / 3600000000LL) % 24]++;
    count_day(key, lookup->time_us, asn_slot);
}

static enum key_rcode rcode_tally(uint16_t rcode)
{
    switch (rcode) {
    case 0: return KEY_RCODE_NOERROR;
    case 2: return KEY_RCODE_SERVFAIL;
    case 3: return KEY_RCODE_NXDOMAIN;
    case 5: return KEY_RCODE_REFUSED;
    default: return KEY_RCODE_OTHER;
    }
}

static void add_answer(struct key *key, const struct ip_address *address)
{
    for (unsigned i = 0; i < key->linked_count; i++)
        if (ip_address_equal(&key->linked.answers[i], address))
            return;
    if (key->linked_count < KEY_ANSWERS_MAX)
        key->linked.answers[key->linked_count++] = *address;
}

void key_aggregate_note_response(struct key *key, int64_t time_us, uint16_t rcode,
                                 const struct ip_address *answers, size_t answer_count,
                                 uint32_t min_ttl)
{
    key->rcodes[rcode_tally(rcode)]++;
    if (answer_count) {
        if (time_us > key->last_answer_us) {
            key->last_answer_us = time_us;
            key->nxdomain_since_us = 0;
        }
        key_aggregate_note_ttl(key, min_ttl ? min_ttl : 1);
        for (size_t i = 0; i < answer_count; i++)
            add_answer(key, &answers[i]);
    } else if (rcode == 3 && key->nxdomain_since_us == 0 && time_us >= key->last_answer_us) {
        key->nxdomain_since_us = time_us;
    }
}

void key_aggregate_note_ttl(struct key *key, uint32_t ttl)
{
    if (ttl && (key->slot_seconds == 0 || ttl < key->slot_seconds))
        key->slot_seconds = ttl;
}

/* When a linked name last changed in a way a rotation looks for. */
static int64_t rotation_moment(const struct key *name)
{
    if (!name)
        return INT64_MIN;
    return name->nxdomain_since_us ? name->nxdomain_since_us : name->first_seen_us;
}

void key_aggregate_link_name(struct key *address_key, struct key_ref name,
                             const struct key *const current[KEY_NAMES_MAX], const struct key *incoming)
{
    for (unsigned i = 0; i < address_key->linked_count; i++)
        if (address_key->linked.names[i].slot == name.slot &&
            address_key->linked.names[i].hash_check == name.hash_check)
            return;
    if (address_key->linked_count < KEY_NAMES_MAX) {
        address_key->linked.names[address_key->linked_count++] = name;
        return;
    }
    unsigned least = 0;
    for (unsigned i = 1; i < KEY_NAMES_MAX; i++)
        if (rotation_moment(current[i]) < rotation_moment(current[least]))
            least = i;
    address_key->names_cut += address_key->names_cut != UINT32_MAX;
    if (rotation_moment(incoming) > rotation_moment(current[least]))
        address_key->linked.names[least] = name;
}

uint32_t key_aggregate_daily(const struct key *key, int64_t day)
{
    if (key->daily_last_day == 0 || day > key->daily_last_day ||
        key->daily_last_day - day >= KEY_DAILY_DAYS)
        return 0;
    return key->daily[day % KEY_DAILY_DAYS];
}

uint8_t key_aggregate_daily_asns(const struct key *key, int64_t day)
{
    if (key->daily_last_day == 0 || day > key->daily_last_day ||
        key->daily_last_day - day >= KEY_DAILY_DAYS)
        return 0;
    return key->daily_asns[day % KEY_DAILY_DAYS];
}

static int64_t earliest_set(int64_t a, int64_t b)
{
    return !a ? b : !b ? a : a < b ? a : b;
}

/* The first NXDOMAIN after the merged last answer: each side's, if it is
 * not older than that answer. */
static void merge_silence(struct key *into, const struct key *from)
{
    int64_t last_answer = into->last_answer_us > from->last_answer_us ? into->last_answer_us
                                                                      : from->last_answer_us;
    int64_t mine = into->nxdomain_since_us >= last_answer ? into->nxdomain_since_us : 0;
    int64_t theirs = from->nxdomain_since_us >= last_answer ? from->nxdomain_since_us : 0;
    into->last_answer_us = last_answer;
    into->nxdomain_since_us = earliest_set(mine, theirs);
}

/* For each slot of tally `from`, the slot of `into` that holds its ASN now,
 * or -1 (an ASN the merged summary let go). */
static void map_slots(const struct asn_count *from, unsigned from_used,
                      const struct asn_tally *into, int8_t to[ASN_TALLY_SLOTS])
{
    for (unsigned i = 0; i < ASN_TALLY_SLOTS; i++)
        to[i] = (int8_t)(i < from_used ? asn_tally_find(into, from[i].asn) : -1);
}

static uint8_t remap_mask(uint8_t mask, const int8_t to[ASN_TALLY_SLOTS])
{
    uint8_t out = 0;
    for (unsigned i = 0; i < ASN_TALLY_SLOTS; i++)
        if ((mask >> i & 1) && to[i] >= 0)
            out |= (uint8_t)(1u << to[i]);
    return out;
}

/* into's per-day ASN bits after its tally was merged: `before` is the
 * tally as it was, whose slots the bits refer to. */
static void remap_own_days(struct key *into, const struct asn_tally *before)
{
    int8_t to[ASN_TALLY_SLOTS];
    map_slots(before->slot, before->used, &into->asn_tally, to);
    for (size_t d = 0; d < KEY_DAILY_DAYS; d++)
        into->daily_asns[d] = remap_mask(into->daily_asns[d], to);
}

static void merge_days(struct key *into, const struct key *from)
{
    if (!from->daily_last_day)
        return;
    int8_t to[ASN_TALLY_SLOTS];
    map_slots(from->asn_tally.slot, from->asn_tally.used, &into->asn_tally, to);
    for (int32_t day = from->daily_last_day - KEY_DAILY_DAYS + 1; day <= from->daily_last_day; day++) {
        uint32_t count = from->daily[day % KEY_DAILY_DAYS];
        if (!count || day < 0)
            continue;
        if (day > into->daily_last_day)
            advance_days(into, day);
        else if (into->daily_last_day - day >= KEY_DAILY_DAYS)
            continue;
        uint16_t *mine = &into->daily[day % KEY_DAILY_DAYS];
        *mine = *mine + count > UINT16_MAX ? UINT16_MAX : (uint16_t)(*mine + count);
        into->daily_asns[day % KEY_DAILY_DAYS] |= remap_mask(from->daily_asns[day % KEY_DAILY_DAYS], to);
    }
}

void key_aggregate_merge(struct key *into, const struct key *from)
{
    into->first_seen_us = earliest_set(into->first_seen_us, from->first_seen_us);
    if (from->last_seen_us > into->last_seen_us)
        into->last_seen_us = from->last_seen_us;
    into->lookups += from->lookups;
    into->lookups_corrected += from->lookups_corrected;
    into->reverse_lookups += from->reverse_lookups;
    into->queries += from->queries;
    into->answered += from->answered;
    into->unsolicited += from->unsolicited;
    into->home_lookups += from->home_lookups;
    into->proven_lookups += from->proven_lookups;
    into->names_cut = into->names_cut > UINT32_MAX - from->names_cut ? UINT32_MAX
                                                                     : into->names_cut + from->names_cut;
    querier_tally_merge(&into->top_queriers, &from->top_queriers);
    merge_silence(into, from);
    for (int i = 0; i < KEY_RCODES; i++)
        into->rcodes[i] += from->rcodes[i];
    distinct_counter_merge(&into->queriers, &from->queriers);
    distinct_counter_merge(&into->prefixes, &from->prefixes);
    distinct_counter_merge(&into->asns, &from->asns);
    for (size_t i = 0; i < sizeof into->countries; i++)
        into->countries[i] |= from->countries[i];
    struct asn_tally before = into->asn_tally;
    asn_tally_merge(&into->asn_tally, &from->asn_tally);
    remap_own_days(into, &before);
    asn_tally_merge(&into->country_tally, &from->country_tally);
    for (int i = 0; i < 24; i++)
        into->hours[i] += from->hours[i];
    merge_days(into, from);
    key_aggregate_note_ttl(into, from->slot_seconds);
    into->no_domain |= from->no_domain;
    if (from->alert_period > into->alert_period) {
        into->alert_period = from->alert_period;
        into->alerted_policies = from->alerted_policies;
    } else if (from->alert_period == into->alert_period) {
        into->alerted_policies |= from->alerted_policies;
    }
    for (unsigned i = 0; into->kind != KEY_ADDRESS && i < from->linked_count; i++)
        add_answer(into, &from->linked.answers[i]);
}
