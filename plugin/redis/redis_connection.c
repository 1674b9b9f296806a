/* redis_connection: hiredis's blocking connect, with the timeouts set
 * before anything is read, so a server that accepts and then says nothing
 * cannot hold a sensor. */
#include "redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdio.h>
#ifdef EXCLAVE_REDIS_TLS
#include <hiredis/hiredis_ssl.h>

/* TLS on the connection: the server's certificate must chain to the CA
 * file given, else to the system's CAs. The context is the connection's
 * own and freed at once: the TLS session keeps what it needs of it. */
static bool start_tls(redisContext *c, const struct redis_url *url, char *error,
                      size_t error_size)
{
    redisInitOpenSSL();
    redisSSLContextError why = REDIS_SSL_CTX_NONE;
    redisSSLContext *tls = redisCreateSSLContext(
        url->tls_ca[0] ? url->tls_ca : NULL, url->tls_ca[0] ? NULL : "/etc/ssl/certs",
        url->tls_cert[0] ? url->tls_cert : NULL, url->tls_key[0] ? url->tls_key : NULL, url->host,
        &why);
    if (!tls) {
        snprintf(error, error_size, "TLS: %s", redisSSLContextGetError(why));
        return false;
    }
    bool ok = redisInitiateSSLWithContext(c, tls) == REDIS_OK;
    if (!ok)
        snprintf(error, error_size, "TLS handshake failed: %s", redis_connection_error(c));
    redisFreeSSLContext(tls);
    return ok;
}
#endif

struct redisContext *redis_connection_open(const struct redis_url *url, const char *password,
                                           int connect_timeout_s, int reply_timeout_s,
                                           char *error, size_t error_size)
{
    struct timeval connect_timeout = { connect_timeout_s, 0 }, reply_timeout = { reply_timeout_s, 0 };
    redisContext *c = redisConnectWithTimeout(url->host, url->port, connect_timeout);
    if (!c || c->err) {
        snprintf(error, error_size, "cannot connect: %s", c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, reply_timeout);
    redisEnableKeepAlive(c);
#ifdef EXCLAVE_REDIS_TLS
    if (url->tls && !start_tls(c, url, error, error_size)) {
        redisFree(c);
        return NULL;
    }
#endif
    if (!password)
        return c;
    const char *argv[] = { "AUTH", password };
    redisReply *reply = redisCommandArgv(c, 2, argv, NULL);
    if (reply && reply->type != REDIS_REPLY_ERROR) {
        freeReplyObject(reply);
        return c;
    }
    snprintf(error, error_size, "AUTH refused: %.200s",
             reply ? reply->str : redis_connection_error(c));
    if (reply)
        freeReplyObject(reply);
    redisFree(c);
    return NULL;
}

const char *redis_connection_error(const struct redisContext *context)
{
    return context->errstr[0] ? context->errstr : "connection lost";
}
