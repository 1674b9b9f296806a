/* Unit tests of query/response pairing: match, wrong id/question/port,
 * timeout, repeats, a full set, the query time across the clock's wrap, and
 * two matchers that started at different times deciding a timeout alike. */
#include <math.h>

#include "capture/lookup_matcher.h"
#include "dns/dns_event.h"
#include "unit.h"

#define US(seconds) ((int64_t)llround((seconds) * 1e6))

static struct lookup_key key(uint16_t id, uint16_t port, uint64_t question)
{
    struct lookup_key k;
    memset(&k, 0, sizeof k);
    uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };
    ip_address_set_v4(&k.client, a);
    ip_address_set_v4(&k.server, b);
    k.client_port = port;
    k.server_port = 53;
    k.protocol = 17;
    k.id = id;
    k.question_hash = question;
    return k;
}

int main(void)
{
    struct lookup_matcher m;
    CHECK(lookup_matcher_init(&m, 1024, 5.0));
    int64_t asked;
    uint8_t proof;
    struct lookup_key q = key(1, 1000, 42);
    lookup_matcher_add_query(&m, &q, US(10.0));
    struct lookup_key wrong_id = key(2, 1000, 42), wrong_port = key(1, 1001, 42),
                      wrong_question = key(1, 1000, 43);
    CHECK(!lookup_matcher_take_response(&m, &wrong_id, US(10.1), &asked, &proof));
    CHECK(!lookup_matcher_take_response(&m, &wrong_port, US(10.1), &asked, &proof));
    CHECK(!lookup_matcher_take_response(&m, &wrong_question, US(10.1), &asked, &proof));
    CHECK(lookup_matcher_take_response(&m, &q, US(10.1), &asked, &proof) && asked == US(10.0));
    CHECK(!lookup_matcher_take_response(&m, &q, US(10.2), &asked, &proof)); /* only once */
    lookup_matcher_add_query(&m, &q, US(20.0));
    CHECK(!lookup_matcher_take_response(&m, &q, US(26.0), &asked, &proof)); /* timed out */
    lookup_matcher_add_query(&m, &q, US(30.0));
    lookup_matcher_add_query(&m, &q, US(31.0));
    CHECK(m.counters.queries_repeated == 1);
    CHECK(lookup_matcher_take_response(&m, &q, US(32.0), &asked, &proof) && asked == US(31.0) && proof == 0);
    /* the query's proof of source comes back with its response, not part of the match */
    struct lookup_key proven = key(9, 1000, 42);
    proven.source_proof = DNS_SOURCE_TCP;
    lookup_matcher_add_query(&m, &proven, US(33.0));
    proven.source_proof = 0;
    CHECK(lookup_matcher_take_response(&m, &proven, US(33.1), &asked, &proof) && proof == DNS_SOURCE_TCP);
    CHECK(lookup_matcher_unanswered(&m) == 1);
    /* 60 days on, past the 49.7 days a 32-bit millisecond clock holds: the
     * query's time still comes back to the microsecond */
    double later = 10.0 + 60 * 86400.0 + 0.25;
    lookup_matcher_add_query(&m, &q, US(later));
    CHECK(lookup_matcher_take_response(&m, &q, US(later + 0.5), &asked, &proof) && asked == US(later));
    lookup_matcher_free(&m);

    /* a table of one set: the ninth live query evicts the oldest */
    CHECK(lookup_matcher_init(&m, LOOKUP_MATCHER_WAYS, 5.0));
    for (uint16_t id = 0; id <= LOOKUP_MATCHER_WAYS; id++) {
        struct lookup_key k = key(id, 2000, 7);
        lookup_matcher_add_query(&m, &k, US(1.0 + id * 0.01));
    }
    CHECK(m.counters.queries_evicted == 1);
    struct lookup_key oldest = key(0, 2000, 7), newest = key(LOOKUP_MATCHER_WAYS, 2000, 7);
    CHECK(!lookup_matcher_take_response(&m, &oldest, US(1.5), &asked, &proof));
    CHECK(lookup_matcher_take_response(&m, &newest, US(1.5), &asked, &proof));
    lookup_matcher_free(&m);

    /* two matchers whose first queries came at different fractions of a
     * second (two workers of --threads) decide a timeout alike: a response
     * 5.000 s after its query (the timeout) is matched in both, one 5.001 s
     * after in neither */
    struct lookup_matcher a, b;
    CHECK(lookup_matcher_init(&a, 1024, 5.0) && lookup_matcher_init(&b, 1024, 5.0));
    struct lookup_key first = key(50, 3000, 9);
    lookup_matcher_add_query(&a, &first, 1462320000000300LL);
    lookup_matcher_add_query(&b, &first, 1462320000999700LL);
    const int64_t at_us[] = { 1462320100000500LL, 1462320100000999LL, 1462320100001000LL };
    for (int i = 0; i < 3; i++) {
        struct lookup_key k = key((uint16_t)(60 + i), 3000, 9);
        lookup_matcher_add_query(&a, &k, at_us[i]);
        lookup_matcher_add_query(&b, &k, at_us[i]);
        for (int late_us = 4999000; late_us <= 5002000; late_us += 500) {
            struct lookup_matcher *both[2] = { &a, &b };
            bool matched[2];
            for (int j = 0; j < 2; j++) {
                matched[j] = lookup_matcher_take_response(both[j], &k, at_us[i] + late_us, &asked, &proof);
                if (matched[j]) { /* asked again, for the next lateness */
                    CHECK(asked == at_us[i]);
                    lookup_matcher_add_query(both[j], &k, at_us[i]);
                }
            }
            CHECK(matched[0] == matched[1]);
        }
    }
    lookup_matcher_free(&a);
    lookup_matcher_free(&b);
    return unit_finish("unit-lookup-matcher");
}
