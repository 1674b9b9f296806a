/* pcap_writer: writes classic pcap files (Ethernet link type) and builds
 * Ethernet/IPv4/IPv6/UDP/TCP frames with correct lengths and checksums, for
 * the generator of synthetic captures. It does not know DNS. */
#ifndef EXCLAVE_PCAP_WRITER_H
#define EXCLAVE_PCAP_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/ip_address.h"

struct pcap_writer {
    FILE *file;
    uint64_t frames;
};

bool pcap_writer_open(struct pcap_writer *writer, const char *path);
bool pcap_writer_close(struct pcap_writer *writer);

struct frame_endpoints {
    struct ip_address src, dst; /* same family */
    uint16_t src_port, dst_port;
};

void pcap_writer_udp(struct pcap_writer *writer, int64_t timestamp_us,
                     const struct frame_endpoints *ends, const uint8_t *payload, size_t length);

void pcap_writer_tcp(struct pcap_writer *writer, int64_t timestamp_us,
                     const struct frame_endpoints *ends, uint32_t seq, uint32_t ack,
                     uint8_t flags, const uint8_t *payload, size_t length);

#endif
