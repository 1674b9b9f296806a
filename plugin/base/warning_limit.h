/* warning_limit: the rule every reader follows for problem reports: at most
 * `max` messages of a kind, then one line saying the rest are only counted.
 * It keeps no state of its own; callers own the tally. */
#ifndef EXCLAVE_WARNING_LIMIT_H
#define EXCLAVE_WARNING_LIMIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

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

/* Writes "exclave: WHERE: message" and a newline. */
static inline void warning_vprint(FILE *out, const char *where, const char *format, va_list args)
{
    fprintf(out, "exclave: %s: ", where);
    vfprintf(out, format, args);
    fputc('\n', out);
}

#endif
