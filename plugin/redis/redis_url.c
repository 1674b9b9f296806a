/* redis_url: a hand parser over a fixed grammar; every part is copied into
 * a bounded field and checked for bytes a key or a name must not hold. */
#include "redis/redis_url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool redis_url_is_one(const char *text)
{
    return strncmp(text, "redis://", 8) == 0 || strncmp(text, "rediss://", 9) == 0;
}

/* Printable ASCII without spaces: what a key, group or host may hold here. */
static bool plain(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)text[i] <= 0x20 || (unsigned char)text[i] >= 0x7f)
            return false;
    return true;
}

static bool copy_part(char *out, size_t out_size, const char *text, size_t length)
{
    if (length == 0 || length >= out_size || !plain(text, length))
        return false;
    memcpy(out, text, length);
    out[length] = '\0';
    return true;
}

/* HOST, [IPV6] or HOST:PORT from the authority part. */
static bool parse_authority(const char *text, size_t length, struct redis_url *url)
{
    const char *host = text, *colon = NULL;
    size_t host_length = length;
    if (length && text[0] == '[') {
        const char *close = memchr(text, ']', length);
        if (!close)
            return false;
        host = text + 1;
        host_length = (size_t)(close - host);
        if (close + 1 < text + length) {
            if (close[1] != ':')
                return false;
            colon = close + 1;
        }
    } else if ((colon = memchr(text, ':', length)) != NULL) {
        host_length = (size_t)(colon - text);
    }
    if (!copy_part(url->host, sizeof url->host, host, host_length))
        return false;
    if (!colon)
        return true;
    char port[8];
    size_t port_length = length - (size_t)(colon + 1 - text);
    if (!copy_part(port, sizeof port, colon + 1, port_length) ||
        strspn(port, "0123456789") != port_length)
        return false;
    url->port = atoi(port);
    return url->port >= 1 && url->port <= 65535;
}

/* One NAME=VALUE of the query; false with the message set. */
static bool parse_option(const char *text, size_t length, struct redis_url *url, char *error,
                         size_t error_size)
{
    const char *equals = memchr(text, '=', length);
    size_t name_length = equals ? (size_t)(equals - text) : length;
    const char *value = equals ? equals + 1 : text + length;
    size_t value_length = (size_t)(text + length - value);
    if (name_length == 4 && memcmp(text, "mode", 4) == 0) {
        if (value_length == 6 && memcmp(value, "stream", 6) == 0)
            url->mode = REDIS_MODE_STREAM;
        else if ((value_length == 4 && memcmp(value, "list", 4) == 0) ||
                 (value_length == 5 && memcmp(value, "lpush", 5) == 0))
            url->mode = REDIS_MODE_LIST;
        else if (value_length == 5 && memcmp(value, "rpush", 5) == 0)
            url->mode = REDIS_MODE_RPUSH;
        else {
            snprintf(error, error_size, "mode is stream, list (lpush) or rpush");
            return false;
        }
        return true;
    }
    char *path = name_length == 6 && memcmp(text, "tls-ca", 6) == 0     ? url->tls_ca
               : name_length == 8 && memcmp(text, "tls-cert", 8) == 0 ? url->tls_cert
               : name_length == 7 && memcmp(text, "tls-key", 7) == 0  ? url->tls_key
                                                                        : NULL;
    if (path && !url->tls) {
        snprintf(error, error_size, "%.*s goes with rediss://", (int)name_length, text);
        return false;
    }
    if (path && !copy_part(path, REDIS_URL_PATH_MAX, value, value_length)) {
        snprintf(error, error_size, "%.*s must be a file name of 1-%d printable characters "
                 "without spaces", (int)name_length, text, REDIS_URL_PATH_MAX - 1);
        return false;
    }
    if (path)
        return true;
    char *field = name_length == 5 && memcmp(text, "group", 5) == 0      ? url->group
                : name_length == 8 && memcmp(text, "consumer", 8) == 0 ? url->consumer
                                                                         : NULL;
    if (!field) {
        snprintf(error, error_size, "'%.*s' is not mode, group, consumer, tls-ca, tls-cert or "
                 "tls-key", (int)name_length, text);
        return false;
    }
    if (!copy_part(field, REDIS_URL_NAME_MAX, value, value_length)) {
        snprintf(error, error_size, "%.*s must be 1-%d printable characters without spaces",
                 (int)name_length, text, REDIS_URL_NAME_MAX - 1);
        return false;
    }
    return true;
}

static void set_defaults(struct redis_url *url)
{
    memset(url, 0, sizeof *url);
    url->port = 6379;
    url->mode = REDIS_MODE_STREAM;
    snprintf(url->group, sizeof url->group, "exclave");
    if (gethostname(url->consumer, sizeof url->consumer) != 0 || !url->consumer[0] ||
        !plain(url->consumer, strlen(url->consumer)))
        snprintf(url->consumer, sizeof url->consumer, "exclave");
}

bool redis_url_parse(const char *text, struct redis_url *url, char *error, size_t error_size)
{
    set_defaults(url);
    url->tls = strncmp(text, "rediss://", 9) == 0;
#ifndef EXCLAVE_REDIS_TLS
    if (url->tls) {
        snprintf(error, error_size, "%s: rediss:// (TLS) is not in this build: its hiredis has no "
                 "TLS (Debian 12's 0.14; 1.0 and later, as in Debian 13, has); reach the server "
                 "over loopback, a VPN or an stunnel", text);
        return false;
    }
#endif
    const char *authority = text + (url->tls ? 9 : 8), *slash = strchr(authority, '/');
    if (!redis_url_is_one(text) || !slash) {
        snprintf(error, error_size, "%s: not redis://HOST[:PORT]/KEY or rediss://HOST[:PORT]/KEY",
                 text);
        return false;
    }
    if (memchr(authority, '@', (size_t)(slash - authority))) {
        snprintf(error, error_size, "%s: a password in the URL would show in ps and in logs: "
                 "put it in EXCLAVE_REDIS_PASSWORD or a file named by --redis-password-file", text);
        return false;
    }
    if (!parse_authority(authority, (size_t)(slash - authority), url)) {
        snprintf(error, error_size, "%s: the host or port is not HOST, HOST:PORT or [IPV6]:PORT "
                 "(port 1-65535)", text);
        return false;
    }
    const char *key = slash + 1, *query = strchr(key, '?');
    size_t key_length = query ? (size_t)(query - key) : strlen(key);
    if (!copy_part(url->key, sizeof url->key, key, key_length)) {
        snprintf(error, error_size, "%s: the key must be 1-%d printable characters without spaces",
                 text, REDIS_URL_KEY_MAX - 1);
        return false;
    }
    for (const char *option = query ? query + 1 : NULL; option && *option;) {
        const char *end = strchr(option, '&');
        size_t length = end ? (size_t)(end - option) : strlen(option);
        char wrong[256];
        if (!parse_option(option, length, url, wrong, sizeof wrong)) {
            snprintf(error, error_size, "%s: %s", text, wrong);
            return false;
        }
        option = end ? end + 1 : NULL;
    }
    return true;
}

void redis_url_describe(const struct redis_url *url, char *out, size_t out_size)
{
    bool v6 = strchr(url->host, ':') != NULL;
    snprintf(out, out_size, "%s://%s%s%s:%d/%s", url->tls ? "rediss" : "redis", v6 ? "[" : "",
             url->host, v6 ? "]" : "", url->port, url->key);
}
