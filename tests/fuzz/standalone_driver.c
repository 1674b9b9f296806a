/* standalone_driver: runs a fuzz target over files given on the command line,
 * without libFuzzer, so that `make check` replays the seeds and every input
 * that once crashed (tests/fuzz/regressions) with the normal compiler and,
 * in CI, under the sanitizers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *file = fopen(argv[i], "rb");
        if (!file) {
            perror(argv[i]);
            return 1;
        }
        uint8_t *data = NULL;
        size_t size = 0, room = 0, got;
        do {
            if (size == room && !(data = realloc(data, room = room * 2 + 4096)))
                return 1;
            got = fread(data + size, 1, room - size, file);
            size += got;
        } while (got > 0);
        fclose(file);
        LLVMFuzzerTestOneInput(data, size);
        free(data);
    }
    printf("%d inputs replayed\n", argc - 1);
    return 0;
}
