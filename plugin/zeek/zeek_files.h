/* zeek_files: which files a --zeek argument means: the file itself, or for a
 * directory its Zeek dns logs (dns.log, dns.*.log, and .gz of either) and
 * those of its subdirectories one level down (Zeek's logs/YYYY-MM-DD/), in
 * name order, which for Zeek's names is time order. It only lists paths. */
#ifndef EXCLAVE_ZEEK_FILES_H
#define EXCLAVE_ZEEK_FILES_H

#include <stdbool.h>
#include <stddef.h>

struct zeek_files {
    char **paths;
    size_t count;
};

/* Fills files; false with a message naming the path when it cannot be read
 * or a directory holds no dns log. */
bool zeek_files_list(struct zeek_files *files, const char *path, char *error, size_t error_size);
void zeek_files_free(struct zeek_files *files);

#endif
