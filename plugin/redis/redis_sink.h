/* redis_sink: a sensor's records published to a Redis or Valkey key, as
 * Suricata's redis output writes them: XADD KEY * eve RECORD to a stream,
 * or LPUSH/RPUSH to a list. Records are queued in memory and sent in
 * pipelined batches. While the server is away the queue holds up to a bound
 * of bytes; records beyond it are dropped and counted, never waited for:
 * a sensor must not stall on its log. It reconnects at most once a second.
 * It takes bytes that end in newlines and knows nothing of EVE. */
#ifndef EXCLAVE_REDIS_SINK_H
#define EXCLAVE_REDIS_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "redis/redis_url.h"

enum { REDIS_SINK_BATCH = 512 };

struct redis_sink_counters {
    uint64_t published;        /* records the server took */
    uint64_t dropped;          /* records dropped: the queue was full (or left at the end) */
    uint64_t refused;          /* records the server refused for good (WRONGTYPE...) */
    uint64_t reconnects;       /* connections made again */
    uint64_t queued_most;      /* the most bytes queued at once */
};

struct redis_sink {
    struct redis_url url;
    char where[REDIS_URL_HOST_MAX + REDIS_URL_KEY_MAX + 32];
    char *password;
    void *context;             /* redisContext; NULL while the server is away */
    time_t last_attempt;       /* of a connection */
    time_t retry_after;        /* the server said not now (LOADING...): not before this */
    bool away_told, drop_told;
    FILE *messages;
    size_t bound;              /* bytes the queue may hold */
    char *queue;               /* whole records, each ending in '\n' */
    size_t queued, capacity;   /* bytes */
    size_t records_queued;
    size_t partial;            /* bytes of a record not yet ended, after the whole ones */
    struct redis_sink_counters counters;
};

/* Sets the sink up and tries to connect; a server that is away now is said
 * to messages and tried again later. False only when out of memory. */
bool redis_sink_open(struct redis_sink *sink, const struct redis_url *url, const char *password,
                     size_t bound, FILE *messages, char *error, size_t error_size);

/* Takes bytes of records (a record ends at a newline; it may come in
 * pieces). Sends when a batch is full. */
void redis_sink_write(struct redis_sink *sink, const char *bytes, size_t length);

/* Sends what is queued, when the server is there. */
void redis_sink_flush(struct redis_sink *sink);

/* A last flush; what is still queued is counted as dropped and said. */
void redis_sink_close(struct redis_sink *sink);

/* A FILE whose writes go to the sink (fopencookie, unbuffered: json_out
 * buffers already); fclose closes the sink. NULL when out of memory. */
FILE *redis_sink_file(struct redis_sink *sink);

#endif
