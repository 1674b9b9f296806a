/* pcap_writer: frame assembly for synthetic captures. Frames are at most
 * 64 KiB; payloads that would not fit are refused (assert-free: truncated to
 * what fits is never done silently, the caller keeps payloads small). */
#include "pcap_writer.h"

#include <string.h>

#include "base/byte_order.h"

enum { FRAME_MAX = 65600, ETHERNET_HEADER = 14 };


static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

bool pcap_writer_open(struct pcap_writer *writer, const char *path)
{
    writer->frames = 0;
    writer->file = fopen(path, "wb");
    if (!writer->file)
        return false;
    uint8_t header[24] = { 0 };
    put_le32(header, 0xa1b2c3d4);
    header[4] = 2;               /* version 2.4 */
    header[6] = 4;
    put_le32(header + 16, 65535); /* snaplen */
    put_le32(header + 20, 1);     /* LINKTYPE_ETHERNET */
    return fwrite(header, 1, sizeof header, writer->file) == sizeof header;
}

bool pcap_writer_close(struct pcap_writer *writer)
{
    return fclose(writer->file) == 0;
}

static uint32_t checksum_add(uint32_t sum, const uint8_t *p, size_t length)
{
    for (size_t i = 0; i + 1 < length; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (length & 1)
        sum += (uint32_t)p[length - 1] << 8;
    return sum;
}

static uint16_t checksum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Transport checksum over the IPv4/IPv6 pseudo-header and the segment. */
static uint16_t transport_checksum(const struct frame_endpoints *ends, uint8_t protocol,
                                   const uint8_t *segment, size_t length)
{
    size_t address_bytes = ends->src.family == 4 ? 4 : 16;
    uint32_t sum = checksum_add(0, ends->src.bytes, address_bytes);
    sum = checksum_add(sum, ends->dst.bytes, address_bytes);
    sum += protocol + (uint32_t)length;
    sum = checksum_add(sum, segment, length);
    uint16_t result = checksum_fold(sum);
    return result ? result : 0xffff;
}

/* Writes Ethernet + IP headers in front of a transport segment of `length`. */
static size_t put_ip_headers(uint8_t *frame, const struct frame_endpoints *ends, uint8_t protocol,
                             size_t length)
{
    static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01 };
    memcpy(frame, macs, sizeof macs);
    uint8_t *ip = frame + ETHERNET_HEADER;
    if (ends->src.family == 4) {
        write_be16(frame + 12, 0x0800);
        memset(ip, 0, 20);
        ip[0] = 0x45;
        write_be16(ip + 2, (uint16_t)(20 + length));
        ip[8] = 64;
        ip[9] = protocol;
        memcpy(ip + 12, ends->src.bytes, 4);
        memcpy(ip + 16, ends->dst.bytes, 4);
        write_be16(ip + 10, checksum_fold(checksum_add(0, ip, 20)));
        return ETHERNET_HEADER + 20;
    }
    write_be16(frame + 12, 0x86dd);
    memset(ip, 0, 40);
    ip[0] = 0x60;
    write_be16(ip + 4, (uint16_t)length);
    ip[6] = protocol;
    ip[7] = 64;
    memcpy(ip + 8, ends->src.bytes, 16);
    memcpy(ip + 24, ends->dst.bytes, 16);
    return ETHERNET_HEADER + 40;
}

static void write_frame(struct pcap_writer *writer, int64_t timestamp_us, const uint8_t *frame,
                        size_t length)
{
    uint8_t record[16];
    put_le32(record, (uint32_t)(timestamp_us / 1000000));
    put_le32(record + 4, (uint32_t)(timestamp_us % 1000000));
    put_le32(record + 8, (uint32_t)length);
    put_le32(record + 12, (uint32_t)length);
    fwrite(record, 1, sizeof record, writer->file);
    fwrite(frame, 1, length, writer->file);
    writer->frames++;
}

void pcap_writer_udp(struct pcap_writer *writer, int64_t timestamp_us,
                     const struct frame_endpoints *ends, const uint8_t *payload, size_t length)
{
    static uint8_t frame[FRAME_MAX];
    if (length + 8 + 40 + ETHERNET_HEADER > FRAME_MAX)
        return;
    size_t offset = put_ip_headers(frame, ends, 17, length + 8);
    uint8_t *udp = frame + offset;
    write_be16(udp, ends->src_port);
    write_be16(udp + 2, ends->dst_port);
    write_be16(udp + 4, (uint16_t)(length + 8));
    write_be16(udp + 6, 0);
    memcpy(udp + 8, payload, length);
    write_be16(udp + 6, transport_checksum(ends, 17, udp, length + 8));
    write_frame(writer, timestamp_us, frame, offset + 8 + length);
}

void pcap_writer_tcp(struct pcap_writer *writer, int64_t timestamp_us,
                     const struct frame_endpoints *ends, uint32_t seq, uint32_t ack,
                     uint8_t flags, const uint8_t *payload, size_t length)
{
    static uint8_t frame[FRAME_MAX];
    if (length + 20 + 40 + ETHERNET_HEADER > FRAME_MAX)
        return;
    size_t offset = put_ip_headers(frame, ends, 6, length + 20);
    uint8_t *tcp = frame + offset;
    memset(tcp, 0, 20);
    write_be16(tcp, ends->src_port);
    write_be16(tcp + 2, ends->dst_port);
    write_be32(tcp + 4, seq);
    write_be32(tcp + 8, ack);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    write_be16(tcp + 14, 65535);
    if (length) /* a SYN or a bare ACK carries none */
        memcpy(tcp + 20, payload, length);
    write_be16(tcp + 16, transport_checksum(ends, 6, tcp, length + 20));
    write_frame(writer, timestamp_us, frame, offset + 20 + length);
}
