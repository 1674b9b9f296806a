/* progress: "\r" and a line padded to overwrite the one before; the clock
 * is the monotonic one, so a changed wall clock does not skew the rate. */
#include "base/progress.h"

#include <time.h>
#include <unistd.h>

enum { PROGRESS_EVERY_MS = 1000 };

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void progress_init(struct progress *progress, FILE *out, bool quiet, const char *unit)
{
    progress->out = !quiet && out && isatty(fileno(out)) ? out : NULL;
    progress->unit = unit;
    progress->start_ms = progress->last_ms = now_ms();
    progress->shown = false;
}

void progress_update(struct progress *progress, uint64_t count, uint64_t bytes,
                     uint64_t total_bytes, uint64_t alerts)
{
    if (!progress->out)
        return;
    int64_t now = now_ms();
    if (now - progress->last_ms < PROGRESS_EVERY_MS)
        return;
    progress->last_ms = now;
    double seconds = (double)(now - progress->start_ms) / 1000.0;
    char share[32] = "";
    if (total_bytes)
        snprintf(share, sizeof share, " (%.0f%%)", 100.0 * (double)bytes / (double)total_bytes);
    fprintf(progress->out, "\rexclave: %llu %s, %.1f MB%s, %.0f %s/s, %llu alert%s   ",
            (unsigned long long)count, progress->unit, (double)bytes / 1e6, share,
            seconds > 0 ? (double)count / seconds : 0.0, progress->unit,
            (unsigned long long)alerts, alerts == 1 ? "" : "s");
    fflush(progress->out);
    progress->shown = true;
}

void progress_end(struct progress *progress)
{
    if (progress->out && progress->shown)
        fprintf(progress->out, "\r%*s\r", 79, "");
    progress->shown = false;
}
