/* fuzz_state_file: state files as another sensor (or an attacker) might
 * write them, through --state's load, dump-state and merge. The input is a
 * state file without its 4 MiB caching-slot block and its trailer, in two
 * parts: what comes before the block, then (after the separator EXCLTAIL,
 * when there is one) what comes after it: the input section and the
 * retired keys. The target puts the block (zeros) between them and appends
 * the CRC-32 it computes and the end magic, so that the fuzzer's bytes pass
 * the checksum and reach every field check behind it. Without a separator
 * the part after the block is an empty input section. */
#define _GNU_SOURCE /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "engine/engine.h"
#include "engine/state_file.h"
#include "engine/state_merge.h"

static char path[64], merged[64];
static uint8_t *pair_block;
static const size_t pairs = (size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS * sizeof(uint64_t);
static const uint8_t empty_input[4] = { 0 };
static const char separator[8] = { 'E', 'X', 'C', 'L', 'T', 'A', 'I', 'L' };

static bool write_part(FILE *file, uLong *crc, const void *bytes, size_t size)
{
    *crc = crc32(*crc, bytes, (uInt)size);
    return fwrite(bytes, 1, size, file) == size;
}

static bool write_state(const uint8_t *data, size_t size)
{
    const uint8_t *tail = memmem(data, size, separator, sizeof separator);
    size_t head_size = tail ? (size_t)(tail - data) : size;
    size_t tail_size = tail ? size - head_size - sizeof separator : sizeof empty_input;
    tail = tail ? tail + sizeof separator : empty_input;
    FILE *file = fopen(path, "wb");
    if (!file)
        return false;
    uLong crc = crc32(0, NULL, 0);
    bool ok = write_part(file, &crc, data, head_size) && write_part(file, &crc, pair_block, pairs) &&
              write_part(file, &crc, tail, tail_size);
    uint32_t stored = (uint32_t)crc;
    ok = ok && fwrite(&stored, sizeof stored, 1, file) == 1 && fwrite("EXCLEND!", 1, 8, file) == 8;
    return fclose(file) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!pair_block) {
        snprintf(path, sizeof path, "/tmp/exclave-fuzz-state-%d", (int)getpid());
        snprintf(merged, sizeof merged, "/tmp/exclave-fuzz-merged-%d", (int)getpid());
        if (!(pair_block = calloc(1, pairs)))
            abort();
    }
    if (size > (1u << 20) || !write_state(data, size))
        return 0;
    struct engine_config config;
    engine_config_defaults(&config);
    config.max_keys = 256;
    config.retired_max = 4; /* a ring that wraps */
    struct engine *engine = calloc(1, sizeof *engine);
    char error[512];
    if (engine && engine_init(engine, &config, NULL, error, sizeof error)) {
        state_file_load(engine, path, error, sizeof error);
        engine_free(engine);
    }
    free(engine);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        state_dump_file(path, null, error, sizeof error);
        fclose(null);
    }
    const char *inputs[] = { path, path };
    state_merge_files(inputs, 2, merged, error, sizeof error);
    unlink(merged);
    unlink(path); /* nothing left in /tmp when the run ends */
    return 0;
}
