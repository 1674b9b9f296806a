/* main: the `exclave` command. Dispatches to a subcommand (report, merge,
 * dump-state, and policy-host: the policy process the sensor starts) or parses a run's options, opens what the run needs and runs
 * the capture or the logs. All run-time state lives in struct exclave_run
 * (cli/run.h); this file holds no logic of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/options.h"
#include "cli/run.h"
#include "cli/run_capture.h"
#include "cli/run_logs.h"
#include "cli/run_redis.h"
#include "cli/run_report.h"
#include "cli/run_state.h"
#include "policy/policy_child.h"

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "policy-host") == 0) /* started by the sensor, not by users */
        return policy_child_main();
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return run_report(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return run_merge(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "dump-state") == 0)
        return run_dump(argc - 1, argv + 1);
    struct exclave_run *run = calloc(1, sizeof *run);
    if (!run) {
        fprintf(stderr, "exclave: out of memory\n");
        return 1;
    }
    int status = exclave_parse_options(argc, argv, &run->options);
    if (status == 0) {
        status = 1;
        exclave_install_signal_handlers(); /* before the slow start: a HUP then waits */
        if (run_open_geoip(run) && run_open_source(run) && run_open_log(run) && run_open_engine(run))
            status = run->redis_url ? run_redis(run)
                   : run->zeek || run->eve ? run_logs(run) : run_capture(run);
    }
    run_close(run);
    free(run);
    return status < 0 ? 0 : status;
}
