/* ip_address: one IPv4 or IPv6 address as a value type, and its text form.
 * Knows nothing about packets or DNS; formatting never allocates. */
#ifndef EXCLAVE_IP_ADDRESS_H
#define EXCLAVE_IP_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { IP_ADDRESS_TEXT_MAX = 46 }; /* INET6_ADDRSTRLEN */

/* IPv4 is kept in bytes[0..3]; the remaining bytes are zero so that two equal
 * addresses compare equal with memcmp over the whole struct. */
struct ip_address {
    uint8_t family; /* 4 or 6; 0 means "none" */
    uint8_t bytes[16];
};

/* Inline: the decoder sets two or four per packet. */
static inline void ip_address_set_v4(struct ip_address *address, const uint8_t bytes[4])
{
    memset(address, 0, sizeof *address);
    address->family = 4;
    memcpy(address->bytes, bytes, 4);
}

static inline void ip_address_set_v6(struct ip_address *address, const uint8_t bytes[16])
{
    address->family = 6;
    memcpy(address->bytes, bytes, 16);
}

bool ip_address_equal(const struct ip_address *a, const struct ip_address *b);

/* Writes the text form (dotted quad, or RFC 5952 IPv6) without a NUL and
 * returns its length; out must hold IP_ADDRESS_TEXT_MAX bytes. */
size_t ip_address_format(const struct ip_address *address, char *out);

/* Parses "1.2.3.4" or "2001:db8::1"; false if it is neither. */
bool ip_address_parse(const char *text, struct ip_address *address);

/* Zeroes every bit past prefix_length (for EDNS client subnets). */
void ip_address_mask(struct ip_address *address, unsigned prefix_length);

#endif
