/* passivedns_line: one passive-DNS entry as a line of passivedns's own log
 * (its default fields, in its order, joined by "||"): last seen as
 * seconds.microseconds, client, server, class, query, type, answer, TTL,
 * count. So that what reads passivedns.log reads exclave's. Formats only:
 * the table decides what is written and when. */
#ifndef EXCLAVE_PASSIVEDNS_LINE_H
#define EXCLAVE_PASSIVEDNS_LINE_H

#include "base/json_out.h"
#include "pdns/pdns_table.h"

/* A pdns_write_fn: user is the json_out of passivedns.log. */
void passivedns_line_write(void *user, const struct pdns_entry *entry, int64_t now_us);

#endif
