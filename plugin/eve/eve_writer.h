/* eve_writer: writes DNS events as Suricata-style EVE JSON lines (dns v2),
 * enriched with ASN, AS organisation and country of the client, the server,
 * every A/AAAA answer and the EDNS client subnet. It formats only: it does
 * not decide what is logged, and it never looks at packets. */
#ifndef EXCLAVE_EVE_WRITER_H
#define EXCLAVE_EVE_WRITER_H

#include "geoip/geoip.h"
#include "dns/dns_event.h"
#include "base/json_out.h"

struct eve_writer {
    struct json_out *out;
    struct geoip *geoip;       /* NULL: no enrichment fields */
    bool log_tunnel;           /* a "tunnel" object on records of tunnelled packets */
    bool community_id;         /* a "community_id" on every record */
    uint16_t community_id_seed;
};

void eve_writer_dns(struct eve_writer *writer, const struct dns_event *event);

/* Writes the enrichment members of one address, each with its leading
 * comma: as_key (e.g. ,"src_as") with number and organization, geo_key
 * with country_iso_code; nothing that the databases do not know. */
void eve_writer_enrichment(struct eve_writer *writer, const char *as_key, size_t as_key_length,
                           const char *geo_key, size_t geo_key_length,
                           const struct ip_address *address);

/* ,"client_subnet":{"network":"N/P","scope_prefix":S} with the network's
 * as and geo inside, as the dns records of eve_writer_dns have it. */
void eve_writer_client_subnet(struct eve_writer *writer, const struct dns_client_subnet *ecs);

#define EVE_ENRICH(w, as_key, geo_key, address) \
    eve_writer_enrichment((w), as_key, sizeof(as_key) - 1, geo_key, sizeof(geo_key) - 1, (address))

#endif
