/* iso_time: ISO 8601 date-times as the logs write them ("2016-05-04T17:15:20.865716Z",
 * "+00:00" or Suricata's "+0000") to microseconds since the epoch. No I/O,
 * no allocation, no time zone database: the offset is always in the text. */
#ifndef EXCLAVE_ISO_TIME_H
#define EXCLAVE_ISO_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The times exclave accepts from any input, in microseconds since the
 * epoch: from 1970-01-01 up to (not including) 2100-01-01, UTC. A time
 * outside is a bad input, refused where it is read (no aggregate, tick or
 * day index ever sees one). */
#define EXCLAVE_TIME_MIN_US INT64_C(0)
#define EXCLAVE_TIME_MAX_US INT64_C(4102444800000000)

static inline bool iso_time_is_sane(int64_t microseconds)
{
    return microseconds >= EXCLAVE_TIME_MIN_US && microseconds < EXCLAVE_TIME_MAX_US;
}

/* A time that may be unset (0), as the engine's optional clocks are. */
static inline bool iso_time_is_unset_or_sane(int64_t microseconds)
{
    return microseconds == 0 || iso_time_is_sane(microseconds);
}

/* Seconds as a double (Zeek's JSON ts) to microseconds; false unless the
 * time is sane (NaN and infinities are not). */
bool iso_time_from_seconds(double seconds, int64_t *microseconds);

/* text[0..length): YYYY-MM-DDTHH:MM:SS, an optional fraction (up to six
 * digits count), and Z, +hh:mm, +hhmm or nothing (UTC). False also when the
 * time is not sane. */
bool iso_time_parse(const char *text, size_t length, int64_t *microseconds);

/* The proleptic Gregorian date of a day count from 1970-01-01 (negative
 * before it): the inverse of what iso_time_parse computes. */
void iso_time_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* A NUL-terminated YYYY-MM-DD (its midnight, UTC) or an iso_time_parse
 * time, as a user types one on a command line or in a file. */
bool iso_time_parse_day_or_time(const char *text, int64_t *microseconds);

#endif
