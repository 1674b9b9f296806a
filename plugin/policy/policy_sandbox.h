/* policy_sandbox: what the policy process gives up before it runs a line
 * of Lua: root (it becomes nobody), its limits (no files, no core, no
 * children, an address-space cap), and every system call but the few it
 * needs to compute and to talk over its socket (seccomp, with libseccomp).
 * A call outside the list kills the process (SIGSYS), which the sensor
 * reports. It does not decide what the process does. */
#ifndef EXCLAVE_POLICY_SANDBOX_H
#define EXCLAVE_POLICY_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/* memory_bytes: the address-space cap (0: none). False, and why in error,
 * when a step fails: the process must then not go on. */
bool policy_sandbox_enter(size_t memory_bytes, char *error, size_t error_size);

#endif
