/* run_report: `exclave report`: the evidence page from a log directory, or
 * from a state file evaluated once by the policies (then the state file is
 * read, never written). */
#include "cli/run_report.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/run.h"
#include "cli/usage.h"
#include "base/iso_time.h"
#include "report/report_data.h"
#include "report/report_csv.h"
#include "report/report_html.h"
#include "report/report_state.h"

/* exclave report --state: loads the state with the policies, databases and
 * engine options in argv, evaluates every key once, and reads the alerts back from
 * an eve.json in a temporary directory; the state file is not written. */
static bool read_state_report(struct report_data *data, const char *state, int argc, char **argv)
{
    struct stat info;
    if (stat(state, &info) != 0) {
        fprintf(stderr, "exclave report: %s: %s\n", state, strerror(errno));
        return false;
    }
    char dir[PATH_MAX], eve_path[PATH_MAX + sizeof "/eve.json"], error[ERROR_SIZE];
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/exclave-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    struct exclave_run *run = calloc(1, sizeof *run);
    char **args = calloc((size_t)argc + 10, sizeof *args);
    if (!run || !args || !mkdtemp(dir)) {
        fprintf(stderr, "exclave report: %s: %s\n", dir, strerror(errno));
        free(run);
        free(args);
        return false;
    }
    int count = 0;
    args[count++] = "exclave report";
    for (int i = 0; i < argc; i++)
        args[count++] = argv[i];
    char *fixed[] = { "--eve", "/dev/null", "-l", dir, "--state", (char *)state, "--quiet" };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        args[count++] = fixed[i];
    optind = 1;
    /* the policies may ask who owns an answer address: the databases too */
    bool ok = exclave_parse_options(count, args, &run->options) == 0 && run_open_geoip(run) && run_open_log(run) &&
              run_open_engine(run);
    if (ok) {
        engine_set_tick_hook(&run->engine, NULL, NULL); /* never save the state back */
        engine_evaluate_all(&run->engine);
        run_flush_logs(run);
        const char *paths[] = { dir };
        ok = report_data_read(data, paths, 1, 0, 0, error, sizeof error);
        if (ok)
            report_state_fill(data, &run->engine, state);
        else
            fprintf(stderr, "exclave report: %s\n", error);
    }
    run_close(run);
    snprintf(eve_path, sizeof eve_path, "%s/eve.json", dir);
    unlink(eve_path);
    rmdir(dir);
    free(run);
    free(args);
    return ok;
}

static bool write_report(const struct report_data *data, const char *output)
{
    FILE *out = fopen(output, "w");
    bool ok = out && report_html_write(data, "exclave: exclusive DNS connections", out);
    ok = out && fclose(out) == 0 && ok;
    if (!ok)
        fprintf(stderr, "exclave report: %s: cannot write: %s\n", output, strerror(errno));
    else
        fprintf(stderr, "exclave report: %s: %zu keys\n", output, data->key_count);
    return ok;
}

static bool write_csv(const struct report_data *data, const char *path)
{
    FILE *out = fopen(path, "w");
    bool ok = out && report_csv_write(data, out);
    ok = out && fclose(out) == 0 && ok;
    if (!ok)
        fprintf(stderr, "exclave report: %s: cannot write: %s\n", path, strerror(errno));
    return ok;
}

/* --from/--to's value; false (said) when it is not a date or a time. */
static bool time_option(const char *name, const char *text, int64_t *us)
{
    if (iso_time_parse_day_or_time(text, us))
        return true;
    fprintf(stderr, "exclave report: %s: '%s' is not a date (2016-08-01) or a time "
                    "(2016-08-01T12:00:00Z)\n", name, text);
    return false;
}

/* exclave report (-l PATH... | --state FILE [engine and policy options])
 * [--from DATE] [--to DATE] -o report.html */
int run_report(int argc, char **argv)
{
    const char *output = NULL, *state = NULL, *csv = NULL;
    int64_t from_us = 0, to_us = 0;
    if (exclave_subcommand_help(argc, argv, exclave_report_usage_text))
        return 0;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
    int rest_count = 0, input_count = 0;
    bool times_ok = true;
    for (int i = 1; rest && inputs && i < argc; i++) {
        bool valued = i + 1 < argc;
        if (valued && (strcmp(argv[i], "-l") == 0 || strcmp(argv[i], "--log-dir") == 0))
            inputs[input_count++] = argv[++i];
        else if (valued && strcmp(argv[i], "-o") == 0)
            output = argv[++i];
        else if (valued && strcmp(argv[i], "--state") == 0)
            state = argv[++i];
        else if (valued && strcmp(argv[i], "--csv") == 0)
            csv = argv[++i];
        else if (valued && strcmp(argv[i], "--from") == 0)
            times_ok = time_option("--from", argv[++i], &from_us) && times_ok;
        else if (valued && strcmp(argv[i], "--to") == 0)
            times_ok = time_option("--to", argv[++i], &to_us) && times_ok;
        else
            rest[rest_count++] = argv[i];
    }
    if (!rest || !inputs || !output || !input_count == !state || (input_count && rest_count) ||
        !times_ok || (state && (from_us || to_us))) {
        if (times_ok)
            fprintf(stderr, "exclave report: give -l LOGDIR or -l EVE-FILE (repeatable; --from and "
                            "--to bound the time), or --state FILE with any policy and engine "
                            "options, and -o report.html\n");
        free(rest);
        free(inputs);
        return 2;
    }
    char error[ERROR_SIZE];
    struct report_data data;
    memset(&data, 0, sizeof data);
    bool ok = state ? read_state_report(&data, state, rest_count, rest)
                    : report_data_read(&data, inputs, (size_t)input_count, from_us, to_us, error,
                                       sizeof error);
    if (!ok && !state)
        fprintf(stderr, "exclave report: %s\n", error);
    if (ok && data.alerts_repeated)
        fprintf(stderr, "exclave report: the input holds more than one run over the same data: %llu "
                        "alerts came again and are left out, but the charts count every run's "
                        "records; write each run to its own log directory\n",
                (unsigned long long)data.alerts_repeated);
    if (ok && !state && data.key_count == 0)
        fprintf(stderr, "exclave report: no exclave alert in %llu file%s read: nothing alerted, or "
                        "the alerts are elsewhere (inside Suricata they go to exclave.json or "
                        "eve-exclave.json: give the log directory)\n",
                (unsigned long long)data.files_read, data.files_read == 1 ? "" : "s");
    ok = ok && write_report(&data, output) && (!csv || write_csv(&data, csv));
    report_data_free(&data);
    free(rest);
    free(inputs);
    return ok ? 0 : 1;
}
