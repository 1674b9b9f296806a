#define _GNU_SOURCE /* fopencookie */
/* redis_sink: one queue of whole records in one growing buffer (bounded),
 * sent as one pipeline of up to REDIS_SINK_BATCH commands; the sent
 * records leave the front of the queue only once their replies came. A
 * reply lost with the connection means the record may have been taken:
 * it is sent again (at least once, never lost while the queue holds it). */
#include "redis/redis_sink.h"

#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "redis/redis_connection.h"

enum { CONNECT_TIMEOUT_S = 2, REPLY_TIMEOUT_S = 10 };

static redisContext *ctx(const struct redis_sink *s)
{
    return s->context;
}

static void disconnect(struct redis_sink *s)
{
    if (s->context)
        redisFree(s->context);
    s->context = NULL;
}

static void say_away(struct redis_sink *s, const char *why)
{
    if (s->away_told || !s->messages)
        return;
    s->away_told = true;
    fprintf(s->messages, "exclave: %s: %s; records are kept (up to %zu MB) and sent when it is "
                         "back\n", s->where, why, s->bound >> 20);
}

/* At most one attempt a second. */
static bool connected(struct redis_sink *s)
{
    time_t now = time(NULL);
    if (s->context)
        return now >= s->retry_after;
    if (s->last_attempt && now - s->last_attempt < 1)
        return false;
    bool again = s->last_attempt != 0;
    s->last_attempt = now;
    char why[256];
    s->context = redis_connection_open(&s->url, s->password, CONNECT_TIMEOUT_S, REPLY_TIMEOUT_S,
                                       why, sizeof why);
    if (!s->context) {
        say_away(s, why);
        return false;
    }
    s->counters.reconnects += again;
    s->retry_after = 0;
    if (s->away_told && s->messages)
        fprintf(s->messages, "exclave: %s: connected again\n", s->where);
    s->away_told = false;
    return true;
}

bool redis_sink_open(struct redis_sink *sink, const struct redis_url *url, const char *password,
                     size_t bound, FILE *messages, char *error, size_t error_size)
{
    memset(sink, 0, sizeof *sink);
    sink->url = *url;
    sink->bound = bound;
    sink->messages = messages;
    redis_url_describe(url, sink->where, sizeof sink->where);
    if (password && !(sink->password = strdup(password))) {
        snprintf(error, error_size, "out of memory");
        return false;
    }
    connected(sink);
    return true;
}

/* An error a server gives while it cannot take a write now (loading its
 * data after a restart, out of memory, a replica...): the record is sent
 * again later, not refused. */
static bool transient(const char *error)
{
    static const char *const kinds[] = { "LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "READONLY",
                                         "CLUSTERDOWN", "MISCONF", "OOM", NULL };
    for (const char *const *kind = kinds; *kind; kind++)
        if (strncmp(error, *kind, strlen(*kind)) == 0)
            return true;
    return false;
}

/* Appends one record's command to the pipeline. */
static bool append_record(struct redis_sink *s, const char *record, size_t length)
{
    bool stream = s->url.mode == REDIS_MODE_STREAM;
    const char *command = stream ? "XADD" : s->url.mode == REDIS_MODE_LIST ? "LPUSH" : "RPUSH";
    const char *argv[] = { command, s->url.key, "*", "eve", record };
    size_t lengths[] = { strlen(command), strlen(s->url.key), 1, 3, length };
    if (!stream) { /* COMMAND KEY RECORD */
        argv[2] = record;
        lengths[2] = length;
    }
    return redisAppendCommandArgv(ctx(s), stream ? 5 : 3, argv, lengths) == REDIS_OK;
}

/* Sends up to a batch of whole records from the queue's front. Those the
 * server took (or refused for good) leave the queue; from the first one it
 * could not take now on, they stay. False when the connection failed. */
static bool send_batch(struct redis_sink *s)
{
    size_t ends[REDIS_SINK_BATCH], sent = 0, offset = 0;
    while (sent < REDIS_SINK_BATCH && sent < s->records_queued) {
        char *end = memchr(s->queue + offset, '\n', s->queued - offset);
        if (!end || !append_record(s, s->queue + offset, (size_t)(end - (s->queue + offset))))
            break;
        offset = ends[sent++] = (size_t)(end - s->queue) + 1;
    }
    size_t keep_from = sent; /* records before this one are done with */
    for (size_t i = 0; i < sent; i++) {
        void *reply = NULL;
        if (redisGetReply(ctx(s), &reply) != REDIS_OK) {
            say_away(s, redis_connection_error(ctx(s)));
            disconnect(s);
            keep_from = i < keep_from ? i : keep_from;
            break;
        }
        redisReply *r = reply;
        if (r->type == REDIS_REPLY_ERROR && transient(r->str)) {
            if (i < keep_from) {
                keep_from = i;
                say_away(s, r->str);
            }
        } else if (i < keep_from) {
            s->counters.published += r->type != REDIS_REPLY_ERROR;
            s->counters.refused += r->type == REDIS_REPLY_ERROR;
        }
        freeReplyObject(r);
    }
    size_t done = keep_from ? ends[keep_from - 1] : 0;
    memmove(s->queue, s->queue + done, s->queued - done);
    s->queued -= done;
    s->records_queued -= keep_from;
    if (keep_from < sent && s->context) { /* not now: wait a second, as for a connection */
        s->retry_after = time(NULL) + 1;
        return false;
    }
    if (s->context && s->away_told && s->messages) {
        fprintf(s->messages, "exclave: %s: taking records again\n", s->where);
        s->away_told = false;
    }
    return s->context != NULL;
}

void redis_sink_flush(struct redis_sink *sink)
{
    while (sink->records_queued && connected(sink) && send_batch(sink))
        ;
}

/* Room for length more bytes within the bound (the queue grows as needed). */
static bool make_room(struct redis_sink *s, size_t length)
{
    if (s->queued + length > s->bound)
        return false;
    if (s->queued + length <= s->capacity)
        return true;
    size_t capacity = s->capacity ? s->capacity : 1 << 16;
    while (capacity < s->queued + length)
        capacity *= 2;
    if (capacity > s->bound)
        capacity = s->bound;
    char *grown = realloc(s->queue, capacity);
    if (!grown)
        return false;
    s->queue = grown;
    s->capacity = capacity;
    return true;
}

/* Drops the record being written (its first bytes too) and the bytes up to
 * its end. Returns how many of bytes were consumed. */
static size_t drop_record(struct redis_sink *s, const char *bytes, size_t length)
{
    s->queued -= s->partial;
    s->partial = 0;
    s->counters.dropped++;
    if (!s->drop_told && s->messages) {
        s->drop_told = true;
        fprintf(s->messages, "exclave: %s: the queue of %zu MB is full: records dropped "
                             "(redis_dropped in --stats)\n", s->where, s->bound >> 20);
    }
    const char *end = memchr(bytes, '\n', length);
    return end ? (size_t)(end - bytes) + 1 : length;
}

void redis_sink_write(struct redis_sink *sink, const char *bytes, size_t length)
{
    while (length > 0) {
        const char *end = memchr(bytes, '\n', length);
        size_t piece = end ? (size_t)(end - bytes) + 1 : length;
        if (!make_room(sink, piece)) {
            redis_sink_flush(sink); /* the server may be back */
            if (!make_room(sink, piece)) {
                size_t used = drop_record(sink, bytes, length);
                bytes += used;
                length -= used;
                continue;
            }
        }
        memcpy(sink->queue + sink->queued, bytes, piece);
        sink->queued += piece;
        sink->partial = end ? 0 : sink->partial + piece;
        sink->records_queued += end != NULL;
        if (sink->queued > sink->counters.queued_most)
            sink->counters.queued_most = sink->queued;
        bytes += piece;
        length -= piece;
    }
    if (sink->records_queued >= REDIS_SINK_BATCH && connected(sink))
        send_batch(sink);
}

void redis_sink_close(struct redis_sink *sink)
{
    redis_sink_flush(sink);
    if (sink->records_queued) {
        sink->counters.dropped += sink->records_queued;
        if (sink->messages)
            fprintf(sink->messages, "exclave: %s: %zu records could not be sent and are lost\n",
                    sink->where, sink->records_queued);
    }
    disconnect(sink);
    free(sink->queue);
    free(sink->password);
    sink->queue = sink->password = NULL;
    sink->queued = sink->records_queued = sink->capacity = 0;
}

static ssize_t cookie_write(void *cookie, const char *bytes, size_t length)
{
    redis_sink_write(cookie, bytes, length);
    return (ssize_t)length;
}

static int cookie_close(void *cookie)
{
    redis_sink_close(cookie);
    return 0;
}

FILE *redis_sink_file(struct redis_sink *sink)
{
    cookie_io_functions_t functions = { .write = cookie_write, .close = cookie_close };
    FILE *file = fopencookie(sink, "w", functions);
    if (file)
        setvbuf(file, NULL, _IONBF, 0);
    return file;
}
