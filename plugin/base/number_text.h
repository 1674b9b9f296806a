/* number_text: numbers and sizes from the text of a flag or a setting
 * ("3600", "0.5", "256M"). Whole text or nothing: no trailing bytes, no
 * silent clamping. */
#ifndef EXCLAVE_NUMBER_TEXT_H
#define EXCLAVE_NUMBER_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* text as a number in [min, max]. */
bool number_text_parse(const char *text, double min, double max, double *value);

/* "256M", "2G", "64k", "1048576" -> bytes (at most 10^15). */
bool number_text_parse_size(const char *text, size_t *bytes);

#endif
