/* Unit tests of the EVE record reader and of ISO 8601 times: spans and
 * splice offsets of v2 and v3 dns records, escapes, and every kind of broken
 * record refused with where it broke. */
#include "eve/eve_lookup.h"
#include "eve/eve_record.h"
#include "base/iso_time.h"
#include "unit.h"

static const char v2_answer[] =
    "{\"timestamp\":\"2016-10-20T15:23:01.077982+0000\",\"flow_id\":18446744073709551615,"
    "\"event_type\":\"dns\",\"src_ip\":\"172.17.0.10\",\"src_port\":53199,\"dest_ip\":\"8.8.8.8\","
    "\"dest_port\":53,\"proto\":\"UDP\",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":59311,"
    "\"flags\":\"8180\",\"rrname\":\"g\\u006fogle.com\",\"rrtype\":\"A\",\"rcode\":\"NXDOMAIN\","
    "\"answers\":[{\"rrname\":\"google.com\",\"rrtype\":\"A\",\"ttl\":44,\"rdata\":\"216.58.218.206\"},"
    "{\"rrname\":\"x\",\"rrtype\":\"CNAME\",\"ttl\":5,\"rdata\":\"y\"}],"
    "\"grouped\":{\"A\":[\"216.58.218.206\"]}}}";

static const char v3_response[] =
    "{\"timestamp\":\"2024-01-01T00:00:29Z\",\"event_type\":\"dns\",\"src_ip\":\"192.168.2.1\","
    "\"dest_ip\":\"192.168.2.16\",\"dns\":{\"version\":3,\"type\":\"response\",\"rcode\":\"NOERROR\","
    "\"queries\":[{\"rrname\":\"ipv6.google.com\",\"rrtype\":\"AAAA\"},{\"rrname\":\"no\"}],"
    "\"answers\":[{\"rrtype\":\"AAAA\",\"ttl\":300,\"rdata\":\"2001:4860:0000:2001:0000:0000:0000:0068\"}]}}";

static void test_v2(void)
{
    struct eve_record r;
    size_t at;
    CHECK(eve_record_parse(v2_answer, sizeof v2_answer - 1, &r, &at) == NULL);
    CHECK(eve_span_is(r.event_type, "dns") && r.has_dns && r.dns_version == 2);
    CHECK(r.src_port == 53199 && r.dest_port == 53 && r.dns_id == 59311);
    uint64_t flow_id = 0;
    CHECK(eve_span_uint64(r.flow_id, &flow_id) && flow_id == UINT64_MAX);
    CHECK(r.answer_count == 2 && r.answers[0].ttl == 44 && eve_span_is(r.answers[1].rdata, "y"));
    CHECK(v2_answer[r.answers[0].end] == '}' && v2_answer[r.end] == '}' && r.end == sizeof v2_answer - 2);
    char name[64];
    CHECK_TEXT(name, eve_span_decode(r.rrname, name, sizeof name), "google.com");
    struct eve_lookup_scratch scratch;
    struct engine_lookup lookup;
    const char *problem;
    CHECK(eve_lookup_from_record(&r, &scratch, &lookup, &problem) == EVE_LOOKUP_OK);
    CHECK(lookup.part == LOOKUP_RESPONSE && lookup.has_response && lookup.rcode == 3 && lookup.qtype == 1);
    CHECK(lookup.answer_count == 1 && lookup.min_ttl == 44);
    CHECK(lookup.time_us == 1476976981077982LL);
}

static void test_v3(void)
{
    struct eve_record r;
    size_t at;
    CHECK(eve_record_parse(v3_response, sizeof v3_response - 1, &r, &at) == NULL);
    struct eve_lookup_scratch scratch;
    struct engine_lookup lookup;
    const char *problem;
    CHECK(eve_lookup_from_record(&r, &scratch, &lookup, &problem) == EVE_LOOKUP_OK);
    char querier[64];
    CHECK_TEXT(querier, ip_address_format(&lookup.querier, querier), "192.168.2.16");
    CHECK_TEXT(lookup.qname, lookup.qname_length, "ipv6.google.com");
    CHECK(lookup.qtype == 28 && lookup.answer_count == 1);
}

/* Each broken record is refused; the offset points at or before the fault. */
static void test_broken(void)
{
    static const char *const broken[] = {
        "", "[]", "{", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":\"x}", "{\"a\":1} x",
        "{\"a\":[1,2}", "{\"a\":tru}", "{\"a\":\"\x01\"}", "{1:2}",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        struct eve_record r;
        size_t at = 0;
        const char *why = eve_record_parse(broken[i], strlen(broken[i]), &r, &at);
        CHECK(why != NULL);
        CHECK(at <= strlen(broken[i]));
    }
    char deep[200];
    memset(deep, '[', sizeof deep);
    memcpy(deep, "{\"a\":", 5);
    struct eve_record r;
    size_t at;
    CHECK(eve_record_parse(deep, sizeof deep, &r, &at) != NULL); /* nested too deeply */
}

/* Strings are read eight bytes at a time: a quote, a backslash or a control
 * character at every offset of a word, and near the end of the text, is
 * found where it is; \u escapes and UTF-8 bytes pass. */
static void test_string_offsets(void)
{
    for (size_t length = 0; length < 24; length++) {
        char text[64], name[32];
        memset(name, 'x', length);
        name[length] = '\0';
        for (int kind = 0; kind < 4; kind++) {
            static const char *const tails[] = { "\"", "\\\"q\"", "\xc3\xa9\"", "\x1f\"" };
            int n = snprintf(text, sizeof text, "{\"rrname\":\"%s%s}", name, tails[kind]);
            struct eve_record r;
            size_t at;
            const char *why = eve_record_parse(text, (size_t)n, &r, &at);
            if (kind == 3) {
                CHECK(why != NULL && at == 11 + length);
                continue;
            }
            CHECK(why == NULL);
            CHECK(r.end == (size_t)n - 1);
        }
        int n = snprintf(text, sizeof text, "{\"rrname\":\"%s", name); /* never ends */
        struct eve_record r;
        size_t at;
        CHECK(eve_record_parse(text, (size_t)n, &r, &at) != NULL && at == (size_t)n);
    }
}

/* A dns record whose members have the wrong types is unusable, not a lookup. */
static void test_wrong_types(void)
{
    static const char *const wrong[] = {
        "{\"event_type\":\"dns\",\"dns\":\"query\"}",
        "{\"event_type\":\"dns\",\"timestamp\":5,\"src_ip\":\"10.0.0.1\",\"dns\":{\"type\":\"query\"}}",
        "{\"event_type\":\"dns\",\"timestamp\":\"2016-01-01T00:00:00Z\",\"src_ip\":[1],\"dns\":{\"type\":\"query\"}}",
        "{\"event_type\":\"dns\",\"dns\":{\"type\":7}}",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        struct eve_record r;
        struct eve_lookup_scratch scratch;
        struct engine_lookup lookup;
        const char *problem = NULL;
        size_t at;
        CHECK(eve_record_parse(wrong[i], strlen(wrong[i]), &r, &at) == NULL);
        CHECK(eve_lookup_from_record(&r, &scratch, &lookup, &problem) == EVE_LOOKUP_BAD);
        CHECK(problem != NULL);
    }
}

static void test_times(void)
{
    int64_t t = 0;
    CHECK(iso_time_parse("1970-01-01T00:00:00Z", 20, &t) && t == 0);
    CHECK(iso_time_parse("2016-10-20T15:23:01.077982+0000", 31, &t) && t == 1476976981077982LL);
    CHECK(iso_time_parse("2016-10-20T17:23:01.5+02:00", 27, &t) && t == 1476976981500000LL);
    CHECK(iso_time_parse("2000-02-29T00:00:00", 19, &t) && t == 951782400000000LL);
    CHECK(!iso_time_parse("2016-13-01T00:00:00Z", 20, &t));
    CHECK(!iso_time_parse("2016-10-20 15:23:01", 19, &t));
    CHECK(!iso_time_parse("2016-10-20T15:23:01+2", 21, &t));
}

/* The head alone, as Suricata 8's EVE callback sees a record: unfinished
 * (no closing brace), read only as far as the endpoints. */
static void test_head(void)
{
    struct eve_record r;
    static const char open_flow[] = "{\"timestamp\":\"2016-05-04T00:00:00.000000+0000\","
        "\"flow_id\":7,\"event_type\":\"flow\",\"src_ip\":\"203.0.113.10\",\"src_port\":5,"
        "\"dest_ip\":\"192.0.2.53\",\"dest_port\":53,\"flow\":{\"pkts_toserver\":1";
    CHECK(eve_record_parse_head(open_flow, sizeof open_flow - 1, &r));
    CHECK_TEXT(r.event_type.ptr, r.event_type.length, "flow");
    CHECK_TEXT(r.src_ip.ptr, r.src_ip.length, "203.0.113.10");
    CHECK_TEXT(r.dest_ip.ptr, r.dest_ip.length, "192.0.2.53");
    CHECK(r.dest_port == -1); /* after the head: not read */
    static const char no_dest[] = "{\"event_type\":\"stats\",\"src_ip\":\"1.2.3.4\",\"x\":{}";
    CHECK(!eve_record_parse_head(no_dest, sizeof no_dest - 1, &r));
    static const char broken[] = "{\"event_type\":\"flow\",\"src_ip\":\"1.2.3.4\" \"dest_ip\":\"x\"";
    CHECK(!eve_record_parse_head(broken, sizeof broken - 1, &r));
    CHECK(!eve_record_parse_head("", 0, &r));
}

/* Version 3 logs the EDNS options among the additionals: the client subnet's
 * data is kept, and where the dns object ends. */
static void test_client_subnet(void)
{
    struct eve_record r;
    size_t at;
    static const char text[] = "{\"event_type\":\"dns\",\"src_ip\":\"100.66.12.7\","
        "\"dest_ip\":\"192.0.2.53\",\"dns\":{\"version\":3,\"type\":\"request\","
        "\"additionals\":[{\"rrname\":\"\",\"rrtype\":\"OPT\",\"opt\":[{\"code\":10,"
        "\"data\":\"00\"},{\"code\":8,\"data\":\"0001180064420c\"}]}]},\"x\":1}";
    CHECK(eve_record_parse(text, sizeof text - 1, &r, &at) == NULL);
    CHECK_TEXT(r.client_subnet.ptr, r.client_subnet.length, "0001180064420c");
    CHECK(r.dns_end < r.end && text[r.dns_end] == '}' && text[r.dns_end + 1] == ',');
    static const char none[] = "{\"event_type\":\"dns\",\"dns\":{\"additionals\":"
        "[{\"opt\":[{\"code\":8}]}]}}";
    CHECK(eve_record_parse(none, sizeof none - 1, &r, &at) == NULL);
    CHECK(r.client_subnet.ptr == NULL);
}

/* What one record had is gone when the next is parsed into the same
 * struct: a record already enriched does not make the next one look so. */
static void test_reuse(void)
{
    struct eve_record r;
    size_t at;
    static const char enriched[] = "{\"event_type\":\"flow\",\"src_ip\":\"1.2.3.4\","
        "\"src_as\":{\"number\":15632}}";
    static const char plain[] = "{\"event_type\":\"flow\",\"src_ip\":\"1.2.3.4\"}";
    CHECK(eve_record_parse(enriched, sizeof enriched - 1, &r, &at) == NULL && r.has_enrichment);
    CHECK(eve_record_parse(plain, sizeof plain - 1, &r, &at) == NULL && !r.has_enrichment);
    CHECK(r.src_asn == -1);
}

/* exclave's own mark of a response to no query seen is read, so that EVE
 * input does not count it as a lookup; and true, false, null as values */
#define UNSOLICITED_RECORD(flag)                                                                \
    "{\"timestamp\":\"2016-05-04T01:41:54.260572+0000\",\"event_type\":\"dns\","                  \
    "\"src_ip\":\"203.0.113.11\",\"dest_ip\":\"192.0.2.53\",\"dns\":{\"version\":2,"               \
    "\"type\":\"answer\",\"qr\":true,\"rrname\":\"mx.example\",\"rrtype\":\"A\","                  \
    "\"rcode\":\"NOERROR\",\"unsolicited\":" flag ",\"x\":null}}"

static void test_unsolicited_flag(void)
{
    static const char yes[] = UNSOLICITED_RECORD("true"), no[] = UNSOLICITED_RECORD("false");
    struct eve_record r;
    size_t at;
    CHECK(eve_record_parse(yes, sizeof yes - 1, &r, &at) == NULL && r.dns_unsolicited);
    struct eve_lookup_scratch scratch;
    struct engine_lookup lookup;
    const char *problem;
    CHECK(eve_lookup_from_record(&r, &scratch, &lookup, &problem) == EVE_LOOKUP_OK &&
          lookup.part == LOOKUP_UNSOLICITED);
    CHECK(eve_record_parse(no, sizeof no - 1, &r, &at) == NULL && !r.dns_unsolicited);
    CHECK(eve_lookup_from_record(&r, &scratch, &lookup, &problem) == EVE_LOOKUP_OK &&
          lookup.part == LOOKUP_RESPONSE);
}

/* The head read in place and the rest read from a closed copy give what
 * one whole parse gives: the same members, answers and offsets; a broken
 * rest is refused as the whole parse refuses it. Spaces between tokens,
 * which Suricata does not write, are read as before. */
static bool same_span(struct eve_span a, struct eve_span b)
{
    return a.ptr == NULL ? b.ptr == NULL : eve_span_equals(a, b.ptr, b.length);
}

static bool same_record(const struct eve_record *a, const struct eve_record *b)
{
    return a->end == b->end && a->dns_end == b->dns_end && a->answer_count == b->answer_count &&
           a->dns_version == b->dns_version && a->dns_id == b->dns_id && a->has_dns == b->has_dns &&
           a->src_port == b->src_port && a->dest_port == b->dest_port &&
           same_span(a->rrname, b->rrname) && same_span(a->dest_ip, b->dest_ip) &&
           same_span(a->client_subnet, b->client_subnet) &&
           (a->answer_count == 0 || (a->answers[0].end == b->answers[0].end &&
                                     same_span(a->answers[0].rdata, b->answers[0].rdata)));
}

static void check_rest(const char *whole, size_t length, bool valid)
{
    struct eve_record one, two;
    size_t at_one, at_two;
    const char *error_one = eve_record_parse(whole, length, &one, &at_one);
    CHECK((error_one == NULL) == valid);
    CHECK(length > 0 && whole[length - 1] == '}');
    CHECK(eve_record_parse_head(whole, length - 1, &two)); /* as the builder holds it */
    const char *error_two = eve_record_parse_rest(whole, length, &two, &at_two);
    CHECK((error_two == NULL) == valid);
    CHECK(!valid || same_record(&one, &two));
    CHECK(valid || at_one == at_two);
}

static void test_rest(void)
{
    check_rest(v2_answer, sizeof v2_answer - 1, true);
    check_rest(v3_response, sizeof v3_response - 1, true);
    static const char spaced[] = "{ \"event_type\" : \"dns\" , \"src_ip\":\"1.2.3.4\",\n"
        "\"dest_ip\" :\"5.6.7.8\"\t,\r\"dns\": { \"version\" : 3 , \"answers\" : [ {"
        " \"rrtype\":\"A\" , \"rdata\" : \"9.9.9.9\" } ] } }";
    check_rest(spaced, sizeof spaced - 1, true);
    static const char head_last[] = "{\"event_type\":\"flow\",\"src_ip\":\"1.2.3.4\","
        "\"dest_ip\":\"5.6.7.8\"}";
    check_rest(head_last, sizeof head_last - 1, true);
    static const char broken_tail[] = "{\"event_type\":\"dns\",\"src_ip\":\"1.2.3.4\","
        "\"dest_ip\":\"5.6.7.8\",\"dns\":{\"answers\":[{\"rdata\":1,}]}}";
    check_rest(broken_tail, sizeof broken_tail - 1, false);
    static const char no_comma[] = "{\"event_type\":\"dns\",\"src_ip\":\"1.2.3.4\","
        "\"dest_ip\":\"5.6.7.8\" \"dns\":{}}";
    check_rest(no_comma, sizeof no_comma - 1, false);
    struct eve_record r;
    size_t at;
    CHECK(eve_record_parse_head(head_last, sizeof head_last - 1, &r));
    CHECK(eve_record_parse_rest(head_last, 10, &r, &at) != NULL); /* shorter than its head */
}

int main(void)
{
    test_rest();
    test_unsolicited_flag();
    test_string_offsets();
    test_head();
    test_client_subnet();
    test_reuse();
    test_v2();
    test_v3();
    test_broken();
    test_wrong_types();
    test_times();
    return unit_finish("unit-eve-record");
}
