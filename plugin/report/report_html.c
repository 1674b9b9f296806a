/* report_html: SVG by hand, in fixed boxes; every text from the logs goes
 * through html_text, so a name or an organisation cannot break the page. */
#include "report/report_html.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "base/iso_time.h"

enum { CHART_WIDTH = 760, CHART_HEIGHT = 180, CHART_LEFT = 50, CHART_BOTTOM = 24 };

static const char *const series_colors[REPORT_SERIES] = {
    "#c0392b", "#2471a3", "#229954", "#b9770e", "#7f8c8d",
};

static void html_text(FILE *out, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*text, out);
        }
    }
}

static void date_text(int64_t time_us, char *out, size_t size)
{
    time_t seconds = (time_t)(time_us / 1000000);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    if (!time_us)
        snprintf(out, size, "-");
    else
        strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

/* The days from the key's first to its last counted day. */
static int day_span(const struct report_key *k)
{
    int last = 0;
    for (int d = 0; d < REPORT_DAYS_MAX; d++)
        for (int s = 0; s < REPORT_SERIES; s++)
            if (k->days[d][s])
                last = d;
    return last + 1;
}

static uint32_t day_total(const struct report_key *k, int day)
{
    uint32_t total = 0;
    for (int s = 0; s < REPORT_SERIES; s++)
        total += k->days[day][s];
    return total;
}

/* The top ASNs with their shares; from a state, whose days are not split
 * by ASN, the one series drawn is all queriers. */
static void legend(FILE *out, const struct report_data *data, const struct report_key *k)
{
    fputs("<p class=\"legend\">", out);
    for (unsigned i = 0; i <= k->top_count; i++) {
        unsigned s = i < k->top_count ? i : REPORT_TOP_ASNS;
        if (data->state_path && i < k->top_count)
            fputs("<span>", out); /* a share, not a series drawn */
        else
            fprintf(out, "<span><i style=\"background:%s\"></i>", series_colors[s]);
        if (i < k->top_count) {
            fprintf(out, "AS%u ", k->top[i].asn);
            html_text(out, k->top[i].org[0] ? k->top[i].org : "(unknown)");
            fputs(k->top[i].country[0] ? " (" : "", out);
            html_text(out, k->top[i].country);
            fprintf(out, "%s %.0f%%", k->top[i].country[0] ? ")" : "", 100 * k->top[i].share);
            if (k->top[i].proven >= 0 && !data->state_path)
                fprintf(out, ", proven source %lld of %lld", (long long)k->top[i].proven,
                        (long long)k->top[i].lookups);
        } else {
            fputs(data->state_path ? "all queriers" : "other ASNs", out);
        }
        fputs("</span>", out);
    }
    fputs("</p>\n", out);
}

/* Daily lookups, one bar per day, stacked by querier ASN. */
/* A series' name in a hover title: its ASN, or the rest. */
static void series_name(FILE *out, const struct report_key *k, int series)
{
    if (series < (int)k->top_count)
        fprintf(out, "AS%u", k->top[series].asn);
    else
        fputs(k->top_count ? "other ASNs" : "all queriers", out);
}

/* A peaks alert's day and baseline, from its evidence. */
struct peak_mark {
    int64_t day;               /* days since the epoch; -1: none */
    double median;
    int baseline_days;
};

static int64_t day_of_text(const char *text)
{
    int64_t us;
    return text && iso_time_parse_day_or_time(text, &us) ? us / 86400000000LL : -1;
}

/* The peak of a peaks alert on the same key (the entity's charts are drawn once). */
static struct peak_mark peak_of(const struct report_data *data, const struct report_key *k)
{
    struct peak_mark mark = { -1, 0, 0 };
    for (size_t i = 0; i < data->key_count; i++) {
        const struct report_key *p = &data->keys[i];
        struct json_object *day, *median, *days;
        if (strcmp(p->policy, "peaks") || strcmp(p->kind, k->kind) || strcmp(p->name, k->name) ||
            !p->evidence || !json_object_object_get_ex(p->evidence, "day", &day))
            continue;
        mark.day = day_of_text(json_object_get_string(day));
        if (json_object_object_get_ex(p->evidence, "baseline_median", &median))
            mark.median = json_object_get_double(median);
        if (json_object_object_get_ex(p->evidence, "baseline_days", &days))
            mark.baseline_days = json_object_get_int(days);
    }
    return mark;
}

/* The count axis (0, half, top) and a tick at each month's first day. */
static void daily_axes(FILE *out, const struct report_key *k, int days, uint32_t top, double width,
                       double plot)
{
    fprintf(out, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"0\" y2=\"%.0f\" stroke=\"#999\"/>"
                 "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>\n",
            CHART_LEFT - 2, CHART_LEFT - 2, plot, CHART_LEFT - 2, CHART_WIDTH, plot, plot);
    fprintf(out, "<text x=\"0\" y=\"12\">%u</text><text x=\"0\" y=\"%.0f\">%u</text>"
                 "<text x=\"0\" y=\"%.0f\">0</text>\n", top, plot / 2 + 4, top / 2, plot);
    for (int d = 1; d < days && days >= 45; d++) {
        time_t t = (time_t)((int64_t)(k->first_day + d) * 86400);
        struct tm tm;
        gmtime_r(&t, &tm);
        if (tm.tm_mday != 1)
            continue;
        char month[16];
        strftime(month, sizeof month, "%Y-%m", &tm);
        double x = CHART_LEFT + d * width;
        fprintf(out, "<line class=\"tick\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>"
                     "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n",
                x, x, plot, plot + 4, x, plot + 12, month);
    }
}

/* A peaks alert's day outlined, and its baseline's median over the days before it. */
static void daily_peak(FILE *out, const struct report_key *k, const struct peak_mark *mark, int days,
                       uint32_t top, double width, double plot)
{
    int d = (int)(mark->day - k->first_day);
    if (mark->day < 0 || d < 0 || d >= days)
        return;
    char day[32];
    date_text(mark->day * 86400000000LL, day, sizeof day);
    fprintf(out, "<rect class=\"peak-day\" x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%.0f\" fill=\"none\" "
                 "stroke=\"#c0392b\"><title>peak %.10s: %u lookups</title></rect>\n",
            CHART_LEFT + d * width - 1, width + 2, plot, day, day_total(k, d));
    int from = d - (mark->baseline_days > 0 ? mark->baseline_days : 28);
    if (from < 0)
        from = 0;
    double y = plot - plot * mark->median / top;
    fprintf(out, "<line class=\"baseline\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#2c3e50\" "
                 "stroke-dasharray=\"5 3\"><title>baseline: median %.1f lookups a day over the %d days "
                 "before</title></line>\n", CHART_LEFT + from * width, CHART_LEFT + d * width, y, y,
            mark->median, d - from);
}

static void daily_chart(FILE *out, const struct report_key *k, const struct peak_mark *mark)
{
    int days = day_span(k);
    uint32_t peak = 1;
    for (int d = 0; d < days; d++)
        if (day_total(k, d) > peak)
            peak = day_total(k, d);
    double width = (double)(CHART_WIDTH - CHART_LEFT) / days, plot = CHART_HEIGHT - CHART_BOTTOM;
    fprintf(out, "<svg class=\"daily\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"daily lookups\">\n",
            CHART_WIDTH, CHART_HEIGHT);
    daily_axes(out, k, days, peak, width, plot);
    for (int d = 0; d < days; d++) {
        double y = plot;
        for (int s = 0; s < REPORT_SERIES; s++) {
            if (!k->days[d][s])
                continue;
            double h = plot * k->days[d][s] / peak;
            y -= h;
            char day[32];
            date_text(((int64_t)k->first_day + d) * 86400000000LL, day, sizeof day);
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                         "<title>%.10s, ", CHART_LEFT + d * width, y, width > 1.5 ? width - 0.5 : width, h,
                    series_colors[s], day);
            series_name(out, k, s);
            fprintf(out, ": %u lookups</title></rect>\n", k->days[d][s]);
        }
    }
    char first[32], last[32];
    date_text((int64_t)k->first_day * 86400000000LL, first, sizeof first);
    date_text(((int64_t)k->first_day + days - 1) * 86400000000LL, last, sizeof last);
    daily_peak(out, k, mark, days, peak, width, plot);
    fprintf(out, "<text x=\"%d\" y=\"%d\">%.10s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.10s</text>\n",
            CHART_LEFT, CHART_HEIGHT - 1, first, CHART_WIDTH, CHART_HEIGHT - 1, last);
    fputs("</svg>\n", out);
}

/* Lookups per hour of the day (UTC). */
static void hours_chart(FILE *out, const struct report_key *k)
{
    uint32_t peak = 1;
    for (int h = 0; h < 24; h++)
        if (k->hours[h] > peak)
            peak = k->hours[h];
    fprintf(out, "<svg class=\"hours\" width=\"%d\" height=\"110\" role=\"img\" aria-label=\"hour of day\">\n",
            24 * 16 + 10);
    for (int h = 0; h < 24; h++) {
        double height = 80.0 * k->hours[h] / peak;
        fprintf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"13\" height=\"%.1f\" fill=\"#5d6d7e\">"
                     "<title>%02d h UTC: %u lookups</title></rect>", 5 + h * 16, 85 - height, height, h,
                k->hours[h]);
        if (h % 6 == 0)
            fprintf(out, "<text x=\"%d\" y=\"104\">%02d h</text>", 5 + h * 16, h);
    }
    fputs("\n</svg>\n", out);
}

/* A rotation: the old and the new name's daily totals on one axis, the old
 * name's silence and the new name's first sighting marked. */
static void rotation_chart(FILE *out, const struct report_key *new_name, const struct report_key *old)
{
    int32_t start = old->first_day < new_name->first_day ? old->first_day : new_name->first_day;
    int32_t end = old->first_day + day_span(old);
    if (new_name->first_day + day_span(new_name) > end)
        end = new_name->first_day + day_span(new_name);
    int days = end - start > 0 ? end - start : 1;
    uint32_t peak = 1;
    const struct report_key *both[2] = { old, new_name };
    for (int i = 0; i < 2; i++)
        for (int d = 0; d < day_span(both[i]); d++)
            if (day_total(both[i], d) > peak)
                peak = day_total(both[i], d);
    double width = (double)(CHART_WIDTH - CHART_LEFT) / days, plot = CHART_HEIGHT - CHART_BOTTOM;
    fprintf(out, "<svg class=\"rotation\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"rotation\">\n",
            CHART_WIDTH, CHART_HEIGHT);
    static const char *const colors[2] = { "#7f8c8d", "#c0392b" };
    for (int i = 0; i < 2; i++) {
        fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", colors[i]);
        for (int d = 0; d < day_span(both[i]); d++)
            fprintf(out, "%.1f,%.1f ", CHART_LEFT + (both[i]->first_day - start + d + 0.5) * width,
                    plot - plot * day_total(both[i], d) / peak);
        fputs("\"/>\n", out);
    }
    /* the rotation's own evidence says when the old name went quiet; the old
     * name's last alert may be weeks older than that */
    int64_t silence = new_name->predecessor_silenced_us ? new_name->predecessor_silenced_us
                      : old->nxdomain_since_us         ? old->nxdomain_since_us
                                                        : old->last_seen_us;
    char silence_date[32], first_date[32];
    date_text(silence, silence_date, sizeof silence_date);
    date_text(new_name->first_seen_us, first_date, sizeof first_date);
    double silence_x = CHART_LEFT + ((double)silence / 86400e6 - start) * width;
    double first_x = CHART_LEFT + ((double)new_name->first_seen_us / 86400e6 - start) * width;
    fprintf(out, "<line class=\"silence\" x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%.0f\" stroke=\"#7f8c8d\" "
                 "stroke-dasharray=\"4 3\"><title>silence %s</title></line><text x=\"%.1f\" y=\"12\" "
                 "text-anchor=\"end\">silence %.10s &#8594;</text>\n",
            silence_x, silence_x, plot, silence_date, silence_x - 2, silence_date);
    fprintf(out, "<line class=\"first-sighting\" x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%.0f\" stroke=\"#c0392b\" "
                 "stroke-dasharray=\"4 3\"><title>first sighting %s</title></line><text x=\"%.1f\" "
                 "y=\"26\" text-anchor=\"end\">first sighting %.10s &#8594;</text>\n",
            first_x, first_x, plot, first_date, first_x - 2, first_date);
    fputs("</svg>\n<p class=\"legend\"><span><i style=\"background:#7f8c8d\"></i>", out);
    html_text(out, old->name);
    fputs("</span><span><i style=\"background:#c0392b\"></i>", out);
    html_text(out, new_name->name);
    fputs("</span></p>\n", out);
}

/* A row as of the end of the data (report_key_row); corrected lookups and
 * the top ASN are the last alert's. */
static void table_row(FILE *out, size_t rank, const struct report_key *k)
{
    char first[32], last[32];
    struct report_row row;
    report_key_row(k, &row);
    date_text(row.first_us, first, sizeof first);
    date_text(row.last_us, last, sizeof last);
    fprintf(out, "<tr><td>%zu</td><td>%d</td><td>", rank, k->severity);
    html_text(out, k->policy);
    fputs("</td><td>", out);
    html_text(out, k->kind);
    fprintf(out, "</td><td><a href=\"#key-%zu\">", rank);
    html_text(out, k->name);
    fprintf(out, "</a></td><td>%llu</td><td>%llu</td><td>%llu%s</td><td>", (unsigned long long)row.lookups,
            (unsigned long long)k->lookups_corrected, (unsigned long long)row.queriers,
            row.more_queriers ? "+" : "");
    if (k->top_count)
        fprintf(out, "AS%u %.0f%%", k->top[0].asn, 100 * k->top[0].share);
    fputs("</td><td>", out);
    html_text(out, k->related);
    fprintf(out, "</td><td>%s</td><td>%s</td></tr>\n", first, last);
}

/* Most lookups first, then by text: the order of the queriers and siblings tables. */
static int most_lookups_first(uint64_t x, uint64_t y, const char *x_text, const char *y_text)
{
    return x != y ? (x < y ? 1 : -1) : strcmp(x_text, y_text);
}

static int by_lookups(const void *a, const void *b)
{
    const struct report_querier *x = *(const struct report_querier *const *)a;
    const struct report_querier *y = *(const struct report_querier *const *)b;
    return most_lookups_first(x->lookups, y->lookups, x->address, y->address);
}

/* The resolvers that asked, most lookups first, with who owns them. */
static void querier_table(FILE *out, const struct report_key *k)
{
    const struct report_querier *sorted[REPORT_QUERIERS_MAX];
    for (unsigned i = 0; i < k->querier_count; i++)
        sorted[i] = &k->queriers_seen[i];
    qsort(sorted, k->querier_count, sizeof *sorted, by_lookups);
    fputs("<table class=\"queriers\"><tr><th>querier</th><th>AS</th><th>organisation</th>"
          "<th>country</th><th>lookups</th><th>5-minute slots</th><th>first seen</th>"
          "<th>last seen</th></tr>\n", out);
    unsigned shown = k->querier_count < REPORT_QUERIERS_SHOWN ? k->querier_count : REPORT_QUERIERS_SHOWN;
    uint64_t rest = k->other_querier_lookups;
    for (unsigned i = shown; i < k->querier_count; i++)
        rest += sorted[i]->lookups;
    for (unsigned i = 0; i < shown; i++) {
        const struct report_querier *q = sorted[i];
        char first[32], last[32];
        date_text(q->first_us, first, sizeof first);
        date_text(q->last_us, last, sizeof last);
        fputs("<tr><td>", out);
        html_text(out, q->address);
        fputs("</td><td>", out);
        if (q->asn > 0)
            fprintf(out, "AS%lld", (long long)q->asn);
        fputs("</td><td>", out);
        html_text(out, q->org);
        fputs("</td><td>", out);
        html_text(out, q->country);
        fprintf(out, "</td><td>%llu</td><td>%llu</td><td>%s</td><td>%s</td></tr>\n",
                (unsigned long long)q->lookups, (unsigned long long)q->slots, first, last);
    }
    fputs("</table>\n", out);
    if (rest)
        fprintf(out, "<p>Other queriers: %llu lookups.</p>\n", (unsigned long long)rest);
}

/* The policy's own evidence (each policy writes its own members) and the
 * key's answers, as the latest alert gave them. */
static void evidence_list(FILE *out, const struct report_key *k)
{
    if (k->answers[0]) {
        fputs(strcmp(k->kind, "address") ? "<p>Answers: " : "<p>Names: ", out);
        html_text(out, k->answers);
        fputs("</p>\n", out);
    }
    struct json_object *evidence = k->evidence;
    if (evidence && json_object_is_type(evidence, json_type_object) && json_object_object_length(evidence)) {
        fputs("<h3>Evidence</h3>\n<dl class=\"evidence\">", out);
        json_object_object_foreach(evidence, name, value) {
            fputs("<dt>", out);
            html_text(out, name);
            fputs("</dt><dd>", out);
            html_text(out, json_object_is_type(value, json_type_string)
                               ? json_object_get_string(value)
                               : json_object_to_json_string_ext(value, JSON_C_TO_STRING_PLAIN));
            fputs("</dd>", out);
        }
        fputs("</dl>\n", out);
    }
}

static int by_sibling_lookups(const void *a, const void *b)
{
    const struct report_sibling *x = *(const struct report_sibling *const *)a;
    const struct report_sibling *y = *(const struct report_sibling *const *)b;
    return most_lookups_first(x->lookups, y->lookups, x->name, y->name);
}

/* Other names answered into the key's networks, and who asked them. */
static void sibling_table(FILE *out, const struct report_key *k)
{
    const struct report_sibling *sorted[REPORT_SIBLINGS_MAX];
    for (unsigned i = 0; i < k->sibling_count; i++)
        sorted[i] = &k->siblings[i];
    qsort(sorted, k->sibling_count, sizeof *sorted, by_sibling_lookups);
    fputs("<table class=\"siblings\"><tr><th>name</th><th>answered lookups</th><th>ASNs that asked"
          "</th><th>the most</th></tr>\n", out);
    for (unsigned i = 0; i < k->sibling_count; i++) {
        const struct report_sibling *s = sorted[i];
        unsigned asns = 0;
        while (asns < 4 && s->asns[asns])
            asns++;
        fputs("<tr><td>", out);
        html_text(out, s->name);
        fprintf(out, "</td><td>%llu</td><td>%u%s</td><td>", (unsigned long long)s->lookups, asns,
                asns == 4 ? "+" : "");
        if (s->top_asn)
            fprintf(out, "AS%u %.0f%%", s->top_asn, 100.0 * (double)s->top_asn_lookups / (double)s->lookups);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    if (k->other_sibling_lookups)
        fprintf(out, "<p>More names: %llu lookups.</p>\n", (unsigned long long)k->other_sibling_lookups);
}

/* The first and last lookup counted, where they are in the input. */
static void samples(FILE *out, const struct report_key *k)
{
    const struct report_sample *both[2] = { &k->first_sample, &k->last_sample };
    if (!both[0]->file)
        return;
    fputs("<p class=\"samples\">Records: ", out);
    for (int i = 0; i < 2; i++) {
        char when[32];
        date_text(both[i]->time_us, when, sizeof when);
        fputs(i ? "; last <code>" : "first <code>", out);
        html_text(out, both[i]->file);
        fprintf(out, ":%llu</code> (%s UTC", (unsigned long long)both[i]->line, when);
        if (both[i]->flow_id[0]) {
            fputs(", flow_id ", out);
            html_text(out, both[i]->flow_id);
        }
        fputs(")", out);
    }
    fputs(".</p>\n", out);
}

/* Whether a domain's charts would be a name's: the name is under it and
 * every lookup of the domain counted was one of the name's. */
static bool domain_is_its_name(const struct report_key *domain, const struct report_key *name)
{
    size_t length = strlen(name->name), suffix = strlen(domain->name);
    return !strcmp(domain->kind, "domain") && !strcmp(name->kind, "name") && length > suffix &&
           name->name[length - suffix - 1] == '.' && !strcmp(name->name + length - suffix, domain->name) &&
           domain->counted == name->counted && domain->first_day == name->first_day &&
           !memcmp(domain->days, name->days, sizeof domain->days);
}

/* The rank of an earlier section whose charts this one would draw again
 * (another policy's alert on the same key, or a domain's only name); 0:
 * none. */
static size_t drawn_before(const struct report_key *const *ranked, size_t rank)
{
    const struct report_key *k = ranked[rank - 1];
    for (size_t i = 0; i + 1 < rank; i++)
        if ((!strcmp(ranked[i]->kind, k->kind) && !strcmp(ranked[i]->name, k->name)) ||
            domain_is_its_name(k, ranked[i]) || domain_is_its_name(ranked[i], k))
            return i + 1;
    return 0;
}

static void key_section(FILE *out, const struct report_data *data, const struct report_key *const *ranked,
                        size_t rank)
{
    const struct report_key *k = ranked[rank - 1];
    size_t earlier = drawn_before(ranked, rank);
    fprintf(out, "<section id=\"key-%zu\"><h2>%zu. ", rank, rank);
    html_text(out, k->name);
    fputs(" <small>", out);
    html_text(out, k->kind);
    fputs(", ", out);
    html_text(out, k->policy);
    fputs("</small></h2>\n<p>", out);
    html_text(out, k->signature);
    fprintf(out, ". %llu lookups counted in the %s over these days.", (unsigned long long)k->counted,
            data->state_path ? "state's daily series" : "log");
    if (!data->state_path && strcmp(k->kind, "address") != 0) /* what forged packets would add */
        fprintf(out, " Unanswered queries: %llu; responses to no query seen: %llu.",
                (unsigned long long)(k->queries_seen > k->answered_seen ? k->queries_seen - k->answered_seen : 0),
                (unsigned long long)k->unsolicited_seen);
    if (k->proven >= 0)
        fprintf(out, " Proven source (TCP handshake or DNS server cookie): %lld of the last alert's "
                     "%llu lookups.", (long long)k->proven, (unsigned long long)k->lookups);
    fputs("</p>\n", out);
    evidence_list(out, k);
    if (earlier) {
        fprintf(out, "<p class=\"same-key\">Charts, queriers and records: as in <a href=\"#key-%zu\">%zu</a>, "
                     "%s.</p>\n</section>\n", earlier, earlier,
                strcmp(ranked[earlier - 1]->name, k->name) ? "the same lookups" : "the same key");
        return;
    }
    fputs(data->state_path ? "<h3>Daily lookups (all queriers; top ASNs' shares of the window)</h3>\n"
                           : "<h3>Daily lookups by querier ASN</h3>\n", out);
    fputs("<p class=\"legend\">Raw lookups: every answered lookup, repeats of a resolver's cache "
          "included; the table's corrected lookups count one per querier and caching slot.</p>\n", out);
    legend(out, data, k);
    struct peak_mark mark = peak_of(data, k);
    daily_chart(out, k, &mark);
    fputs("<h3>Hour of day (UTC)</h3>\n", out);
    hours_chart(out, k);
    if (k->querier_count) {
        fputs("<h3>Queriers</h3>\n", out);
        querier_table(out, k);
    }
    samples(out, k);
    if ((k->network_count || k->domain[0]) && !data->state_path) {
        fputs("<h3>Other names on the answers' networks (/24, /48)", out);
        if (k->domain[0]) {
            fputs(" or under ", out);
            html_text(out, k->domain);
        }
        fputs("</h3>\n", out);
        if (k->sibling_count)
            sibling_table(out, k);
        else
            fputs("<p>None in the data: no other name was answered with an address there.</p>\n", out);
    }
    const struct report_key *old = k->related[0] && !strcmp(k->policy, "rotation")
                                       ? report_data_find(data, k->related) : NULL;
    if (old) {
        fputs("<h3>Rotation</h3>\n", out);
        rotation_chart(out, k, old);
    }
    fputs("</section>\n", out);
}

/* Where the page's numbers come from. */
static void summary(FILE *out, const struct report_data *data)
{
    if (data->state_path) {
        char clock[32];
        date_text(data->state_clock_us, clock, sizeof clock);
        fprintf(out, "%zu alerted keys: what the policies made of every key of the state ", data->key_count);
        html_text(out, data->state_path);
        fprintf(out, ", evaluated once at its clock, %s UTC. A state keeps each key's lookups per day "
                     "and per hour, not the split of each day by querier ASN, so the daily charts "
                     "show all queriers; the top ASNs' shares cover the whole window.", clock);
        return;
    }
    fprintf(out, "%zu alerted keys from %llu alerts; %llu records read, %llu of them dns%s.", data->key_count,
            (unsigned long long)data->alerts, (unsigned long long)data->records,
            (unsigned long long)data->dns_records,
            data->bad_lines ? " (some lines were too long to read and are left out)" : "");
    if (data->alerts_repeated)
        fprintf(out, " <strong class=\"warning\">The input holds more than one run over the same "
                     "data: %llu alerts were read a second time and are left out; the daily charts "
                     "count every run's records. Write each run to a log directory of its own."
                     "</strong>", (unsigned long long)data->alerts_repeated);
}

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "dev"
#endif

/* What made the page, when, from what. */
static void footer(FILE *out, const struct report_data *data)
{
    char made[32];
    date_text((int64_t)time(NULL) * 1000000, made, sizeof made);
    fprintf(out, "<footer>exclave %s, %s UTC, from ", PACKAGE_VERSION, made);
    if (data->state_path)
        html_text(out, data->state_path);
    for (size_t i = 0; !data->state_path && data->file_names && data->file_names[i]; i++) {
        fputs(i ? ", " : "", out);
        html_text(out, data->file_names[i]);
    }
    fputs(". Enrichment (AS, organisation, country) as the records carry it.</footer>\n", out);
}

bool report_html_write(const struct report_data *data, const char *title, FILE *out)
{
    const struct report_key **ranked = malloc((data->key_count + 1) * sizeof *ranked);
    if (!ranked)
        return false;
    report_data_rank(data, ranked);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>", out);
    html_text(out, title);
    fputs("</title>\n<style>body{font:14px sans-serif;margin:2em;color:#222}.warning{color:#a00}"
          "footer{margin-top:2em;color:#666;font-size:12px}"
          "dl.evidence{display:grid;grid-template-columns:max-content auto;gap:2px 12px}"
          "dl.evidence dd{margin:0}"
          "@media (max-width:760px){body{margin:.5em}table,section{display:block;overflow-x:auto}}"
          "table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}svg text{font:11px sans-serif}"
          ".legend span{margin-right:1.5em}.legend i{display:inline-block;width:10px;height:10px;"
          "margin-right:4px}section{margin-top:2.5em}</style></head><body>\n<h1>", out);
    html_text(out, title);
    fputs("</h1>\n<p>", out);
    summary(out, data);
    fputs(" Evidence, not verdicts: benign explanations (anti-spam checks, resolver caching, stale "
          "records) are not ruled out by any of this.</p>\n", out);
    fputs("<table><tr><th>rank</th><th>sev</th><th>policy</th><th>kind</th><th>key</th><th>lookups</th>"
          "<th>corrected (last alert)</th><th>queriers</th><th>top ASN (last alert)</th><th>related</th>"
          "<th>first seen</th><th>last seen</th></tr>\n", out);
    for (size_t i = 0; i < data->key_count; i++)
        table_row(out, i + 1, ranked[i]);
    fputs("</table>\n", out);
    if (!data->state_path)
        fputs("<p class=\"legend\">Lookups, queriers and first and last seen are counted from the "
              "records to the end of the data; corrected lookups and the top ASN are the last "
              "alert's.</p>\n", out);
    for (size_t i = 0; i < data->key_count; i++)
        key_section(out, data, ranked, i + 1);
    footer(out, data);
    fputs("</body></html>\n", out);
    free(ranked);
    return !ferror(out);
}
