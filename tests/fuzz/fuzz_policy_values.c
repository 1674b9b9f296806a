/* fuzz_policy_values: the conversions between a policy and the C side with
 * hostile text: the input, cut at newlines, gives the values of four --set
 * variables read as a number, a boolean, a string and a list
 * (tests/fuzz/values.lua; a missing part keeps a valid default), and
 * goes back out as an alert's signature, related names and evidence, which
 * are serialised to JSON and written as an EVE alert. A value that does not
 * convert must be refused with a message, never crash or leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eve/alert_writer.h"
#include "policy/policy_host.h"
#include "policy/policy_local.h"

struct fuzz_values {
    struct engine engine;
    struct alert_writer alerts;
    struct json_out out;
    FILE *null;
    char policy_path[4096];
    unsigned round;
};

static struct fuzz_values *fuzz;

static void set_up(void)
{
    char error[512];
    struct engine_config config;
    engine_config_defaults(&config);
    config.max_keys = 64;
    fuzz = calloc(1, sizeof *fuzz);
    const char *top = getenv("top_srcdir");
    if (!fuzz || !(fuzz->null = fopen("/dev/null", "w")) ||
        !engine_init(&fuzz->engine, &config, NULL, error, sizeof error))
        abort();
    snprintf(fuzz->policy_path, sizeof fuzz->policy_path, "%s/tests/fuzz/values.lua", top ? top : ".");
    json_out_init(&fuzz->out, fuzz->null);
    alert_writer_init(&fuzz->alerts, &fuzz->out, NULL);
    engine_set_alert_sink(&fuzz->engine, alert_writer_write, &fuzz->alerts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz)
        set_up();
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    static const char *const names[] = { "number", "flag", "text", "list" };
    const char *values[4] = { "1", "yes", "x", "a" };
    char *part = text;
    for (int i = 0; i < 4 && part; i++) {
        values[i] = part;
        if ((part = strchr(part, '\n')))
            *part++ = '\0';
    }
    struct policy_variable variables[4];
    for (int i = 0; i < 4; i++)
        variables[i] = (struct policy_variable){ .policy = "values", .policy_length = 6,
                                                 .name = names[i], .name_length = strlen(names[i]),
                                                 .value = values[i] };
    struct policy_limits limits;
    policy_limits_defaults(&limits);
    limits.memory_bytes = 8u << 20;
    limits.instructions = 100000;
    struct policy_host host;
    struct policy_local local;
    char error[512];
    struct policy_world world = policy_local_world(&local, &fuzz->engine);
    policy_host_init(&host, &world, &limits, variables, 4, fuzz->null);
    if (policy_host_load(&host, fuzz->policy_path, error, sizeof error)) {
        policy_local_attach(&local, &host);
        char name[32];
        int length = snprintf(name, sizeof name, "k%u.example", fuzz->round++);
        struct engine_lookup lookup = { .time_us = (int64_t)fuzz->round * 3600000000LL,
                                        .qname = name, .qname_length = (size_t)length,
                                        .qtype = 1, .part = LOOKUP_ANSWERED };
        engine_observe(&fuzz->engine, &lookup);
        engine_finish(&fuzz->engine);
        engine_set_decider(&fuzz->engine, NULL);
    }
    policy_host_free(&host);
    alert_writer_free(&fuzz->alerts);
    json_out_flush(&fuzz->out);
    free(text);
    return 0;
}
