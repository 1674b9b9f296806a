/* counter_visit: one way to hand a module's counters to whoever shows them
 * (the --stats text, the plugin's exclave_stats record): a callback per
 * counter, with its name. It holds no counters itself. */
#ifndef EXCLAVE_COUNTER_VISIT_H
#define EXCLAVE_COUNTER_VISIT_H

#include <stdint.h>
#include <stdio.h>

typedef void (*counter_visit_fn)(void *user, const char *name, uint64_t value);

/* A counter_visit_fn printing "name value" lines; user is the FILE. */
static inline void counter_print(void *file, const char *name, uint64_t value)
{
    fprintf((FILE *)file, "%-28s %llu\n", name, (unsigned long long)value);
}

#endif
