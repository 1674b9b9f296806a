/* zeek_files: scandir twice at most, one sort at the end. */
#include "zeek/zeek_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool ends_with(const char *text, const char *suffix)
{
    size_t a = strlen(text), b = strlen(suffix);
    return a >= b && strcmp(text + a - b, suffix) == 0;
}

/* dns.log, dns.04:00:00-05:00:00.log, and their .gz */
static bool is_dns_log(const char *name)
{
    return strncmp(name, "dns.", 4) == 0 && (ends_with(name, ".log") || ends_with(name, ".log.gz"));
}

static bool add(struct zeek_files *files, const char *dir, const char *name)
{
    char **grown = realloc(files->paths, (files->count + 1) * sizeof *grown);
    if (!grown)
        return false;
    files->paths = grown;
    size_t size = strlen(dir) + strlen(name) + 2;
    if (!(files->paths[files->count] = malloc(size)))
        return false;
    snprintf(files->paths[files->count++], size, "%s/%s", dir, name);
    return true;
}

static bool is_directory(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Adds the dns logs of dir, and of its subdirectories when depth allows. */
static bool scan(struct zeek_files *files, const char *dir, int depth)
{
    struct dirent **entries;
    int n = scandir(dir, &entries, NULL, alphasort);
    if (n < 0)
        return depth == 0 ? false : true; /* an unreadable subdirectory is skipped */
    bool ok = true;
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        if (ok && name[0] != '.') {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, name);
            if (is_dns_log(name) && !is_directory(path))
                ok = add(files, dir, name);
            else if (depth == 0 && is_directory(path))
                ok = scan(files, path, depth + 1);
        }
        free(entries[i]);
    }
    free(entries);
    return ok;
}

bool zeek_files_list(struct zeek_files *files, const char *path, char *error, size_t error_size)
{
    files->paths = NULL;
    files->count = 0;
    if (!is_directory(path)) {
        if (access(path, R_OK) != 0) { /* say so before any output is opened */
            snprintf(error, error_size, "%s: cannot read Zeek log: %s", path, strerror(errno));
            return false;
        }
        if (!(files->paths = malloc(sizeof *files->paths)) || !(files->paths[0] = strdup(path))) {
            snprintf(error, error_size, "out of memory");
            return false;
        }
        files->count = 1;
        return true;
    }
    if (!scan(files, path, 0)) {
        snprintf(error, error_size, "--zeek %s: cannot list the directory: %s", path, strerror(errno));
        return false;
    }
    if (files->count == 0) {
        snprintf(error, error_size, "--zeek %s: no Zeek dns logs (dns*.log, dns*.log.gz) there", path);
        return false;
    }
    return true;
}

void zeek_files_free(struct zeek_files *files)
{
    for (size_t i = 0; i < files->count; i++)
        free(files->paths[i]);
    free(files->paths);
    files->paths = NULL;
    files->count = 0;
}
