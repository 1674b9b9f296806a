/* geoip: libmaxminddb lookups with a direct-mapped cache in front. The cache
 * holds offsets into the mapped ASN file, so it is emptied whenever a
 * database is swapped. Must not allocate per lookup. */
#include "geoip/geoip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/hash.h"

/* The file's identity now; all zero when it cannot be read. */
static struct geoip_file_identity file_identity(const char *path)
{
    struct geoip_file_identity id = { 0 };
    struct stat st;
    if (stat(path, &st) == 0) {
        id.device = st.st_dev;
        id.inode = st.st_ino;
        id.size = st.st_size;
        id.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    return id;
}

static bool same_identity(const struct geoip_file_identity *a, const struct geoip_file_identity *b)
{
    return a->device == b->device && a->inode == b->inode && a->mtime_ns == b->mtime_ns &&
           a->size == b->size;
}

static bool database_open(struct geoip_database *db, const char *path, char *error, size_t size)
{
    memset(db, 0, sizeof *db);
    snprintf(db->path, sizeof db->path, "%s", path);
    int status = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
    if (status != MMDB_SUCCESS) {
        snprintf(error, size, "%s: cannot open MaxMind database: %s%s%s", path,
                 MMDB_strerror(status), status == MMDB_IO_ERROR ? ": " : "",
                 status == MMDB_IO_ERROR ? strerror(errno) : "");
        return false;
    }
    db->open = true;
    db->identity = file_identity(path);
    return true;
}

static void database_close(struct geoip *geoip, struct geoip_database *db)
{
    if (db->open && !geoip->is_view)
        MMDB_close(&db->mmdb);
    db->open = false;
}

bool geoip_open(struct geoip *geoip, const char *asn_path, const char *country_path, char *error,
                size_t error_size)
{
    memset(geoip, 0, sizeof *geoip);
    geoip->cache = &geoip->own_cache;
    if (!geoip_cache_init(geoip->cache)) {
        snprintf(error, error_size, "out of memory for the GeoIP cache");
        return false;
    }
    if (asn_path && *asn_path && !database_open(&geoip->asn_db, asn_path, error, error_size))
        goto fail;
    if (country_path && *country_path &&
        !database_open(&geoip->country_db, country_path, error, error_size))
        goto fail;
    return true;
fail:
    geoip_close(geoip);
    return false;
}

void geoip_close(struct geoip *geoip)
{
    database_close(geoip, &geoip->asn_db);
    database_close(geoip, &geoip->country_db);
    if (!geoip->is_view)
        geoip_cache_free(&geoip->own_cache);
    geoip->cache = NULL;
}

void geoip_open_view(struct geoip *view, const struct geoip *owner)
{
    memset(view, 0, sizeof *view);
    view->asn_db = owner->asn_db; /* libmaxminddb only reads a handle while it looks up */
    view->country_db = owner->country_db;
    view->cache = owner->cache;
    view->is_view = true;
}

bool geoip_enabled(const struct geoip *geoip)
{
    return geoip->asn_db.open || geoip->country_db.open;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Writes dir/name into out if that file exists and out is still empty. */
static void pick_first(const char *dir, const char *const names[], char *out, size_t size)
{
    for (int i = 0; names[i] && !*out; i++) {
        snprintf(out, size, "%s/%s", dir, names[i]);
        if (!file_exists(out))
            *out = '\0';
    }
}

void geoip_find_in_dir(const char *dir, char *asn_path, char *country_path, size_t size)
{
    static const char *const asn_names[] = {
        "GeoLite2-ASN.mmdb", "GeoIP2-ASN.mmdb", "exclave-ASN.mmdb", NULL,
    };
    static const char *const country_names[] = {
        "GeoLite2-Country.mmdb", "GeoIP2-Country.mmdb", "GeoLite2-City.mmdb", "GeoIP2-City.mmdb",
        "exclave-Country.mmdb", NULL,
    };
    pick_first(dir, asn_names, asn_path, size);
    pick_first(dir, country_names, country_path, size);
}

bool geoip_find_default(char *asn_path, char *country_path, size_t size)
{
    static const char *const dirs[] = { "/usr/share/GeoIP", "/var/lib/GeoIP",
                                        "/usr/local/share/GeoIP", NULL };
    *asn_path = *country_path = '\0';
    for (int i = 0; dirs[i]; i++)
        geoip_find_in_dir(dirs[i], asn_path, country_path, size);
    return *asn_path || *country_path;
}

static MMDB_lookup_result_s database_lookup(struct geoip *geoip, struct geoip_database *db,
                                            const struct ip_address *address)
{
    struct sockaddr_storage storage;
    memset(&storage, 0, sizeof storage);
    if (address->family == 4) {
        struct sockaddr_in *v4 = (struct sockaddr_in *)&storage;
        v4->sin_family = AF_INET;
        memcpy(&v4->sin_addr, address->bytes, 4);
    } else {
        struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&storage;
        v6->sin6_family = AF_INET6;
        memcpy(&v6->sin6_addr, address->bytes, 16);
    }
    int error = MMDB_SUCCESS;
    MMDB_lookup_result_s found = MMDB_lookup_sockaddr(&db->mmdb, (struct sockaddr *)&storage, &error);
    if (error != MMDB_SUCCESS) {
        geoip->counters.lookup_errors++;
        found.found_entry = false;
        found.netmask = 128; /* holds for this address alone */
    }
    return found;
}

static bool get_value(MMDB_entry_s *entry, MMDB_entry_data_s *data, uint32_t type,
                      const char *const *path)
{
    return MMDB_aget_value(entry, data, path) == MMDB_SUCCESS && data->has_data &&
           data->type == type;
}

/* The leading bits of the address that the database's answer holds for:
 * the network its search ended in, found or not (in an IPv6 tree an IPv4
 * address starts 96 bits down). */
static unsigned answer_bits(const struct geoip_database *db, const struct ip_address *address,
                            const MMDB_lookup_result_s *found)
{
    int total = address->family == 4 ? 32 : 128;
    int bits = found->netmask;
    if (address->family == 4 && db->mmdb.metadata.ip_version == 6)
        bits -= 96;
    return (unsigned)(bits < 0 ? 0 : bits > total ? total : bits);
}

/* Returns answer_bits. */
static unsigned lookup_asn(struct geoip *geoip, const struct ip_address *address,
                           struct geoip_result *result)
{
    MMDB_lookup_result_s found = database_lookup(geoip, &geoip->asn_db, address);
    unsigned bits = answer_bits(&geoip->asn_db, address, &found);
    if (!found.found_entry)
        return bits;
    static const char *const number_path[] = { "autonomous_system_number", NULL };
    static const char *const org_path[] = { "autonomous_system_organization", NULL };
    MMDB_entry_data_s data;
    if (get_value(&found.entry, &data, MMDB_DATA_TYPE_UINT32, number_path))
        result->asn = data.uint32;
    if (get_value(&found.entry, &data, MMDB_DATA_TYPE_UTF8_STRING, org_path)) {
        result->org = data.utf8_string;
        result->org_length = data.data_size;
    }
    return bits;
}

/* Returns answer_bits. */
static unsigned lookup_country(struct geoip *geoip, const struct ip_address *address,
                               struct geoip_result *result)
{
    MMDB_lookup_result_s found = database_lookup(geoip, &geoip->country_db, address);
    unsigned bits = answer_bits(&geoip->country_db, address, &found);
    if (!found.found_entry)
        return bits;
    static const char *const nested[] = { "country", "iso_code", NULL };
    static const char *const registered[] = { "registered_country", "iso_code", NULL };
    static const char *const flat[] = { "country_code", NULL };
    static const char *const *const layouts[] = { nested, registered, flat };
    enum { LAYOUTS = sizeof layouts / sizeof layouts[0] };
    MMDB_entry_data_s data;
    for (unsigned tried = 0; tried < LAYOUTS; tried++) {
        unsigned i = (geoip->country_layout + tried) % LAYOUTS; /* a file keeps to one layout */
        if (get_value(&found.entry, &data, MMDB_DATA_TYPE_UTF8_STRING, layouts[i]) &&
            data.data_size == 2) {
            memcpy(result->country, data.utf8_string, 2);
            result->country[2] = '\0';
            geoip->country_layout = (uint8_t)i;
            return bits;
        }
    }
    return bits;
}

static void cached_to_result(const struct geoip *geoip, const struct geoip_cached *cached,
                             struct geoip_result *result)
{
    result->asn = cached->asn;
    result->org_length = cached->org_length;
    result->org = cached->org_length
                      ? (const char *)geoip->asn_db.mmdb.file_content + cached->org_offset
                      : NULL;
    result->country[0] = cached->country[0];
    result->country[1] = cached->country[1];
    result->country[2] = '\0';
}

static void result_to_cached(const struct geoip *geoip, const struct geoip_result *result,
                             struct geoip_cached *cached)
{
    cached->asn = result->asn;
    bool org_cached = result->org && result->org_length <= UINT16_MAX;
    cached->org_length = org_cached ? (uint16_t)result->org_length : 0;
    cached->org_offset = org_cached ? (uint32_t)((const uint8_t *)result->org -
                                                 geoip->asn_db.mmdb.file_content)
                                    : 0;
    memcpy(cached->country, result->country, 2);
}

void geoip_prefetch(const struct geoip *geoip, const struct ip_address *address)
{
    geoip_cache_prefetch(geoip->cache, address, GEOIP_CACHE_NETWORK); /* where most are found */
}

/* Both databases' answers, and the span of addresses they hold for: the
 * address's whole /24 or /48 when each answer's network covers it. */
static enum geoip_cache_span look_up_databases(struct geoip *geoip, const struct ip_address *address,
                                               struct geoip_result *result)
{
    memset(result, 0, sizeof *result);
    unsigned bits = 0;
    if (geoip->asn_db.open)
        bits = lookup_asn(geoip, address, result);
    if (geoip->country_db.open) {
        unsigned country_bits = lookup_country(geoip, address, result);
        bits = country_bits > bits ? country_bits : bits;
    }
    unsigned network = address->family == 4 ? GEOIP_CACHE_NETWORK_V4 : GEOIP_CACHE_NETWORK_V6;
    return bits <= network ? GEOIP_CACHE_NETWORK : GEOIP_CACHE_ADDRESS;
}

void geoip_lookup(struct geoip *geoip, const struct ip_address *address,
                  struct geoip_result *result)
{
    geoip->counters.lookups++;
    struct geoip_cached cached;
    if (geoip_cache_get(geoip->cache, address, GEOIP_CACHE_NETWORK, &cached) ||
        geoip_cache_get(geoip->cache, address, GEOIP_CACHE_ADDRESS, &cached)) {
        geoip->counters.cache_hits++;
        cached_to_result(geoip, &cached, result);
    } else {
        enum geoip_cache_span span = look_up_databases(geoip, address, result);
        result_to_cached(geoip, result, &cached);
        geoip_cache_put(geoip->cache, address, span, &cached);
    }
    geoip->counters.no_asn += geoip->asn_db.open && !result->asn;
    geoip->counters.no_country += geoip->country_db.open && !result->country[0];
}

static bool database_changed(const struct geoip_database *db)
{
    struct geoip_file_identity now = file_identity(db->path);
    return !same_identity(&now, &db->identity);
}

/* Opens the file again beside the old mapping and swaps on success. */
static bool database_reopen(struct geoip *geoip, struct geoip_database *db, char *error,
                            size_t size)
{
    struct geoip_database fresh;
    char path[GEOIP_PATH_MAX];
    snprintf(path, sizeof path, "%s", db->path);
    if (!database_open(&fresh, path, error, size)) {
        db->identity = file_identity(path); /* no retry until the file changes again */
        geoip->counters.reload_failures++;
        return false;
    }
    database_close(geoip, db);
    *db = fresh;
    geoip_cache_clear(geoip->cache);
    geoip->counters.reloads++;
    return true;
}

bool geoip_reload(struct geoip *geoip, bool force, char *error, size_t error_size)
{
    bool ok = true;
    struct geoip_database *dbs[] = { &geoip->asn_db, &geoip->country_db };
    if (geoip->is_view)
        return true;
    for (int i = 0; i < 2; i++) {
        if (!dbs[i]->open || !(force || database_changed(dbs[i])))
            continue;
        if (!database_reopen(geoip, dbs[i], error, error_size))
            ok = false;
    }
    return ok;
}

bool geoip_open_chosen(struct geoip *geoip, const char *dir, const char *asn_file,
                       const char *country_file, bool *none_found, char *error, size_t error_size)
{
    char asn[GEOIP_PATH_MAX] = "", country[GEOIP_PATH_MAX] = "";
    *none_found = false;
    if (dir) {
        geoip_find_in_dir(dir, asn, country, sizeof asn);
        if (!*asn && !*country) {
            snprintf(error, error_size, "%s: no GeoLite2-ASN.mmdb, GeoLite2-Country.mmdb, "
                                        "GeoLite2-City.mmdb or exclave-ASN.mmdb there", dir);
            return false;
        }
    }
    if (asn_file)
        snprintf(asn, sizeof asn, "%s", asn_file);
    if (country_file)
        snprintf(country, sizeof country, "%s", country_file);
    if (!dir && !asn_file && !country_file)
        *none_found = !geoip_find_default(asn, country, sizeof asn);
    return geoip_open(geoip, asn, country, error, error_size);
}
