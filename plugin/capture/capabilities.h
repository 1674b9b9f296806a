/* capabilities: gives up every Linux capability once a live capture is
 * open, so that a sensor started with CAP_NET_RAW (or as root) reads
 * hostile packets without any privilege. It drops, never raises, and knows
 * nothing about capture itself. */
#ifndef EXCLAVE_CAPABILITIES_H
#define EXCLAVE_CAPABILITIES_H

#include <stdbool.h>
#include <stddef.h>

/* Clears the effective, permitted, inheritable and ambient sets and sets
 * no_new_privs, so nothing can be regained, not even through exec. False
 * with a message when the kernel refused. */
bool capabilities_drop_all(char *error, size_t error_size);

#endif
