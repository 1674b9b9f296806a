/* ip_address: value type for IPv4/IPv6 addresses. Hot path: formatting an
 * IPv4 address is done by hand (inet_ntop is slow); it must not allocate. */
#include "base/ip_address.h"

#include <arpa/inet.h>
#include <string.h>

#include "base/decimal.h"

bool ip_address_equal(const struct ip_address *a, const struct ip_address *b)
{
    return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

/* One byte of a dotted quad: one to three digits. */
static size_t format_byte(unsigned value, char *out)
{
    if (value >= 100) {
        out[0] = (char)('0' + value / 100);
        memcpy(out + 1, decimal_pairs + 2 * (value % 100), 2);
        return 3;
    }
    if (value >= 10) {
        memcpy(out, decimal_pairs + 2 * value, 2);
        return 2;
    }
    out[0] = (char)('0' + value);
    return 1;
}

size_t ip_address_format(const struct ip_address *address, char *out)
{
    if (address->family == 4) {
        size_t length = format_byte(address->bytes[0], out);
        for (int i = 1; i < 4; i++) {
            out[length++] = '.';
            length += format_byte(address->bytes[i], out + length);
        }
        return length;
    }
    if (address->family == 6 && inet_ntop(AF_INET6, address->bytes, out, IP_ADDRESS_TEXT_MAX))
        return strlen(out);
    out[0] = '-';
    return 1;
}

/* A dotted quad as inet_pton reads one (four decimal parts of at most 255,
 * no leading zeros, nothing else), without its call per address. */
static bool parse_v4(const char *text, uint8_t bytes[4])
{
    for (int part = 0; part < 4; part++, text++) {
        const char *start = text;
        unsigned value = 0;
        for (; *text >= '0' && *text <= '9'; text++) {
            if (text - start == 3)
                return false;
            value = value * 10 + (unsigned)(*text - '0');
        }
        if (text == start || value > 255 || (text - start > 1 && *start == '0') ||
            *text != (part < 3 ? '.' : '\0'))
            return false;
        bytes[part] = (uint8_t)value;
    }
    return true;
}

bool ip_address_parse(const char *text, struct ip_address *address)
{
    uint8_t bytes[16];
    if (!strchr(text, ':')) {
        if (!parse_v4(text, bytes))
            return false;
        ip_address_set_v4(address, bytes);
        return true;
    }
    if (inet_pton(AF_INET6, text, bytes) == 1) {
        ip_address_set_v6(address, bytes);
        return true;
    }
    return false;
}

void ip_address_mask(struct ip_address *address, unsigned prefix_length)
{
    unsigned total_bits = address->family == 4 ? 32 : 128;
    if (prefix_length >= total_bits)
        return;
    unsigned byte = prefix_length / 8;
    unsigned keep_bits = prefix_length % 8;
    if (keep_bits) {
        address->bytes[byte] &= (uint8_t)(0xff << (8 - keep_bits));
        byte++;
    }
    memset(address->bytes + byte, 0, 16 - byte);
}
