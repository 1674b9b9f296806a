/* stats_record: the exclave_stats record (see the header). Names are
 * counter names from exclave's own code, never from input. */
#include "eve/stats_record.h"

#include <string.h>

void stats_record_begin(struct stats_record *record, struct json_out *out, int64_t time_us)
{
    record->out = out;
    record->first = true;
    json_out_literal(out, "{\"timestamp\":");
    json_out_timestamp(out, time_us);
    json_out_literal(out, ",\"event_type\":\"exclave_stats\",\"exclave_stats\":{");
}

void stats_record_counter(void *user, const char *name, uint64_t value)
{
    struct stats_record *record = user;
    json_out_raw(record->out, record->first ? "\"" : ",\"", record->first ? 1 : 2);
    json_out_raw(record->out, name, strlen(name));
    json_out_literal(record->out, "\":");
    json_out_uint(record->out, value);
    record->first = false;
}

void stats_record_end(struct stats_record *record)
{
    json_out_literal(record->out, "}}");
    json_out_end_record(record->out);
}
