/* alert_writer: EVE alert records, stderr one-liners and the final table. */
#include "eve/alert_writer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/printable.h"

void alert_writer_init(struct alert_writer *writer, struct json_out *out, FILE *messages)
{
    memset(writer, 0, sizeof *writer);
    writer->out = out;
    writer->messages = messages;
}

void alert_writer_free(struct alert_writer *writer)
{
    for (size_t i = 0; i < writer->row_count; i++)
        free(writer->rows[i].name);
    free(writer->rows);
    writer->rows = NULL;
    writer->row_count = 0;
}

static void write_number(struct json_out *out, double value)
{
    char text[32];
    int length = snprintf(text, sizeof text, "%.4f", isfinite(value) ? value : 0.0);
    json_out_raw(out, text, (size_t)length);
}

static void write_top_asns(struct json_out *out, const struct engine *engine, const struct key *key)
{
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(&key->asn_tally, sorted);
    json_out_literal(out, "\"top_asns\":[");
    for (size_t i = 0; i < n && i < ALERT_TOP_ASNS; i++) {
        const char *org, *country;
        engine_describe_asn(engine, sorted[i].asn, &org, &country);
        if (i)
            json_out_literal(out, ",");
        /* named as the dns records' src_as/src_geo members */
        json_out_literal(out, "{\"number\":");
        json_out_uint(out, sorted[i].asn);
        json_out_literal(out, ",\"organization\":");
        if (org) json_out_cstring(out, org); else json_out_literal(out, "null");
        json_out_literal(out, ",\"country_iso_code\":");
        if (country) json_out_cstring(out, country); else json_out_literal(out, "null");
        json_out_literal(out, ",\"share\":");
        write_number(out, key_asn_share(key, &sorted[i]));
        json_out_literal(out, ",\"lookups\":");
        json_out_uint(out, sorted[i].lookups);
        json_out_literal(out, ",\"lookups_corrected\":");
        json_out_uint(out, sorted[i].corrected);
        json_out_literal(out, ",\"proven\":");
        json_out_uint(out, sorted[i].proven);
        json_out_literal(out, "}");
    }
    json_out_literal(out, "]");
}

static void write_linked(struct json_out *out, const struct engine *engine, const struct key *key)
{
    if (key->kind == KEY_ADDRESS) {
        json_out_literal(out, ",\"names\":[");
        bool first = true;
        for (unsigned i = 0; i < key->linked_count; i++) {
            struct key *name = key_store_deref((struct key_store *)&engine->store,
                                               key->linked.names[i]);
            if (!name)
                continue;
            if (!first)
                json_out_literal(out, ",");
            json_out_string(out, name->name, name->name_length);
            first = false;
        }
    } else {
        json_out_literal(out, ",\"answers\":[");
        for (unsigned i = 0; i < key->linked_count; i++) {
            if (i)
                json_out_literal(out, ",");
            json_out_ip(out, &key->linked.answers[i]);
        }
    }
    json_out_literal(out, "]");
}

static void write_counts(struct json_out *out, const struct engine *engine, const struct key *key)
{
    /* what the lookups are: answered ones, or (a one-direction tap) queries */
    if (engine->config.count_unanswered)
        json_out_literal(out, ",\"counting\":\"queries\"");
    else
        json_out_literal(out, ",\"counting\":\"answered\"");
    json_out_literal(out, ",\"lookups\":");
    json_out_uint(out, key->lookups);
    json_out_literal(out, ",\"unanswered\":");
    json_out_uint(out, key_unanswered(key));
    json_out_literal(out, ",\"unsolicited\":");
    json_out_uint(out, key->unsolicited);
    json_out_literal(out, ",\"proven\":");
    json_out_uint(out, key->proven_lookups);
    if (engine->config.home_networks) { /* absent: no home networks were given */
        json_out_literal(out, ",\"home_lookups\":");
        json_out_uint(out, key->home_lookups);
    }
    json_out_literal(out, ",\"lookups_corrected\":");
    json_out_uint(out, key->lookups_corrected);
    json_out_literal(out, ",\"queriers\":");
    json_out_uint(out, key_aggregate_distinct(key, &key->queriers));
    json_out_literal(out, ",\"asn_count\":");
    json_out_uint(out, key_aggregate_distinct(key, &key->asns));
    json_out_literal(out, ",\"country_count\":");
    json_out_uint(out, key_aggregate_country_count(key));
    json_out_literal(out, ",\"entropy\":");
    write_number(out, asn_tally_entropy(&key->asn_tally, key->lookups_corrected));
    json_out_literal(out, ",");
}

static void write_times(struct json_out *out, const struct engine_alert *alert)
{
    const struct key *key = alert->key;
    json_out_literal(out, ",\"window\":{\"start\":");
    json_out_timestamp(out, alert->window_start_us);
    json_out_literal(out, ",\"end\":");
    json_out_timestamp(out, alert->time_us);
    json_out_literal(out, "},\"first_seen\":");
    json_out_timestamp(out, key->first_seen_us);
    json_out_literal(out, ",\"last_seen\":");
    json_out_timestamp(out, key->last_seen_us);
    if (key->nxdomain_since_us) {
        json_out_literal(out, ",\"nxdomain_since\":");
        json_out_timestamp(out, key->nxdomain_since_us);
    }
}

/* src_ip: the querier that made more than half of the key's lookups, if
 * one surely did; dest_ip with it: the address the key is, or a name's or
 * domain's one answer. So an analyst can pivot to the flows. */
static void write_endpoints(struct json_out *out, const struct key *key)
{
    const struct querier_count *top = querier_tally_majority(&key->top_queriers, key->lookups);
    if (!top)
        return;
    json_out_literal(out, ",\"src_ip\":");
    json_out_ip(out, &top->address);
    struct ip_address dest = { 0 };
    if (key->kind == KEY_ADDRESS)
        ip_address_parse(key->name, &dest);
    else if (key->linked_count == 1)
        dest = key->linked.answers[0];
    if (dest.family) {
        json_out_literal(out, ",\"dest_ip\":");
        json_out_ip(out, &dest);
    }
}

static void write_eve(struct json_out *out, const struct engine *engine,
                      const struct engine_alert *alert)
{
    const struct key *key = alert->key;
    json_out_literal(out, "{\"timestamp\":");
    json_out_timestamp(out, alert->time_us);
    json_out_literal(out, ",\"event_type\":\"alert\"");
    write_endpoints(out, key);
    json_out_literal(out, ",\"alert\":{\"action\":\"allowed\",\"gid\":1,"
                          "\"signature_id\":");
    json_out_uint(out, alert->signature_id);
    json_out_literal(out, ",\"rev\":1,\"signature\":");
    json_out_cstring(out, alert->signature);
    json_out_literal(out, ",\"category\":\"exclusive-dns\",\"severity\":");
    json_out_uint(out, (uint64_t)alert->severity);
    json_out_literal(out, "},\"exclave\":{\"policy\":");
    json_out_cstring(out, alert->policy);
    json_out_literal(out, ",\"kind\":");
    json_out_cstring(out, key_kind_name(key->kind));
    json_out_literal(out, ",\"name\":");
    json_out_string(out, key->name, key->name_length);
    write_times(out, alert);
    write_counts(out, engine, key);
    write_top_asns(out, engine, key);
    write_linked(out, engine, key);
    json_out_literal(out, ",\"related\":[");
    for (size_t i = 0; i < alert->related_count; i++) {
        if (i)
            json_out_literal(out, ",");
        json_out_cstring(out, alert->related[i]);
    }
    json_out_literal(out, "],\"evidence\":{");
    json_out_raw(out, alert->evidence_json, strlen(alert->evidence_json));
    json_out_literal(out, "}}}");
    json_out_end_record(out);
}

static struct alert_summary_row *find_row(struct alert_writer *writer,
                                          const struct engine_alert *alert)
{
    const struct key *key = alert->key;
    for (size_t i = 0; i < writer->row_count; i++) {
        struct alert_summary_row *row = &writer->rows[i];
        if (!strcmp(row->name, key->name) && !strcmp(row->policy, alert->policy) &&
            !strcmp(row->kind, key_kind_name(key->kind)))
            return row;
    }
    return NULL;
}

static void fill_row(struct alert_summary_row *row, const struct engine_alert *alert)
{
    const struct key *key = alert->key;
    row->alerts++;
    row->severity = alert->severity;
    row->lookups_corrected = key->lookups_corrected;
    struct asn_count sorted[ASN_TALLY_SLOTS];
    if (asn_tally_sorted(&key->asn_tally, sorted)) {
        row->top_asn = sorted[0].asn;
        row->top_share = key_asn_share(key, &sorted[0]);
    }
    row->related[0] = '\0';
    for (size_t i = 0, used = 0; i < alert->related_count && used < sizeof row->related; i++)
        used += (size_t)snprintf(row->related + used, sizeof row->related - used, "%s%s",
                                 i ? "," : "", alert->related[i]);
}

/* One row per key and policy, with the latest alert's figures. */
static void keep_row(struct alert_writer *writer, const struct engine_alert *alert)
{
    struct alert_summary_row *existing = find_row(writer, alert);
    if (existing) {
        fill_row(existing, alert);
        return;
    }
    if (writer->row_count == ALERT_SUMMARY_MAX) {
        writer->rows_not_kept++;
        return;
    }
    if (writer->row_count % 64 == 0) {
        struct alert_summary_row *grown =
            realloc(writer->rows, (writer->row_count + 64) * sizeof *grown);
        if (!grown) {
            writer->rows_not_kept++;
            return;
        }
        writer->rows = grown;
    }
    const struct key *key = alert->key;
    struct alert_summary_row *row = &writer->rows[writer->row_count];
    memset(row, 0, sizeof *row);
    if (!(row->name = strdup(key->name))) {
        writer->rows_not_kept++;
        return;
    }
    writer->row_count++;
    snprintf(row->policy, sizeof row->policy, "%s", alert->policy);
    snprintf(row->kind, sizeof row->kind, "%s", key_kind_name(key->kind));
    fill_row(row, alert);
}

void alert_writer_write(void *user, const struct engine *engine, const struct engine_alert *alert)
{
    struct alert_writer *writer = user;
    if (writer->out)
        write_eve(writer->out, engine, alert);
    keep_row(writer, alert);
    if (!writer->messages)
        return;
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(&alert->key->asn_tally, sorted);
    char name[4 * 256 + 8], signature[4 * 256 + 8]; /* names and signatures come from outside */
    const char *text = alert->signature;
    if (strncmp(text, "exclave: ", 9) == 0) /* the line says exclave already */
        text += 9;
    fprintf(writer->messages, "exclave: alert [%s] %s %s: %s (%llu corrected lookups",
            alert->policy, key_kind_name(alert->key->kind),
            printable_copy(name, sizeof name, alert->key->name, alert->key->name_length),
            printable_copy(signature, sizeof signature, text, strnlen(text, 256)),
            (unsigned long long)alert->key->lookups_corrected);
    for (size_t i = 0; i < n && i < 2; i++)
        fprintf(writer->messages, "%sAS%u %.0f%%", i ? ", " : "; ", sorted[i].asn,
                100 * key_asn_share(alert->key, &sorted[i]));
    fputs(")\n", writer->messages);
}

static int by_rank(const void *a, const void *b)
{
    const struct alert_summary_row *x = a, *y = b;
    if (x->severity != y->severity)
        return x->severity - y->severity;
    if (x->lookups_corrected != y->lookups_corrected)
        return x->lookups_corrected < y->lookups_corrected ? 1 : -1;
    return strcmp(x->name, y->name);
}

void alert_writer_print_summary(struct alert_writer *writer, FILE *out)
{
    fprintf(out, "exclave: %zu alerted key%s and polic%s\n", writer->row_count,
            writer->row_count == 1 ? "" : "s", writer->row_count == 1 ? "y" : "ies");
    if (writer->row_count == 0)
        return;
    qsort(writer->rows, writer->row_count, sizeof *writer->rows, by_rank);
    fprintf(out, "%-4s %-3s %-10s %-7s %-34s %6s %9s %-16s %s\n", "rank", "sev", "policy", "kind",
            "name", "alerts", "corrected", "top ASN", "related");
    for (size_t i = 0; i < writer->row_count; i++) {
        const struct alert_summary_row *r = &writer->rows[i];
        char top[32], name[4 * 256 + 8], related[4 * sizeof r->related + 8];
        snprintf(top, sizeof top, "AS%u %.0f%%", r->top_asn, 100 * r->top_share);
        fprintf(out, "%-4zu %-3d %-10s %-7s %-34s %6u %9llu %-16s %s\n", i + 1, r->severity,
                r->policy, r->kind, printable_copy(name, sizeof name, r->name, strlen(r->name)),
                r->alerts, (unsigned long long)r->lookups_corrected, top,
                r->related[0] ? printable_copy(related, sizeof related, r->related, strlen(r->related))
                              : "-");
    }
    if (writer->rows_not_kept)
        fprintf(out, "(%llu more alerts not in this table)\n",
                (unsigned long long)writer->rows_not_kept);
}

/* ,"name":value members of the summary's rows. */
#define SUMMARY_UINT(out, name, value) \
    (json_out_literal((out), ",\"" name "\":"), json_out_uint((out), (value)))
#define SUMMARY_TEXT(out, name, text) \
    (json_out_literal((out), ",\"" name "\":"), json_out_cstring((out), (text)))

void alert_writer_write_summary(struct alert_writer *writer, struct json_out *out, int64_t time_us)
{
    qsort(writer->rows, writer->row_count, sizeof *writer->rows, by_rank);
    json_out_literal(out, "{\"timestamp\":");
    json_out_timestamp(out, time_us);
    json_out_literal(out, ",\"event_type\":\"exclave_summary\",\"exclave_summary\":{\"keys\":[");
    for (size_t i = 0; i < writer->row_count; i++) {
        const struct alert_summary_row *r = &writer->rows[i];
        json_out_literal(out, "{\"rank\":");
        json_out_uint(out, i + 1);
        SUMMARY_UINT(out, "severity", (uint64_t)r->severity);
        SUMMARY_TEXT(out, "policy", r->policy);
        SUMMARY_TEXT(out, "kind", r->kind);
        SUMMARY_TEXT(out, "name", r->name);
        SUMMARY_UINT(out, "alerts", r->alerts);
        SUMMARY_UINT(out, "lookups_corrected", r->lookups_corrected);
        SUMMARY_UINT(out, "top_asn", r->top_asn);
        SUMMARY_TEXT(out, "related", r->related);
        json_out_raw(out, "},", i + 1 < writer->row_count ? 2 : 1);
    }
    json_out_literal(out, "]");
    SUMMARY_UINT(out, "keys_not_kept", writer->rows_not_kept);
    json_out_literal(out, "}}");
    json_out_end_record(out);
}
