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
    bool ecs_names;            /* enrichment as ECS: source.as.number, source.geo..., as.organization.name */
    uint16_t community_id_seed;
};

void eve_writer_dns(struct eve_writer *writer, const struct dns_event *event);

/* Whose enrichment it is: a record's source or destination, or an address
 * inside it (an answer, the client subnet). */
enum eve_enrich_role { EVE_ENRICH_SOURCE, EVE_ENRICH_DESTINATION, EVE_ENRICH_INNER };

/* Writes the enrichment members of one address, with a leading comma:
 * "src_as"/"dest_as"/"as" with number and organization and
 * "src_geo"/"dest_geo"/"geo" with country_iso_code; with ecs_names,
 * "source"/"destination" objects holding "as" (organization.name) and
 * "geo", and "as"/"geo" of that shape inside. Nothing that the databases do
 * not know. */
void eve_writer_enrich(struct eve_writer *writer, enum eve_enrich_role role,
                       const struct ip_address *address);

/* ,"client_subnet":{"network":"N/P","scope_prefix":S} with the network's
 * as and geo inside, as the dns records of eve_writer_dns have it. */
void eve_writer_client_subnet(struct eve_writer *writer, const struct dns_client_subnet *ecs);

#endif
