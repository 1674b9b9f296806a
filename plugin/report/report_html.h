/* report_html: writes the report as one self-contained HTML page: inline
 * CSS and SVG, no script, no fetch of anything. A ranked table of the
 * alerted keys with their evidence, then for each key its daily lookups
 * stacked by querier ASN (organisation and country in the legend) and its
 * hour-of-day profile; a rotation also gets both names on one time axis,
 * with the old name's silence and the new name's first sighting marked. It
 * draws what report_data counted and decides nothing. */
#ifndef EXCLAVE_REPORT_HTML_H
#define EXCLAVE_REPORT_HTML_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report_data.h"

/* Writes the page; false when a write failed. */
bool report_html_write(const struct report_data *data, const char *title, FILE *out);

#endif
