/* evidence_json: checks an alert's evidence as the policy process sent it,
 * before the sensor writes it into a log as it stands: the members of a
 * JSON object (no braces), each value a string, a number, true, false,
 * null or an array of those, strings with no raw control byte. What a
 * process running untrusted Lua sends must not be able to break a line of
 * eve.json or add fields to it. It allocates nothing. */
#ifndef EXCLAVE_EVIDENCE_JSON_H
#define EXCLAVE_EVIDENCE_JSON_H

#include <stdbool.h>
#include <stddef.h>

bool evidence_json_is_valid(const char *text, size_t length);

#endif
