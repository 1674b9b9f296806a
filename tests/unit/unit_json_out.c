/* Unit tests of the JSON writer: escaping of every byte class, numbers,
 * addresses, timestamps (including before 1970) and strings longer than the
 * buffer. Output goes to a memory stream and is compared exactly. */
#include <stdlib.h>

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
    text = capture(write_long_string, &length);
    CHECK(length == 2 + 3 * JSON_OUT_BUFFER_SIZE * 6);
    CHECK(text[0] == '"' && text[length - 1] == '"' && memcmp(text + 1, "\\u000a", 6) == 0);
    free(text);
    return unit_finish("unit-json-out");
}
