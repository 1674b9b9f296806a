/* alert_writer: writes the engine's alerts as EVE alert records (with the
 * key's evidence in an `exclave` object) into the same stream as the DNS
 * records, prints a one-line summary of each on a message stream, and at the
 * end of input a table of the alerted keys, ranked. It formats only; what
 * alerts is decided by the policies. */
#ifndef EXCLAVE_ALERT_WRITER_H
#define EXCLAVE_ALERT_WRITER_H

#include <stdio.h>

#include "engine/engine.h"
#include "base/json_out.h"

enum { ALERT_SUMMARY_MAX = 10000, ALERT_TOP_ASNS = 5 };

struct alert_summary_row {
    char policy[64];
    char kind[8];
    char *name;
    int severity;
    unsigned alerts;           /* one per window */
    uint64_t lookups_corrected;
    uint32_t top_asn;
    double top_share;
    char related[128];
};

struct alert_writer {
    struct json_out *out;      /* NULL: no EVE records */
    FILE *messages;            /* NULL: no one-line summaries */
    struct alert_summary_row *rows;
    size_t row_count;
    uint64_t rows_not_kept;
};

void alert_writer_init(struct alert_writer *writer, struct json_out *out, FILE *messages);
void alert_writer_free(struct alert_writer *writer);

/* An engine_alert_fn: user is the alert_writer. */
void alert_writer_write(void *user, const struct engine *engine, const struct engine_alert *alert);

/* The same table as one EVE record, event_type exclave_summary, stamped
 * time_us: for a host whose standard error is not where users look. */
void alert_writer_write_summary(struct alert_writer *writer, struct json_out *out, int64_t time_us);

/* The ranked table: severity first (1 is highest), then corrected lookups. */
void alert_writer_print_summary(struct alert_writer *writer, FILE *out);

#endif
