/* zeek_notice_writer: one exclave.log line per alert, its sub field a short
 * account of the evidence (the full evidence is in the EVE alert). */
#include "zeek/zeek_notice_writer.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const struct zeek_log_column notice_columns[] = {
    { "ts", "time" }, { "note", "enum" }, { "msg", "string" }, { "sub", "string" },
    { "name", "string" }, { "policy", "string" }, { "top_asns", "vector[count]" },
    { "top_shares", "vector[double]" }, { "related", "vector[string]" },
};

bool zeek_notice_writer_open(struct zeek_notice_writer *writer, const char *dir, bool json,
                             char *error, size_t error_size)
{
    return zeek_log_writer_open(&writer->log, dir, "exclave", json, notice_columns,
                                sizeof notice_columns / sizeof notice_columns[0], error, error_size);
}

/* Appends text with the first letter of each word (after '_', '-' or a
 * space, which become '_') in capitals. */
static size_t append_capitalised(const char *text, char *out, size_t used, size_t size)
{
    bool word_start = true;
    for (; *text && used + 1 < size; text++) {
        char c = *text;
        if (c == '_' || c == '-' || c == ' ') {
            out[used++] = '_';
            word_start = true;
            continue;
        }
        out[used++] = word_start ? (char)toupper((unsigned char)c) : c;
        word_start = false;
    }
    out[used] = '\0';
    return used;
}

size_t zeek_notice_name(const char *policy, const char *kind, char *out, size_t size)
{
    size_t used = (size_t)snprintf(out, size, "Exclave::");
    if (used >= size)
        return size ? size - 1 : 0;
    used = append_capitalised(policy, out, used, size);
    if (used + 1 < size)
        out[used++] = '_';
    return append_capitalised(kind, out, used, size);
}

/* "2820 lookups (1910 after caching) from 3 queriers in 2 ASNs, 1 country" */
static size_t describe(const struct key *key, char *out, size_t size)
{
    unsigned long long queriers = key_aggregate_distinct(key, &key->queriers);
    unsigned long long asns = key_aggregate_distinct(key, &key->asns);
    unsigned countries = key_aggregate_country_count(key);
    int length = snprintf(out, size, "%llu lookups (%llu after caching) from %llu querier%s in "
                                     "%llu ASN%s, %u countr%s",
                          (unsigned long long)key->lookups, (unsigned long long)key->lookups_corrected,
                          queriers, queriers == 1 ? "" : "s", asns, asns == 1 ? "" : "s", countries,
                          countries == 1 ? "y" : "ies");
    return length < 0 ? 0 : (size_t)length < size ? (size_t)length : size - 1;
}

static void write_top_asns(struct zeek_log_writer *log, const struct key *key)
{
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(&key->asn_tally, sorted);
    if (n > ZEEK_NOTICE_TOP_ASNS)
        n = ZEEK_NOTICE_TOP_ASNS;
    zeek_log_vector_begin(log);
    for (size_t i = 0; i < n; i++)
        zeek_log_count(log, sorted[i].asn);
    zeek_log_vector_end(log);
    zeek_log_vector_begin(log);
    for (size_t i = 0; i < n; i++)
        zeek_log_double(log, key_asn_share(key, &sorted[i]));
    zeek_log_vector_end(log);
}

void zeek_notice_writer_write(void *user, const struct engine *engine,
                              const struct engine_alert *alert)
{
    (void)engine;
    struct zeek_notice_writer *writer = user;
    struct zeek_log_writer *log = &writer->log;
    const struct key *key = alert->key;
    char note[128], sub[256];
    zeek_log_time(log, alert->time_us);
    zeek_log_string(log, note, zeek_notice_name(alert->policy, key_kind_name(key->kind), note,
                                                sizeof note));
    zeek_log_string(log, alert->signature, strlen(alert->signature));
    zeek_log_string(log, sub, describe(key, sub, sizeof sub));
    zeek_log_string(log, key->name, key->name_length);
    zeek_log_string(log, alert->policy, strlen(alert->policy));
    write_top_asns(log, key);
    zeek_log_vector_begin(log);
    for (size_t i = 0; i < alert->related_count; i++)
        zeek_log_string(log, alert->related[i], strlen(alert->related[i]));
    zeek_log_vector_end(log);
    zeek_log_end_record(log);
}
