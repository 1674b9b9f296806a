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

/* Writes value into out (DECIMAL_MAX bytes, no NUL); returns the length. */
static inline size_t decimal_format(uint64_t value, char *out)
{
    char digits[DECIMAL_MAX];
    size_t at = DECIMAL_MAX;
    while (value >= 100) {
        at -= 2;
        memcpy(digits + at, decimal_pairs + 2 * (value % 100), 2);
        value /= 100;
    }
    if (value >= 10) {
        at -= 2;
        memcpy(digits + at, decimal_pairs + 2 * value, 2);
    } else {
        digits[--at] = (char)('0' + value);
    }
    memcpy(out, digits + at, DECIMAL_MAX - at);
    return DECIMAL_MAX - at;
}

#endif
