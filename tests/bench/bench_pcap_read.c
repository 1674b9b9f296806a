/* bench-pcap-read: the baseline of `make bench` - a bare libpcap read loop
 * that touches each frame's first byte and nothing else. Prints packets and
 * seconds. It must stay as thin as possible: it is what exclave is compared to. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

static void touch(u_char *user, const struct pcap_pkthdr *header, const u_char *frame)
{
    unsigned long long *sum = (unsigned long long *)user;
    *sum += frame[0] + header->caplen;
}

int main(int argc, char **argv)
{
    char error[PCAP_ERRBUF_SIZE];
    if (argc != 2) {
        fprintf(stderr, "usage: bench-pcap-read FILE\n");
        return 2;
    }
    pcap_t *handle = pcap_open_offline(argv[1], error);
    if (!handle) {
        fprintf(stderr, "bench-pcap-read: %s: %s\n", argv[1], error);
        return 1;
    }
    struct timespec start, end;
    unsigned long long sum = 0;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int count = pcap_dispatch(handle, -1, touch, (u_char *)&sum);
    clock_gettime(CLOCK_MONOTONIC, &end);
    pcap_close(handle);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("%d %.6f %llu\n", count, seconds, sum % 10);
    return count < 0;
}
