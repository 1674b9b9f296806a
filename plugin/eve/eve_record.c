/* eve_record: a small recursive-descent JSON reader. Every value is walked
 * (so a broken record is refused, never half-read); the members exclave
 * needs are kept as spans by where they sit: top level, "dns", an entry of
 * "dns.answers", or the first entry of "dns.queries" (version 3). */
#include "eve/eve_record.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum place { PLACE_OTHER, PLACE_TOP, PLACE_DNS, PLACE_ANSWER, PLACE_QUERY, PLACE_SRC_AS,
             PLACE_DEST_AS, PLACE_SRC_GEO, PLACE_DEST_GEO, PLACE_ADDITIONAL, PLACE_OPT };

enum { EDNS_CLIENT_SUBNET = 8 };

struct scanner {
    const char *start, *p, *end;
    const char *error;
    struct eve_record *record;
    int64_t opt_code;          /* the EDNS option being read (version 3 additionals) */
    struct eve_span opt_data;
    bool head_only;            /* stop once event_type, src_ip and dest_ip are known */
};

static bool head_known(const struct eve_record *r)
{
    return r->event_type.ptr && r->src_ip.ptr && r->dest_ip.ptr;
}

static bool fail(struct scanner *s, const char *error)
{
    if (!s->error)
        s->error = error;
    return false;
}

/* Suricata and Zeek write no space between tokens, so the test that ends
 * the loop at once comes first. */
static inline void skip_space(struct scanner *s)
{
    while (s->p < s->end && (unsigned char)*s->p <= ' ' &&
           (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static inline bool expect(struct scanner *s, char c)
{
    if (s->p < s->end && *s->p == c) { /* the usual case: no space before it */
        s->p++;
        return true;
    }
    skip_space(s);
    if (s->p >= s->end || *s->p != c)
        return false;
    s->p++;
    return true;
}

/* Where a string's plain run ends: at its quote, a backslash or a control
 * character (refused), whichever comes first; end when none does. Eight
 * bytes at a time: in each word, a byte's high bit is set when the byte
 * may be one of those, and the lowest such byte always is one (a borrow
 * only runs upward), so on a little-endian machine it is the answer. */
static const char *string_stop(const char *p, const char *end)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = ones << 7;
    for (; end - p >= 8; p += 8) {
        uint64_t x, quote, backslash, stops;
        memcpy(&x, p, 8);
        quote = x ^ (ones * '"');
        backslash = x ^ (ones * '\\');
        stops = (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) |
                 ((x - ones * 0x20) & ~x)) & highs;
        if (stops) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return p + __builtin_ctzll(stops) / 8;
#else
            break;
#endif
        }
    }
    while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
        p++;
    return p;
}

/* The rest of a string from its first backslash, escapes stepped over. */
static bool scan_escaped(struct scanner *s)
{
    while (s->p < s->end && *s->p != '"') {
        if ((unsigned char)*s->p < 0x20)
            return fail(s, "a control character inside a string");
        s->p += *s->p == '\\' && s->p + 1 < s->end ? 2 : 1; /* never past the end */
    }
    return s->p < s->end || fail(s, "a string does not end");
}

static bool scan_string(struct scanner *s, struct eve_span *span)
{
    if (!expect(s, '"'))
        return fail(s, "a string was expected");
    const char *begin = s->p;
    s->p = string_stop(s->p, s->end);
    if (s->p < s->end && *s->p != '"' && *s->p != '\\')
        return fail(s, "a control character inside a string");
    if (s->p < s->end && *s->p == '\\' && !scan_escaped(s))
        return false;
    if (s->p >= s->end)
        return fail(s, "a string does not end");
    span->ptr = begin;
    span->length = (size_t)(s->p - begin);
    s->p++;
    return true;
}

static bool number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

static bool scan_number(struct scanner *s, struct eve_span *span)
{
    const char *begin = s->p;
    while (s->p < s->end && number_char(*s->p))
        s->p++;
    if (s->p == begin)
        return fail(s, "a value was expected");
    span->ptr = begin;
    span->length = (size_t)(s->p - begin);
    return true;
}

/* true, false or null, its text as the span (so that a flag can be read). */
static bool scan_literal(struct scanner *s, struct eve_span *span)
{
    static const char *const literals[] = { "true", "false", "null" };
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(literals[i]);
        if ((size_t)(s->end - s->p) >= n && memcmp(s->p, literals[i], n) == 0) {
            span->ptr = s->p;
            span->length = n;
            s->p += n;
            return true;
        }
    }
    return fail(s, "a value was expected");
}

/* A whole integer span, or -1. */
static int64_t span_integer(struct eve_span span)
{
    if (!span.ptr || span.length == 0 || span.length > 18)
        return -1;
    int64_t value = 0;
    for (size_t i = 0; i < span.length; i++) {
        if (span.ptr[i] < '0' || span.ptr[i] > '9')
            return -1;
        value = value * 10 + (span.ptr[i] - '0');
    }
    return value;
}

static bool scan_object(struct scanner *s, enum place place, int depth);
static bool scan_array(struct scanner *s, enum place item_place, int depth);

/* Any value; its span when it is a string or a number. */
static bool scan_value(struct scanner *s, enum place place, int depth, struct eve_span *span)
{
    skip_space(s);
    span->ptr = NULL;
    if (s->p >= s->end)
        return fail(s, "the record ends inside a value");
    if (depth > EVE_DEPTH_MAX)
        return fail(s, "nested too deeply");
    switch (*s->p) {
    case '"': return scan_string(s, span);
    case '{': return scan_object(s, place, depth + 1);
    case '[': return scan_array(s, PLACE_OTHER, depth + 1);
    case 't': case 'f': case 'n': return scan_literal(s, span);
    default: return scan_number(s, span);
    }
}

/* Where the value of member `key` of an object at `place` lives. */
static enum place place_of(enum place place, struct eve_span key)
{
    if (place == PLACE_TOP && eve_span_is(key, "dns"))
        return PLACE_DNS;
    if (place != PLACE_TOP)
        return PLACE_OTHER;
    if (eve_span_is(key, "src_as"))
        return PLACE_SRC_AS;
    if (eve_span_is(key, "dest_as"))
        return PLACE_DEST_AS;
    if (eve_span_is(key, "src_geo"))
        return PLACE_SRC_GEO;
    if (eve_span_is(key, "dest_geo"))
        return PLACE_DEST_GEO;
    return PLACE_OTHER;
}

static void keep_top(struct eve_record *r, struct eve_span key, struct eve_span value)
{
    if (eve_span_is(key, "event_type")) r->event_type = value;
    else if (eve_span_is(key, "timestamp")) r->timestamp = value;
    else if (eve_span_is(key, "src_ip")) r->src_ip = value;
    else if (eve_span_is(key, "dest_ip")) r->dest_ip = value;
    else if (eve_span_is(key, "proto")) r->proto = value;
    else if (eve_span_is(key, "flow_id")) r->flow_id = value;
    else if (eve_span_is(key, "src_port")) r->src_port = span_integer(value);
    else if (eve_span_is(key, "dest_port")) r->dest_port = span_integer(value);
    else if (eve_span_is(key, "src_as") || eve_span_is(key, "dest_as") || /* or ECS's: */
             eve_span_is(key, "source") || eve_span_is(key, "destination"))
        r->has_enrichment = true;
}

static void keep_dns(struct eve_record *r, struct eve_span key, struct eve_span value)
{
    if (eve_span_is(key, "version")) r->dns_version = span_integer(value);
    else if (eve_span_is(key, "type")) r->dns_type = value;
    else if (eve_span_is(key, "rrname")) r->rrname = value;
    else if (eve_span_is(key, "rrtype")) r->rrtype = value;
    else if (eve_span_is(key, "rcode")) r->rcode = value;
    else if (eve_span_is(key, "id")) r->dns_id = span_integer(value);
    else if (eve_span_is(key, "tx_id")) r->dns_tx_id = span_integer(value);
    else if (eve_span_is(key, "flags")) r->flags = value;
    else if (eve_span_is(key, "unsolicited")) r->dns_unsolicited = eve_span_is(value, "true");
}

static void keep_answer(struct eve_answer *a, struct eve_span key, struct eve_span value)
{
    if (eve_span_is(key, "rrname")) a->rrname = value;
    else if (eve_span_is(key, "rrtype")) a->rrtype = value;
    else if (eve_span_is(key, "rdata")) a->rdata = value;
    else if (eve_span_is(key, "ttl")) a->ttl = span_integer(value);
}

static void keep_as(struct eve_span key, struct eve_span value, int64_t *asn, struct eve_span *org)
{
    if (eve_span_is(key, "number")) *asn = span_integer(value);
    else if (eve_span_is(key, "organization")) *org = value;
}

/* The first query of version 3's dns.queries is the question. */
static void keep_query(struct eve_record *r, struct eve_span key, struct eve_span value)
{
    if (eve_span_is(key, "rrname") && !r->rrname.ptr) r->rrname = value;
    else if (eve_span_is(key, "rrtype") && !r->rrtype.ptr) r->rrtype = value;
}

/* Where the objects of the array under member `key` of an object at
 * `place` live: the answers, queries, additionals and EDNS options of dns. */
static enum place array_place(enum place place, struct eve_span key)
{
    if (place == PLACE_DNS && eve_span_is(key, "answers")) return PLACE_ANSWER;
    if (place == PLACE_DNS && eve_span_is(key, "queries")) return PLACE_QUERY;
    if (place == PLACE_DNS && eve_span_is(key, "additionals")) return PLACE_ADDITIONAL;
    if (place == PLACE_ADDITIONAL && eve_span_is(key, "opt")) return PLACE_OPT;
    return PLACE_OTHER;
}

/* An EDNS option read whole: the first client subnet is kept. */
static void end_option(struct scanner *s)
{
    if (s->opt_code == EDNS_CLIENT_SUBNET && s->opt_data.ptr && !s->record->client_subnet.ptr)
        s->record->client_subnet = s->opt_data;
}

/* One member's value, kept by its place. */
static bool scan_member(struct scanner *s, enum place place, struct eve_span key, int depth,
                        struct eve_answer *answer)
{
    struct eve_record *r = s->record;
    struct eve_span value;
    enum place items = array_place(place, key);
    if (items != PLACE_OTHER) {
        skip_space(s);
        if (s->p < s->end && *s->p == '[')
            return scan_array(s, items, depth + 1);
    }
    if (place == PLACE_TOP && eve_span_is(key, "dns"))
        r->has_dns = true;
    if (!scan_value(s, place_of(place, key), depth, &value))
        return false;
    switch (place) {
    case PLACE_TOP: keep_top(r, key, value); break;
    case PLACE_DNS: keep_dns(r, key, value); break;
    case PLACE_ANSWER: if (answer) keep_answer(answer, key, value); break;
    case PLACE_QUERY: keep_query(r, key, value); break;
    case PLACE_SRC_AS: keep_as(key, value, &r->src_asn, &r->src_org); break;
    case PLACE_DEST_AS: keep_as(key, value, &r->dest_asn, &r->dest_org); break;
    case PLACE_SRC_GEO:
        if (eve_span_is(key, "country_iso_code")) r->src_country = value;
        break;
    case PLACE_DEST_GEO:
        if (eve_span_is(key, "country_iso_code")) r->dest_country = value;
        break;
    case PLACE_OPT:
        if (eve_span_is(key, "code")) s->opt_code = span_integer(value);
        else if (eve_span_is(key, "data")) s->opt_data = value;
        break;
    case PLACE_ADDITIONAL: case PLACE_OTHER: break;
    }
    return true;
}

static struct eve_answer *new_answer(struct eve_record *r)
{
    if (r->answer_count == EVE_ANSWERS_MAX) {
        r->answers_not_kept++;
        return NULL;
    }
    struct eve_answer *a = &r->answers[r->answer_count++];
    memset(a, 0, sizeof *a);
    a->ttl = -1;
    return a;
}

/* What an object's closing brace, just read, tells of where things end. */
static void close_object(struct scanner *s, enum place place, struct eve_answer *answer)
{
    size_t brace = (size_t)(s->p - 1 - s->start);
    if (answer)
        answer->end = brace;
    if (place == PLACE_OPT)
        end_option(s);
    if (place == PLACE_DNS)
        s->record->dns_end = brace;
    if (place == PLACE_TOP)
        s->record->end = brace;
}

/* An object's members from the name of one of them, and its closing
 * brace. A head-only scan stops after the member that completes the head,
 * and notes where. */
static bool scan_members(struct scanner *s, enum place place, int depth,
                         struct eve_answer *answer)
{
    do {
        struct eve_span key;
        if (!scan_string(s, &key))
            return false;
        if (!expect(s, ':'))
            return fail(s, "':' was expected after a member name");
        if (!scan_member(s, place, key, depth, answer))
            return false;
        if (s->head_only && place == PLACE_TOP && head_known(s->record)) {
            s->record->head_end = (size_t)(s->p - s->start);
            return true;
        }
    } while (expect(s, ','));
    if (!expect(s, '}'))
        return fail(s, "',' or '}' was expected");
    close_object(s, place, answer);
    return true;
}

static bool scan_object(struct scanner *s, enum place place, int depth)
{
    if (!expect(s, '{'))
        return fail(s, "an object was expected");
    struct eve_answer *answer = place == PLACE_ANSWER ? new_answer(s->record) : NULL;
    if (place == PLACE_OPT)
        s->opt_code = -1, s->opt_data.ptr = NULL;
    if (!expect(s, '}'))
        return scan_members(s, place, depth, answer);
    close_object(s, place, answer);
    return true;
}

static bool scan_array(struct scanner *s, enum place item_place, int depth)
{
    if (!expect(s, '['))
        return fail(s, "an array was expected");
    if (expect(s, ']'))
        return true;
    do {
        struct eve_span ignored;
        skip_space(s);
        bool ok = s->p < s->end && *s->p == '{' && item_place != PLACE_OTHER
                      ? scan_object(s, item_place, depth + 1)
                      : scan_value(s, PLACE_OTHER, depth, &ignored);
        if (!ok)
            return false;
    } while (expect(s, ','));
    return expect(s, ']') || fail(s, "',' or ']' was expected");
}

static void clear_record(struct eve_record *record)
{
    memset(record, 0, offsetof(struct eve_record, answers));
    record->src_port = record->dest_port = record->dns_version = record->dns_id = -1;
    record->dns_tx_id = -1;
    record->src_asn = record->dest_asn = -1;
}

bool eve_record_parse_head(const char *text, size_t length, struct eve_record *record)
{
    clear_record(record);
    struct scanner s = { .start = text, .p = text, .end = text + length, .record = record,
                         .head_only = true };
    return scan_object(&s, PLACE_TOP, 0) && head_known(record);
}

/* The record ends here, and nothing but space follows. */
static const char *finish(struct scanner *s, bool ok, size_t *error_offset)
{
    skip_space(s);
    if (ok && s->p != s->end)
        fail(s, "text after the record");
    *error_offset = (size_t)(s->p - s->start);
    return s->error;
}

const char *eve_record_parse(const char *text, size_t length, struct eve_record *record,
                             size_t *error_offset)
{
    clear_record(record);
    struct scanner s = { .start = text, .p = text, .end = text + length, .record = record };
    return finish(&s, scan_object(&s, PLACE_TOP, 0), error_offset);
}

const char *eve_record_parse_rest(const char *text, size_t length, struct eve_record *record,
                                  size_t *error_offset)
{
    struct scanner s = { .start = text, .p = text, .end = text + length, .record = record };
    if (record->head_end > length)
        return finish(&s, fail(&s, "the record is shorter than its head"), error_offset);
    s.p += record->head_end;
    bool ok;
    if (expect(&s, ','))
        ok = scan_members(&s, PLACE_TOP, 0, NULL);
    else if ((ok = expect(&s, '}')))
        close_object(&s, PLACE_TOP, NULL);
    else
        ok = fail(&s, "',' or '}' was expected");
    return finish(&s, ok, error_offset);
}

bool eve_span_uint64(struct eve_span span, uint64_t *value)
{
    if (!span.ptr || span.length == 0 || span.length > 20)
        return false;
    uint64_t number = 0;
    for (size_t i = 0; i < span.length; i++) {
        unsigned digit = (unsigned)(span.ptr[i] - '0');
        if (digit > 9 || number > (UINT64_MAX - digit) / 10)
            return false;
        number = number * 10 + digit;
    }
    *value = number;
    return true;
}

bool eve_span_address(struct eve_span span, struct ip_address *address)
{
    char text[IP_ADDRESS_TEXT_MAX + 1];
    if (!span.ptr || span.length == 0 || span.length >= sizeof text)
        return false;
    memcpy(text, span.ptr, span.length);
    text[span.length] = '\0';
    return ip_address_parse(text, address);
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* \uXXXX at text[0..]: the code unit, or -1. */
static long unicode_escape(const char *text, size_t left)
{
    if (left < 4)
        return -1;
    long value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = hex_value(text[i]);
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

static size_t put_utf8(long code, char *out)
{
    if (code < 0x80) {
        out[0] = (char)code;
        return 1;
    }
    if (code < 0x800) {
        out[0] = (char)(0xc0 | (code >> 6));
        out[1] = (char)(0x80 | (code & 0x3f));
        return 2;
    }
    out[0] = (char)(0xe0 | (code >> 12));
    out[1] = (char)(0x80 | ((code >> 6) & 0x3f));
    out[2] = (char)(0x80 | (code & 0x3f));
    return 3;
}

size_t eve_span_decode(struct eve_span span, char *out, size_t size)
{
    size_t n = 0;
    static const char simple_from[] = "\"\\/bfnrt", simple_to[] = "\"\\/\b\f\n\r\t";
    for (size_t i = 0; span.ptr && i < span.length && n + 4 < size; i++) {
        char c = span.ptr[i];
        if (c != '\\' || i + 1 >= span.length) {
            out[n++] = c;
            continue;
        }
        const char *simple = strchr(simple_from, span.ptr[++i]);
        if (simple && *simple) {
            out[n++] = simple_to[simple - simple_from];
        } else if (span.ptr[i] == 'u') {
            long code = unicode_escape(span.ptr + i + 1, span.length - i - 1);
            n += put_utf8(code < 0 ? '?' : code, out + n);
            i += code < 0 ? 0 : 4;
        }
    }
    if (size)
        out[n < size ? n : size - 1] = '\0';
    return n;
}
