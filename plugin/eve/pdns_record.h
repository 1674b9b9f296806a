/* pdns_record: one passive-DNS entry as an EVE record of event_type pdns,
 * with the enrichment of the answer's address and of the last client and
 * server, named as on dns records. Formats only: the table decides what
 * is written and when. */
#ifndef EXCLAVE_PDNS_RECORD_H
#define EXCLAVE_PDNS_RECORD_H

#include "eve/eve_writer.h"
#include "pdns/pdns_table.h"

/* A pdns_write_fn: user is the eve_writer. */
void pdns_record_write(void *user, const struct pdns_entry *entry, int64_t now_us);

#endif
