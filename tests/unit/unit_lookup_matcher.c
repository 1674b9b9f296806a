/* Unit tests of query/response pairing: match, wrong id/question/port,
 * timeout, repeats, a full set, and the query time across the clock's wrap. */
#include <math.h>

#include "capture/lookup_matcher.h"
#include "dns/dns_event.h"
#include "unit.h"

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
    double asked;
    uint8_t proof;
    struct lookup_key q = key(1, 1000, 42);
    lookup_matcher_add_query(&m, &q, 10.0);
    struct lookup_key wrong_id = key(2, 1000, 42), wrong_port = key(1, 1001, 42),
                      wrong_question = key(1, 1000, 43);
    CHECK(!lookup_matcher_take_response(&m, &wrong_id, 10.1, &asked, &proof));
    CHECK(!lookup_matcher_take_response(&m, &wrong_port, 10.1, &asked, &proof));
    CHECK(!lookup_matcher_take_response(&m, &wrong_question, 10.1, &asked, &proof));
    CHECK(lookup_matcher_take_response(&m, &q, 10.1, &asked, &proof) && asked == 10.0);
    CHECK(!lookup_matcher_take_response(&m, &q, 10.2, &asked, &proof)); /* only once */
    lookup_matcher_add_query(&m, &q, 20.0);
    CHECK(!lookup_matcher_take_response(&m, &q, 26.0, &asked, &proof)); /* timed out */
    lookup_matcher_add_query(&m, &q, 30.0);
    lookup_matcher_add_query(&m, &q, 31.0);
    CHECK(m.counters.queries_repeated == 1);
    CHECK(lookup_matcher_take_response(&m, &q, 32.0, &asked, &proof) && asked == 31.0 && proof == 0);
    /* the query's proof of source comes back with its response, not part of the match */
    struct lookup_key proven = key(9, 1000, 42);
    proven.source_proof = DNS_SOURCE_TCP;
    lookup_matcher_add_query(&m, &proven, 33.0);
    proven.source_proof = 0;
    CHECK(lookup_matcher_take_response(&m, &proven, 33.1, &asked, &proof) && proof == DNS_SOURCE_TCP);
    CHECK(lookup_matcher_unanswered(&m) == 1);
    /* 60 days on, past the 49.7 days a 32-bit millisecond clock holds: the
     * query's time still comes back to the millisecond */
    double later = 10.0 + 60 * 86400.0 + 0.25;
    lookup_matcher_add_query(&m, &q, later);
    CHECK(lookup_matcher_take_response(&m, &q, later + 0.5, &asked, &proof) && fabs(asked - later) < 0.001);
    lookup_matcher_free(&m);

    /* a table of one set: the ninth live query evicts the oldest */
    CHECK(lookup_matcher_init(&m, LOOKUP_MATCHER_WAYS, 5.0));
    for (uint16_t id = 0; id <= LOOKUP_MATCHER_WAYS; id++) {
        struct lookup_key k = key(id, 2000, 7);
        lookup_matcher_add_query(&m, &k, 1.0 + id * 0.01);
    }
    CHECK(m.counters.queries_evicted == 1);
    struct lookup_key oldest = key(0, 2000, 7), newest = key(LOOKUP_MATCHER_WAYS, 2000, 7);
    CHECK(!lookup_matcher_take_response(&m, &oldest, 1.5, &asked, &proof));
    CHECK(lookup_matcher_take_response(&m, &newest, 1.5, &asked, &proof));
    lookup_matcher_free(&m);
    return unit_finish("unit-lookup-matcher");
}
