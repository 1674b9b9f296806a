/* warning_limit: the rule every reader follows for problem reports: at most
 * `max` messages of a kind, then one line saying the rest are only counted.
 * It keeps no state of its own; callers own the tally. */
#ifndef EXCLAVE_WARNING_LIMIT_H
#define EXCLAVE_WARNING_LIMIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/printable.h"

enum { WARNING_TEXT_MAX = 1024 }; /* bytes of a message kept, before escaping */

/* True when one more message may be written to out (and *given counts it).
 * At the limit it writes "exclave: SUBJECT: further SUPPRESSED" once instead
 * and returns false, as it does when out is NULL. */
static inline bool warning_allowed(FILE *out, unsigned *given, unsigned max, const char *subject,
                                   const char *suppressed)
{
    if (!out || *given > max)
        return false;
    if ((*given)++ == max) {
        fprintf(out, "exclave: %s: further %s\n", subject, suppressed);
        return false;
    }
    return true;
}

enum { WARNING_LINE_MAX = 4096 + 4 * WARNING_TEXT_MAX + 64 }; /* a formatted line, at most */

/* Formats "exclave: WHERE: message" and a newline into line, the message
 * escaped (printable) and cut at WARNING_TEXT_MAX bytes: what it quotes may
 * come from the input or from a policy. */
static inline void warning_vformat(char *line, size_t size, const char *where, const char *format,
                                   va_list args)
{
    char raw[WARNING_TEXT_MAX + 1], safe[4 * WARNING_TEXT_MAX + 8];
    int length = vsnprintf(raw, sizeof raw, format, args);
    size_t kept = length < 0 ? 0 : (size_t)length < sizeof raw ? (size_t)length : sizeof raw - 1;
    printable_copy(safe, sizeof safe, raw, kept); /* fits: 4 bytes a byte at most */
    if (length >= 0 && (size_t)length > kept)
        strcat(safe, "...");
    snprintf(line, size, "exclave: %s: %s\n", where, safe);
}

/* warning_vformat's line, written to out. */
static inline void warning_vprint(FILE *out, const char *where, const char *format, va_list args)
{
    char line[WARNING_LINE_MAX];
    warning_vformat(line, sizeof line, where, format, args);
    fputs(line, out);
}

static inline void warning_print(FILE *out, const char *where, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static inline void warning_print(FILE *out, const char *where, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    warning_vprint(out, where, format, args);
    va_end(args);
}

#endif
