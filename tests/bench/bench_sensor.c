/* bench-sensor: stage (b) of `make bench` - the sensor's decode, reassembly
 * and query matching over a capture, with a sink that only counts events (no
 * enrichment, no JSON). Prints packets, seconds and events. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "capture/pcap_source.h"

static void count_event(void *user, const struct dns_event *event)
{
    (void)event;
    (*(unsigned long long *)user)++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-sensor FILE\n");
        return 2;
    }
    char error[512];
    struct pcap_source source;
    if (!pcap_source_open_file(&source, argv[1], NULL, error, sizeof error)) {
        fprintf(stderr, "bench-sensor: %s\n", error);
        return 1;
    }
    struct sensor_config config;
    sensor_config_defaults(&config);
    struct sensor *sensor = malloc(sizeof *sensor);
    unsigned long long events = 0;
    if (!sensor || !sensor_init(sensor, &config, count_event, &events))
        return 1;
    volatile sig_atomic_t stop = 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool ok = pcap_source_run(&source, sensor, &stop, NULL, NULL, error, sizeof error);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%llu %.6f %llu\n", (unsigned long long)sensor->counters.packets, seconds, events);
    sensor_free(sensor);
    free(sensor);
    pcap_source_close(&source);
    return ok ? 0 : 1;
}
