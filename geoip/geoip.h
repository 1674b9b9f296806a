/* geoip: ASN, AS organisation and country of an address, from MaxMind DB
 * files via libmaxminddb, behind a cache of addresses and of the /24 and /48
 * networks the databases answer alike for. Understands MaxMind's nested
 * layout (country.iso_code, registered_country.iso_code) and flat ones
 * ({"country_code": "RU"}) used by DB-IP, IPinfo and ip-location-db. Reopens
 * the files when they change. Threads that share the databases each use a
 * view of one geoip: its mapping and cache, their own counters. It knows
 * nothing about DNS or output. */
#ifndef EXCLAVE_GEOIP_H
#define EXCLAVE_GEOIP_H

#include <maxminddb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ip_address.h"
#include "geoip/geoip_cache.h"

enum { GEOIP_PATH_MAX = 4096, GEOIP_ERROR_MAX = 4096 + 256 };

/* What is known about one address. org points into the mapped database: it
 * stays valid until the next geoip_reload(). */
struct geoip_result {
    uint32_t asn;              /* 0 when unknown */
    uint32_t org_length;
    const char *org;           /* not NUL-terminated; NULL when unknown */
    char country[3];           /* ISO 3166 alpha-2, "" when unknown */
};

/* What tells that a file was replaced or rewritten. */
struct geoip_file_identity {
    dev_t device;
    ino_t inode;
    int64_t mtime_ns;
    off_t size;
};

struct geoip_database {
    bool open;
    char path[GEOIP_PATH_MAX];
    struct geoip_file_identity identity;
    MMDB_s mmdb;
};

struct geoip_counters {
    uint64_t lookups;
    uint64_t cache_hits;
    uint64_t lookup_errors;    /* libmaxminddb errors on lookup (corrupt tree or data) */
    uint64_t no_asn;           /* lookups the open ASN database has no AS for */
    uint64_t no_country;       /* lookups the open country database has no country for */
    uint64_t reloads;
    uint64_t reload_failures;
};

struct geoip {
    struct geoip_database asn_db, country_db; /* a view's are copies of its owner's handles */
    struct geoip_cache own_cache;
    struct geoip_cache *cache;  /* &own_cache, or the owner's */
    bool is_view;               /* the databases and the cache are another geoip's */
    uint8_t country_layout;     /* the country layout that answered last: tried first */
    struct geoip_counters counters;
};

/* Opens either or both databases (NULL or "" skips one). On failure returns
 * false and writes a message naming the file into error. */
bool geoip_open(struct geoip *geoip, const char *asn_path, const char *country_path, char *error,
                size_t error_size);
void geoip_close(struct geoip *geoip);

/* A view of owner for another thread: the same databases and cache (safe
 * to use from several threads at once), counters of its own. The owner
 * must outlive its views and is never reloaded while they exist; a view
 * itself never reloads, and closing it frees nothing of the owner's. */
void geoip_open_view(struct geoip *view, const struct geoip *owner);

/* Finds GeoLite2/GeoIP2 ASN and Country (or City) databases in dir. Either
 * output may be left empty when no file is there. */
void geoip_find_in_dir(const char *dir, char *asn_path, char *country_path, size_t size);

/* The default search path, like Zeek's: /usr/share/GeoIP, /var/lib/GeoIP,
 * /usr/local/share/GeoIP. Returns true when at least one database was found. */
bool geoip_find_default(char *asn_path, char *country_path, size_t size);

/* How the command line and the plugin's yaml choose databases: a directory
 * (its GeoLite2/GeoIP2 files), and files that override it; with none of the
 * three, the default search path. Opens them. *none_found is set when the
 * default path held nothing (the caller warns that records go unenriched).
 * False with a message when a named directory holds no database or a file
 * does not open. */
bool geoip_open_chosen(struct geoip *geoip, const char *dir, const char *asn_file,
                       const char *country_file, bool *none_found, char *error, size_t error_size);

void geoip_lookup(struct geoip *geoip, const struct ip_address *address,
                  struct geoip_result *result);

/* Tells the cache that address will be looked up soon: a caller with
 * several addresses to look up waits on memory once, not for each. */
void geoip_prefetch(const struct geoip *geoip, const struct ip_address *address);

/* Reopens a database whose file changed (or all, when force). Events are not
 * dropped: the old mapping serves until the new one opened. Returns false and
 * fills error if a reopen failed (the old database stays in use). A view
 * does nothing here. */
bool geoip_reload(struct geoip *geoip, bool force, char *error, size_t error_size);

bool geoip_enabled(const struct geoip *geoip);

#endif
