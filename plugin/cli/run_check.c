/* run_check: one line per policy from the host's and the alert writer's
 * own tallies. */
#include "cli/run_check.h"

#include <stdio.h>
#include <string.h>


static unsigned alerts_of(const struct alert_writer *alerts, const char *policy)
{
    unsigned count = 0;
    for (size_t i = 0; i < alerts->row_count; i++)
        if (strcmp(alerts->rows[i].policy, policy) == 0)
            count += alerts->rows[i].alerts;
    return count;
}

bool run_check_policies(const struct exclave_run *run)
{
    const struct policy_process *process = &run->policies;
    bool clean = true;
    for (unsigned i = 0; i < process->count; i++) {
        const struct policy_state *policy = &process->policies[i];
        unsigned long long errors = policy->errors + policy->errors_before;
        fprintf(stderr, "exclave: check: policy %s (%s): %llu error%s%s, %u alert%s\n",
                policy->name, policy->path, errors, errors == 1 ? "" : "s",
                policy->disabled ? ", disabled" : "",
                alerts_of(&run->alerts, policy->name), alerts_of(&run->alerts, policy->name) == 1 ? "" : "s");
        clean &= errors == 0;
    }
    fprintf(stderr, "exclave: check: %s\n", clean ? "every policy ran without error"
                                                  : "a policy failed (exit status 1)");
    return clean;
}
