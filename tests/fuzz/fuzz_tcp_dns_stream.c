/* fuzz_tcp_dns_stream: TCP reassembly of DNS messages. The input is a list
 * of segments, each a 6-byte header (1 byte: which of 4 flows, 4 bytes:
 * sequence number, 1 byte: flags) and up to 255 bytes of payload (length in
 * the flags' spare bits is not used: a length byte follows). Every message
 * handed on must lie inside a buffer of the length given. */
#include <stdlib.h>
#include <string.h>

#include "capture/tcp_dns_stream.h"

static struct tcp_dns_streams streams;
static bool ready;

static void on_message(void *user, const struct packet_view *view, const uint8_t *message,
                       size_t length, bool proven)
{
    (void)user;
    (void)proven;
    (void)view;
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < length; i++) /* ASan checks every byte is inside */
        sum ^= message[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        ready = tcp_dns_streams_init(&streams);
        if (!ready)
            abort();
    }
    double now = 1000.0;
    while (size >= 7) {
        struct packet_view view;
        memset(&view, 0, sizeof view);
        uint8_t client[4] = { 10, 0, 0, (uint8_t)(data[0] & 3) }, server[4] = { 10, 0, 0, 53 };
        bool to_server = data[0] & 4;
        ip_address_set_v4(to_server ? &view.src : &view.dst, client);
        ip_address_set_v4(to_server ? &view.dst : &view.src, server);
        view.protocol = 6;
        view.src_port = to_server ? 40000 : 53;
        view.dst_port = to_server ? 53 : 40000;
        view.tcp_seq = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
        view.tcp_flags = data[5];
        size_t length = data[6];
        data += 7;
        size -= 7;
        if (length > size)
            length = size;
        uint8_t *payload = malloc(length ? length : 1); /* exact size: ASan sees overreads */
        memcpy(payload, data, length);
        view.payload = payload;
        view.payload_length = length;
        tcp_dns_streams_segment(&streams, &view, now, on_message, NULL);
        free(payload);
        data += length;
        size -= length;
        now += 0.5;
    }
    return 0;
}
