/* dns_message: decodes one DNS message from wire format into a fixed-size
 * struct (no allocation). Names are stored in presentation form ("\." for a
 * dot inside a label, "\DDD" for other unprintable bytes) in a per-message
 * arena. It does not know where the bytes came from, nor what a lookup is. */
#ifndef EXCLAVE_DNS_MESSAGE_H
#define EXCLAVE_DNS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ip_address.h"

enum {
    DNS_MAX_RECORDS = 64,      /* records kept per message (all sections) */
    DNS_TEXT_ARENA_SIZE = 16384,
    DNS_HEADER_SIZE = 12,
};

enum dns_section { DNS_SECTION_ANSWER, DNS_SECTION_AUTHORITY, DNS_SECTION_ADDITIONAL };

enum dns_type {
    DNS_TYPE_A = 1, DNS_TYPE_NS = 2, DNS_TYPE_CNAME = 5, DNS_TYPE_SOA = 6,
    DNS_TYPE_PTR = 12, DNS_TYPE_MX = 15, DNS_TYPE_TXT = 16, DNS_TYPE_AAAA = 28,
    DNS_TYPE_SRV = 33, DNS_TYPE_DNAME = 39, DNS_TYPE_OPT = 41, DNS_TYPE_DS = 43,
    DNS_TYPE_RRSIG = 46, DNS_TYPE_DNSKEY = 48, DNS_TYPE_SVCB = 64, DNS_TYPE_HTTPS = 65,
};

enum dns_decode_status {
    DNS_DECODE_OK = 0,
    DNS_DECODE_SHORT_HEADER,   /* fewer than 12 bytes */
    DNS_DECODE_TRUNCATED,      /* a record or name runs past the end */
    DNS_DECODE_BAD_NAME,       /* label type 0x40/0x80, or name over 255 bytes */
    DNS_DECODE_POINTER_LOOP,   /* compression pointers do not terminate */
};

/* Text in the message's arena: arena + offset, length bytes, no NUL. */
struct dns_text {
    uint16_t offset;
    uint16_t length;
};

struct dns_record {
    uint8_t section;           /* enum dns_section */
    uint16_t type;
    uint16_t rclass;
    uint32_t ttl;
    struct dns_text owner;
    struct dns_text rdata;     /* presentation text; empty for A/AAAA and unknown types */
    struct ip_address address; /* A/AAAA only, else family 0 */
};

struct dns_client_subnet {
    bool present;
    uint8_t source_prefix;
    uint8_t scope_prefix;
    struct ip_address network;
};

/* An EDNS COOKIE option (RFC 7873): the client's 8 bytes, and the server's
 * 8 to 32 when the sender has one. */
struct dns_cookie {
    bool present;
    uint8_t server_length;     /* 0: a client cookie only */
    uint8_t client[8];
    uint8_t server[32];
};

struct dns_message {
    uint16_t id;
    uint16_t flags;            /* raw header flags word */
    uint16_t question_count, answer_count, authority_count, additional_count;
    uint16_t rcode;            /* includes the EDNS extended bits when present */

    struct dns_text qname;
    uint16_t qtype, qclass;

    uint16_t record_count;     /* kept in records[] */
    uint16_t records_not_kept; /* decoded but over DNS_MAX_RECORDS or the arena */
    struct dns_record records[DNS_MAX_RECORDS];

    bool edns_present;
    uint8_t edns_version;
    uint16_t edns_udp_size;
    struct dns_client_subnet client_subnet;
    struct dns_cookie cookie;

    /* Names already decoded, by where they start in the wire: an owner name
     * that is a pointer to one of them (usually to the question) is reused,
     * not decoded again. */
    uint8_t names_seen;
    struct { uint16_t wire_offset; struct dns_text text; } name_seen[8];

    uint16_t arena_used;
    char arena[DNS_TEXT_ARENA_SIZE];
};

static inline bool dns_is_response(const struct dns_message *m) { return m->flags & 0x8000; }
static inline unsigned dns_opcode(const struct dns_message *m) { return (m->flags >> 11) & 0xf; }
static inline const char *dns_text_ptr(const struct dns_message *m, struct dns_text t)
{
    return m->arena + t.offset;
}

/* Decodes wire[0..length). On DNS_DECODE_OK every section was read. On an
 * error after the question, the header, the question and the records before
 * the fault are kept and *question_ok is true: the caller may still log them.
 * A message without a question (qdcount 0, legal for some responses and
 * opcodes) has an empty qname and qtype 0. */
/* The value of an EDNS client subnet option (RFC 7871: family, source and
 * scope prefix, address bytes) into ecs, the network masked to its source
 * prefix; false, ecs untouched, when it is not a well-formed one. */
bool dns_client_subnet_decode(const uint8_t *value, size_t length, struct dns_client_subnet *ecs);

enum dns_decode_status dns_message_decode(struct dns_message *message, const uint8_t *wire,
                                          size_t length, bool *question_ok);

const char *dns_decode_strerror(enum dns_decode_status status);

#endif
