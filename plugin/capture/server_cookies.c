/* server_cookies: a fingerprint per (client, server, cookie); a false match
 * needs a 64-bit collision. */
#include "capture/server_cookies.h"

#include <stdlib.h>
#include <string.h>

#include "base/hash.h"

bool server_cookies_init(struct server_cookies *cookies)
{
    cookies->fingerprints = calloc((size_t)SERVER_COOKIE_SETS * SERVER_COOKIE_WAYS, sizeof(uint64_t));
    return cookies->fingerprints != NULL;
}

void server_cookies_free(struct server_cookies *cookies)
{
    free(cookies->fingerprints);
    cookies->fingerprints = NULL;
}

static uint64_t fingerprint(const struct ip_address *client, const struct ip_address *server,
                            const uint8_t *cookie, size_t length)
{
    uint64_t h = hash_bytes(client, sizeof *client, 0x636f6f6b);
    h = hash_bytes(server, sizeof *server, h);
    return hash_bytes(cookie, length, h) | 1;
}

static uint64_t *set_of(const struct server_cookies *cookies, uint64_t fp)
{
    return &cookies->fingerprints[(size_t)((fp >> 17) % SERVER_COOKIE_SETS) * SERVER_COOKIE_WAYS];
}

void server_cookies_handed(struct server_cookies *cookies, const struct ip_address *client,
                           const struct ip_address *server, const uint8_t *cookie, size_t length)
{
    uint64_t fp = fingerprint(client, server, cookie, length), *set = set_of(cookies, fp);
    unsigned way = 0;
    while (way < SERVER_COOKIE_WAYS - 1 && set[way] != fp)
        way++;
    memmove(set + 1, set, way * sizeof *set); /* the newest first; the oldest falls off */
    set[0] = fp;
}

bool server_cookies_echoed(const struct server_cookies *cookies, const struct ip_address *client,
                           const struct ip_address *server, const uint8_t *cookie, size_t length)
{
    uint64_t fp = fingerprint(client, server, cookie, length);
    const uint64_t *set = set_of(cookies, fp);
    for (unsigned way = 0; way < SERVER_COOKIE_WAYS; way++)
        if (set[way] == fp)
            return true;
    return false;
}
