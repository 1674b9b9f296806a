/* dns_message: bounds- and loop-safe decoding of DNS wire format (RFC 1035,
 * EDNS0 RFC 6891, client subnet RFC 7871). Must never read past `length`,
 * never allocate, and never trust a count or a pointer in the message. */
#include "dns/dns_message.h"

#include <string.h>

#include "base/byte_order.h"
#include "base/decimal.h"

enum {
    NAME_WIRE_MAX = 255,
    NAME_TEXT_MAX = NAME_WIRE_MAX * 4 + 4, /* every byte escaped as \DDD */
    POINTER_JUMPS_MAX = 64,
    EDNS_OPTION_CLIENT_SUBNET = 8,
    EDNS_OPTION_COOKIE = 10,
};

struct wire_reader {
    const uint8_t *wire;
    size_t length;
};

/* Appends to the arena; false (and nothing written) when it is full. */
static bool arena_reserve(struct dns_message *m, size_t bytes, char **out)
{
    if (m->arena_used + bytes > DNS_TEXT_ARENA_SIZE)
        return false;
    *out = m->arena + m->arena_used;
    return true;
}

static inline bool is_plain_label_byte(uint8_t byte)
{
    return byte > 0x20 && byte < 0x7f && byte != '.' && byte != '\\' && byte != '"';
}

/* Presentation form of one label byte; returns bytes written (1, 2 or 4). */
static size_t escape_label_byte(uint8_t byte, char *out)
{
    if (is_plain_label_byte(byte)) {
        out[0] = (char)byte;
        return 1;
    }
    if (byte == '.' || byte == '\\' || byte == '"') {
        out[0] = '\\';
        out[1] = (char)byte;
        return 2;
    }
    out[0] = '\\';
    out[1] = (char)('0' + byte / 100);
    out[2] = (char)('0' + byte / 10 % 10);
    out[3] = (char)('0' + byte % 10);
    return 4;
}

/* Decodes the name at *offset, following compression pointers, into `out`
 * (NAME_TEXT_MAX bytes). Advances *offset past the name as it
 * stands in the record. Returns the text length via *text_length. */
static enum dns_decode_status read_name(const struct wire_reader *r, size_t *offset, char *out,
                                        size_t *text_length)
{
    size_t position = *offset, wire_bytes = 0, written = 0;
    unsigned jumps = 0;
    bool jumped = false;
    for (;;) {
        if (position >= r->length)
            return DNS_DECODE_TRUNCATED;
        uint8_t label_length = r->wire[position];
        if ((label_length & 0xc0) == 0xc0) {
            if (position + 1 >= r->length)
                return DNS_DECODE_TRUNCATED;
            if (!jumped)
                *offset = position + 2;
            jumped = true;
            if (++jumps > POINTER_JUMPS_MAX)
                return DNS_DECODE_POINTER_LOOP;
            position = (size_t)(read_be16(r->wire + position) & 0x3fff);
            continue;
        }
        if (label_length & 0xc0)
            return DNS_DECODE_BAD_NAME;
        wire_bytes += 1u + label_length;
        if (wire_bytes > NAME_WIRE_MAX)
            return DNS_DECODE_BAD_NAME;
        if (label_length == 0)
            break;
        if (position + 1 + label_length > r->length)
            return DNS_DECODE_TRUNCATED;
        if (written > 0)
            out[written++] = '.';
        for (size_t i = 0; i < label_length; i++) {
            uint8_t byte = r->wire[position + 1 + i];
            if (is_plain_label_byte(byte))
                out[written++] = (char)byte;
            else
                written += escape_label_byte(byte, out + written);
        }
        position += 1u + label_length;
    }
    if (!jumped)
        *offset = position + 1;
    if (written == 0)
        out[written++] = '.';
    *text_length = written;
    return DNS_DECODE_OK;
}

/* The text of a name decoded before at this wire offset, if any. */
static bool name_seen_at(const struct dns_message *m, size_t wire_offset, struct dns_text *text)
{
    for (unsigned i = 0; i < m->names_seen; i++) {
        if (m->name_seen[i].wire_offset == wire_offset) {
            *text = m->name_seen[i].text;
            return true;
        }
    }
    return false;
}

static void remember_name(struct dns_message *m, size_t wire_offset, struct dns_text text)
{
    if (m->names_seen < sizeof m->name_seen / sizeof m->name_seen[0] && wire_offset <= 0x3fff) {
        m->name_seen[m->names_seen].wire_offset = (uint16_t)wire_offset;
        m->name_seen[m->names_seen].text = text;
        m->names_seen++;
    }
}

/* Gives back arena space from mark on, and forgets names stored there. */
static void arena_rollback(struct dns_message *m, uint16_t mark)
{
    m->arena_used = mark;
    while (m->names_seen > 0 && m->name_seen[m->names_seen - 1].text.offset >= mark)
        m->names_seen--;
}

/* Reads a name and stores it in the arena; on a full arena *stored is false.
 * A name that is only a pointer to a name seen before costs no decoding. */
static enum dns_decode_status read_name_to_arena(struct dns_message *m, const struct wire_reader *r,
                                                 size_t *offset, struct dns_text *text, bool *stored)
{
    size_t start = *offset;
    if (start + 1 < r->length && (r->wire[start] & 0xc0) == 0xc0 &&
        name_seen_at(m, (size_t)((r->wire[start] & 0x3f) << 8 | r->wire[start + 1]), text)) {
        *offset = start + 2;
        *stored = true;
        return DNS_DECODE_OK;
    }
    char scratch[NAME_TEXT_MAX];
    bool direct = (size_t)(DNS_TEXT_ARENA_SIZE - m->arena_used) >= sizeof scratch;
    char *out = direct ? m->arena + m->arena_used : scratch;
    size_t length = 0;
    enum dns_decode_status status = read_name(r, offset, out, &length);
    if (status != DNS_DECODE_OK)
        return status;
    *stored = direct;
    if (direct) {
        text->offset = m->arena_used;
        text->length = (uint16_t)length;
        m->arena_used = (uint16_t)(m->arena_used + length);
        remember_name(m, start, *text);
    }
    return DNS_DECODE_OK;
}

/* Text builder over the arena for rdata made of several parts. */
struct rdata_text {
    struct dns_message *message;
    uint16_t start;
    bool full;
};

static void rdata_begin(struct rdata_text *t, struct dns_message *m)
{
    t->message = m;
    t->start = m->arena_used;
    t->full = false;
}

static void rdata_append(struct rdata_text *t, const char *bytes, size_t length)
{
    char *slot;
    if (t->full || !arena_reserve(t->message, length, &slot)) {
        t->full = true;
        return;
    }
    memcpy(slot, bytes, length);
    t->message->arena_used = (uint16_t)(t->message->arena_used + length);
}

static void rdata_append_number(struct rdata_text *t, uint32_t value)
{
    char digits[DECIMAL_MAX];
    rdata_append(t, digits, decimal_format(value, digits));
}

/* Appends the name at *offset and advances *offset past it. */
static enum dns_decode_status rdata_append_name(struct rdata_text *t, const struct wire_reader *r,
                                                size_t *offset)
{
    char scratch[NAME_TEXT_MAX];
    size_t length = 0;
    enum dns_decode_status status = read_name(r, offset, scratch, &length);
    if (status == DNS_DECODE_OK)
        rdata_append(t, scratch, length);
    return status;
}

static void rdata_end(struct rdata_text *t, struct dns_text *text)
{
    if (t->full) {
        t->message->arena_used = t->start;
        text->length = 0;
        return;
    }
    text->offset = t->start;
    text->length = (uint16_t)(t->message->arena_used - t->start);
}

/* TXT: the character-strings, concatenated; backslash and unprintable bytes
 * escaped as in names, dots and quotes kept as they are. */
static enum dns_decode_status rdata_append_strings(struct rdata_text *t, const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t chunk = p[i++];
        if (i + chunk > n)
            return DNS_DECODE_TRUNCATED;
        for (size_t k = 0; k < chunk; k++) {
            char escaped[4];
            uint8_t byte = p[i + k];
            bool plain = byte == '.' || byte == '"' || byte == ' ';
            if (plain)
                escaped[0] = (char)byte;
            rdata_append(t, escaped, plain ? 1 : escape_label_byte(byte, escaped));
        }
        i += chunk;
    }
    return DNS_DECODE_OK;
}

static enum dns_decode_status decode_rdata(struct dns_message *m, const struct wire_reader *r,
                                           struct dns_record *rec, size_t start, uint16_t rdlength)
{
    const uint8_t *p = r->wire + start;
    size_t name_at = start; /* where the name in the rdata starts, if any */
    struct rdata_text t;
    rdata_begin(&t, m);
    enum dns_decode_status status = DNS_DECODE_OK;
    switch (rec->type) {
    case DNS_TYPE_A:
        if (rdlength != 4)
            return DNS_DECODE_TRUNCATED;
        ip_address_set_v4(&rec->address, p);
        return DNS_DECODE_OK;
    case DNS_TYPE_AAAA:
        if (rdlength != 16)
            return DNS_DECODE_TRUNCATED;
        ip_address_set_v6(&rec->address, p);
        return DNS_DECODE_OK;
    case DNS_TYPE_NS: case DNS_TYPE_CNAME: case DNS_TYPE_PTR: case DNS_TYPE_DNAME:
        status = rdata_append_name(&t, r, &name_at);
        break;
    case DNS_TYPE_MX: case DNS_TYPE_SVCB: case DNS_TYPE_HTTPS:
        if (rdlength < 2)
            return DNS_DECODE_TRUNCATED;
        if (rec->type != DNS_TYPE_MX) {
            rdata_append_number(&t, read_be16(p));
            rdata_append(&t, " ", 1);
        }
        name_at = start + 2;
        status = rdata_append_name(&t, r, &name_at);
        break;
    case DNS_TYPE_SRV:
        if (rdlength < 7)
            return DNS_DECODE_TRUNCATED;
        for (int i = 0; i < 3; i++) {
            rdata_append_number(&t, read_be16(p + 2 * i));
            rdata_append(&t, " ", 1);
        }
        name_at = start + 6;
        status = rdata_append_name(&t, r, &name_at);
        break;
    case DNS_TYPE_SOA: /* mname rname serial refresh retry expire minimum */
        for (int i = 0; i < 2 && status == DNS_DECODE_OK; i++) {
            status = rdata_append_name(&t, r, &name_at);
            rdata_append(&t, " ", 1);
        }
        if (status == DNS_DECODE_OK && name_at + 20 > start + rdlength)
            status = DNS_DECODE_TRUNCATED;
        for (int i = 0; i < 5 && status == DNS_DECODE_OK; i++) {
            rdata_append_number(&t, read_be32(r->wire + name_at + 4 * i));
            if (i < 4)
                rdata_append(&t, " ", 1);
        }
        break;
    case DNS_TYPE_TXT:
        status = rdata_append_strings(&t, p, rdlength);
        break;
    case DNS_TYPE_RRSIG:
        if (rdlength < 19)
            return DNS_DECODE_TRUNCATED;
        rdata_append_number(&t, read_be16(p));
        rdata_append(&t, " ", 1);
        name_at = start + 18;
        status = rdata_append_name(&t, r, &name_at);
        break;
    default:
        break;
    }
    rdata_end(&t, &rec->rdata);
    if (status != DNS_DECODE_OK)
        rec->rdata.length = 0;
    return status;
}

bool dns_client_subnet_decode(const uint8_t *value, size_t length, struct dns_client_subnet *ecs)
{
    if (length < 4)
        return false;
    uint16_t family = read_be16(value);
    uint8_t source = value[2], scope = value[3];
    size_t address_bytes = length - 4u;
    uint8_t bytes[16] = {0};
    size_t max_bytes = family == 1 ? 4 : family == 2 ? 16 : 0;
    if (!max_bytes || address_bytes > max_bytes || source > max_bytes * 8)
        return false;
    memcpy(bytes, value + 4, address_bytes);
    if (family == 1)
        ip_address_set_v4(&ecs->network, bytes);
    else
        ip_address_set_v6(&ecs->network, bytes);
    ip_address_mask(&ecs->network, source);
    ecs->source_prefix = source;
    ecs->scope_prefix = scope;
    ecs->present = true;
    return true;
}

/* A COOKIE option's value: 8 bytes, or 16 to 40 (RFC 7873 section 4);
 * anything else is not one and is left out. */
static void decode_cookie(const uint8_t *value, size_t length, struct dns_cookie *cookie)
{
    if (length != 8 && (length < 16 || length > 40))
        return;
    cookie->present = true;
    memcpy(cookie->client, value, 8);
    cookie->server_length = (uint8_t)(length - 8);
    memcpy(cookie->server, value + 8, length - 8);
}

/* OPT pseudo-record: EDNS version, UDP size, extended rcode, client subnet, cookie. */
static void decode_opt(struct dns_message *m, uint16_t rclass, uint32_t ttl, const uint8_t *p,
                       size_t n)
{
    m->edns_present = true;
    m->edns_udp_size = rclass;
    m->edns_version = (uint8_t)(ttl >> 16);
    m->rcode = (uint16_t)((ttl >> 24) << 4 | (m->flags & 0xf));
    size_t i = 0;
    while (i + 4 <= n) {
        uint16_t code = read_be16(p + i), length = read_be16(p + i + 2);
        const uint8_t *value = p + i + 4;
        if (i + 4 + length > n)
            return;
        if (code == EDNS_OPTION_CLIENT_SUBNET)
            dns_client_subnet_decode(value, length, &m->client_subnet);
        else if (code == EDNS_OPTION_COOKIE)
            decode_cookie(value, length, &m->cookie);
        i += 4u + length;
    }
}

static enum dns_decode_status decode_record(struct dns_message *m, const struct wire_reader *r,
                                            size_t *offset, enum dns_section section)
{
    struct dns_record scratch_record;
    bool keep = m->record_count < DNS_MAX_RECORDS;
    struct dns_record *rec = keep ? &m->records[m->record_count] : &scratch_record;
    memset(rec, 0, sizeof *rec);
    uint16_t arena_mark = m->arena_used;
    bool stored = false;
    enum dns_decode_status status = read_name_to_arena(m, r, offset, &rec->owner, &stored);
    if (status != DNS_DECODE_OK)
        return status;
    if (*offset + 10 > r->length)
        return DNS_DECODE_TRUNCATED;
    const uint8_t *p = r->wire + *offset;
    rec->section = (uint8_t)section;
    rec->type = read_be16(p);
    rec->rclass = read_be16(p + 2);
    rec->ttl = read_be32(p + 4);
    uint16_t rdlength = read_be16(p + 8);
    size_t rdata_start = *offset + 10;
    if (rdata_start + rdlength > r->length)
        return DNS_DECODE_TRUNCATED;
    *offset = rdata_start + rdlength;
    if (rec->type == DNS_TYPE_OPT && section == DNS_SECTION_ADDITIONAL) {
        decode_opt(m, rec->rclass, rec->ttl, r->wire + rdata_start, rdlength);
        arena_rollback(m, arena_mark);
        return DNS_DECODE_OK;
    }
    struct wire_reader bounded = { r->wire, rdata_start + rdlength };
    status = decode_rdata(m, &bounded, rec, rdata_start, rdlength);
    if (!keep || !stored) {
        arena_rollback(m, arena_mark);
        m->records_not_kept++;
    } else {
        m->record_count++;
    }
    return status;
}

enum dns_decode_status dns_message_decode(struct dns_message *m, const uint8_t *wire, size_t length,
                                          bool *question_ok)
{
    *question_ok = false;
    m->record_count = 0;
    m->records_not_kept = 0;
    m->arena_used = 0;
    m->names_seen = 0;
    m->edns_present = false;
    m->client_subnet.present = false;
    m->cookie.present = false;
    if (length < DNS_HEADER_SIZE)
        return DNS_DECODE_SHORT_HEADER;
    m->id = read_be16(wire);
    m->flags = read_be16(wire + 2);
    m->rcode = m->flags & 0xf;
    m->question_count = read_be16(wire + 4);
    m->answer_count = read_be16(wire + 6);
    m->authority_count = read_be16(wire + 8);
    m->additional_count = read_be16(wire + 10);
    m->qname.offset = m->qname.length = 0;
    m->qtype = m->qclass = 0;

    struct wire_reader r = { wire, length };
    size_t offset = DNS_HEADER_SIZE;
    enum dns_decode_status status = DNS_DECODE_OK;
    if (m->question_count > 0) {
        bool stored = false;
        status = read_name_to_arena(m, &r, &offset, &m->qname, &stored);
        if (status != DNS_DECODE_OK)
            return status;
        if (offset + 4 > length)
            return DNS_DECODE_TRUNCATED;
        m->qtype = read_be16(wire + offset);
        m->qclass = read_be16(wire + offset + 2);
        offset += 4;
    }
    *question_ok = true;
    for (unsigned q = 1; q < m->question_count; q++) { /* extra questions: skip */
        char scratch[NAME_TEXT_MAX];
        size_t ignored;
        status = read_name(&r, &offset, scratch, &ignored);
        if (status != DNS_DECODE_OK)
            return status;
        if ((offset += 4) > length)
            return DNS_DECODE_TRUNCATED;
    }
    const uint16_t counts[3] = { m->answer_count, m->authority_count, m->additional_count };
    for (int section = 0; section < 3; section++) {
        for (unsigned i = 0; i < counts[section]; i++) {
            status = decode_record(m, &r, &offset, (enum dns_section)section);
            if (status != DNS_DECODE_OK)
                return status;
        }
    }
    return DNS_DECODE_OK;
}

const char *dns_decode_strerror(enum dns_decode_status status)
{
    switch (status) {
    case DNS_DECODE_OK: return "ok";
    case DNS_DECODE_SHORT_HEADER: return "message shorter than the 12-byte DNS header";
    case DNS_DECODE_TRUNCATED: return "a name or record runs past the end of the message";
    case DNS_DECODE_BAD_NAME: return "invalid name (reserved label type or longer than 255 bytes)";
    case DNS_DECODE_POINTER_LOOP: return "name compression pointers loop";
    }
    return "unknown decode status";
}
