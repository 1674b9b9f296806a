/* redis_url: the text of --eve redis[s]://HOST[:PORT]/KEY[?mode=..&group=..&consumer=..
 * &tls-ca=..&tls-cert=..&tls-key=..] as the parts a connection needs. It
 * refuses what would be unsafe or ambiguous (a password in the URL, where ps
 * would show it; rediss:// in a build whose hiredis has no TLS; TLS files
 * without rediss://) with a sentence that says why. It connects to nothing. */
#ifndef EXCLAVE_REDIS_URL_H
#define EXCLAVE_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

enum { REDIS_URL_HOST_MAX = 256, REDIS_URL_KEY_MAX = 512, REDIS_URL_NAME_MAX = 128,
       REDIS_URL_PATH_MAX = 1024 };

enum redis_mode {
    REDIS_MODE_STREAM,  /* XADD'ed entries, read with a consumer group */
    REDIS_MODE_LIST,    /* LPUSH'ed values (Suricata's mode: list): the oldest on the right */
    REDIS_MODE_RPUSH,   /* RPUSH'ed values: the oldest on the left */
};

struct redis_url {
    char host[REDIS_URL_HOST_MAX];
    int port;
    char key[REDIS_URL_KEY_MAX];
    enum redis_mode mode;
    char group[REDIS_URL_NAME_MAX];     /* stream: the consumer group */
    char consumer[REDIS_URL_NAME_MAX];  /* stream: this reader's name in it;
                                           list: names its processing list */
    bool tls;                           /* rediss:// */
    char tls_ca[REDIS_URL_PATH_MAX];    /* CA file; "": the system's (/etc/ssl/certs) */
    char tls_cert[REDIS_URL_PATH_MAX];  /* client certificate and key; "": none */
    char tls_key[REDIS_URL_PATH_MAX];
};

/* True when text starts with redis:// or rediss:// (so it is meant as one). */
bool redis_url_is_one(const char *text);

/* Parses text; false with a message. Defaults: port 6379, mode stream,
 * group "exclave", consumer the host name. */
bool redis_url_parse(const char *text, struct redis_url *url, char *error, size_t error_size);

/* "redis://HOST:PORT/KEY" as messages name the source. */
void redis_url_describe(const struct redis_url *url, char *out, size_t out_size);

#endif
