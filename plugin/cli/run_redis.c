/* run_redis: `exclave --eve redis://HOST:PORT/KEY`: EVE records from a
 * Redis or Valkey stream or list into the engine and out again, as --eve
 * FILE does. With --state, the state is saved every --state-every seconds
 * together with the key's position and the lookups the reorder buffer
 * holds, and only then are the entries acknowledged: after a crash the
 * next run goes on from the state, skips what it had applied, and counts
 * nothing twice. Without --follow it ends when the key holds no more, as
 * at the end of a file. */
#include "cli/run_redis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/warning_limit.h"

#include "cli/run_logs.h"

enum { RECONNECT_PAUSE_MS = 1000, ACKNOWLEDGE_EVERY = 4096, PROGRESS_EVERY = 4096,
       CLOCK_READ_EVERY = 1024, /* entries between looks at the clock for --state-every */
       BAD_ENTRIES_TOLD = 10 };
static const double state_every_default_seconds = 10;
static const char resume_magic[8] = { 'E', 'X', 'R', 'E', 'D', 'I', 'S', '1' };

struct redis_run {
    struct exclave_run *run;
    struct redis_source *source;
    struct timespec last_save;
    uint64_t applied_since_acknowledge;
    unsigned bad_entries_told;
    bool connection_lost_told;
};

static double seconds_since(const struct timespec *then)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - then->tv_sec) + (double)(now.tv_nsec - then->tv_nsec) / 1e9;
}

/* ---- the position kept with the state ---------------------------------------------- */

/* Which key, group and consumer a position belongs to. */
static void identity(const struct redis_url *url, char *out, size_t out_size)
{
    char where[REDIS_URL_HOST_MAX + REDIS_URL_KEY_MAX + 32];
    redis_url_describe(url, where, sizeof where);
    snprintf(out, out_size, "%s mode %d group %s consumer %s", where, (int)url->mode, url->group,
             url->consumer);
}

/* magic, identity (u16 + bytes), position, the reorder buffer's bytes. */
static bool encode_input(struct redis_run *r, struct state_input *input)
{
    char who[2048];
    identity(&r->source->url, who, sizeof who);
    uint16_t who_length = (uint16_t)strlen(who);
    struct redis_position position = redis_source_position(r->source);
    uint8_t *held = NULL;
    size_t held_length = 0;
    if (r->run->reorder_on && !reorder_save(&r->run->reorder, &held, &held_length))
        return false;
    char *bytes = NULL;
    FILE *out = open_memstream(&bytes, &input->length);
    if (!out) {
        free(held);
        return false;
    }
    fwrite(resume_magic, 1, sizeof resume_magic, out);
    fwrite(&who_length, sizeof who_length, 1, out);
    fwrite(who, 1, who_length, out);
    fwrite(&position, sizeof position, 1, out);
    if (held_length)
        fwrite(held, 1, held_length, out);
    free(held);
    bool ok = !ferror(out);
    ok = fclose(out) == 0 && ok;
    input->bytes = (uint8_t *)bytes;
    return ok;
}

/* The saved input into a position and the reorder buffer. NULL, or why it
 * cannot be used (then the run starts from the key's start for this group). */
static const char *decode_input(struct exclave_run *run, const struct state_input *input,
                                struct redis_position *position)
{
    const uint8_t *at = input->bytes, *end = input->bytes + input->length;
    uint16_t who_length;
    char who[2048], expected[2048];
    if (input->length < sizeof resume_magic + sizeof who_length ||
        memcmp(at, resume_magic, sizeof resume_magic) != 0)
        return "its input position is not a Redis reader's";
    at += sizeof resume_magic;
    memcpy(&who_length, at, sizeof who_length);
    at += sizeof who_length;
    if ((size_t)(end - at) < (size_t)who_length + sizeof *position || who_length >= sizeof who)
        return "its input position is cut short";
    memcpy(who, at, who_length);
    who[who_length] = '\0';
    at += who_length;
    identity(run->redis_url, expected, sizeof expected);
    if (strcmp(who, expected) != 0)
        return "its position is for another key, group or consumer";
    memcpy(position, at, sizeof *position);
    at += sizeof *position;
    if (at == end)
        return NULL;
    if (!run->reorder_on)
        return "it holds reordered lookups but --reorder-window is 0 now";
    return reorder_restore(&run->reorder, at, (size_t)(end - at));
}

/* Saves the state with the position, then acknowledges: in that order, so
 * that what the server forgets is always in a state on disk. */
static void save_and_acknowledge(struct redis_run *r)
{
    struct exclave_run *run = r->run;
    char error[ERROR_SIZE];
    clock_gettime(CLOCK_MONOTONIC, &r->last_save);
    if (run->options.state_file && run->engine_ready) {
        struct state_input input = { NULL, 0 };
        bool saved = encode_input(r, &input) &&
                     state_file_save_resumable(&run->engine, run->options.state_file, &input,
                                               error, sizeof error);
        free(input.bytes);
        if (!saved) {
            if (run->redis_totals.state_save_failures++ < 3)
                fprintf(stderr, "exclave: %s: state not saved, entries left pending: %s\n",
                        run->options.state_file, error);
            return;
        }
        run->redis_totals.state_saves++;
    }
    if (!redis_source_acknowledge(r->source, error, sizeof error))
        fprintf(stderr, "exclave: %s (told again after the next save)\n", error);
    r->applied_since_acknowledge = 0;
}

/* ---- entries -------------------------------------------------------------------------- */

static void bad_entry(struct redis_run *r, const struct redis_entry *entry)
{
    r->run->redis_totals.bad_entries++;
    char where[sizeof r->source->where + REDIS_ID_TEXT_MAX + 16];
    snprintf(where, sizeof where, "%s entry %s", r->source->where, entry->id);
    if (warning_allowed(stderr, &r->bad_entries_told, BAD_ENTRIES_TOLD, r->source->where,
                        "entries without a record not shown (redis_bad_entries in --stats)"))
        warning_print(stderr, where, "no EVE record, skipped: %s", entry->problem);
}

/* One entry through the reader, the engine and the log. */
static void apply_entry(struct redis_run *r, const struct redis_entry *entry)
{
    struct exclave_run *run = r->run;
    if (entry->problem) {
        bad_entry(r, entry);
    } else {
        char origin[sizeof r->source->where + REDIS_ID_TEXT_MAX + 16];
        snprintf(origin, sizeof origin, "%s entry %s", r->source->where, entry->id);
        struct engine_lookup lookup;
        bool has_lookup = false;
        if (eve_reader_take(run->eve, entry->text, entry->length, origin, &lookup, &has_lookup))
            run_logs_pass_eve_record(run, has_lookup ? &lookup : NULL);
        run->eve->origin = NULL; /* origin is gone after this call */
    }
    redis_source_applied(r->source);
    r->applied_since_acknowledge++;
}

/* A lost connection: said once until it works again; with --follow a
 * pause and a new connection, else the end. False to stop. */
static bool after_failure(struct redis_run *r, const char *error)
{
    if (!r->connection_lost_told)
        fprintf(stderr, "exclave: %s%s\n", error,
                r->run->options.follow ? " (trying again every second)" : "");
    r->connection_lost_told = true;
    if (!r->run->options.follow)
        return false;
    run_flush_logs(r->run);
    struct timespec pause = { RECONNECT_PAUSE_MS / 1000, RECONNECT_PAUSE_MS % 1000 * 1000000L };
    nanosleep(&pause, NULL);
    char again[ERROR_SIZE];
    if (redis_source_reconnect(r->source, again, sizeof again)) {
        fprintf(stderr, "exclave: %s: connected again\n", r->source->where);
        r->connection_lost_told = false;
    }
    return true;
}

/* Nothing new (with --follow): what a quiet log gets. */
static void while_idle(struct redis_run *r)
{
    struct exclave_run *run = r->run;
    run_write_stats_when_due(run, false);
    run_flush_logs(run);
    run_logs_reload_if_asked(run);
    run_logs_drain_if_quiet(run);
    if (r->applied_since_acknowledge)
        save_and_acknowledge(r);
}

static bool read_entries(struct redis_run *r)
{
    struct exclave_run *run = r->run;
    double every = run->options.state_every_seconds > 0 ? run->options.state_every_seconds
                                                        : state_every_default_seconds;
    char error[ERROR_SIZE];
    while (!exclave_signals.stop) {
        struct redis_entry entry;
        int status = redis_source_next(r->source, run->options.follow, &entry, error, sizeof error);
        if (status < 0 && !after_failure(r, error))
            return false;
        if (status == 0 && !run->options.follow)
            return true;
        if (status == 0)
            while_idle(r);
        if (status <= 0)
            continue;
        apply_entry(r, &entry);
        run_check_output(run);
        run_check_counting(run);
        if (r->source->counters.entries % PROGRESS_EVERY == 0) {
            run_logs_reload_if_asked(run);
            run_show_progress(run, r->source->counters.entries, 0);
            run_write_stats_when_due(run, false);
        }
        bool due = run->options.state_file ? r->applied_since_acknowledge % CLOCK_READ_EVERY == 0 &&
                                                 seconds_since(&r->last_save) >= every
                                           : r->applied_since_acknowledge >= ACKNOWLEDGE_EVERY;
        if (due)
            save_and_acknowledge(r);
    }
    return true;
}

/* ---- the run ------------------------------------------------------------------------- */

static bool open_source(struct redis_run *r)
{
    struct exclave_run *run = r->run;
    struct redis_position position = { { 0, 0 }, 0 };
    const struct redis_position *resume = NULL;
    if (run->resume_input.length) {
        const char *wrong = decode_input(run, &run->resume_input, &position);
        if (wrong)
            fprintf(stderr, "exclave: %s: %s: the key is read as by a first run (what this "
                            "group acknowledged is not read again)\n", run->options.state_file, wrong);
        else
            resume = &position;
    }
    char error[ERROR_SIZE];
    if (!(r->source = calloc(1, sizeof *r->source))) {
        fprintf(stderr, "exclave: out of memory\n");
        return false;
    }
    run->redis = r->source;
    if (!redis_source_open(r->source, run->redis_url, run->redis_password, resume, error,
                           sizeof error)) {
        fprintf(stderr, "exclave: %s\n", error);
        return false;
    }
    return true;
}

int run_redis(struct exclave_run *run)
{
    struct redis_run r = { .run = run };
    run_start_progress(run, NULL, "entries");
    run_logs_start_reorder(run);
    clock_gettime(CLOCK_MONOTONIC, &r.last_save);
    bool opened = open_source(&r), ok = opened && read_entries(&r);
    if (opened) {
        /* The end of what the key held is the end of a file; with --follow
         * and --state what is held stays held, in the state, for the next run. */
        if (run->reorder_on && !(run->options.follow && run->options.state_file))
            reorder_drain(&run->reorder, run_logs_observe, run);
        save_and_acknowledge(&r);
    }
    run->state_saved_by_input = true; /* never a save without the position */
    struct log_totals *t = &run->log_totals;
    t->records = run->eve->counters.records;
    t->bad_lines = run->eve->counters.bad_lines;
    t->lookups = run->eve->counters.dns_lookups;
    t->dns_unusable = run->eve->counters.dns_unusable;
    return run_finish(run, ok) ? 0 : 1;
}
