/* report_csv: the report's table of alerted keys as CSV (RFC 4180), for a
 * spreadsheet or a ticket: the same rows, ranks and figures as the page.
 * It writes only the stream it is given. */
#ifndef EXCLAVE_REPORT_CSV_H
#define EXCLAVE_REPORT_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report_data.h"

/* A header line, then one line per key; false when writing failed. */
bool report_csv_write(const struct report_data *data, FILE *out);

#endif
