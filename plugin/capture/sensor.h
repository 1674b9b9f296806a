/* sensor: the standalone pipeline's context. Takes captured frames, decodes
 * link/IP/UDP/TCP, reassembles fragments and TCP DNS streams, decodes DNS,
 * pairs responses with queries, and hands each message on as a dns_event to
 * one sink. It owns every piece of mutable state of the pipeline (no globals)
 * and writes nothing itself except rate-limited warnings. */
#ifndef EXCLAVE_SENSOR_H
#define EXCLAVE_SENSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/counter_visit.h"
#include "dns/dns_event.h"
#include "dns/dns_message.h"
#include "capture/ip_defrag.h"
#include "capture/lookup_matcher.h"
#include "capture/tcp_dns_stream.h"
#include "capture/server_cookies.h"

/* Every counter the sensor keeps: name, meaning. README lists them too. */
#define SENSOR_COUNTERS(X)                                                                  \
    X(packets, "frames read from the capture")                                            \
    X(packets_not_ip, "frames that carry neither IPv4 nor IPv6")                          \
    X(packets_truncated, "frames shorter than their headers claim (snaplen cut)")         \
    X(packets_bad_time, "frames stamped before 1970 or from 2100 on (dropped)")          \
    X(packets_bad_header, "frames with impossible IP/UDP/TCP header fields")              \
    X(packets_other_transport, "IP packets that are neither UDP nor TCP")                 \
    X(packets_tunnel_too_deep, "frames with more tunnel layers than --tunnel-depth")     \
    X(packets_bad_tunnel, "frames with a cut or impossible tunnel header")              \
    X(packets_not_dns_port, "UDP/TCP packets on no configured DNS port")                  \
    X(packets_snapped, "UDP packets cut by the capture's snaplen (decoded in part)")      \
    X(udp_dns_messages, "DNS messages read from UDP")                                     \
    X(tcp_dns_messages, "DNS messages reassembled from TCP")                              \
    X(dns_malformed, "DNS messages dropped: no readable header and question")             \
    X(dns_partial, "DNS messages logged with what was readable before a fault")          \
    X(queries, "queries logged")                                                          \
    X(responses, "responses logged")                                                      \
    X(responses_unsolicited, "responses to no query seen (logged, marked unsolicited)")     \
    X(queries_proven_tcp, "queries whose sender completed the TCP handshake")             \
    X(queries_proven_cookie, "queries that echoed a server cookie handed to their sender")

struct sensor_counters {
#define SENSOR_COUNTER_FIELD(name, help) uint64_t name;
    SENSOR_COUNTERS(SENSOR_COUNTER_FIELD)
#undef SENSOR_COUNTER_FIELD
    uint64_t tunnel_layers[ENCAP_KINDS]; /* layers stripped, per kind (tunnel_vxlan ...) */
};

/* Problems are warned about per kind, up to config.warnings_max each. */
enum sensor_warning_kind { SENSOR_WARN_PACKET, SENSOR_WARN_DNS, SENSOR_WARN_KINDS };

typedef void (*sensor_sink_fn)(void *user, const struct dns_event *event);

/* A decoded packet on a DNS port, for another thread's sensor_dns_packet
 * (its payload lives only until the call returns). */
struct packet_view;
typedef void (*sensor_dispatch_fn)(void *user, const struct packet_view *view);

/* A warning line ("exclave: FILE: packet N: ...\n"), for a caller that
 * prints the lines of several sensors in packet order. */
typedef void (*sensor_warning_fn)(void *user, enum sensor_warning_kind kind, const char *line);

struct sensor_config {
    struct packet_decoder_config decoder; /* DNS ports, tunnel ports and depth */
    double match_timeout_seconds;
    uint32_t match_capacity;
    unsigned warnings_max;          /* per kind of problem, then suppressed */
};

struct sensor {
    struct sensor_config config;
    int link_type;
    const char *source_name;        /* for warnings: file name or interface */
    uint64_t packet_number;
    int64_t now_us;
    sensor_sink_fn sink;
    void *sink_user;
    sensor_dispatch_fn dispatch;    /* NULL: this sensor decodes DNS itself */
    void *dispatch_user;
    sensor_warning_fn warning_hook; /* NULL: warnings go to the warnings stream */
    void *warning_user;
    struct sensor_counters counters;
    struct ip_defrag defrag;
    struct tcp_dns_streams tcp;
    struct lookup_matcher matcher;
    struct server_cookies cookies;
    unsigned warnings_given[SENSOR_WARN_KINDS];
    FILE *warnings;                 /* NULL: silent */
    struct dns_message message;     /* scratch, reused for every message */
};

void sensor_config_defaults(struct sensor_config *config);
void sensor_config_add_port(struct sensor_config *config, uint16_t port);

bool sensor_init(struct sensor *sensor, const struct sensor_config *config, sensor_sink_fn sink,
                 void *sink_user);
void sensor_free(struct sensor *sensor);

/* Starts a new capture source (its link type must be supported). */
void sensor_set_source(struct sensor *sensor, const char *name, int link_type);

void sensor_frame(struct sensor *sensor, int64_t timestamp_us, const uint8_t *frame,
                  size_t captured_length);

/* Split across threads: a front sensor with a dispatch function decodes
 * frames (and reassembles fragments) and hands each DNS-port packet on;
 * another sensor takes it up here, from UDP or TCP on (both count only
 * their own part, so the counters of all add up to one sensor's). */
void sensor_set_dispatch(struct sensor *sensor, sensor_dispatch_fn dispatch, void *user);
void sensor_dns_packet(struct sensor *sensor, int64_t timestamp_us, uint64_t packet_number,
                       const struct packet_view *view);

/* Warnings to hook instead of the stream, and the line that says a kind's
 * further warnings are suppressed (for the caller's warning_allowed). */
void sensor_set_warning_hook(struct sensor *sensor, sensor_warning_fn hook, void *user);
const char *sensor_warnings_suppressed(enum sensor_warning_kind kind);

/* A frame whose capture time is outside 1970-2100: counted, warned, dropped. */
void sensor_frame_bad_time(struct sensor *sensor);

/* Every counter of the pipeline, by name; or printed as "name value" lines. */
void sensor_visit_counters(const struct sensor *sensor, counter_visit_fn visit, void *user);
void sensor_print_counters(const struct sensor *sensor, FILE *out);

#endif
