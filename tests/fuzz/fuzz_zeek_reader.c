/* fuzz_zeek_reader: a whole Zeek log (header lines, TSV or JSON records)
 * through the reader, each record into the engine's lookup and out again as
 * a dns.log line. The input is written to a memory file that the reader
 * opens by its /proc path, as it opens any log. */
#define _GNU_SOURCE /* memfd_create */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zeek/zeek_dns_writer.h"
#include "zeek/zeek_reader.h"

static struct zeek_reader *reader;
static struct zeek_dns_writer *writer;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char error[512];
    if (!reader) {
        reader = calloc(1, sizeof *reader);
        writer = calloc(1, sizeof *writer);
        char dir[] = "/tmp/exclave-fuzz-XXXXXX";
        if (!reader || !writer || !mkdtemp(dir) ||
            !zeek_dns_writer_open(writer, dir, false, NULL, error, sizeof error))
            abort();
        fclose(writer->log.file); /* write to nowhere */
        writer->log.file = fopen("/dev/null", "w");
        writer->log.out->file = writer->log.file;
    }
    int fd = memfd_create("zeek-log", 0);
    if (fd < 0 || write(fd, data, size) != (ssize_t)size)
        abort();
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (zeek_reader_open(reader, path, false, NULL, error, sizeof error)) {
        struct engine_lookup lookup;
        while (zeek_reader_next(reader, &lookup, error, sizeof error) > 0)
            zeek_dns_writer_write(writer, &reader->record);
        zeek_reader_close(reader);
    }
    json_out_flush(writer->log.out);
    close(fd);
    return 0;
}
