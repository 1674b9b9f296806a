/* Unit test of sensor_pool: the demo capture, with every 40th frame cut
 * short and every 30th DNS message garbled, read by one sensor and by pools
 * of 1, 2, 3 and 7 workers. Each DNS event becomes a line (packet, name, query
 * or response, unsolicited, proof); the pool's consumer must receive the
 * lines of one sensor in the same order, the same warning lines with the
 * same limits, and counters that add up to one sensor's. A pause in the
 * middle of the run must leave the workers idle with everything drained.
 * Also built with ThreadSanitizer (make tsan). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/sensor_pool.h"
#include "unit.h"

struct text {
    char *bytes;
    size_t length, room;
};

static void append(struct text *text, const char *bytes, size_t length)
{
    if (text->length + length + 1 > text->room) {
        text->room = (text->length + length + 1) * 2;
        text->bytes = realloc(text->bytes, text->room);
    }
    memcpy(text->bytes + text->length, bytes, length);
    text->length += length;
    text->bytes[text->length] = '\0';
}

static size_t event_line(const struct dns_event *event, char *line, size_t size)
{
    const struct dns_message *m = event->message;
    int length = snprintf(line, size, "%llu %.*s %d %d %d %u\n",
                          (unsigned long long)event->packet_number, (int)m->qname.length,
                          dns_text_ptr(m, m->qname), event->is_response, event->unsolicited,
                          event->source_proof, (unsigned)event->message->record_count);
    return length < 0 ? 0 : (size_t)length;
}

static void one_sensor_sink(void *user, const struct dns_event *event)
{
    char line[512];
    append(user, line, event_line(event, line, sizeof line));
}

static void pool_sink(void *user, struct sensor_pool_worker *worker, const struct dns_event *event)
{
    (void)user;
    char *data = sensor_pool_emit_begin(worker, 7, 512);
    if (data)
        sensor_pool_emit_end(worker, event_line(event, data, 512));
}

static void consume(void *user, uint32_t tag, const void *data, size_t length)
{
    CHECK(tag == 7);
    append(user, data, length);
}

/* The demo, broken in places, as a new capture file. */
static void write_broken_capture(const char *from, const char *to)
{
    char error[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline(from, error);
    CHECK(in != NULL);
    if (!in)
        return;
    pcap_dumper_t *out = pcap_dump_open(in, to);
    CHECK(out != NULL);
    struct pcap_pkthdr *header;
    const u_char *frame;
    u_char copy[65536];
    for (unsigned n = 1; out && pcap_next_ex(in, &header, &frame) == 1 && n <= 30000; n++) {
        struct pcap_pkthdr h = *header;
        size_t length = h.caplen < sizeof copy ? h.caplen : sizeof copy;
        memcpy(copy, frame, length);
        if (n % 40 == 0 && length > 30)
            length = 30;
        else if (n % 30 == 0 && length > 50)
            memset(copy + 46, 0xff, 4);
        h.caplen = (bpf_u_int32)length;
        pcap_dump((u_char *)out, &h, copy);
    }
    if (out)
        pcap_dump_close(out);
    pcap_close(in);
}

struct counters {
    char text[8192];
    size_t length;
};

static void keep_counter(void *user, const char *name, uint64_t value)
{
    struct counters *c = user;
    if (strncmp(name, "threads_", 8) == 0)
        return;
    int n = snprintf(c->text + c->length, sizeof c->text - c->length, "%s %llu\n", name,
                     (unsigned long long)value);
    if (n > 0 && c->length + (size_t)n < sizeof c->text)
        c->length += (size_t)n;
}

static void run_one(const char *path, const struct sensor_config *config, struct text *lines,
                    char **warnings, size_t *warnings_length, struct counters *counters)
{
    static struct sensor sensor;
    struct pcap_source source;
    char error[512];
    volatile sig_atomic_t stop = 0;
    CHECK(sensor_init(&sensor, config, one_sensor_sink, lines));
    sensor.warnings = open_memstream(warnings, warnings_length);
    CHECK(pcap_source_open_file(&source, path, NULL, error, sizeof error));
    CHECK(pcap_source_run(&source, &sensor, &stop, NULL, NULL, error, sizeof error));
    fclose(sensor.warnings);
    sensor_visit_counters(&sensor, keep_counter, counters);
    pcap_source_close(&source);
    sensor_free(&sensor);
}

static void run_pool(const char *path, const struct sensor_config *config, unsigned workers,
                     struct text *lines, char **warnings, size_t *warnings_length,
                     struct counters *counters)
{
    static struct sensor_pool pool;
    struct pcap_source source;
    char error[512];
    volatile sig_atomic_t stop = 0;
    void *users[SENSOR_POOL_WORKERS_MAX] = { 0 };
    CHECK(sensor_pool_init(&pool, workers, config, pool_sink, users));
    pool.warnings = open_memstream(warnings, warnings_length);
    CHECK(pcap_source_open_file(&source, path, NULL, error, sizeof error));
    CHECK(sensor_pool_start(&pool, &source, &stop));
    bool paused_once = false;
    while (!sensor_pool_finished(&pool)) {
        if (sensor_pool_drain(&pool, 1000, consume, lines) == 0)
            sched_yield();
        if (!paused_once && lines->length > 200000) {
            sensor_pool_pause(&pool, consume, lines);
            /* everything dealt is drained: no worker holds a job or an item */
            for (unsigned i = 0; i < workers; i++)
                CHECK(spsc_ring_empty(&pool.workers[i].input) &&
                      spsc_ring_empty(&pool.workers[i].output));
            paused_once = true;
            sensor_pool_resume(&pool);
        }
    }
    CHECK(paused_once);
    CHECK(sensor_pool_join(&pool, error, sizeof error));
    fclose(pool.warnings);
    sensor_pool_visit_counters(&pool, keep_counter, counters);
    pcap_source_close(&source);
    sensor_pool_free(&pool);
}

int main(void)
{
    const char *build = getenv("top_builddir");
    char demo[1024], broken[1024];
    snprintf(demo, sizeof demo, "%s/demo/demo.pcap", build ? build : ".");
    snprintf(broken, sizeof broken, "%s/tests/unit/unit-sensor-pool.pcap", build ? build : ".");
    write_broken_capture(demo, broken);
    struct sensor_config config;
    sensor_config_defaults(&config);

    struct text expected = { 0 };
    char *expected_warnings = NULL;
    size_t expected_warnings_length = 0;
    struct counters expected_counters = { .length = 0 };
    run_one(broken, &config, &expected, &expected_warnings, &expected_warnings_length,
            &expected_counters);
    CHECK(expected.length > 500000);
    CHECK(strstr(expected_warnings, "packet warnings suppressed") != NULL);
    CHECK(strstr(expected_warnings, "DNS warnings suppressed") != NULL);

    const unsigned worker_counts[] = { 1, 2, 3, 7 };
    for (size_t i = 0; i < sizeof worker_counts / sizeof worker_counts[0]; i++) {
        struct text lines = { 0 };
        char *warnings = NULL;
        size_t warnings_length = 0;
        struct counters counters = { .length = 0 };
        run_pool(broken, &config, worker_counts[i], &lines, &warnings, &warnings_length, &counters);
        CHECK(lines.length == expected.length && memcmp(lines.bytes, expected.bytes, lines.length) == 0);
        CHECK(warnings_length == expected_warnings_length &&
              memcmp(warnings, expected_warnings, warnings_length) == 0);
        CHECK(counters.length == expected_counters.length &&
              memcmp(counters.text, expected_counters.text, counters.length) == 0);
        free(lines.bytes);
        free(warnings);
    }
    free(expected.bytes);
    free(expected_warnings);
    remove(broken);
    return unit_finish("unit-sensor-pool");
}
