/* dns_codes: mnemonic names of DNS record types and response codes, as
 * Suricata and Zeek print them, and back. Pure lookup tables; no state. */
#ifndef EXCLAVE_DNS_CODES_H
#define EXCLAVE_DNS_CODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "A", "AAAA", ... or NULL when the type has no mnemonic here. */
const char *dns_type_name(uint16_t type);

/* "NOERROR", "NXDOMAIN", ... or NULL for an unassigned code. */
const char *dns_rcode_name(uint16_t rcode);

/* Writes the name, or "TYPE123" / "RCODE23" (RFC 3597 style) into out
 * (at least 16 bytes); returns the length. */
size_t dns_type_text(uint16_t type, char *out);
size_t dns_rcode_text(uint16_t rcode, char *out);

/* The reverse, for logs that carry the mnemonics (EVE): "AAAA" -> 28, and
 * "TYPE123" -> 123; false for a text that is neither. */
bool dns_type_from_text(const char *text, size_t length, uint16_t *type);
bool dns_rcode_from_text(const char *text, size_t length, uint16_t *rcode);

#endif
