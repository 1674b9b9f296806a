/* community_id: the Community ID flow hash (version 1) of a flow's
 * addresses, ports and transport, as Suricata (community-id: true), Zeek's
 * community-id package and Wireshark compute it, so that an analyst can go
 * from an exclave record to the same flow in their logs. The endpoints are
 * put in order first, so both directions of a flow get one ID. It hashes
 * what it is given; it keeps nothing and knows no packets. */
#ifndef EXCLAVE_COMMUNITY_ID_H
#define EXCLAVE_COMMUNITY_ID_H

#include <stddef.h>
#include <stdint.h>

#include "base/ip_address.h"

enum { COMMUNITY_ID_TEXT_MAX = 32 }; /* "1:", 28 base64 characters, NUL */

/* Writes "1:BASE64" (NUL-terminated) into out and returns its length; 0
 * when the two addresses are not of one family. */
size_t community_id_format(const struct ip_address *source, uint16_t source_port,
                           const struct ip_address *destination, uint16_t destination_port,
                           uint8_t protocol, uint16_t seed, char out[COMMUNITY_ID_TEXT_MAX]);

#endif
