/* report_data: two passes over the files. The first keeps the alerts (read
 * with json-c, they are few); the second counts each alerted key's lookups
 * from the dns records (read in place with eve_record): a name by its
 * queries, a domain by its names' queries, an address by the answers that
 * carry it. Must not hold more than REPORT_KEYS_MAX keys. */
#include "report/report_data.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eve/eve_record.h"
#include "base/iso_time.h"
#include "base/line_reader.h"

static const char *member_text(struct json_object *object, const char *name)
{
    struct json_object *value;
    return json_object_object_get_ex(object, name, &value) ? json_object_get_string(value) : NULL;
}

static int64_t member_time(struct json_object *object, const char *name)
{
    const char *text = member_text(object, name);
    int64_t us = 0;
    return text && iso_time_parse(text, strlen(text), &us) ? us : 0;
}

static uint64_t member_count(struct json_object *object, const char *name)
{
    struct json_object *value;
    return json_object_object_get_ex(object, name, &value) ? (uint64_t)json_object_get_int64(value) : 0;
}

static struct report_key *key_for(struct report_data *data, const char *policy, const char *kind,
                                  const char *name)
{
    for (size_t i = 0; i < data->key_count; i++) {
        struct report_key *k = &data->keys[i];
        if (!strcmp(k->policy, policy) && !strcmp(k->kind, kind) && !strcmp(k->name, name))
            return k;
    }
    if (data->key_count == REPORT_KEYS_MAX)
        return NULL;
    struct report_key *k = &data->keys[data->key_count++];
    memset(k, 0, sizeof *k);
    snprintf(k->policy, sizeof k->policy, "%s", policy);
    snprintf(k->kind, sizeof k->kind, "%s", kind);
    snprintf(k->name, sizeof k->name, "%s", name);
    const char *domain = data->domains && !strcmp(kind, "name") ? registered_domain_of(data->domains, k->name)
                                                                  : NULL;
    if (domain && domain != k->name) /* a name that is its own domain has no siblings there */
        snprintf(k->domain, sizeof k->domain, "%s", domain);
    return k;
}

static void keep_top_asns(struct report_key *k, struct json_object *exclave)
{
    struct json_object *top;
    k->top_count = 0;
    if (!json_object_object_get_ex(exclave, "top_asns", &top) || !json_object_is_type(top, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(top) && k->top_count < REPORT_TOP_ASNS; i++) {
        struct json_object *entry = json_object_array_get_idx(top, i), *share;
        struct report_asn *a = &k->top[k->top_count++];
        /* number, organization, country_iso_code; asn, org, country in older logs */
        bool old = json_object_object_get_ex(entry, "asn", NULL);
        const char *org = member_text(entry, old ? "org" : "organization");
        const char *country = member_text(entry, old ? "country" : "country_iso_code");
        a->asn = (uint32_t)member_count(entry, old ? "asn" : "number");
        snprintf(a->org, sizeof a->org, "%s", org ? org : "");
        snprintf(a->country, sizeof a->country, "%s", country ? country : "");
        a->share = json_object_object_get_ex(entry, "share", &share) ? json_object_get_double(share) : 0;
        a->lookups = (int64_t)member_count(entry, "lookups");
        a->proven = json_object_object_get_ex(entry, "proven", NULL) ? (int64_t)member_count(entry, "proven") : -1;
    }
}

/* An address's /24 (IPv4) or /48 (IPv6): where one operator's servers sit. */
static void network_of(struct ip_address *address)
{
    ip_address_mask(address, address->family == 4 ? 24 : 48);
}

/* A name or domain key's answer networks, for its siblings. */
static void keep_networks(struct report_key *k, struct json_object *list)
{
    size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
    k->network_count = 0;
    for (size_t i = 0; i < n && k->network_count < REPORT_ADDRESSES_MAX && strcmp(k->kind, "address"); i++) {
        struct ip_address a;
        if (!ip_address_parse(json_object_get_string(json_object_array_get_idx(list, i)), &a))
            continue;
        network_of(&a);
        bool known = false;
        for (unsigned j = 0; j < k->network_count && !known; j++)
            known = ip_address_equal(&k->networks[j], &a);
        if (!known)
            k->networks[k->network_count++] = a;
    }
}

/* The alert's evidence (held, whole), what it says of a rotation's
 * predecessor, and the answers or names as one list. */
static void keep_evidence(struct report_key *k, struct json_object *exclave)
{
    struct json_object *evidence, *list;
    json_object_put(k->evidence);
    k->evidence = json_object_object_get_ex(exclave, "evidence", &evidence)
                      ? json_object_get(evidence) : NULL;
    k->predecessor_silenced_us = k->evidence ? member_time(k->evidence, "predecessor_silenced") : 0;
    k->answers[0] = '\0';
    if (!json_object_object_get_ex(exclave, "answers", &list) &&
        !json_object_object_get_ex(exclave, "names", &list))
        return;
    keep_networks(k, list);
    size_t used = 0, n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < n && used < sizeof k->answers; i++) {
        int wrote = snprintf(k->answers + used, sizeof k->answers - used, "%s%s", i ? ", " : "",
                             json_object_get_string(json_object_array_get_idx(list, i)));
        used += wrote > 0 ? (size_t)wrote : 0;
    }
}

static void keep_related(struct report_key *k, struct json_object *exclave)
{
    struct json_object *related;
    k->related[0] = '\0';
    if (!json_object_object_get_ex(exclave, "related", &related) ||
        !json_object_is_type(related, json_type_array) || json_object_array_length(related) == 0)
        return;
    snprintf(k->related, sizeof k->related, "%s",
             json_object_get_string(json_object_array_get_idx(related, 0)));
}

static bool in_window(const struct report_data *data, int64_t time_us)
{
    return (!data->from_us || time_us >= data->from_us) && (!data->to_us || time_us < data->to_us);
}

/* One alert record: its key's row, with the latest evidence. True when it
 * is one of exclave's (in the window or not). */
static bool keep_alert(struct report_data *data, struct json_object *record)
{
    struct json_object *exclave, *alert, *severity;
    if (!json_object_object_get_ex(record, "exclave", &exclave) ||
        !json_object_object_get_ex(record, "alert", &alert))
        return false;
    const char *policy = member_text(exclave, "policy"), *kind = member_text(exclave, "kind");
    const char *name = member_text(exclave, "name");
    int64_t alerted_us = member_time(record, "timestamp");
    struct report_key *k = policy && kind && name && in_window(data, alerted_us)
                               ? key_for(data, policy, kind, name) : NULL;
    if (!k)
        return policy != NULL;
    for (unsigned i = 0; i < k->alerts && i < REPORT_ALERT_TIMES; i++)
        if (k->alert_times[i] == alerted_us) { /* one run alerts a key once at a time */
            data->alerts_repeated++;
            return true;
        }
    if (k->alerts < REPORT_ALERT_TIMES)
        k->alert_times[k->alerts] = alerted_us;
    data->alerts++;
    k->alerts++;
    if (k->alerts > 1 && alerted_us < k->alerted_us)
        return true; /* an earlier alert read later (another file): the latest evidence stays */
    k->severity = json_object_object_get_ex(alert, "severity", &severity) ? json_object_get_int(severity) : 3;
    snprintf(k->signature, sizeof k->signature, "%s",
             member_text(alert, "signature") ? member_text(alert, "signature") : "");
    k->lookups = member_count(exclave, "lookups");
    k->lookups_corrected = member_count(exclave, "lookups_corrected");
    k->proven = json_object_object_get_ex(exclave, "proven", NULL) ? (int64_t)member_count(exclave, "proven")
                                                                    : -1; /* an older build's log */
    k->queriers = member_count(exclave, "queriers");
    k->first_seen_us = member_time(exclave, "first_seen");
    k->last_seen_us = member_time(exclave, "last_seen");
    k->nxdomain_since_us = member_time(exclave, "nxdomain_since");
    k->alerted_us = alerted_us;
    keep_top_asns(k, exclave);
    keep_related(k, exclave);
    keep_evidence(k, exclave);
    return true;
}

/* A name belongs to a domain key when it is the domain or ends in ".domain". */
static bool name_in_domain(const char *name, size_t length, const char *domain)
{
    size_t d = strlen(domain);
    return (length == d && !memcmp(name, domain, d)) ||
           (length > d && name[length - d - 1] == '.' && !memcmp(name + length - d, domain, d));
}

/* The side of a record that asked: exclave's records put the client first;
 * Suricata's answers come from port 53. */
struct asker {
    struct eve_span address, org, country;
    int64_t asn;
};

static struct asker asker_of(const struct eve_record *r)
{
    if (r->src_port == 53 && r->dest_port != 53)
        return (struct asker){ r->dest_ip, r->dest_org, r->dest_country, r->dest_asn };
    return (struct asker){ r->src_ip, r->src_org, r->src_country, r->src_asn };
}

static struct report_querier *querier_for(struct report_key *k, const struct asker *a)
{
    char address[46];
    size_t length = a->address.ptr ? eve_span_decode(a->address, address, sizeof address) : 0;
    if (!length)
        return NULL;
    for (unsigned i = 0; i < k->querier_count; i++)
        if (!strcmp(k->queriers_seen[i].address, address))
            return &k->queriers_seen[i];
    if (k->querier_count == REPORT_QUERIERS_MAX)
        return NULL;
    struct report_querier *q = &k->queriers_seen[k->querier_count++];
    memset(q, 0, sizeof *q);
    memcpy(q->address, address, length + 1);
    q->asn = a->asn;
    q->last_slot = -1;
    if (a->org.ptr)
        eve_span_decode(a->org, q->org, sizeof q->org);
    char country[8]; /* the decoder wants room for a UTF-8 sequence */
    if (a->country.ptr && eve_span_decode(a->country, country, sizeof country) == 2)
        memcpy(q->country, country, 3);
    return q;
}

static void count_querier(struct report_key *k, const struct asker *a, int64_t time_us)
{
    struct report_querier *q = querier_for(k, a);
    if (!q) {
        k->other_querier_lookups++;
        return;
    }
    int64_t slot = time_us / (REPORT_SLOT_SECONDS * 1000000LL);
    q->lookups++;
    q->slots += slot != q->last_slot;
    q->last_slot = slot;
    if (!q->first_us || time_us < q->first_us)
        q->first_us = time_us;
    if (time_us > q->last_us)
        q->last_us = time_us;
}

static void count(struct report_key *k, int64_t time_us, const struct asker *a,
                  const struct report_sample *where)
{
    int64_t asn = a->asn;
    count_querier(k, a, time_us);
    if (!k->counted_first_us || time_us < k->counted_first_us) {
        k->counted_first_us = time_us;
        k->first_sample = *where;
    }
    if (time_us >= k->counted_last_us) {
        k->counted_last_us = time_us;
        k->last_sample = *where;
    }
    int32_t day = (int32_t)(time_us / 86400000000LL);
    if (!k->first_day)
        k->first_day = k->first_seen_us ? (int32_t)(k->first_seen_us / 86400000000LL) : day;
    k->hours[(time_us / 3600000000LL) % 24]++;
    k->counted++;
    if (day < k->first_day || day - k->first_day >= REPORT_DAYS_MAX)
        return;
    unsigned series = REPORT_TOP_ASNS;
    for (unsigned i = 0; i < k->top_count; i++)
        if (asn >= 0 && k->top[i].asn == (uint32_t)asn)
            series = i;
    k->days[day - k->first_day][series]++;
}

/* A query record counts for the name and domain keys it falls under; an
 * answer record for the address keys among its answers. */
static void note_asn(struct report_sibling *s, int64_t asn)
{
    if (asn <= 0)
        return;
    for (unsigned i = 0; i < 4; i++) {
        if (!s->asns[i])
            s->asns[i] = (uint32_t)asn;
        if (s->asns[i] == (uint32_t)asn) {
            if (++s->asn_lookups[i] > s->top_asn_lookups)
                s->top_asn = s->asns[i], s->top_asn_lookups = s->asn_lookups[i];
            return;
        }
    }
}

static void count_sibling(struct report_key *k, const char *name, size_t length, int64_t asn)
{
    if (length >= sizeof k->siblings[0].name)
        return;
    unsigned i = 0;
    while (i < k->sibling_count && strcmp(k->siblings[i].name, name))
        i++;
    if (i == k->sibling_count) {
        if (i == REPORT_SIBLINGS_MAX) {
            k->other_sibling_lookups++;
            return;
        }
        memset(&k->siblings[i], 0, sizeof k->siblings[i]);
        memcpy(k->siblings[i].name, name, length + 1);
        k->sibling_count++;
    }
    k->siblings[i].lookups++;
    note_asn(&k->siblings[i], asn);
}

/* An answer record's address answers, as networks (at most a few). */
static unsigned answer_networks(const struct eve_record *r, struct ip_address *out, unsigned most)
{
    unsigned n = 0;
    for (unsigned a = 0; a < r->answer_count && n < most; a++) {
        char text[64];
        if (!r->answers[a].rdata.ptr || r->answers[a].rdata.length >= sizeof text - 4)
            continue;
        eve_span_decode(r->answers[a].rdata, text, sizeof text);
        if (ip_address_parse(text, &out[n])) {
            network_of(&out[n]);
            n++;
        }
    }
    return n;
}

/* A name answered into a key's networks, or (for a name key) under its
 * registered domain, that is not the key's own. */
static void count_siblings(struct report_data *data, const struct eve_record *r, const char *name,
                           size_t length, int64_t asn)
{
    struct ip_address networks[REPORT_ADDRESSES_MAX];
    unsigned n = answer_networks(r, networks, REPORT_ADDRESSES_MAX);
    const char *domain = data->domains ? registered_domain_of(data->domains, name) : NULL;
    for (size_t i = 0; i < data->key_count; i++) {
        struct report_key *k = &data->keys[i];
        if (!strcmp(k->kind, "address") || (length == strlen(k->name) && !memcmp(name, k->name, length)) ||
            (!strcmp(k->kind, "domain") && name_in_domain(name, length, k->name)))
            continue;
        bool near = domain && k->domain[0] && !strcmp(domain, k->domain);
        for (unsigned a = 0; a < n && !near; a++)
            for (unsigned j = 0; j < k->network_count && !near; j++)
                near = ip_address_equal(&networks[a], &k->networks[j]);
        if (near)
            count_sibling(k, name, length, asn);
    }
}

static void count_record(struct report_data *data, const struct eve_record *r, int64_t time_us,
                         const struct report_sample *where)
{
    bool query = eve_span_is(r->dns_type, "query") || eve_span_is(r->dns_type, "request");
    bool answered = !query && !r->dns_unsolicited; /* as the engine counts: answered lookups */
    char name[256];
    size_t length = r->rrname.ptr ? eve_span_decode(r->rrname, name, sizeof name) : 0;
    for (size_t i = 0; i < length; i++)
        name[i] = (char)tolower((unsigned char)name[i]);
    while (length > 1 && name[length - 1] == '.')
        name[--length] = '\0';
    struct asker asker = asker_of(r);
    if (answered && length)
        count_siblings(data, r, name, length, asker.asn);
    for (size_t i = 0; i < data->key_count; i++) {
        struct report_key *k = &data->keys[i];
        bool of_key = (!strcmp(k->kind, "name") && length == strlen(k->name) && !memcmp(name, k->name, length)) ||
                      (!strcmp(k->kind, "domain") && name_in_domain(name, length, k->name));
        if (of_key) {
            k->queries_seen += query;
            k->answered_seen += answered;
            k->unsolicited_seen += !query && !answered;
            if (answered)
                count(k, time_us, &asker, where);
        } else if (answered && !strcmp(k->kind, "address"))
            for (unsigned a = 0; a < r->answer_count; a++)
                if (eve_span_equals(r->answers[a].rdata, k->name, strlen(k->name)))
                    count(k, time_us, &asker, where);
    }
}

/* Runs one pass over the file: alerts (first) or dns records (second). */
struct report_reading {
    struct line_reader lines;      /* 64 KiB of line: on the heap, not the stack */
    struct eve_record record;
};

/* What the alerts pass saw in a file, to choose the files the records pass counts. */
struct file_seen {
    bool alerts, dns;
};

static bool read_pass(struct report_data *data, struct report_reading *reading, const char *path,
                      bool alerts, struct file_seen *seen, char *error, size_t error_size)
{
    struct line_reader *lines = &reading->lines;
    struct eve_record *record = &reading->record;
    if (!line_reader_open(lines, path, false, error, error_size))
        return false;
    bool too_long;
    int status;
    while ((status = line_reader_next(lines, &too_long, error, error_size)) > 0) {
        size_t length = lines->line_length, at;
        bool nul = memchr(lines->line, '\0', length) != NULL; /* not JSON, not a record */
        bool alert = strstr(lines->line, "\"event_type\":\"alert\"") != NULL;
        if (alerts && !alert && !seen->dns)
            seen->dns = strstr(lines->line, "\"event_type\":\"dns\"") != NULL;
        if (too_long || nul || length == 0 || alert != alerts) {
            data->bad_lines += (too_long || nul) && alerts;
            continue;
        }
        if (alerts) {
            struct json_object *object = json_tokener_parse(lines->line);
            if (object && keep_alert(data, object))
                seen->alerts = true;
            json_object_put(object);
            continue;
        }
        data->records++;
        int64_t time_us;
        if (eve_record_parse(lines->line, length, record, &at) || !eve_span_is(record->event_type, "dns") ||
            !record->timestamp.ptr || !iso_time_parse(record->timestamp.ptr, record->timestamp.length, &time_us))
            continue;
        if (!in_window(data, time_us))
            continue;
        data->dns_records++;
        struct report_sample where = { .file = path, .line = lines->line_number, .time_us = time_us };
        if (record->flow_id.ptr)
            eve_span_decode(record->flow_id, where.flow_id, sizeof where.flow_id);
        count_record(data, record, time_us, &where);
    }
    line_reader_close(lines);
    return status == 0;
}

/* What a log directory holds of EVE: Suricata's, the plugin's (8.0, 7.0) and their rotations. */
static bool is_eve_file(const char *name)
{
    static const char *const bases[] = { "eve.json", "exclave.json", "eve-exclave.json" };
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++) {
        size_t length = strlen(bases[i]);
        if (!strncmp(name, bases[i], length) && (name[length] == '\0' || name[length] == '.' ||
                                                 name[length] == '-'))
            return true;
    }
    return false;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct file_list {
    char *paths[REPORT_FILES_MAX];
    struct file_seen seen[REPORT_FILES_MAX];
    size_t count;
};

static bool add_file(struct file_list *list, const char *dir, const char *name, char *error,
                     size_t error_size)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    if (list->count == REPORT_FILES_MAX || !(list->paths[list->count] = strdup(path))) {
        snprintf(error, error_size, "%s: more than %d files", path, REPORT_FILES_MAX);
        return false;
    }
    list->count++;
    return true;
}

/* A directory's EVE files, in name order; false with a message. */
static bool add_directory(struct file_list *list, const char *dir, char *error, size_t error_size)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(error, error_size, "%s: cannot read: %s", dir, strerror(errno));
        return false;
    }
    size_t first = list->count;
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(d));)
        if (is_eve_file(e->d_name))
            ok = add_file(list, dir, e->d_name, error, error_size);
    closedir(d);
    if (ok && list->count == first) {
        snprintf(error, error_size, "%s/eve.json: cannot read: no eve.json, exclave.json or "
                 "eve-exclave.json in %s", dir, dir);
        return false;
    }
    qsort(list->paths + first, list->count - first, sizeof *list->paths, by_name);
    return ok;
}

static bool list_files(struct file_list *list, const char *const *paths, size_t count, char *error,
                       size_t error_size)
{
    for (size_t i = 0; i < count; i++) {
        struct stat info;
        bool ok = stat(paths[i], &info) == 0 && S_ISDIR(info.st_mode)
                      ? add_directory(list, paths[i], error, error_size)
                      : add_file(list, NULL, paths[i], error, error_size);
        if (!ok)
            return false;
    }
    return true;
}

bool report_data_read(struct report_data *data, const char *const *paths, size_t count,
                      int64_t from_us, int64_t to_us, char *error, size_t error_size)
{
    memset(data, 0, sizeof *data);
    data->from_us = from_us, data->to_us = to_us;
    char psl_error[256];
    if ((data->domains = malloc(sizeof *data->domains)) &&
        !registered_domain_init(data->domains, NULL, psl_error, sizeof psl_error)) {
        free(data->domains); /* no list: the siblings are by network only */
        data->domains = NULL;
    }
    struct report_reading *reading = malloc(sizeof *reading);
    struct file_list *files = calloc(1, sizeof *files);
    if (!reading || !files || !(data->keys = calloc(REPORT_KEYS_MAX, sizeof *data->keys))) {
        snprintf(error, error_size, "out of memory");
        free(reading);
        free(files);
        return false;
    }
    bool ok = list_files(files, paths, count, error, error_size);
    for (size_t i = 0; ok && i < files->count; i++) /* the alerts of every file first */
        ok = read_pass(data, reading, files->paths[i], true, &files->seen[i], error, error_size);
    /* then the records: from the files with the alerts when those hold dns records too (the
     * 7.0 plugin's own output repeats Suricata's records), else from every file */
    bool alerts_with_records = false;
    for (size_t i = 0; i < files->count; i++)
        alerts_with_records |= files->seen[i].alerts && files->seen[i].dns;
    for (size_t i = 0; ok && i < files->count; i++)
        if (!alerts_with_records || files->seen[i].alerts)
            ok = read_pass(data, reading, files->paths[i], false, &files->seen[i], error, error_size);
    data->files_read = ok ? files->count : 0;
    data->file_names = ok ? calloc(files->count + 1, sizeof *data->file_names) : NULL;
    for (size_t i = 0; i < files->count; i++) {
        if (data->file_names)
            data->file_names[i] = files->paths[i]; /* the page's footer names them */
        else
            free(files->paths[i]);
    }
    free(files);
    free(reading);
    return ok;
}

void report_data_free(struct report_data *data)
{
    if (data->domains)
        registered_domain_free(data->domains);
    free(data->domains);
    data->domains = NULL;
    for (size_t i = 0; data->keys && i < data->key_count; i++)
        json_object_put(data->keys[i].evidence);
    free(data->keys);
    data->keys = NULL;
    for (size_t i = 0; data->file_names && data->file_names[i]; i++)
        free(data->file_names[i]);
    free(data->file_names);
    data->file_names = NULL;
}

const struct report_key *report_data_find(const struct report_data *data, const char *name)
{
    for (size_t i = 0; i < data->key_count; i++)
        if (!strcmp(data->keys[i].name, name) && !strcmp(data->keys[i].kind, "name"))
            return &data->keys[i];
    return NULL;
}

void report_key_row(const struct report_key *k, struct report_row *row)
{
    bool from_records = k->counted > 0;
    row->lookups = from_records ? k->counted : k->lookups;
    row->queriers = from_records ? k->querier_count : k->queriers;
    row->more_queriers = from_records && k->other_querier_lookups;
    row->first_us = from_records && k->counted_first_us < k->first_seen_us ? k->counted_first_us
                                                                           : k->first_seen_us;
    row->last_us = from_records && k->counted_last_us > k->last_seen_us ? k->counted_last_us
                                                                        : k->last_seen_us;
}

static int by_rank(const void *a, const void *b)
{
    const struct report_key *x = *(const struct report_key *const *)a;
    const struct report_key *y = *(const struct report_key *const *)b;
    if (x->severity != y->severity)
        return x->severity - y->severity;
    if (x->lookups_corrected != y->lookups_corrected)
        return x->lookups_corrected < y->lookups_corrected ? 1 : -1;
    return strcmp(x->name, y->name);
}

void report_data_rank(const struct report_data *data, const struct report_key **ranked)
{
    for (size_t i = 0; i < data->key_count; i++)
        ranked[i] = &data->keys[i];
    qsort(ranked, data->key_count, sizeof *ranked, by_rank);
}
