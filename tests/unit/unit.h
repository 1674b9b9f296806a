/* unit.h: the smallest test harness that reports well. CHECK records a
 * failure with file:line and goes on; unit_finish() prints a summary and
 * returns the exit status automake expects (0 pass, 1 fail, 77 skip). */
#ifndef EXCLAVE_UNIT_H
#define EXCLAVE_UNIT_H

#include <stdio.h>
#include <string.h>

struct unit_tally {
    int checks;
    int failures;
};

static struct unit_tally unit_tally;

#define CHECK(condition)                                                                 \
    do {                                                                                 \
        unit_tally.checks++;                                                             \
        if (!(condition)) {                                                              \
            unit_tally.failures++;                                                       \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #condition);      \
        }                                                                                \
    } while (0)

#define CHECK_TEXT(actual, actual_length, expected)                                      \
    do {                                                                                 \
        size_t unit_length_ = (actual_length);                                           \
        const char *unit_expected_ = (expected);                                         \
        unit_tally.checks++;                                                             \
        if (unit_length_ != strlen(unit_expected_) ||                                    \
            memcmp((actual), unit_expected_, unit_length_) != 0) {                       \
            unit_tally.failures++;                                                       \
            fprintf(stderr, "%s:%d: FAILED: got \"%.*s\", expected \"%s\"\n", __FILE__,   \
                    __LINE__, (int)unit_length_, (const char *)(actual), unit_expected_);  \
        }                                                                                \
    } while (0)

static inline int unit_finish(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, unit_tally.checks, unit_tally.failures);
    return unit_tally.failures ? 1 : 0;
}

#endif
