/* printable: text from outside (names from logs, a policy's signature or
 * message) made safe for a terminal line: every control byte, DEL and byte
 * above 127 written as \xNN, so that no newline, ESC or BEL can forge a line
 * or drive a terminal, and a cap on the length. It allocates nothing. */
#ifndef EXCLAVE_PRINTABLE_H
#define EXCLAVE_PRINTABLE_H

#include <stddef.h>

/* Writes text[0..length) escaped into out (size bytes, NUL-terminated);
 * what does not fit is cut and marked with "...". Returns out. */
char *printable_copy(char *out, size_t size, const char *text, size_t length);

#endif
