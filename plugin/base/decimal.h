/* decimal: writes an unsigned integer in decimal, without printf, for the
 * hot paths that format numbers. Inline; no state. */
#ifndef EXCLAVE_DECIMAL_H
#define EXCLAVE_DECIMAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { DECIMAL_MAX = 20 }; /* digits of UINT64_MAX */

/* Writes value into out (DECIMAL_MAX bytes, no NUL); returns the length. */
static inline size_t decimal_format(uint64_t value, char *out)
{
    char digits[DECIMAL_MAX];
    size_t n = 0;
    do {
        digits[DECIMAL_MAX - 1 - n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    memcpy(out, digits + DECIMAL_MAX - n, n);
    return n;
}

#endif
