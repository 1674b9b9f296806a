/* report_state: `exclave report --state`'s series. A state keeps, per key,
 * lookups per day (128 days) and per hour of the day, but not the split of
 * each day by querier ASN; this fills each alerted key's chart data from
 * the loaded engine's key, as daily totals. It reads the engine and never
 * changes it. */
#ifndef EXCLAVE_REPORT_STATE_H
#define EXCLAVE_REPORT_STATE_H

#include "engine/engine.h"
#include "report/report_data.h"

/* For every key in data, its series from engine; notes path and the
 * engine's clock in data. */
void report_state_fill(struct report_data *data, struct engine *engine, const char *path);

#endif
