/* json_out: hand-written fast paths for the per-record work (escaping,
 * integers, timestamps); must never overflow its buffer whatever the input. */
#include "base/json_out.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "base/decimal.h"
#include "base/iso_time.h"

void json_out_init(struct json_out *out, FILE *file)
{
    out->file = file;
    out->used = 0;
    out->bytes_written = 0;
    out->write_errors = 0;
    out->records_buffered = 0;
    out->records_lost = 0;
    out->first_error = 0;
    out->line_broken = false;
    out->cached_day = INT64_MIN;
}

/* A failed write loses the buffer's records (counted); the half line it
 * may have left is ended before the next write, so that the records after
 * it still parse. */
bool json_out_flush(struct json_out *out)
{
    if (out->used == 0)
        return true;
    errno = 0;
    bool ended = !out->line_broken || (out->file && fwrite("\n", 1, 1, out->file) == 1);
    size_t written = out->file && ended ? fwrite(out->buffer, 1, out->used, out->file) : 0;
    out->bytes_written += written + (ended && out->line_broken);
    bool ok = ended && written == out->used;
    out->line_broken = ended ? written > 0 && !ok : out->line_broken;
    if (!ok) {
        out->write_errors++;
        out->records_lost += out->records_buffered;
        if (!out->first_error)
            out->first_error = errno ? errno : EIO;
    }
    out->records_buffered = 0;
    out->used = 0;
    return ok;
}

static void ensure_room(struct json_out *out, size_t length)
{
    if (out->used + length > JSON_OUT_BUFFER_SIZE)
        json_out_flush(out);
}

void json_out_raw_slow(struct json_out *out, const char *bytes, size_t length)
{
    while (length > 0) {
        ensure_room(out, 1);
        size_t room = JSON_OUT_BUFFER_SIZE - out->used;
        size_t take = length < room ? length : room;
        memcpy(out->buffer + out->used, bytes, take);
        out->used += take;
        bytes += take;
        length -= take;
    }
}

/* A record's bytes are all in: counted, and flushed when the buffer is nearly full. */
static void record_ended(struct json_out *out)
{
    out->records_buffered++;
    if (out->used >= JSON_OUT_FLUSH_AT)
        json_out_flush(out);
}

void json_out_end_record(struct json_out *out)
{
    json_out_raw(out, "\n", 1);
    record_ended(out);
}

void json_out_append_record(struct json_out *out, const char *record, size_t length)
{
    json_out_raw(out, record, length);
    record_ended(out);
}

/* True for the bytes JSON needs escaped: ", \, control bytes and DEL. */
static inline bool needs_escape(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

/* Escapes at most ESCAPE_CHUNK bytes into the buffer, which has room: runs of
 * plain bytes are copied whole. */
enum { ESCAPE_CHUNK = 4096 };
static void escape_chunk(struct json_out *out, const char *text, size_t length)
{
    static const char hex[] = "0123456789abcdef";
    char *p = out->buffer + out->used;
    size_t i = 0;
    while (i < length) {
        size_t run = i;
        while (run < length && !needs_escape((unsigned char)text[run]))
            run++;
        memcpy(p, text + i, run - i);
        p += run - i;
        if (run == length)
            break;
        unsigned char c = (unsigned char)text[run];
        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else {
            memcpy(p, "\\u00", 4);
            p[4] = hex[c >> 4];
            p[5] = hex[c & 0xf];
            p += 6;
        }
        i = run + 1;
    }
    out->used = (size_t)(p - out->buffer);
}

/* Escapes ", \ and control bytes; other bytes (UTF-8) pass through. */
void json_out_string(struct json_out *out, const char *text, size_t length)
{
    json_out_raw(out, "\"", 1);
    while (length > 0) {
        size_t take = length < ESCAPE_CHUNK ? length : ESCAPE_CHUNK;
        ensure_room(out, take * 6);
        escape_chunk(out, text, take);
        text += take;
        length -= take;
    }
    json_out_raw(out, "\"", 1);
}

void json_out_cstring(struct json_out *out, const char *text)
{
    json_out_string(out, text, strlen(text));
}

void json_out_uint(struct json_out *out, uint64_t value)
{
    if (out->used + DECIMAL_MAX <= JSON_OUT_BUFFER_SIZE) {
        out->used += decimal_format(value, out->buffer + out->used);
        return;
    }
    char digits[DECIMAL_MAX];
    json_out_raw(out, digits, decimal_format(value, digits));
}

void json_out_bool(struct json_out *out, bool value)
{
    if (value)
        json_out_literal(out, "true");
    else
        json_out_literal(out, "false");
}

void json_out_ip(struct json_out *out, const struct ip_address *address)
{
    char text[IP_ADDRESS_TEXT_MAX + 2];
    text[0] = '"';
    size_t length = ip_address_format(address, text + 1);
    text[length + 1] = '"';
    json_out_raw(out, text, length + 2);
}

/* value 0 to 99 as two digits. */
static char *two_digits(char *p, unsigned value)
{
    memcpy(p, decimal_pairs + 2 * value, 2);
    return p + 2;
}

/* "YYYY-MM-DDT" of a day from 0000-01-01 to 9999-12-31. */
static void format_day(int64_t days, char out[11])
{
    int64_t year;
    int month, day;
    iso_time_civil_from_days(days, &year, &month, &day);
    char *p = two_digits(out, (unsigned)(year / 100));
    p = two_digits(p, (unsigned)(year % 100));
    *p++ = '-';
    p = two_digits(p, (unsigned)month);
    *p++ = '-';
    p = two_digits(p, (unsigned)day);
    *p = 'T';
}

enum { SECONDS_PER_DAY = 86400, DAY_OF_0000_01_01 = -719528, DAY_OF_10000_01_01 = 2932897 };

void json_out_timestamp(struct json_out *out, int64_t microseconds)
{
    int64_t second = microseconds >= 0 ? microseconds / 1000000 : (microseconds - 999999) / 1000000;
    int64_t fraction = microseconds - second * 1000000;
    int64_t day = second >= 0 ? second / SECONDS_PER_DAY : (second - SECONDS_PER_DAY + 1) / SECONDS_PER_DAY;
    unsigned in_day = (unsigned)(second - day * SECONDS_PER_DAY);
    char text[64];
    text[0] = '"';
    char *p;
    if (day >= DAY_OF_0000_01_01 && day < DAY_OF_10000_01_01) {
        if (day != out->cached_day) {
            format_day(day, out->cached_date);
            out->cached_day = day;
        }
        memcpy(text + 1, out->cached_date, 11);
        p = two_digits(text + 12, in_day / 3600);
        *p++ = ':';
        p = two_digits(p, in_day / 60 % 60);
        *p++ = ':';
        p = two_digits(p, in_day % 60);
    } else { /* a year of more than four digits, or before year 0: as the C library writes it */
        time_t t = (time_t)second;
        struct tm tm;
        p = text + 1;
        if (gmtime_r(&t, &tm))
            p += strftime(p, 40, "%Y-%m-%dT%H:%M:%S", &tm);
    }
    *p++ = '.';
    for (int i = 5; i >= 0; i--) {
        p[i] = (char)('0' + fraction % 10);
        fraction /= 10;
    }
    memcpy(p + 6, "+0000\"", 6);
    json_out_raw(out, text, (size_t)(p + 12 - text));
}
