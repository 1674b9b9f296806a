/* redis_connection: hiredis's blocking connect, with the timeouts set
 * before anything is read, so a server that accepts and then says nothing
 * cannot hold a sensor. */
#include "redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <stdio.h>

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
