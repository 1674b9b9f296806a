/* fuzz_pcap_lookup: frames through the whole packet path into the engine:
 * link layer, IP (fragments too), UDP/TCP, DNS, query matching, enrichment
 * into EVE (to /dev/null, with the tunnel object), the passive-DNS table
 * (small, so that it fills) and the engine's aggregates; tunnels are
 * stripped on the way. The input is a list of
 * frames, each a 2-byte length and that many bytes of Ethernet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "eve/eve_writer.h"
#include "eve/pdns_record.h"
#include "pdns/pdns_table.h"
#include "capture/sensor.h"

struct fuzz_pipeline {
    struct sensor sensor;
    struct engine engine;
    struct json_out out;
    struct eve_writer writer;
    struct pdns_table pdns;
};

static struct fuzz_pipeline *pipeline;

static void sink(void *user, const struct dns_event *event)
{
    struct fuzz_pipeline *p = user;
    eve_writer_dns(&p->writer, event);
    pdns_table_observe(&p->pdns, event);
    engine_observe_dns_event(&p->engine, event);
}

static void set_up(void)
{
    pipeline = calloc(1, sizeof *pipeline);
    struct sensor_config config;
    sensor_config_defaults(&config);
    config.warnings_max = 0;
    struct engine_config engine_config;
    engine_config_defaults(&engine_config);
    engine_config.max_keys = 4096;
    char error[256];
    FILE *null = fopen("/dev/null", "w");
    if (!pipeline || !null || !sensor_init(&pipeline->sensor, &config, sink, pipeline) ||
        !engine_init(&pipeline->engine, &engine_config, NULL, error, sizeof error) ||
        !pdns_table_init(&pipeline->pdns, 16, 3600 * 1000000LL, pdns_record_write, &pipeline->writer))
        abort();
    json_out_init(&pipeline->out, null);
    pipeline->writer.out = &pipeline->out;
    pipeline->writer.log_tunnel = true;
    sensor_set_source(&pipeline->sensor, "fuzz", 1 /* DLT_EN10MB */);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pipeline)
        set_up();
    int64_t now = 1462320000000000LL;
    while (size >= 2) {
        size_t length = (size_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (length > size)
            length = size;
        uint8_t *frame = malloc(length ? length : 1);
        memcpy(frame, data, length);
        sensor_frame(&pipeline->sensor, now, frame, length);
        free(frame);
        data += length;
        size -= length;
        now += 250000;
    }
    json_out_flush(&pipeline->out);
    return 0;
}
