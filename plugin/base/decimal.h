/* decimal: writes an unsigned integer in decimal, without printf, for the
 * hot paths that format numbers. Inline; no state. */
#ifndef EXCLAVE_DECIMAL_H
#define EXCLAVE_DECIMAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { DECIMAL_MAX = 20 }; /* digits of UINT64_MAX */

/* "00" to "99": two digits per division. */
static const char decimal_pairs[201] =
    "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
    "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/* How many digits value has. */
static inline size_t decimal_length(uint64_t value)
{
    size_t length = 1;
    for (uint64_t bound = 10; length < DECIMAL_MAX && value >= bound; bound *= 10)
        length++;
    return length;
}

/* Writes value into out (DECIMAL_MAX bytes, no NUL); returns the length.
 * The digits go straight to their places, last first. */
static inline size_t decimal_format(uint64_t value, char *out)
{
    size_t length = decimal_length(value);
    char *at = out + length;
    while (value >= 100) {
        at -= 2;
        memcpy(at, decimal_pairs + 2 * (value % 100), 2);
        value /= 100;
    }
    if (value >= 10)
        memcpy(at - 2, decimal_pairs + 2 * value, 2);
    else
        at[-1] = (char)('0' + value);
    return length;
}

#endif
