/* stats_record: one EVE record of event_type exclave_stats, every counter
 * handed to it by name (a counter_visit_fn), stamped with a time. Suricata's
 * own stats records have this shape, under their own name. It collects no
 * counters itself. */
#ifndef EXCLAVE_STATS_RECORD_H
#define EXCLAVE_STATS_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "base/json_out.h"

struct stats_record {
    struct json_out *out;
    bool first;
};

/* Opens the record: {"timestamp":...,"event_type":"exclave_stats","exclave_stats":{ */
void stats_record_begin(struct stats_record *record, struct json_out *out, int64_t time_us);

/* A counter_visit_fn: one "name":value member; user is the stats_record. */
void stats_record_counter(void *user, const char *name, uint64_t value);

/* Closes the record and ends its line. */
void stats_record_end(struct stats_record *record);

#endif
