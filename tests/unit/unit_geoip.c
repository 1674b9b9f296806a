/* Unit tests of geoip against real .mmdb files built from the demo CSV by
 * geoip/build-mmdb.pl (nested and flat country layouts): lookups, the cache
 * (of addresses, and of the networks the databases answer alike for),
 * unknown addresses, errors that name the file, reopening a changed file,
 * and views that threads use at once (tools/tsan runs this under
 * ThreadSanitizer). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "geoip/geoip.h"
#include "unit.h"

static char work[512];

static void build(const char *csv_text, const char *asn, const char *country, bool flat)
{
    char csv[600], command[4096];
    snprintf(csv, sizeof csv, "%s/in.csv", work);
    FILE *f = fopen(csv, "w");
    fputs(csv_text, f);
    fclose(f);
    snprintf(command, sizeof command, "%s %s/geoip/build-mmdb.pl --csv %s%s%s%s%s%s",
             getenv("PERL") ? getenv("PERL") : "perl", getenv("top_srcdir"), csv,
             asn ? " --asn " : "", asn ? asn : "", country ? " --country " : "",
             country ? country : "", flat ? " --flat-country" : "");
    CHECK(system(command) == 0);
}

static struct geoip_result lookup(struct geoip *g, const char *text)
{
    struct ip_address a;
    struct geoip_result r;
    CHECK(ip_address_parse(text, &a));
    geoip_lookup(g, &a, &r);
    return r;
}

static void test_nested_and_flat(void)
{
    static const char csv[] = "network,asn,org,country\n"
                              "203.0.113.0/26,15632,\"JSC \"\"Alfa\"\"\",RU\n"
                              "2001:db8:a1fa::/48,15632,,RU\n"
                              "192.0.2.0/24,64497,Host,\n";
    char asn[600], nested[600], flat[600], error[GEOIP_ERROR_MAX];
    snprintf(asn, sizeof asn, "%s/asn.mmdb", work);
    snprintf(nested, sizeof nested, "%s/nested.mmdb", work);
    snprintf(flat, sizeof flat, "%s/flat.mmdb", work);
    build(csv, asn, nested, false);
    build(csv, NULL, flat, true);
    const char *countries[] = { nested, flat };
    for (int i = 0; i < 2; i++) {
        struct geoip g;
        CHECK(geoip_open(&g, asn, countries[i], error, sizeof error));
        struct geoip_result r = lookup(&g, "203.0.113.10");
        CHECK(r.asn == 15632 && strcmp(r.country, "RU") == 0);
        CHECK_TEXT(r.org, r.org_length, "JSC \"Alfa\"");
        r = lookup(&g, "203.0.113.10"); /* from the cache */
        CHECK(g.counters.cache_hits == 1 && r.asn == 15632);
        r = lookup(&g, "2001:db8:a1fa::1");
        CHECK(r.asn == 15632 && r.org == NULL && strcmp(r.country, "RU") == 0);
        r = lookup(&g, "192.0.2.9");
        CHECK(r.asn == 64497 && r.country[0] == '\0');
        r = lookup(&g, "8.8.4.4");
        CHECK(r.asn == 0 && r.org == NULL && r.country[0] == '\0');
        geoip_close(&g);
    }
}

/* An answer is cached for the address's whole /24 (/48) only when both
 * databases' networks cover it: a neighbour in a smaller network, or in
 * the other database's smaller network, gets its own answer. */
static void test_network_entries(void)
{
    char asn[600], country[600], error[GEOIP_ERROR_MAX];
    snprintf(asn, sizeof asn, "%s/span-asn.mmdb", work);
    snprintf(country, sizeof country, "%s/span-country.mmdb", work);
    build("network,asn,org,country\n198.51.0.0/16,3,Wide,\n203.0.113.0/26,15632,Alfa,\n"
          "203.0.113.64/26,2,Two,\n2001:db8:a1fa::/48,15632,Alfa,\n",
          asn, NULL, false);
    build("network,asn,org,country\n198.51.100.0/25,1,,RU\n198.51.100.128/25,1,,US\n"
          "198.51.7.0/24,1,,DE\n203.0.113.0/24,1,,RU\n2001:db8:a1fa::/48,1,,RU\n",
          NULL, country, false);
    struct geoip g;
    CHECK(geoip_open(&g, asn, country, error, sizeof error));
    struct geoip_result r = lookup(&g, "198.51.7.1");
    CHECK(r.asn == 3 && strcmp(r.country, "DE") == 0 && g.counters.cache_hits == 0);
    r = lookup(&g, "198.51.7.250"); /* the same /24 in both: one entry */
    CHECK(r.asn == 3 && strcmp(r.country, "DE") == 0 && g.counters.cache_hits == 1);
    CHECK_TEXT(r.org, r.org_length, "Wide");
    r = lookup(&g, "198.51.100.1"); /* the country's /25 */
    CHECK(r.asn == 3 && strcmp(r.country, "RU") == 0);
    r = lookup(&g, "198.51.100.200");
    CHECK(r.asn == 3 && strcmp(r.country, "US") == 0 && g.counters.cache_hits == 1);
    r = lookup(&g, "203.0.113.10"); /* the ASN's /26 */
    CHECK(r.asn == 15632);
    r = lookup(&g, "203.0.113.70");
    CHECK(r.asn == 2 && strcmp(r.country, "RU") == 0);
    r = lookup(&g, "203.0.113.200"); /* in no AS */
    CHECK(r.asn == 0 && r.org == NULL && strcmp(r.country, "RU") == 0 && g.counters.cache_hits == 1);
    r = lookup(&g, "203.0.113.10"); /* its own entry */
    CHECK(r.asn == 15632 && g.counters.cache_hits == 2);
    r = lookup(&g, "8.8.4.4"); /* in neither: a wide empty network */
    r = lookup(&g, "8.8.4.5");
    CHECK(r.asn == 0 && r.country[0] == '\0' && g.counters.cache_hits == 3);
    r = lookup(&g, "2001:db8:a1fa::1");
    r = lookup(&g, "2001:db8:a1fa:77::1");
    CHECK(r.asn == 15632 && strcmp(r.country, "RU") == 0 && g.counters.cache_hits == 4);
    geoip_close(&g);
}

static void test_errors_name_the_file(void)
{
    char path[600], error[GEOIP_ERROR_MAX];
    struct geoip g;
    snprintf(path, sizeof path, "%s/missing.mmdb", work);
    CHECK(!geoip_open(&g, path, NULL, error, sizeof error));
    CHECK(strstr(error, path) != NULL);
    snprintf(path, sizeof path, "%s/garbage.mmdb", work);
    FILE *f = fopen(path, "w");
    fputs("this is not a MaxMind database", f);
    fclose(f);
    CHECK(!geoip_open(&g, NULL, path, error, sizeof error));
    CHECK(strstr(error, path) != NULL && strstr(error, "MaxMind") != NULL);
}

static void test_reload_on_change(void)
{
    char asn[600], error[GEOIP_ERROR_MAX];
    snprintf(asn, sizeof asn, "%s/reload.mmdb", work);
    build("192.0.2.0/24,1,One,\n", asn, NULL, false);
    struct geoip g;
    CHECK(geoip_open(&g, asn, NULL, error, sizeof error));
    CHECK(lookup(&g, "192.0.2.1").asn == 1);
    CHECK(geoip_reload(&g, false, error, sizeof error) && g.counters.reloads == 0);
    build("192.0.2.0/24,2,Two,\n", asn, NULL, false); /* written aside, renamed over */
    CHECK(geoip_reload(&g, false, error, sizeof error) && g.counters.reloads == 1);
    CHECK(lookup(&g, "192.0.2.1").asn == 2); /* cache was flushed */
    char broken[620];                         /* a broken file renamed over it: keep the old */
    snprintf(broken, sizeof broken, "%s.new", asn);
    FILE *f = fopen(broken, "w");
    fputs("broken", f);
    fclose(f);
    CHECK(rename(broken, asn) == 0);
    CHECK(!geoip_reload(&g, true, error, sizeof error));
    CHECK(g.counters.reload_failures == 1 && lookup(&g, "192.0.2.1").asn == 2);
    geoip_close(&g);
}

/* Threads that look up through views of one geoip at once, each address
 * by every thread, all find what the owner alone finds; a view's cache hit
 * is counted by the view, and closing views leaves the owner working. */
enum { VIEW_THREADS = 4, VIEW_ADDRESSES = 64, VIEW_ROUNDS = 200 };

struct view_job {
    struct geoip view;
    const struct geoip_result *expected;
    unsigned wrong;
};

static struct ip_address view_address(unsigned i)
{
    struct ip_address a;
    char text[32];
    snprintf(text, sizeof text, "%s.%u", i % 2 ? "203.0.113" : "192.0.2", i);
    ip_address_parse(text, &a);
    return a;
}

static void *look_up_through_view(void *arg)
{
    struct view_job *job = arg;
    for (unsigned round = 0; round < VIEW_ROUNDS; round++)
        for (unsigned i = 0; i < VIEW_ADDRESSES; i++) {
            struct ip_address a = view_address((i * 7 + round) % VIEW_ADDRESSES);
            struct geoip_result r;
            geoip_lookup(&job->view, &a, &r);
            const struct geoip_result *e = &job->expected[(i * 7 + round) % VIEW_ADDRESSES];
            bool same_org = r.org_length == e->org_length &&
                            (!r.org || memcmp(r.org, e->org, r.org_length) == 0);
            job->wrong += r.asn != e->asn || strcmp(r.country, e->country) != 0 || !same_org;
        }
    return NULL;
}

static void test_views_share_one_cache(void)
{
    char asn[600], country[600], error[GEOIP_ERROR_MAX];
    snprintf(asn, sizeof asn, "%s/views-asn.mmdb", work);
    snprintf(country, sizeof country, "%s/views-country.mmdb", work);
    build("network,asn,org,country\n203.0.113.0/24,15632,Alfa,RU\n192.0.2.0/25,64497,Host,US\n",
          asn, country, false);
    struct geoip owner, alone;
    CHECK(geoip_open(&owner, asn, country, error, sizeof error));
    CHECK(geoip_open(&alone, asn, country, error, sizeof error));
    struct geoip_result expected[VIEW_ADDRESSES];
    for (unsigned i = 0; i < VIEW_ADDRESSES; i++) {
        struct ip_address a = view_address(i);
        geoip_lookup(&alone, &a, &expected[i]);
    }
    CHECK(expected[1].asn == 15632 && strcmp(expected[1].country, "RU") == 0);
    CHECK(expected[2].asn == 64497 && expected[VIEW_ADDRESSES - 2].asn == 64497);
    struct view_job jobs[VIEW_THREADS];
    pthread_t threads[VIEW_THREADS];
    for (int t = 0; t < VIEW_THREADS; t++) {
        jobs[t] = (struct view_job){ .expected = expected };
        geoip_open_view(&jobs[t].view, &owner);
        CHECK(pthread_create(&threads[t], NULL, look_up_through_view, &jobs[t]) == 0);
    }
    uint64_t hits = 0;
    for (int t = 0; t < VIEW_THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(jobs[t].wrong == 0);
        CHECK(jobs[t].view.counters.lookups == VIEW_ADDRESSES * VIEW_ROUNDS);
        hits += jobs[t].view.counters.cache_hits;
        geoip_close(&jobs[t].view);
    }
    /* 64 addresses in a cache of 2^18 slots: all but the first lookups hit */
    CHECK(hits >= (uint64_t)VIEW_THREADS * VIEW_ADDRESSES * VIEW_ROUNDS - 2 * VIEW_ADDRESSES * VIEW_THREADS);
    CHECK(owner.counters.lookups == 0);
    struct ip_address a = view_address(1);
    struct geoip_result r;
    geoip_lookup(&owner, &a, &r); /* cached by the views */
    CHECK(r.asn == 15632 && owner.counters.cache_hits == 1);
    CHECK_TEXT(r.org, r.org_length, "Alfa");
    geoip_close(&owner);
    geoip_close(&alone);
}

int main(void)
{
    if (!getenv("top_srcdir")) {
        fprintf(stderr, "unit-geoip: run through make check (needs top_srcdir)\n");
        return 77;
    }
    snprintf(work, sizeof work, "/tmp/exclave-unit-geoip-XXXXXX");
    if (!mkdtemp(work))
        return 99;
    test_nested_and_flat();
    test_network_entries();
    test_errors_name_the_file();
    test_reload_on_change();
    test_views_share_one_cache();
    char command[600];
    snprintf(command, sizeof command, "rm -rf %s", work);
    if (system(command) != 0)
        fprintf(stderr, "unit-geoip: could not remove %s\n", work);
    return unit_finish("unit-geoip");
}
