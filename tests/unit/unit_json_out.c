/* Unit tests of the JSON writer: escaping of every byte class, numbers
 * (against printf), addresses, timestamps (including before 1970, and
 * against gmtime from year 1000 to 9999) and strings longer than the
 * buffer. Output is compared exactly. */
#include <stdlib.h>
#include <time.h>

#include "base/json_out.h"
#include "unit.h"

static struct json_out out;

static char *capture(void (*write)(void), size_t *length)
{
    char *text = NULL;
    FILE *memory = open_memstream(&text, length);
    json_out_init(&out, memory);
    write();
    json_out_flush(&out);
    fclose(memory);
    return text;
}

static void write_escapes(void) { json_out_string(&out, "a\"b\\c\n\x01\x7f\xc3\xa9", 10); }
static void write_numbers(void)
{
    json_out_uint(&out, 0);
    json_out_literal(&out, ",");
    json_out_uint(&out, UINT64_MAX);
    json_out_literal(&out, ",");
    json_out_bool(&out, true);
}
static void write_addresses(void)
{
    struct ip_address a;
    ip_address_parse("192.0.2.255", &a);
    json_out_ip(&out, &a);
    ip_address_parse("2001:db8::1", &a);
    json_out_ip(&out, &a);
}
static void write_timestamps(void)
{
    json_out_timestamp(&out, 1462320000123456LL);
    json_out_timestamp(&out, 1462320000000001LL);
    json_out_timestamp(&out, -1);
}
/* decimal_format against printf at every length and either side of each
 * power of ten. */
static void check_decimals_against_printf(void)
{
    json_out_init(&out, NULL);
    uint64_t power = 1;
    for (int digits = 1; digits <= 20; digits++, power *= 10) {
        uint64_t values[] = { power - 1, power, power + 1, power * 3 + 7, UINT64_MAX / power };
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
            char expected[32];
            snprintf(expected, sizeof expected, "%llu", (unsigned long long)values[i]);
            out.used = 0;
            json_out_uint(&out, values[i]);
            CHECK_TEXT(out.buffer, out.used, expected);
        }
    }
    out.used = 0;
}

/* json_out_timestamp's date and time against gmtime's, over every day of
 * 1969-2101 at a varying hour and at sampled days of years 1000 to 9999
 * (strftime writes no four digits before 1000; exclave does). */
static void check_one_timestamp(int64_t second)
{
    struct tm tm;
    time_t t = (time_t)second;
    char expected[64], prefix[40];
    gmtime_r(&t, &tm);
    strftime(prefix, sizeof prefix, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(expected, sizeof expected, "\"%s.000042+0000\"", prefix);
    out.used = 0;
    json_out_timestamp(&out, second * 1000000 + 42);
    CHECK_TEXT(out.buffer, out.used, expected);
}

static void check_timestamps_against_gmtime(void)
{
    json_out_init(&out, NULL);
    for (int64_t day = -365; day < 48000; day++)
        check_one_timestamp(day * 86400 + (day * 7919) % 86400);
    for (int64_t second = -30610224000LL; second < 253402300800LL; second += 9876543211LL)
        check_one_timestamp(second);
    check_one_timestamp(-30610224000LL);  /* 1000-01-01T00:00:00 */
    check_one_timestamp(253402300799LL);  /* 9999-12-31T23:59:59 */
    check_one_timestamp(951782400LL);     /* 2000-02-29 */
    check_one_timestamp(4107456000LL);    /* 2100-03-01 */
    out.used = 0;
    json_out_timestamp(&out, -62167219200LL * 1000000);
    CHECK_TEXT(out.buffer, out.used, "\"0000-01-01T00:00:00.000000+0000\"");
    out.used = 0;
    json_out_timestamp(&out, 253402300800LL * 1000000 + 5); /* year 10000: gmtime's text */
    CHECK_TEXT(out.buffer, out.used, "\"10000-01-01T00:00:00.000005+0000\"");
    out.used = 0;
}

static void write_long_string(void)
{
    size_t n = 3 * JSON_OUT_BUFFER_SIZE;
    char *long_text = malloc(n);
    memset(long_text, '\n', n);
    json_out_string(&out, long_text, n);
    free(long_text);
}

int main(void)
{
    size_t length;
    char *text = capture(write_escapes, &length);
    CHECK_TEXT(text, length, "\"a\\\"b\\\\c\\u000a\\u0001\\u007f\xc3\xa9\"");
    free(text);
    text = capture(write_numbers, &length);
    CHECK_TEXT(text, length, "0,18446744073709551615,true");
    free(text);
    text = capture(write_addresses, &length);
    CHECK_TEXT(text, length, "\"192.0.2.255\"\"2001:db8::1\"");
    free(text);
    text = capture(write_timestamps, &length);
    CHECK_TEXT(text, length, "\"2016-05-04T00:00:00.123456+0000\"\"2016-05-04T00:00:00.000001+0000\""
                             "\"1969-12-31T23:59:59.999999+0000\"");
    free(text);
    check_decimals_against_printf();
    check_timestamps_against_gmtime();
    text = capture(write_long_string, &length);
    CHECK(length == 2 + 3 * JSON_OUT_BUFFER_SIZE * 6);
    CHECK(text[0] == '"' && text[length - 1] == '"' && memcmp(text + 1, "\\u000a", 6) == 0);
    free(text);
    return unit_finish("unit-json-out");
}
