/* pcap_source: thin libpcap wrapper. Errors name the file or interface and
 * say what libpcap said; it must never exit the process itself. */
#include "capture/pcap_source.h"

#include "base/iso_time.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

enum { BATCH_FRAMES = 512, LIVE_TIMEOUT_MS = 500, LIVE_POLL_MS = 250, SNAPLEN = 262144 };

static bool apply_filter(struct pcap_source *source, const char *filter, char *error, size_t size)
{
    if (!filter || !*filter)
        return true;
    struct bpf_program program;
    if (pcap_compile(source->handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        pcap_setfilter(source->handle, &program) != 0) {
        snprintf(error, size, "%s: bad capture filter '%s': %s", source->name, filter,
                 pcap_geterr(source->handle));
        return false;
    }
    pcap_freecode(&program);
    return true;
}

static bool check_link(struct pcap_source *source, char *error, size_t size)
{
    source->link_type = pcap_datalink(source->handle);
    if (packet_link_supported(source->link_type))
        return true;
    const char *name = pcap_datalink_val_to_name(source->link_type);
    snprintf(error, size, "%s: link type %d (%s) is not supported", source->name,
             source->link_type, name ? name : "unknown");
    return false;
}

bool pcap_source_open_file(struct pcap_source *source, const char *path, const char *filter,
                           char *error, size_t error_size)
{
    char pcap_error[PCAP_ERRBUF_SIZE] = "";
    memset(source, 0, sizeof *source);
    source->name = strcmp(path, "-") == 0 ? "(stdin)" : path;
    source->handle = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO,
                                                             pcap_error);
    if (!source->handle) {
        snprintf(error, error_size, "%s: cannot read capture: %s", source->name, pcap_error);
        return false;
    }
    if (!check_link(source, error, error_size) || !apply_filter(source, filter, error, error_size)) {
        pcap_source_close(source);
        return false;
    }
    return true;
}

bool pcap_source_open_live(struct pcap_source *source, const char *interface, const char *filter,
                           char *error, size_t error_size)
{
    char pcap_error[PCAP_ERRBUF_SIZE] = "";
    memset(source, 0, sizeof *source);
    *error = '\0';
    source->name = interface;
    source->live = true;
    source->handle = pcap_create(interface, pcap_error);
    if (!source->handle) {
        snprintf(error, error_size, "%s: cannot capture: %s", interface, pcap_error);
        return false;
    }
    pcap_set_snaplen(source->handle, SNAPLEN);
    pcap_set_promisc(source->handle, 1);
    pcap_set_timeout(source->handle, LIVE_TIMEOUT_MS);
    pcap_set_buffer_size(source->handle, 32 << 20);
    int status = pcap_activate(source->handle);
    if (status < 0) {
        snprintf(error, error_size, "%s: cannot capture: %s (%s)", interface,
                 pcap_statustostr(status), pcap_geterr(source->handle));
        pcap_source_close(source);
        return false;
    }
    if (!check_link(source, error, error_size) || !apply_filter(source, filter, error, error_size) ||
        pcap_setnonblock(source->handle, 1, pcap_error) != 0 ||
        pcap_get_selectable_fd(source->handle) < 0) {
        if (!*error)
            snprintf(error, error_size, "%s: cannot poll the capture: %s", interface, pcap_error);
        pcap_source_close(source);
        return false;
    }
    return true;
}

void pcap_source_close(struct pcap_source *source)
{
    if (source->handle)
        pcap_close(source->handle);
    source->handle = NULL;
}

/* Live capture is non-blocking: wait at most LIVE_POLL_MS for frames, so that
 * stop requests and periodic work are seen even when the wire is quiet. */
static bool wait_readable(struct pcap_source *source)
{
    struct pollfd poller = { .fd = pcap_get_selectable_fd(source->handle), .events = POLLIN };
    int ready = poll(&poller, 1, LIVE_POLL_MS);
    return ready > 0 || (ready < 0 && errno != EINTR);
}

static void on_frame(u_char *user, const struct pcap_pkthdr *header, const u_char *frame)
{
    struct sensor *sensor = (struct sensor *)user;
    if (header->ts.tv_sec < 0 || header->ts.tv_sec >= EXCLAVE_TIME_MAX_US / 1000000 ||
        header->ts.tv_usec < 0 || header->ts.tv_usec >= 1000000) {
        sensor_frame_bad_time(sensor); /* a pcapng time of 2^64-1 us must not overflow */
        return;
    }
    int64_t timestamp_us = (int64_t)header->ts.tv_sec * 1000000 + header->ts.tv_usec;
    sensor_frame(sensor, timestamp_us, frame, header->caplen);
}

bool pcap_source_run(struct pcap_source *source, struct sensor *sensor,
                     volatile sig_atomic_t *stop, void (*between_batches)(void *), void *user,
                     char *error, size_t error_size)
{
    sensor_set_source(sensor, source->name, source->link_type);
    while (!*stop) {
        int count = 0; /* a quiet live capture still runs between_batches */
        if (!source->live || wait_readable(source))
            count = pcap_dispatch(source->handle, BATCH_FRAMES, on_frame, (u_char *)sensor);
        if (count == PCAP_ERROR) {
            snprintf(error, error_size, "%s: read error after packet %llu: %s", source->name,
                     (unsigned long long)sensor->packet_number, pcap_geterr(source->handle));
            return false;
        }
        if (between_batches)
            between_batches(user);
        if (count == 0 && !source->live)
            break;
    }
    return true;
}

void pcap_source_update_drops(struct pcap_source *source)
{
    struct pcap_stat stats;
    if (!source->live || !source->handle || pcap_stats(source->handle, &stats) != 0)
        return;
    source->kernel_drops = stats.ps_drop; /* since the capture opened */
    source->interface_drops = stats.ps_ifdrop;
}

/* "udp dst port 4789 or ... or ip proto 47 ...": what carries tunnels that
 * the decoder strips (nothing when it strips none). */
static void tunnel_filter(const struct packet_decoder_config *decoder, char *out, size_t size)
{
    size_t used = 0;
    *out = '\0';
    if (decoder->tunnel_depth_max == 0)
        return;
    for (unsigned i = 0; i < decoder->tunnel_port_count && used + 48 < size; i++)
        used += (size_t)snprintf(out + used, size - used, "udp %s %u or ",
                                 decoder->tunnel_ports[i].kind == ENCAP_TEREDO ? "port" : "dst port",
                                 decoder->tunnel_ports[i].port);
    snprintf(out + used, size - used,
             "ip proto 4 or ip proto 41 or ip proto 47 or ip6 proto 4 or ip6 proto 41 or "
             "ip6 proto 47 or ether proto 0x8847 or ether proto 0x8848 or ether proto 0x8864");
}

void pcap_source_default_filter(const struct sensor_config *config, char *out, size_t size)
{
    char ports[2048] = "", tunnels[1024];
    size_t used = 0;
    for (unsigned port = 0; port < 65536 && used + 32 < sizeof ports; port++) {
        if (!(config->decoder.dns_ports[port / 8] & (1u << (port % 8))))
            continue;
        used += (size_t)snprintf(ports + used, sizeof ports - used, "%sport %u",
                                 used ? " or " : "", port);
    }
    if (!used)
        snprintf(ports, sizeof ports, "port 53");
    tunnel_filter(&config->decoder, tunnels, sizeof tunnels);
    const char *glue = *tunnels ? " or " : "";
    snprintf(out, size, "(%s%s%s) or (ip[6:2] & 0x3fff != 0) or (ip6 and ip6[6] == 44) or "
             "(vlan and (%s%s%s))", ports, glue, tunnels, ports, glue, tunnels);
}
