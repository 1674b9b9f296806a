/* Unit tests of ip_address: its own dotted-quad reader takes exactly what
 * inet_pton takes (tricky cases, then strings made at random from digits,
 * dots and colons), and text forms read back to the same address. */
#include <arpa/inet.h>

#include "base/ip_address.h"
#include "base/network_list.h"
#include "unit.h"

/* ip_address_parse agrees with inet_pton on text, and reads the same bytes. */
static void check_like_inet_pton(const char *text)
{
    uint8_t bytes[16];
    struct ip_address a;
    bool v4 = inet_pton(AF_INET, text, bytes) == 1;
    bool v6 = !v4 && inet_pton(AF_INET6, text, bytes) == 1;
    bool parsed = ip_address_parse(text, &a);
    CHECK(parsed == (v4 || v6));
    if (parsed != (v4 || v6))
        fprintf(stderr, "  on \"%s\"\n", text);
    if (parsed && v4)
        CHECK(a.family == 4 && memcmp(a.bytes, bytes, 4) == 0);
    if (parsed && v6)
        CHECK(a.family == 6 && memcmp(a.bytes, bytes, 16) == 0);
}

static void test_tricky(void)
{
    static const char *const texts[] = {
        "1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4",
        "1.2.3.04", "1.2.3.0", "10.0.0.10", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4",
        "1.2.3.4a", "1234.1.1.1", "999.1.1.1", "", ".", "::", "::1", "2001:db8::1",
        "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "2001:db8::1::2", "00.0.0.0",
        "0.0.0.00", "192.0.2.255", "192.0.2.2550",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        check_like_inet_pton(texts[i]);
}

static void test_random(void)
{
    static const char alphabet[] = "0123456789..::0159";
    uint32_t state = 12345;
    int valid = 0;
    for (int n = 0; n < 200000; n++) {
        char text[20];
        state = state * 1103515245 + 12345;
        size_t length = (state >> 16) % 16;
        for (size_t i = 0; i < length; i++) {
            state = state * 1103515245 + 12345;
            text[i] = alphabet[(state >> 16) % (sizeof alphabet - 1)];
        }
        text[length] = '\0';
        if (n % 2) { /* parts of zero to four digits, mostly four of them */
            int parts = 3 + (int)((state >> 8) % 3), at = 0;
            for (int part = 0; part < parts; part++) {
                state = state * 1103515245 + 12345;
                at += snprintf(text + at, sizeof text - (size_t)at, "%s%.*s", part ? "." : "",
                               (int)((state >> 20) % 5), "0255" + (state >> 12) % 2);
            }
        }
        valid += ip_address_parse(text, &(struct ip_address){ 0 });
        check_like_inet_pton(text);
    }
    CHECK(valid > 1000);
}

static void test_round_trip(void)
{
    uint32_t state = 99;
    for (int n = 0; n < 10000; n++) {
        uint8_t bytes[16];
        for (int i = 0; i < 16; i++) {
            state = state * 1103515245 + 12345;
            bytes[i] = (uint8_t)(state >> 16);
        }
        struct ip_address a, b;
        char text[IP_ADDRESS_TEXT_MAX + 1];
        if (n % 2)
            ip_address_set_v4(&a, bytes);
        else
            ip_address_set_v6(&a, bytes);
        text[ip_address_format(&a, text)] = '\0';
        CHECK(ip_address_parse(text, &b) && ip_address_equal(&a, &b));
    }
}

/* Every byte value in every place of a dotted quad, as printf writes it. */
static void test_format_v4_like_printf(void)
{
    for (unsigned value = 0; value < 256; value++)
        for (int place = 0; place < 4; place++) {
            uint8_t bytes[4] = { 1, 22, 203, 7 };
            bytes[place] = (uint8_t)value;
            struct ip_address a;
            ip_address_set_v4(&a, bytes);
            char text[IP_ADDRESS_TEXT_MAX], expected[32];
            size_t length = ip_address_format(&a, text);
            snprintf(expected, sizeof expected, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
            CHECK_TEXT(text, length, expected);
        }
}

static bool home(const struct network_list *list, const char *text)
{
    struct ip_address address;
    CHECK(ip_address_parse(text, &address));
    return network_list_contains(list, &address);
}

/* network_list: Suricata's address-group form, prefixes at and off byte
 * boundaries, both families, and what is refused. */
static void test_network_list(void)
{
    struct network_list list = { 0 };
    char error[256];
    CHECK(network_list_add(&list, "[192.168.0.0/16, 10.0.0.0/8,172.16.0.0/12]", error, sizeof error));
    CHECK(network_list_add(&list, "203.0.113.77/26 2001:db8:a1fa::/48 198.51.100.7", error, sizeof error));
    CHECK(list.count == 6);
    CHECK(home(&list, "10.255.1.2") && home(&list, "172.31.255.255") && !home(&list, "172.32.0.0"));
    /* 203.0.113.77/26 is read as 203.0.113.64/26 */
    CHECK(home(&list, "203.0.113.64") && home(&list, "203.0.113.127") && !home(&list, "203.0.113.63"));
    CHECK(home(&list, "198.51.100.7") && !home(&list, "198.51.100.8"));
    CHECK(home(&list, "2001:db8:a1fa:ffff::1") && !home(&list, "2001:db8:a1fb::1"));
    CHECK(!home(&list, "::ffff:10.0.0.1")); /* IPv6 is not IPv4 */
    struct network_list all = { 0 };
    CHECK(network_list_add(&all, "0.0.0.0/0", error, sizeof error) && home(&all, "8.8.8.8") &&
          !home(&all, "2001:db8::1"));
    static const char *const refused[][2] = {
        { "!10.0.0.0/8", "only plain networks" }, { "$HOME_NET", "only plain networks" },
        { "[10.0.0.0/8,[192.168.0.0/16]]", "only plain networks" },
        { "10.0.0.0/33", "prefix length must be 0 to 32" }, { "10.0.0.0/", "prefix length" },
        { "10.0.0.0/8x", "prefix length" }, { "10.0.0", "not an address" }, { "", "no network" },
        { "[ ]", "no network" }, { "1234567890123456789012345678901234567890123456789012", "not an address" },
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct network_list bad = { 0 };
        bool ok = network_list_add(&bad, refused[i][0], error, sizeof error);
        if (ok || !strstr(error, refused[i][1]))
            fprintf(stderr, "'%s': %s\n", refused[i][0], ok ? "accepted" : error);
        CHECK(!ok && strstr(error, refused[i][1]));
    }
    struct network_list full = { 0 };
    for (int i = 0; i < NETWORK_LIST_MAX; i++)
        CHECK(network_list_add(&full, "10.0.0.1", error, sizeof error));
    CHECK(!network_list_add(&full, "10.0.0.2", error, sizeof error) && strstr(error, "more than"));
}

int main(void)
{
    test_network_list();
    test_tricky();
    test_random();
    test_round_trip();
    test_format_v4_like_printf();
    return unit_finish("unit-ip-address");
}
