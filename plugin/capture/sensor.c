/* sensor: frame -> packet view -> (defrag) -> UDP or TCP stream -> DNS
 * message -> query/response pairing -> dns_event to the sink. No allocation
 * per frame; every dropped frame or message is counted. */
#include "capture/sensor.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "base/hash.h"
#include "capture/packet_decoder.h"
#include "base/warning_limit.h"

void sensor_config_defaults(struct sensor_config *config)
{
    memset(config, 0, sizeof *config);
    config->match_timeout_seconds = 10.0;
    config->match_capacity = LOOKUP_MATCHER_DEFAULT_CAPACITY;
    config->warnings_max = 10;
    packet_decoder_config_defaults(&config->decoder);
}

void sensor_config_add_port(struct sensor_config *config, uint16_t port)
{
    config->decoder.dns_ports[port / 8] |= (uint8_t)(1u << (port % 8));
}

static bool any_port_set(const struct sensor_config *config)
{
    for (size_t i = 0; i < sizeof config->decoder.dns_ports; i++)
        if (config->decoder.dns_ports[i])
            return true;
    return false;
}

bool sensor_init(struct sensor *sensor, const struct sensor_config *config, sensor_sink_fn sink,
                 void *sink_user)
{
    memset(sensor, 0, offsetof(struct sensor, message));
    sensor->config = *config;
    if (!any_port_set(&sensor->config))
        sensor_config_add_port(&sensor->config, 53);
    sensor->sink = sink;
    sensor->sink_user = sink_user;
    sensor->warnings = stderr;
    if (!ip_defrag_init(&sensor->defrag) || !tcp_dns_streams_init(&sensor->tcp) ||
        !server_cookies_init(&sensor->cookies) ||
        !lookup_matcher_init(&sensor->matcher, config->match_capacity,
                             config->match_timeout_seconds)) {
        sensor_free(sensor);
        return false;
    }
    return true;
}

void sensor_free(struct sensor *sensor)
{
    ip_defrag_free(&sensor->defrag);
    tcp_dns_streams_free(&sensor->tcp);
    lookup_matcher_free(&sensor->matcher);
    server_cookies_free(&sensor->cookies);
}

void sensor_set_source(struct sensor *sensor, const char *name, int link_type)
{
    sensor->source_name = name;
    sensor->link_type = link_type;
    sensor->packet_number = 0;
}

const char *sensor_warnings_suppressed(enum sensor_warning_kind kind)
{
    return kind == SENSOR_WARN_PACKET ? "packet warnings suppressed (see --stats)"
                                      : "DNS warnings suppressed (see --stats)";
}

/* "FILE: packet N: what" to the warnings stream, at most warnings_max times
 * per kind; the counters keep the full tally. With a warning hook the line
 * goes there instead, and whoever takes it applies the limit (this sensor
 * stops formatting lines once its own tally alone is past it). */
static void warn(struct sensor *sensor, enum sensor_warning_kind kind, const char *format, ...)
{
    char where[4096 + 32];
    snprintf(where, sizeof where, "%s: packet %llu", sensor->source_name,
             (unsigned long long)sensor->packet_number);
    va_list args;
    va_start(args, format);
    if (sensor->warning_hook) {
        if (sensor->warnings_given[kind]++ <= sensor->config.warnings_max) {
            char line[WARNING_LINE_MAX];
            warning_vformat(line, sizeof line, where, format, args);
            sensor->warning_hook(sensor->warning_user, kind, line);
        }
    } else if (warning_allowed(sensor->warnings, &sensor->warnings_given[kind],
                               sensor->config.warnings_max, sensor->source_name,
                               sensor_warnings_suppressed(kind))) {
        warning_vprint(sensor->warnings, where, format, args);
    }
    va_end(args);
}

static uint64_t flow_id_of(const struct dns_event *e)
{
    uint64_t h = hash_bytes(e->client.bytes, 16, (uint64_t)e->client_port << 8 | e->protocol);
    if (e->encap)
        h ^= e->encap->flow_key;
    h = hash_bytes(e->server.bytes, 16, h ^ e->server_port);
    return h & ((1ULL << 51) - 1);
}

static void fill_endpoints(struct dns_event *e, const struct packet_view *view, bool response)
{
    e->client = response ? view->dst : view->src;
    e->server = response ? view->src : view->dst;
    e->client_port = response ? view->dst_port : view->src_port;
    e->server_port = response ? view->src_port : view->dst_port;
    e->protocol = view->protocol;
    e->encap = view->encap.depth ? &view->encap : NULL;
}

static void lookup_key_of(const struct dns_event *e, struct lookup_key *key)
{
    const struct dns_message *m = e->message;
    memset(key, 0, sizeof *key);
    key->client = e->client;
    key->server = e->server;
    key->client_port = e->client_port;
    key->server_port = e->server_port;
    key->protocol = e->protocol;
    key->tunnel_key = e->encap ? e->encap->flow_key : 0;
    key->id = m->id;
    key->question_hash = hash_bytes(dns_text_ptr(m, m->qname), m->qname.length, m->qtype);
}

/* What proves a query's source: its TCP handshake, else a server cookie it
 * echoes that the server had handed to this address. */
static uint8_t proof_of(struct sensor *sensor, const struct dns_event *event, bool handshake_proven)
{
    const struct dns_cookie *cookie = &event->message->cookie;
    if (handshake_proven) {
        sensor->counters.queries_proven_tcp++;
        return DNS_SOURCE_TCP;
    }
    if (cookie->present && cookie->server_length &&
        server_cookies_echoed(&sensor->cookies, &event->client, &event->server, cookie->server,
                              cookie->server_length)) {
        sensor->counters.queries_proven_cookie++;
        return DNS_SOURCE_COOKIE;
    }
    return DNS_SOURCE_UNPROVEN;
}

/* A query is remembered; a response is marked unsolicited unless it answers
 * a remembered query. A response to a query seen hands its server cookie to
 * the client. */
static void pair_with_query(struct sensor *sensor, struct dns_event *event, bool handshake_proven)
{
    struct lookup_key key;
    lookup_key_of(event, &key);
    if (event->is_response) {
        int64_t asked_us;
        sensor->counters.responses++;
        event->unsolicited = !lookup_matcher_take_response(&sensor->matcher, &key, sensor->now_us,
                                                           &asked_us, &event->source_proof);
        const struct dns_cookie *cookie = &event->message->cookie;
        if (!event->unsolicited) {
            event->query_time_us = asked_us;
            if (cookie->present && cookie->server_length)
                server_cookies_handed(&sensor->cookies, &event->client, &event->server,
                                      cookie->server, cookie->server_length);
        }
        sensor->counters.responses_unsolicited += event->unsolicited;
    } else {
        key.source_proof = event->source_proof = proof_of(sensor, event, handshake_proven);
        sensor->counters.queries++;
        lookup_matcher_add_query(&sensor->matcher, &key, sensor->now_us);
    }
}

static void sensor_dns_message(struct sensor *sensor, const struct packet_view *view,
                               const uint8_t *wire, size_t length, bool handshake_proven)
{
    struct dns_message *m = &sensor->message;
    bool question_ok = false;
    enum dns_decode_status status = dns_message_decode(m, wire, length, &question_ok);
    if (!question_ok) {
        sensor->counters.dns_malformed++;
        warn(sensor, SENSOR_WARN_DNS, "DNS message dropped: %s", dns_decode_strerror(status));
        return;
    }
    if (status != DNS_DECODE_OK) {
        sensor->counters.dns_partial++;
        warn(sensor, SENSOR_WARN_DNS, "DNS message cut short, logged in part: %s",
             dns_decode_strerror(status));
    }
    struct dns_event event = {
        .timestamp_us = sensor->now_us,
        .packet_number = sensor->packet_number,
        .is_response = dns_is_response(m),
        .decode_status = status,
        .message = m,
    };
    fill_endpoints(&event, view, event.is_response);
    event.flow_id = flow_id_of(&event);
    pair_with_query(sensor, &event, handshake_proven);
    sensor->sink(sensor->sink_user, &event);
}

static void on_tcp_message(void *user, const struct packet_view *view, const uint8_t *message,
                           size_t length, bool handshake_proven)
{
    struct sensor *sensor = user;
    sensor->counters.tcp_dns_messages++;
    sensor_dns_message(sensor, view, message, length, handshake_proven);
}

/* Whether a decoded packet is to or from a DNS port (else counted). */
static bool on_dns_port(struct sensor *sensor, const struct packet_view *view)
{
    const struct packet_decoder_config *decoder = &sensor->config.decoder;
    if (packet_is_dns_port(decoder, view->src_port) || packet_is_dns_port(decoder, view->dst_port))
        return true;
    if (view->tunnel_rejected) {
        sensor->counters.packets_bad_tunnel++;
        warn(sensor, SENSOR_WARN_PACKET, "%s", packet_strerror(PACKET_BAD_TUNNEL));
    } else {
        sensor->counters.packets_not_dns_port++;
    }
    return false;
}

static void sensor_transport(struct sensor *sensor, const struct packet_view *view)
{
    if (view->protocol == IP_PROTOCOL_UDP) {
        sensor->counters.udp_dns_messages++;
        sensor->counters.packets_snapped += view->snapped;
        sensor_dns_message(sensor, view, view->payload, view->payload_length, false);
    } else {
        tcp_dns_streams_segment(&sensor->tcp, view, (double)sensor->now_us / 1e6, on_tcp_message,
                                sensor);
    }
}

void sensor_dns_packet(struct sensor *sensor, int64_t timestamp_us, uint64_t packet_number,
                       const struct packet_view *view)
{
    sensor->now_us = timestamp_us;
    sensor->packet_number = packet_number;
    sensor_transport(sensor, view);
}

void sensor_set_dispatch(struct sensor *sensor, sensor_dispatch_fn dispatch, void *user)
{
    sensor->dispatch = dispatch;
    sensor->dispatch_user = user;
}

void sensor_set_warning_hook(struct sensor *sensor, sensor_warning_fn hook, void *user)
{
    sensor->warning_hook = hook;
    sensor->warning_user = user;
}

static void count_packet_problem(struct sensor *sensor, enum packet_status status)
{
    switch (status) {
    case PACKET_NOT_IP: sensor->counters.packets_not_ip++; return;
    case PACKET_OTHER_TRANSPORT: sensor->counters.packets_other_transport++; return;
    case PACKET_TRUNCATED: sensor->counters.packets_truncated++; break;
    case PACKET_TUNNEL_TOO_DEEP: sensor->counters.packets_tunnel_too_deep++; break;
    case PACKET_BAD_TUNNEL: sensor->counters.packets_bad_tunnel++; break;
    case PACKET_FRAGMENT: /* inside a datagram that was itself reassembled */
        sensor->defrag.counters.fragments_dropped++;
        warn(sensor, SENSOR_WARN_PACKET, "IP fragment inside a reassembled tunnel datagram, dropped");
        return;
    default: sensor->counters.packets_bad_header++; break;
    }
    warn(sensor, SENSOR_WARN_PACKET, "%s", packet_strerror(status));
}

void sensor_frame_bad_time(struct sensor *sensor)
{
    sensor->counters.packets++;
    sensor->packet_number++;
    sensor->counters.packets_bad_time++;
    warn(sensor, SENSOR_WARN_PACKET, "capture time before 1970 or after 2099, packet dropped");
}

static void count_layers(struct sensor *sensor, const struct packet_view *view, unsigned from)
{
    for (unsigned i = from; i < view->encap.depth; i++)
        sensor->counters.tunnel_layers[view->encap.layers[i]]++;
}

void sensor_frame(struct sensor *sensor, int64_t timestamp_us, const uint8_t *frame,
                  size_t captured_length)
{
    sensor->counters.packets++;
    sensor->packet_number++;
    sensor->now_us = timestamp_us;
    const struct packet_decoder_config *decoder = &sensor->config.decoder;
    struct packet_view view;
    enum packet_status status = packet_decode(decoder, sensor->link_type, frame, captured_length,
                                              &view);
    count_layers(sensor, &view, 0);
    if (status == PACKET_FRAGMENT) {
        const uint8_t *datagram;
        size_t length;
        if (!ip_defrag_add(&sensor->defrag, &view, (double)timestamp_us / 1e6, &datagram, &length))
            return;
        unsigned depth = view.encap.depth;
        status = packet_decode_transport(decoder, datagram, length, &view);
        count_layers(sensor, &view, depth);
    }
    if (status != PACKET_OK) {
        count_packet_problem(sensor, status);
        return;
    }
    if (!on_dns_port(sensor, &view))
        return;
    if (sensor->dispatch)
        sensor->dispatch(sensor->dispatch_user, &view);
    else
        sensor_transport(sensor, &view);
}

void sensor_visit_counters(const struct sensor *sensor, counter_visit_fn visit, void *user)
{
#define SENSOR_COUNTER_VISIT(name, help) visit(user, #name, sensor->counters.name);
    SENSOR_COUNTERS(SENSOR_COUNTER_VISIT)
#undef SENSOR_COUNTER_VISIT
    for (int kind = 0; kind < ENCAP_KINDS; kind++) {
        char name[32] = "tunnel_";
        const char *kind_name = encapsulation_name((enum encapsulation_kind)kind);
        for (size_t i = 0; kind_name[i] && i + 8 < sizeof name; i++)
            name[7 + i] = kind_name[i] == '-' ? '_' : kind_name[i];
        visit(user, name, sensor->counters.tunnel_layers[kind]);
    }
    visit(user, "queries_unanswered", lookup_matcher_unanswered(&sensor->matcher));
    visit(user, "queries_repeated", sensor->matcher.counters.queries_repeated);
    visit(user, "queries_evicted", sensor->matcher.counters.queries_evicted);
    visit(user, "fragments", sensor->defrag.counters.fragments);
    visit(user, "fragments_reassembled", sensor->defrag.counters.datagrams_reassembled);
    visit(user, "fragments_dropped", sensor->defrag.counters.fragments_dropped);
    visit(user, "tcp_segments", sensor->tcp.counters.segments);
    visit(user, "tcp_retransmissions", sensor->tcp.counters.retransmissions);
    visit(user, "tcp_gaps", sensor->tcp.counters.gaps);
    visit(user, "tcp_streams_evicted", sensor->tcp.counters.streams_evicted);
    visit(user, "tcp_overflow_drops", sensor->tcp.counters.overflow_drops);
}

void sensor_print_counters(const struct sensor *sensor, FILE *out)
{
    sensor_visit_counters(sensor, counter_print, out);
}
