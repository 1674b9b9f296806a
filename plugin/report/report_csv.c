/* report_csv: every text field is quoted, its quotes doubled; numbers and
 * ISO 8601 times are written bare. */
#include "report/report_csv.h"

#include <stdlib.h>
#include <time.h>

static void field(FILE *out, const char *text)
{
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputs("\",", out);
}

/* 2016-09-23T10:15:44Z, or nothing when unset. */
static void time_field(FILE *out, int64_t time_us)
{
    time_t seconds = (time_t)(time_us / 1000000);
    struct tm parts;
    char text[32];
    if (time_us > 0 && gmtime_r(&seconds, &parts) &&
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts))
        fputs(text, out);
    fputc(',', out);
}

static void row(FILE *out, size_t rank, const struct report_key *k)
{
    struct report_row r;
    report_key_row(k, &r);
    fprintf(out, "%zu,%d,", rank, k->severity);
    field(out, k->policy);
    field(out, k->kind);
    field(out, k->name);
    fprintf(out, "%llu,%llu,%llu,%s,", (unsigned long long)r.lookups,
            (unsigned long long)k->lookups_corrected, (unsigned long long)r.queriers,
            r.more_queriers ? "true" : "false");
    if (k->top_count)
        fprintf(out, "%u,%.4f,", k->top[0].asn, k->top[0].share);
    else
        fputs(",,", out);
    field(out, k->related);
    time_field(out, r.first_us);
    time_field(out, r.last_us);
    fprintf(out, "%u\r\n", k->alerts);
}

bool report_csv_write(const struct report_data *data, FILE *out)
{
    const struct report_key **ranked = malloc((data->key_count + 1) * sizeof *ranked);
    if (!ranked)
        return false;
    report_data_rank(data, ranked);
    fputs("rank,severity,policy,kind,key,lookups,lookups_corrected_last_alert,queriers,"
          "queriers_more,top_asn,top_asn_share,related,first_seen,last_seen,alerts\r\n", out);
    for (size_t i = 0; i < data->key_count; i++)
        row(out, i + 1, ranked[i]);
    free(ranked);
    return !ferror(out);
}
