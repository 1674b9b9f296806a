/* dns_event: one decoded DNS message seen between a client and a server, as
 * the sensor hands it to writers (and, later, to the engine). A plain struct;
 * it points at the message, which lives only for the duration of the call. */
#ifndef EXCLAVE_DNS_EVENT_H
#define EXCLAVE_DNS_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "dns/dns_message.h"
#include "base/encapsulation.h"
#include "base/ip_address.h"

/* What shows that a query came from its source address: a TCP handshake
 * it completed, or a server cookie it echoed that the server had handed to
 * that address. Neither can a blind forger of the source give. */
enum dns_source_proof { DNS_SOURCE_UNPROVEN, DNS_SOURCE_TCP, DNS_SOURCE_COOKIE };

struct dns_event {
    int64_t timestamp_us;          /* packet time, microseconds since the epoch */
    int64_t query_time_us;         /* a matched response: when it was asked (ms); else 0 */
    uint64_t packet_number;        /* 1-based position in the capture (pcap_cnt) */
    uint64_t flow_id;              /* same for both directions of a flow */
    struct ip_address client, server;
    uint16_t client_port, server_port;
    uint8_t protocol;              /* IP_PROTOCOL_UDP or IP_PROTOCOL_TCP */
    bool is_response;
    bool unsolicited;              /* a response to no query we saw */
    uint8_t source_proof;          /* enum dns_source_proof of the query (a response: its query's) */
    enum dns_decode_status decode_status; /* != OK: the message was cut short */
    const struct encapsulation *encap; /* the tunnels it came through; NULL: none */
    const struct dns_message *message;
};

#endif
