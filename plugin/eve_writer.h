/* eve_writer: writes DNS events as Suricata-style EVE JSON lines (dns v2),
 * enriched with ASN, AS organisation and country of the client, the server,
 * every A/AAAA answer and the EDNS client subnet. It formats only: it does
 * not decide what is logged, and it never looks at packets. */
#ifndef EXCLAVE_EVE_WRITER_H
#define EXCLAVE_EVE_WRITER_H

#include "../geoip/geoip.h"
#include "dns_event.h"
#include "json_out.h"

struct eve_writer {
    struct json_out *out;
    struct geoip *geoip;       /* NULL: no enrichment fields */
};

void eve_writer_dns(struct eve_writer *writer, const struct dns_event *event);

#endif
