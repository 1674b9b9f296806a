/* Unit tests of the engine's bounded aggregates: the distinct counter (exact,
 * then HyperLogLog within its error), Space-Saving per-ASN counts (exact
 * while small, heavy hitters kept beyond), the daily series, and the key
 * store (finding keys after deletions, eviction of the least useful key,
 * a flood of unique names held under the memory cap, expiry). */
#include <stdlib.h>

#include "engine/asn_tally.h"
#include "engine/distinct_counter.h"
#include "base/hash.h"
#include "engine/key_store.h"
#include "unit.h"

static uint64_t item(uint64_t i) { return hash_mix(i * 0x9e3779b97f4a7c15ULL + 1); }

static void test_distinct_counter(void)
{
    struct distinct_counter c = { 0 };
    for (int round = 0; round < 3; round++)
        for (uint64_t i = 0; i < DISTINCT_EXACT_MAX; i++)
            distinct_counter_add(&c, item(i));
    CHECK(distinct_counter_is_exact(&c));
    CHECK(distinct_counter_estimate(&c) == DISTINCT_EXACT_MAX);
    distinct_counter_add(&c, item(1000));
    CHECK(!distinct_counter_is_exact(&c));
    CHECK(distinct_counter_estimate(&c) > DISTINCT_EXACT_MAX);
    /* 64 registers: about 13% standard error; allow 3 sigma */
    static const uint64_t sizes[] = { 100, 1000, 10000, 100000 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct distinct_counter d = { 0 };
        for (uint64_t i = 0; i < sizes[s]; i++) {
            distinct_counter_add(&d, item(i + 7 * s));
            distinct_counter_add(&d, item(i + 7 * s)); /* repeats change nothing */
        }
        double ratio = (double)distinct_counter_estimate(&d) / (double)sizes[s];
        if (ratio < 0.6 || ratio > 1.4)
            fprintf(stderr, "distinct %llu: estimate ratio %.3f\n", (unsigned long long)sizes[s], ratio);
        CHECK(ratio > 0.6 && ratio < 1.4);
    }
}

static void test_asn_tally_exact_then_heavy_hitters(void)
{
    struct asn_tally t = { 0 };
    for (uint32_t asn = 1; asn <= ASN_TALLY_SLOTS; asn++)
        for (uint32_t i = 0; i < asn * 10; i++)
            asn_tally_add(&t, asn, i % 2 == 0, false, NULL);
    struct asn_count sorted[ASN_TALLY_SLOTS];
    CHECK(asn_tally_sorted(&t, sorted) == ASN_TALLY_SLOTS);
    CHECK(!t.approximate);
    CHECK(sorted[0].asn == ASN_TALLY_SLOTS && sorted[0].lookups == ASN_TALLY_SLOTS * 10);
    CHECK(sorted[0].corrected == ASN_TALLY_SLOTS * 5 && sorted[0].overestimate == 0);
    /* Space-Saving keeps every ASN above total/slots: here ASN 8 has over a
     * third of all lookups, so a long tail of one-lookup ASNs cannot push
     * it out */
    for (int i = 0; i < 1500; i++)
        asn_tally_add(&t, ASN_TALLY_SLOTS, true, false, NULL);
    for (uint32_t asn = 1000; asn < 3000; asn++)
        asn_tally_add(&t, asn, true, false, NULL);
    CHECK(t.approximate);
    asn_tally_sorted(&t, sorted);
    bool kept_biggest = false;
    for (int i = 0; i < ASN_TALLY_SLOTS; i++)
        kept_biggest |= sorted[i].asn == ASN_TALLY_SLOTS;
    CHECK(kept_biggest);
    /* entropy: one ASN = 0 bits; two equal ASNs = 1 bit */
    struct asn_tally one = { 0 }, two = { 0 };
    for (int i = 0; i < 10; i++) {
        asn_tally_add(&one, 5, true, false, NULL);
        asn_tally_add(&two, 5, true, false, NULL);
        asn_tally_add(&two, 6, true, false, NULL);
    }
    CHECK(asn_tally_entropy(&one, 10) < 1e-9);
    CHECK(asn_tally_entropy(&two, 20) > 0.999 && asn_tally_entropy(&two, 20) < 1.001);
}

static void test_daily_series(void)
{
    struct key k = { 0 };
    const int64_t day = 86400000000LL, start = 17000 * day;
    struct key_lookup l = { .time_us = start, .corrected = true };
    key_aggregate_count_lookup(&k, &l);
    l.time_us = start + 3 * day + 5;
    key_aggregate_count_lookup(&k, &l);
    key_aggregate_count_lookup(&k, &l);
    CHECK(key_aggregate_daily(&k, 17000) == 1);
    CHECK(key_aggregate_daily(&k, 17001) == 0);
    CHECK(key_aggregate_daily(&k, 17003) == 2);
    l.time_us = start + 200 * day; /* beyond the series: old days drop out */
    key_aggregate_count_lookup(&k, &l);
    CHECK(key_aggregate_daily(&k, 17003) == 0);
    CHECK(key_aggregate_daily(&k, 17200) == 1);
    CHECK(k.lookups == 4 && k.first_seen_us == start && k.last_seen_us == start + 200 * day);
    CHECK(k.hours[0] == 4);
}

static void look_up(struct key *k, int64_t time_us, uint32_t asn, const char *country)
{
    struct key_lookup l = { .time_us = time_us, .asn = asn, .corrected = true };
    memcpy(l.country, country, 2);
    key_aggregate_count_lookup(k, &l);
}

/* The ASNs of each day follow their ASN through slot replacement and merges. */
static void test_daily_asns(void)
{
    const int64_t day = 86400000000LL, start = 17000 * day;
    struct key k = { 0 };
    look_up(&k, start, 15632, "RU");
    look_up(&k, start, 15632, "RU");
    look_up(&k, start + day, 64496, "US");
    look_up(&k, start + day, 15632, "RU");
    int a = asn_tally_find(&k.asn_tally, 15632), b = asn_tally_find(&k.asn_tally, 64496);
    CHECK(a >= 0 && b >= 0);
    CHECK(key_aggregate_daily_asns(&k, 17000) == (1u << a));
    CHECK(key_aggregate_daily_asns(&k, 17001) == ((1u << a) | (1u << b)));
    /* the country tally: RU 3, US 1 */
    struct asn_count countries[ASN_TALLY_SLOTS];
    CHECK(asn_tally_sorted(&k.country_tally, countries) == 2);
    CHECK(countries[0].asn == key_country_id("RU") && countries[0].lookups == 3);
    CHECK(countries[1].asn == key_country_id("US") && countries[1].lookups == 1);
    CHECK(key_country_id("r1") == 0 && key_country_id("\0\0") == 0);
    /* eight more ASNs on day 2, each twice, push out the smallest slot
     * (64496, one lookup): its day-1 bit must not pass to its successor */
    for (uint32_t asn = 100; asn < 108; asn++) {
        look_up(&k, start + 2 * day, asn, "DE");
        look_up(&k, start + 2 * day, asn, "DE");
    }
    CHECK(k.asn_tally.approximate && asn_tally_find(&k.asn_tally, 64496) < 0);
    CHECK(key_aggregate_daily_asns(&k, 17001) == (1u << asn_tally_find(&k.asn_tally, 15632)));
    /* a merge maps the other key's slots to this one's */
    struct key x = { 0 }, y = { 0 };
    look_up(&x, start, 1, "FR");
    look_up(&y, start, 2, "FR");
    look_up(&y, start + day, 1, "FR");
    key_aggregate_merge(&x, &y);
    int one = asn_tally_find(&x.asn_tally, 1), two = asn_tally_find(&x.asn_tally, 2);
    CHECK(key_aggregate_daily_asns(&x, 17000) == ((1u << one) | (1u << two)));
    CHECK(key_aggregate_daily_asns(&x, 17001) == (1u << one));
    CHECK(x.country_tally.used == 1 && x.country_tally.slot[0].lookups == 3);
    CHECK(key_aggregate_check_record(&x) == NULL);
}

/* Two slots: a querier with a majority is named, a tie or a crowd is not. */
static void test_querier_tally(void)
{
    struct ip_address a, b, c;
    CHECK(ip_address_parse("203.0.113.10", &a) && ip_address_parse("203.0.113.11", &b) &&
          ip_address_parse("2001:db8::1", &c));
    struct querier_tally t = { 0 };
    for (int i = 0; i < 10; i++) {
        querier_tally_add(&t, &a);
        querier_tally_add(&t, &b);
    }
    CHECK(querier_tally_majority(&t, 20) == NULL); /* half is not more than half */
    querier_tally_add(&t, &a);
    const struct querier_count *top = querier_tally_majority(&t, 21);
    CHECK(top && ip_address_equal(&top->address, &a) && top->lookups == 11);
    /* a third querier takes b's slot: its count is an upper bound */
    for (int i = 0; i < 30; i++)
        querier_tally_add(&t, &c);
    top = querier_tally_majority(&t, 51);
    /* c's 40 include b's 10 as error: at least 30 of 51, surely a majority */
    CHECK(top && ip_address_equal(&top->address, &c) && top->lookups == 40 && top->overestimate == 10);
    CHECK(querier_tally_majority(&t, 60) == NULL); /* 30 of 60 is not */
    struct querier_tally u = { 0 };
    for (int i = 0; i < 40; i++)
        querier_tally_add(&u, &c);
    querier_tally_merge(&t, &u);
    top = querier_tally_majority(&t, 91);
    CHECK(top && ip_address_equal(&top->address, &c) && top->lookups - top->overestimate == 70);
}

/* A full address keeps the names that matter for a rotation. */
static void test_names_for_rotation(void)
{
    struct key address = { .kind = KEY_ADDRESS };
    struct key names[6] = { { .first_seen_us = 10 }, { .first_seen_us = 20 }, { .first_seen_us = 30 },
                            { .first_seen_us = 5, .nxdomain_since_us = 100 }, { .first_seen_us = 1 },
                            { .first_seen_us = 50 } };
    const struct key *current[KEY_NAMES_MAX] = { NULL };
    for (uint32_t i = 0; i < 4; i++) {
        key_aggregate_link_name(&address, (struct key_ref){ i, i + 1 }, current, &names[i]);
        current[i] = &names[i];
    }
    CHECK(address.linked_count == 4 && address.names_cut == 0);
    /* a steady name first seen before all of them is left out */
    key_aggregate_link_name(&address, (struct key_ref){ 4, 5 }, current, &names[4]);
    CHECK(address.names_cut == 1);
    for (unsigned i = 0; i < 4; i++)
        CHECK(address.linked.names[i].slot == i);
    /* a new one takes the place of the oldest steady one (10), not the silenced (100) */
    key_aggregate_link_name(&address, (struct key_ref){ 5, 6 }, current, &names[5]);
    CHECK(address.names_cut == 2 && address.linked.names[0].slot == 5 && address.linked.names[3].slot == 3);
    /* a name no longer kept goes first */
    current[0] = &names[5];
    current[2] = NULL;
    key_aggregate_link_name(&address, (struct key_ref){ 4, 5 }, current, &names[4]);
    CHECK(address.linked.names[2].slot == 4);
}

static struct key *put(struct key_store *s, const char *name, uint64_t corrected, int64_t seen)
{
    struct key *k = key_store_get(s, KEY_NAME, name, strlen(name),
                                  key_store_hash(KEY_NAME, name, strlen(name)));
    if (k) {
        k->lookups_corrected += corrected;
        k->lookups += corrected;
        k->last_seen_us = seen;
    }
    return k;
}

static struct key *find(struct key_store *s, const char *name)
{
    return key_store_find(s, KEY_NAME, name, strlen(name),
                          key_store_hash(KEY_NAME, name, strlen(name)));
}

static void test_store_find_after_deletions(void)
{
    struct key_store s;
    CHECK(key_store_init(&s, 1000, 0));
    char name[64];
    for (int i = 0; i < 900; i++) {
        snprintf(name, sizeof name, "n%d.example", i);
        put(&s, name, 1, i);
    }
    key_store_expire(&s, 450, NULL, NULL); /* removes n0..n449 */
    CHECK(s.count == 450 && s.counters.keys_expired == 450);
    int found = 0, wrongly = 0;
    for (int i = 0; i < 900; i++) {
        snprintf(name, sizeof name, "n%d.example", i);
        struct key *k = find(&s, name);
        found += k != NULL;
        wrongly += (k != NULL) != (i >= 450);
    }
    CHECK(found == 450 && wrongly == 0);
    key_store_free(&s);
}

static void test_store_flood_stays_under_cap(void)
{
    struct key_store s;
    const size_t cap = 4u << 20;
    CHECK(key_store_init(&s, 0, cap));
    struct key *planted = put(&s, "mail1.trump-email.com", 500, 1);
    CHECK(planted != NULL);
    char name[64];
    size_t most = 0;
    for (int i = 0; i < 300000; i++) {
        snprintf(name, sizeof name, "%08x.flood.example", (unsigned)hash_mix((uint64_t)i));
        put(&s, name, 1, 2 + i);
        if (s.bytes > most)
            most = s.bytes;
    }
    CHECK(most <= cap);
    CHECK(s.counters.keys_evicted > 250000);
    CHECK(find(&s, "mail1.trump-email.com") != NULL);
    printf("flood: %u keys kept, %llu evicted, peak %zu of %zu bytes\n", s.count,
           (unsigned long long)s.counters.keys_evicted, most, cap);
    key_store_free(&s);
}

static void test_store_refs(void)
{
    struct key_store s;
    CHECK(key_store_init(&s, 16, 0));
    struct key *a = put(&s, "a.example", 1, 1);
    struct key_ref ref = key_store_ref(&s, a);
    CHECK(key_store_deref(&s, ref) == a);
    key_store_expire(&s, 100, NULL, NULL);
    CHECK(key_store_deref(&s, ref) == NULL);
    put(&s, "b.example", 1, 200); /* reuses the slot */
    CHECK(key_store_deref(&s, ref) == NULL);
    key_store_free(&s);
}

/* The expiry scan reads a key only when its seen floor (noted as its dirty
 * mark is taken) may be before the cutoff: a key whose time moved while
 * marked, a key replaced whole (key_store_rewrote), a key still marked and
 * a key never marked all come out as a scan of every key would have it. */
static void test_expiry_by_seen_floors(void)
{
    const int64_t day = 86400LL * 1000000, t0 = 1462320000LL * 1000000;
    struct key_store s;
    CHECK(key_store_init(&s, 64, 0));
    struct key *moved = put(&s, "moved.example", 1, t0);
    struct key *restarted = put(&s, "restarted.example", 1, t0 + 9 * day);
    struct key *rewritten = put(&s, "rewritten.example", 1, t0 + 9 * day);
    struct key *marked = put(&s, "marked.example", 1, t0 + 9 * day);
    put(&s, "unmarked.example", 1, t0); /* never marked: its floor is unknown */
    for (struct key *k = &s.keys[0]; k < &s.keys[s.high_water]; k++)
        if (k->in_use && strcmp(k->name, "unmarked.example") != 0)
            key_store_mark_dirty(&s, k);
    key_store_take_dirty(&s, NULL, NULL);
    key_store_mark_dirty(&s, moved);
    moved->last_seen_us = t0 + 9 * day;
    key_store_mark_dirty(&s, restarted);
    restarted->last_seen_us = 0; /* as engine's restart of an idle key leaves it */
    key_store_mark_dirty(&s, marked);
    marked->last_seen_us = t0;
    rewritten->last_seen_us = t0; /* a state file's record */
    key_store_rewrote(&s, rewritten);
    key_store_take_dirty(&s, NULL, NULL);
    key_store_mark_dirty(&s, marked); /* still marked at the scan */
    key_store_expire(&s, t0 + day, NULL, NULL);
    CHECK(find(&s, "moved.example") != NULL && find(&s, "marked.example") != NULL);
    CHECK(find(&s, "restarted.example") == NULL && find(&s, "rewritten.example") == NULL);
    CHECK(find(&s, "unmarked.example") == NULL);
    CHECK(s.count == 2 && s.counters.keys_expired == 3);
    key_store_free(&s);
}

static void count_visit(void *user, struct key *key)
{
    (void)key;
    ++*(unsigned *)user;
}

/* Evictions leave stale and repeated slots in the dirty list; a flood within
 * one tick must not fill it so that a key stays dirty and is never visited. */
static void test_dirty_list_survives_a_flood(void)
{
    struct key_store s;
    CHECK(key_store_init(&s, 16, 0));
    struct key *planted = put(&s, "planted.example", 1000, 1);
    char name[64];
    for (int i = 0; i < 15; i++) {
        snprintf(name, sizeof name, "first%d.example", i);
        put(&s, name, 1, 1);
    }
    key_store_take_dirty(&s, NULL, NULL);
    for (int i = 0; i < 1000; i++) { /* evicts and reuses the 15 other slots */
        snprintf(name, sizeof name, "flood%d.example", i);
        key_store_mark_dirty(&s, put(&s, name, 1, 2 + i));
    }
    planted = find(&s, "planted.example");
    CHECK(planted != NULL);
    key_store_mark_dirty(&s, planted); /* the list has been full for a while */
    unsigned visited = 0, dirty = 0;
    for (uint32_t i = 0; i < s.high_water; i++)
        dirty += s.keys[i].in_use && s.keys[i].dirty;
    key_store_take_dirty(&s, count_visit, &visited);
    CHECK(visited == dirty);
    CHECK(!planted->dirty);
    for (int round = 0; round < 3; round++) { /* and it keeps working afterwards */
        key_store_mark_dirty(&s, planted);
        visited = 0;
        key_store_take_dirty(&s, count_visit, &visited);
        CHECK(visited == 1);
    }
    key_store_free(&s);
}

int main(void)
{
    test_dirty_list_survives_a_flood();
    test_distinct_counter();
    test_asn_tally_exact_then_heavy_hitters();
    test_daily_series();
    test_daily_asns();
    test_querier_tally();
    test_names_for_rotation();
    test_store_find_after_deletions();
    test_store_flood_stays_under_cap();
    test_store_refs();
    test_expiry_by_seen_floors();
    return unit_finish("unit-aggregates");
}
