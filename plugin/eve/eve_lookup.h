/* eve_lookup: what exclave takes from an EVE record: the engine's lookup of a
 * dns record (version 2 query/answer, version 3 request/response), and the
 * record itself written again with exclave's enrichment spliced in. Shared
 * by the --eve reader and the Suricata plugin; neither reads files nor
 * decides what is logged. */
#ifndef EXCLAVE_EVE_LOOKUP_H
#define EXCLAVE_EVE_LOOKUP_H

#include <stdbool.h>

#include "engine/engine.h"
#include "eve/eve_record.h"
#include "eve/eve_writer.h"

struct eve_lookup_scratch {
    char qname[ENGINE_NAME_MAX + 1];
    struct ip_address answers[EVE_ANSWERS_MAX];
};

enum eve_lookup_status {
    EVE_LOOKUP_OK,             /* a dns record became a lookup */
    EVE_LOOKUP_NOT_DNS,        /* another event type, or a dns record of no lookup */
    EVE_LOOKUP_BAD,            /* a dns record missing what a lookup needs */
};

/* The record's lookup; on EVE_LOOKUP_BAD *problem says what is missing. */
enum eve_lookup_status eve_lookup_from_record(const struct eve_record *record,
                                              struct eve_lookup_scratch *scratch,
                                              struct engine_lookup *lookup, const char **problem);

/* Writes text (the record parsed into record) to the writer's output with
 * src_as/src_geo/dest_as/dest_geo added, and for a dns record as/geo in
 * every address answer and its client_subnet, then a newline. A record that already carries
 * enrichment is written unchanged. */
void eve_lookup_write_enriched(struct eve_writer *writer, const char *text,
                               const struct eve_record *record, bool answers_too);

/* Whether enrichment splices into the record's dns object: an A or AAAA
 * answer, or an EDNS client subnet (version 3 logs it among the
 * additionals; the enrichment adds "client_subnet" as the standalone sensor
 * writes it). A record without either is enriched by appending members. */
bool eve_lookup_enriches_inside(const struct eve_record *record);

/* Only the endpoints' members (src_as, src_geo, dest_as, dest_geo), each
 * with its leading comma, for a host that appends them to a record itself;
 * nothing for a record that already carries enrichment. */
void eve_lookup_write_endpoints(struct eve_writer *writer, const struct eve_record *record);

#endif
