/* iso_time: ISO 8601 date-times as the logs write them ("2016-05-04T17:15:20.865716Z",
 * "+00:00" or Suricata's "+0000") to microseconds since the epoch. No I/O,
 * no allocation, no time zone database: the offset is always in the text. */
#ifndef EXCLAVE_ISO_TIME_H
#define EXCLAVE_ISO_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* text[0..length): YYYY-MM-DDTHH:MM:SS, an optional fraction (up to six
 * digits count), and Z, +hh:mm, +hhmm or nothing (UTC). */
bool iso_time_parse(const char *text, size_t length, int64_t *microseconds);

#endif
