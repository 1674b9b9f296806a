/* pcap_source: opens a capture (pcap/pcapng file, stdin, or a live
 * interface) with libpcap and feeds its frames to the sensor in batches,
 * checking for stop requests between batches. It does not decode anything. */
#ifndef EXCLAVE_PCAP_SOURCE_H
#define EXCLAVE_PCAP_SOURCE_H

#include <pcap/pcap.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/sensor.h"

struct pcap_source {
    pcap_t *handle;
    const char *name;
    bool live;
    int link_type;
    uint64_t kernel_drops;     /* live: frames the kernel dropped (buffer full) */
    uint64_t interface_drops;  /* live: frames the interface or driver dropped */
};

/* path "-" reads standard input. filter may be NULL. */
bool pcap_source_open_file(struct pcap_source *source, const char *path, const char *filter,
                           char *error, size_t error_size);
bool pcap_source_open_live(struct pcap_source *source, const char *interface, const char *filter,
                           char *error, size_t error_size);
void pcap_source_close(struct pcap_source *source);

/* Runs until the capture ends, an error occurs or *stop becomes non-zero.
 * between_batches (may be NULL) is called every few hundred frames and at
 * least twice a second on a live capture. Returns false on a read error
 * (message in error; frames read before it were processed). */
bool pcap_source_run(struct pcap_source *source, struct sensor *sensor,
                     volatile sig_atomic_t *stop, void (*between_batches)(void *), void *user,
                     char *error, size_t error_size);

/* A live capture's drops, from libpcap's statistics, into the source's
 * counters (read by the thread that reads the capture, or while it holds
 * still). Nothing for a file. */
void pcap_source_update_drops(struct pcap_source *source);

/* The BPF used for live capture when -f is not given: the DNS ports, what
 * carries the tunnels the decoder strips (both also inside VLAN tags) and
 * all IP fragments. */
void pcap_source_default_filter(const struct sensor_config *config, char *out, size_t size);

#endif
