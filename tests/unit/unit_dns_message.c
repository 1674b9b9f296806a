/* Unit tests of the DNS message decoder on hand-built messages, hostile ones
 * included: pointer loops, forward pointers, lengths past the end, reserved
 * label types, over-long names, huge counts, EDNS client subnet. */
#include <stdlib.h>

#include "dns/dns_message.h"
#include "unit.h"

static struct dns_message message;

#define CHECK_DNS_TEXT(t, expected) CHECK_TEXT(dns_text_ptr(&message, (t)), (t).length, expected)

static enum dns_decode_status decode(const uint8_t *wire, size_t length, bool *question_ok)
{
    return dns_message_decode(&message, wire, length, question_ok);
}

static void test_query_with_client_subnet(void)
{
    static const uint8_t wire[] = {
        0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
        3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
        0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 11,             /* OPT, rdlength 11 */
        0, 8, 0, 7, 0, 1, 24, 0, 100, 66, 12,                 /* ECS 100.66.12.0/24 */
    };
    bool question_ok;
    CHECK(decode(wire, sizeof wire, &question_ok) == DNS_DECODE_OK);
    CHECK(question_ok);
    CHECK(message.id == 0x1234);
    CHECK(!dns_is_response(&message));
    CHECK_DNS_TEXT(message.qname, "www.example.com");
    CHECK(message.qtype == 1);
    CHECK(message.edns_present && message.edns_udp_size == 1232);
    CHECK(message.client_subnet.present);
    CHECK(message.client_subnet.source_prefix == 24);
    CHECK(message.client_subnet.network.family == 4);
    CHECK(message.client_subnet.network.bytes[1] == 66 && message.client_subnet.network.bytes[2] == 12);
    CHECK(message.record_count == 0); /* OPT is not a logged record */
}

static void test_response_with_compression(void)
{
    static const uint8_t wire[] = {
        0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0,
        4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1,
        0xc0, 12, 0, 5, 0, 1, 0, 0, 0x0e, 0x10, 0, 7, 4, 'e', 'd', 'g', 'e', 0xc0, 17, /* CNAME */
        0xc0, 42, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 129,                        /* A */
        0xc0, 42, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16,
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,                     /* AAAA */
    };
    bool question_ok;
    CHECK(decode(wire, sizeof wire, &question_ok) == DNS_DECODE_OK);
    CHECK(dns_is_response(&message));
    CHECK(message.rcode == 0);
    CHECK(message.record_count == 3);
    CHECK(message.records[0].type == 5);
    CHECK_DNS_TEXT(message.records[0].owner, "mail.example");
    CHECK_DNS_TEXT(message.records[0].rdata, "edge.example");
    CHECK_DNS_TEXT(message.records[1].owner, "edge.example");
    CHECK(message.records[1].address.family == 4 && message.records[1].address.bytes[3] == 129);
    CHECK(message.records[2].address.family == 6 && message.records[2].address.bytes[15] == 1);
    CHECK(message.records[2].ttl == 60);
}

static void test_pointer_loop_is_refused(void)
{
    /* the answer's owner points at itself */
    static const uint8_t wire[] = {
        0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
        1, 'a', 0, 0, 1, 0, 1,
        0xc0, 19, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4,
    };
    bool question_ok;
    enum dns_decode_status status = decode(wire, sizeof wire, &question_ok);
    CHECK(status == DNS_DECODE_POINTER_LOOP || status == DNS_DECODE_BAD_NAME);
    CHECK(question_ok); /* the question before the fault is kept */
    CHECK_DNS_TEXT(message.qname, "a");
    CHECK(message.record_count == 0);
}

static void test_two_pointer_cycle_in_question(void)
{
    static const uint8_t wire[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0xc0, 12 };
    bool question_ok;
    enum dns_decode_status status = decode(wire, sizeof wire, &question_ok);
    CHECK(status == DNS_DECODE_POINTER_LOOP);
    CHECK(!question_ok);
}

static void test_forward_pointer_is_followed(void)
{
    /* question name points forward to a name stored after the question */
    static const uint8_t wire[] = {
        0, 2, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
        0xc0, 18, 0, 1, 0, 1,
        1, 'x', 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 9, 9, 9, 9, /* answer "x." A 9.9.9.9 */
    };
    bool question_ok;
    CHECK(decode(wire, sizeof wire, &question_ok) == DNS_DECODE_OK);
    CHECK_DNS_TEXT(message.qname, "x");
    CHECK(message.record_count == 1 && message.records[0].address.bytes[0] == 9);
}

static void test_truncated_and_short(void)
{
    static const uint8_t header_only[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
    bool question_ok;
    CHECK(decode(header_only, sizeof header_only, &question_ok) == DNS_DECODE_SHORT_HEADER);
    static const uint8_t label_past_end[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 'a', 'b' };
    CHECK(decode(label_past_end, sizeof label_past_end, &question_ok) == DNS_DECODE_TRUNCATED);
    CHECK(!question_ok);
    /* claims 65535 answers, has none */
    static const uint8_t huge_counts[] = {
        0, 1, 0x81, 0x80, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 'a', 0, 0, 1, 0, 1,
    };
    CHECK(decode(huge_counts, sizeof huge_counts, &question_ok) == DNS_DECODE_TRUNCATED);
    CHECK(question_ok);
    static const uint8_t no_question[] = { 0, 1, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
    CHECK(decode(no_question, sizeof no_question, &question_ok) == DNS_DECODE_OK);
    CHECK(question_ok && message.qname.length == 0 && message.qtype == 0);
    /* rdlength past the end */
    static const uint8_t rdata_past_end[] = {
        0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1,
        0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 40, 1, 2, 3, 4,
    };
    CHECK(decode(rdata_past_end, sizeof rdata_past_end, &question_ok) == DNS_DECODE_TRUNCATED);
    /* A record with the wrong length */
    static const uint8_t bad_a[] = {
        0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1,
        0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3,
    };
    CHECK(decode(bad_a, sizeof bad_a, &question_ok) == DNS_DECODE_TRUNCATED);
}

static void test_reserved_label_type_and_long_name(void)
{
    static const uint8_t reserved[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 'a', 0, 0, 1, 0, 1 };
    bool question_ok;
    CHECK(decode(reserved, sizeof reserved, &question_ok) == DNS_DECODE_BAD_NAME);
    uint8_t long_name[12 + 5 * 64 + 5];
    memset(long_name, 0, sizeof long_name);
    long_name[5] = 1;
    for (int i = 0; i < 5; i++) {
        long_name[12 + i * 64] = 63;
        memset(long_name + 12 + i * 64 + 1, 'a', 63);
    }
    CHECK(decode(long_name, sizeof long_name, &question_ok) == DNS_DECODE_BAD_NAME);
}

static void test_odd_bytes_are_escaped(void)
{
    static const uint8_t wire[] = {
        0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
        5, 'a', '.', 0, '\\', 0xff, 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
    };
    bool question_ok;
    CHECK(decode(wire, sizeof wire, &question_ok) == DNS_DECODE_OK);
    CHECK_DNS_TEXT(message.qname, "a\\.\\000\\\\\\255.com");
    static const uint8_t root[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1 };
    CHECK(decode(root, sizeof root, &question_ok) == DNS_DECODE_OK);
    CHECK_DNS_TEXT(message.qname, ".");
}

static void test_rdata_texts(void)
{
    static const uint8_t wire[] = {
        0, 1, 0x81, 0x80, 0, 1, 0, 3, 0, 0, 0, 0, 1, 'a', 0, 0, 15, 0, 1,
        0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 1, 0, 4, 0, 10, 0xc0, 12,                 /* MX 10 a */
        0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 1, 0, 7, 2, 'h', 'i', 3, 'y', '"', 'u',   /* TXT */
        0xc0, 12, 0, 33, 0, 1, 0, 0, 0, 1, 0, 8, 0, 1, 0, 2, 0, 53, 0xc0, 12,     /* SRV */
    };
    bool question_ok;
    CHECK(decode(wire, sizeof wire, &question_ok) == DNS_DECODE_OK);
    CHECK(message.record_count == 3);
    CHECK_DNS_TEXT(message.records[0].rdata, "a");
    CHECK_DNS_TEXT(message.records[1].rdata, "hiy\"u");
    CHECK_DNS_TEXT(message.records[2].rdata, "1 2 53 a");
}

static void test_random_bytes_never_crash(void)
{
    uint8_t wire[512];
    unsigned seed = 12345;
    for (int round = 0; round < 200000; round++) {
        size_t length = (size_t)(rand_r(&seed) % sizeof wire);
        for (size_t i = 0; i < length; i++)
            wire[i] = (uint8_t)rand_r(&seed);
        if (length > 12)
            wire[5] = 1; /* mostly one question, to reach the records */
        bool question_ok;
        decode(wire, length, &question_ok);
        if (message.arena_used > DNS_TEXT_ARENA_SIZE || message.record_count > DNS_MAX_RECORDS) {
            CHECK(!"decoder state out of bounds");
            break;
        }
    }
    CHECK(1);
}

int main(void)
{
    test_query_with_client_subnet();
    test_response_with_compression();
    test_pointer_loop_is_refused();
    test_two_pointer_cycle_in_question();
    test_forward_pointer_is_followed();
    test_truncated_and_short();
    test_reserved_label_type_and_long_name();
    test_odd_bytes_are_escaped();
    test_rdata_texts();
    test_random_bytes_never_crash();
    return unit_finish("unit-dns-message");
}
