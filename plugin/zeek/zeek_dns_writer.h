/* zeek_dns_writer: writes dns.log as Zeek does (its columns, in its order),
 * plus exclave's enrichment of the originator, the responder and every
 * answer: orig_asn, orig_as_org, orig_cc, resp_asn, resp_as_org, resp_cc,
 * answer_asns and answer_ccs (aligned with answers; unset for answers that
 * are not addresses). It formats only; it decides nothing. */
#ifndef EXCLAVE_ZEEK_DNS_WRITER_H
#define EXCLAVE_ZEEK_DNS_WRITER_H

#include "geoip/geoip.h"
#include "zeek/zeek_dns_record.h"
#include "zeek/zeek_log_writer.h"

struct zeek_dns_writer {
    struct zeek_log_writer log;
    struct geoip *geoip;       /* NULL: the enrichment columns stay unset */
};

/* Opens DIR/dns.log (TSV, or JSON lines when json). */
bool zeek_dns_writer_open(struct zeek_dns_writer *writer, const char *dir, bool json,
                          struct geoip *geoip, char *error, size_t error_size);

void zeek_dns_writer_write(struct zeek_dns_writer *writer, const struct zeek_dns_record *record);

#endif
