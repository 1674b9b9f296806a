/* fuzz_state_file: state files as another sensor (or an attacker) might
 * write them, through --state's load, dump-state and merge. The input is a
 * state file without its tail: the target appends the caching-slot block
 * (zeros), the CRC-32 it computes and the end magic, so that the fuzzer's
 * bytes pass the checksum and reach every field check behind it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "engine/engine.h"
#include "engine/state_file.h"
#include "engine/state_merge.h"

static char path[64], merged[64];
static uint8_t *tail_block;
/* the caching-slot block and an empty input section (format 2) */
static const size_t pairs = (size_t)ENGINE_PAIR_SETS * ENGINE_PAIR_WAYS * sizeof(uint64_t) + 4;

static bool write_state(const uint8_t *data, size_t size)
{
    FILE *file = fopen(path, "wb");
    if (!file)
        return false;
    uLong crc = crc32(crc32(0, NULL, 0), data, (uInt)size);
    crc = crc32(crc, tail_block, (uInt)pairs);
    uint32_t stored = (uint32_t)crc;
    bool ok = fwrite(data, 1, size, file) == size && fwrite(tail_block, 1, pairs, file) == pairs &&
              fwrite(&stored, sizeof stored, 1, file) == 1 && fwrite("EXCLEND!", 1, 8, file) == 8;
    return fclose(file) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!tail_block) {
        snprintf(path, sizeof path, "/tmp/exclave-fuzz-state-%d", (int)getpid());
        snprintf(merged, sizeof merged, "/tmp/exclave-fuzz-merged-%d", (int)getpid());
        if (!(tail_block = calloc(1, pairs)))
            abort();
    }
    if (size > (1u << 20) || !write_state(data, size))
        return 0;
    struct engine_config config;
    engine_config_defaults(&config);
    config.max_keys = 256;
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
