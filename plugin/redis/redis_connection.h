/* redis_connection: a connection made the way every exclave client of a
 * Redis or Valkey server makes it: a bounded connect, a bounded wait for
 * each reply, TCP keep-alive, TLS for rediss:// (in a build whose hiredis
 * has it), and AUTH when a password is given. It sends no other command
 * and keeps no state. */
#ifndef EXCLAVE_REDIS_CONNECTION_H
#define EXCLAVE_REDIS_CONNECTION_H

#include <stddef.h>

#include "redis/redis_url.h"

struct redisContext;

/* The connection, or NULL with why in error (not naming the server: the
 * caller's messages do). */
struct redisContext *redis_connection_open(const struct redis_url *url, const char *password,
                                           int connect_timeout_s, int reply_timeout_s,
                                           char *error, size_t error_size);

/* Why the connection's last call failed, as hiredis says it. */
const char *redis_connection_error(const struct redisContext *context);

#endif
