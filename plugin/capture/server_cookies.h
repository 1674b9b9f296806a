/* server_cookies: which DNS server cookies (RFC 7873) a server handed to
 * which client address. A response that answers a query seen leaves its
 * server cookie here for (client, server); a later query from that client
 * that echoes it proves the client received that response at its address,
 * which a blind forger of its source cannot. Fixed memory: a
 * set-associative table of fingerprints, oldest replaced; never allocates
 * after init. It decodes nothing. */
#ifndef EXCLAVE_SERVER_COOKIES_H
#define EXCLAVE_SERVER_COOKIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ip_address.h"

enum { SERVER_COOKIE_SETS = 1 << 15, SERVER_COOKIE_WAYS = 4 };

struct server_cookies {
    uint64_t *fingerprints;    /* SETS * WAYS, 0: empty; the newest first in each set */
};

bool server_cookies_init(struct server_cookies *cookies);
void server_cookies_free(struct server_cookies *cookies);

void server_cookies_handed(struct server_cookies *cookies, const struct ip_address *client,
                           const struct ip_address *server, const uint8_t *cookie, size_t length);

/* Whether this server handed this cookie to this client. */
bool server_cookies_echoed(const struct server_cookies *cookies, const struct ip_address *client,
                           const struct ip_address *server, const uint8_t *cookie, size_t length);

#endif
