/* Unit tests of geoip against real .mmdb files built from the demo CSV by
 * geoip/build-mmdb.pl (nested and flat country layouts): lookups, the cache,
 * unknown addresses, errors that name the file, and reopening a changed file. */
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
    test_errors_name_the_file();
    test_reload_on_change();
    char command[600];
    snprintf(command, sizeof command, "rm -rf %s", work);
    if (system(command) != 0)
        fprintf(stderr, "unit-geoip: could not remove %s\n", work);
    return unit_finish("unit-geoip");
}
