/* redis_source: hiredis in blocking mode, one reply held at a time. A
 * stream's reply is walked entry by entry; a list's batch is one pipeline
 * of LMOVEs, their values kept in `moved` (or one LRANGE of the processing
 * list after a crash). Replies
 * are checked for shape before any field is read: a server, or whoever
 * wrote the key, may send anything. */
#include "redis/redis_source.h"

#include "redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { CONNECT_TIMEOUT_S = 5, READ_TIMEOUT_S = 15, BLOCK_MS = 1000, ACK_CHUNK = 512 };

static redisContext *ctx(const struct redis_source *s)
{
    return s->context;
}

/* ---- commands ------------------------------------------------------------------ */

/* Runs argv; the reply (never NULL on true), or false with error set. */
static bool command(struct redis_source *s, int argc, const char **argv, redisReply **reply,
                    char *error, size_t error_size)
{
    *reply = redisCommandArgv(ctx(s), argc, argv, NULL);
    if (*reply)
        return true;
    snprintf(error, error_size, "%s: %s", s->where, redis_connection_error(ctx(s)));
    return false;
}

/* A reply that is an error: message set, reply freed, true. */
static bool refused(struct redis_source *s, redisReply *reply, const char *what, char *error,
                    size_t error_size)
{
    if (reply->type != REDIS_REPLY_ERROR)
        return false;
    snprintf(error, error_size, "%s: %s refused: %.200s", s->where, what, reply->str);
    freeReplyObject(reply);
    return true;
}

/* A command whose reply only has to be no error (EXEC's too). */
static bool simple(struct redis_source *s, int argc, const char **argv, char *error,
                   size_t error_size)
{
    redisReply *reply;
    if (!command(s, argc, argv, &reply, error, error_size) ||
        refused(s, reply, argv[0], error, error_size))
        return false;
    freeReplyObject(reply);
    return true;
}

static bool parse_stream_id(const char *text, size_t length, struct redis_stream_id *id)
{
    char copy[REDIS_ID_TEXT_MAX];
    if (length == 0 || length >= sizeof copy)
        return false;
    memcpy(copy, text, length);
    copy[length] = '\0';
    char *end;
    if (copy[0] < '0' || copy[0] > '9')
        return false;
    id->ms = strtoull(copy, &end, 10);
    if (*end != '-' || end[1] < '0' || end[1] > '9')
        return false;
    id->seq = strtoull(end + 1, &end, 10);
    return *end == '\0';
}

static bool id_after(struct redis_stream_id a, struct redis_stream_id b)
{
    return a.ms > b.ms || (a.ms == b.ms && a.seq > b.seq);
}

/* ---- connecting ------------------------------------------------------------------ */

static bool connect_and_auth(struct redis_source *s, char *error, size_t error_size)
{
    char why[256];
    s->context = redis_connection_open(&s->url, s->password, CONNECT_TIMEOUT_S, READ_TIMEOUT_S,
                                       why, sizeof why);
    if (!s->context)
        snprintf(error, error_size, "%s: %s", s->where, why);
    return s->context != NULL;
}

/* The key's type must be the mode's (or the key absent). */
static bool check_type(struct redis_source *s, char *error, size_t error_size)
{
    const char *argv[] = { "TYPE", s->url.key };
    redisReply *reply;
    if (!command(s, 2, argv, &reply, error, error_size) || refused(s, reply, "TYPE", error, error_size))
        return false;
    const char *want = s->url.mode == REDIS_MODE_STREAM ? "stream" : "list";
    bool ok = reply->type == REDIS_REPLY_STATUS &&
              (strcmp(reply->str, "none") == 0 || strcmp(reply->str, want) == 0);
    if (!ok)
        snprintf(error, error_size, "%s: the key is a %s, not a %s (mode=%s in the URL)", s->where,
                 reply->type == REDIS_REPLY_STATUS ? reply->str : "?", want,
                 s->url.mode == REDIS_MODE_STREAM ? "list" : "stream");
    freeReplyObject(reply);
    return ok;
}

/* The consumer group, from the stream's first entry, unless it exists. */
static bool make_group(struct redis_source *s, char *error, size_t error_size)
{
    const char *argv[] = { "XGROUP", "CREATE", s->url.key, s->url.group, "0", "MKSTREAM" };
    redisReply *reply;
    if (!command(s, 6, argv, &reply, error, error_size))
        return false;
    if (reply->type == REDIS_REPLY_ERROR && strncmp(reply->str, "BUSYGROUP", 9) == 0) {
        freeReplyObject(reply);
        return true;
    }
    if (refused(s, reply, "XGROUP CREATE", error, error_size))
        return false;
    freeReplyObject(reply);
    return true;
}

static bool read_integer(struct redis_source *s, int argc, const char **argv, uint64_t *value,
                         char *error, size_t error_size)
{
    redisReply *reply;
    if (!command(s, argc, argv, &reply, error, error_size) ||
        refused(s, reply, argv[0], error, error_size))
        return false;
    *value = 0;
    if (reply->type == REDIS_REPLY_INTEGER && reply->integer >= 0)
        *value = (uint64_t)reply->integer;
    else if (reply->type == REDIS_REPLY_STRING)
        *value = strtoull(reply->str, NULL, 10);
    freeReplyObject(reply);
    return true;
}

static bool trim_list(struct redis_source *s, uint64_t count, char *error, size_t error_size);

/* A list after a restart: what the state says was applied is trimmed; the
 * rest of the processing list is read first, oldest (rightmost) first. */
static bool resume_list(struct redis_source *s, char *error, size_t error_size)
{
    const char *get[] = { "GET", s->trimmed_key }, *len[] = { "LLEN", s->processing_key };
    if (!read_integer(s, 2, get, &s->list_trimmed, error, error_size))
        return false;
    if (s->applied.list_applied < s->list_trimmed) /* a state older than the server's count */
        s->applied.list_applied = s->list_trimmed;
    uint64_t length;
    if (!read_integer(s, 2, len, &length, error, error_size))
        return false;
    uint64_t skip = s->applied.list_applied - s->list_trimmed;
    if (skip > length)
        skip = length;
    s->counters.skipped_applied += skip;
    if (skip && !trim_list(s, skip, error, error_size))
        return false;
    s->list_history_left = length - skip;
    s->list_history_read = 0;
    return true;
}

static void drop_connection(struct redis_source *s);

/* Connects and gets ready to read: all of it or, on any failure, no
 * connection at all, so the next call starts again from the connect (a
 * list must never be read before resume_list has trimmed what was applied). */
static bool start_reading(struct redis_source *s, char *error, size_t error_size)
{
    s->batch_next = s->batch_size = 0;
    s->reading_history = true;
    snprintf(s->history_from, sizeof s->history_from, "0");
    bool ready = connect_and_auth(s, error, error_size) && check_type(s, error, error_size) &&
                 (s->url.mode == REDIS_MODE_STREAM ? make_group(s, error, error_size)
                                                   : resume_list(s, error, error_size));
    if (!ready)
        drop_connection(s);
    return ready;
}

bool redis_source_open(struct redis_source *source, const struct redis_url *url,
                       const char *password, const struct redis_position *resume, char *error,
                       size_t error_size)
{
    memset(source, 0, sizeof *source);
    source->url = *url;
    redis_url_describe(url, source->where, sizeof source->where);
    snprintf(source->processing_key, sizeof source->processing_key, "%s:exclave-processing:%s",
             url->key, url->consumer);
    snprintf(source->trimmed_key, sizeof source->trimmed_key, "%s:exclave-trimmed:%s", url->key,
             url->consumer);
    if (resume)
        source->applied = *resume;
    if (password && !(source->password = strdup(password))) {
        snprintf(error, error_size, "%s: out of memory", source->where);
        return false;
    }
    if (start_reading(source, error, error_size))
        return true;
    redis_source_close(source);
    return false;
}

static void free_moved(struct redis_source *s);

static void drop_connection(struct redis_source *s)
{
    free_moved(s);
    if (s->batch)
        freeReplyObject(s->batch);
    if (s->prefetched)
        freeReplyObject(s->prefetched);
    s->batch = s->prefetched = NULL;
    s->read_in_flight = false;
    if (s->context)
        redisFree(s->context);
    s->context = NULL;
}

void redis_source_close(struct redis_source *source)
{
    drop_connection(source);
    free(source->password);
    free(source->unacknowledged);
    source->password = NULL;
    source->unacknowledged = NULL;
}

bool redis_source_reconnect(struct redis_source *source, char *error, size_t error_size)
{
    drop_connection(source);
    bool ready = start_reading(source, error, error_size);
    source->counters.reconnects += ready;
    return ready;
}

/* ---- reading a stream ------------------------------------------------------------ */

/* The entries array of an XREADGROUP reply (one stream), or NULL. */
static redisReply *stream_entries(redisReply *reply)
{
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 1)
        return NULL;
    redisReply *stream = reply->element[0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 ||
        stream->element[1]->type != REDIS_REPLY_ARRAY)
        return NULL;
    return stream->element[1];
}

/* Sends the next XREADGROUP without waiting for its reply. */
static bool send_stream_read(struct redis_source *s, bool wait, char *error, size_t error_size)
{
    char count[16], block[16];
    snprintf(count, sizeof count, "%d", REDIS_BATCH);
    snprintf(block, sizeof block, "%d", BLOCK_MS);
    const char *argv[11] = { "XREADGROUP", "GROUP", s->url.group, s->url.consumer, "COUNT", count };
    int argc = 6;
    if (wait && !s->reading_history) {
        argv[argc++] = "BLOCK";
        argv[argc++] = block;
    }
    argv[argc++] = "STREAMS";
    argv[argc++] = s->url.key;
    argv[argc++] = s->reading_history ? s->history_from : ">";
    if (redisAppendCommandArgv(ctx(s), argc, argv, NULL) != REDIS_OK) {
        snprintf(error, error_size, "%s: out of memory", s->where);
        return false;
    }
    s->read_in_flight = true;
    int done = 0; /* on the wire now, not at the next redisGetReply */
    while (!done)
        if (redisBufferWrite(ctx(s), &done) != REDIS_OK) {
            snprintf(error, error_size, "%s: %s", s->where, redis_connection_error(ctx(s)));
            return false;
        }
    return true;
}

/* The reply of the read in flight into s->prefetched: before any other
 * command, whose reply would otherwise be taken for it. */
static bool settle_read(struct redis_source *s, char *error, size_t error_size)
{
    if (!s->read_in_flight)
        return true;
    void *reply = NULL;
    s->read_in_flight = false;
    if (redisGetReply(ctx(s), &reply) != REDIS_OK) {
        snprintf(error, error_size, "%s: %s", s->where, redis_connection_error(ctx(s)));
        return false;
    }
    s->prefetched = reply;
    return true;
}

/* True when the last entry of a batch has an id: the next history read
 * starts after it, so reading the history always moves on. */
static bool last_id_readable(const redisReply *entries)
{
    const redisReply *last = entries->element[entries->elements - 1];
    struct redis_stream_id id;
    return last->type == REDIS_REPLY_ARRAY && last->elements == 2 &&
           last->element[0]->type == REDIS_REPLY_STRING &&
           parse_stream_id(last->element[0]->str, last->element[0]->len, &id);
}

/* The next batch of the stream; false on a lost connection. While new
 * entries come, the read after this one is sent at once, so the server
 * works on it while this batch is applied. */
static bool read_stream_batch(struct redis_source *s, bool wait, char *error, size_t error_size)
{
    if (!s->read_in_flight && !s->prefetched && !send_stream_read(s, wait, error, error_size))
        return false;
    if (!settle_read(s, error, error_size))
        return false;
    redisReply *reply = s->prefetched;
    s->prefetched = NULL;
    if (refused(s, reply, "XREADGROUP", error, error_size))
        return false;
    redisReply *entries = reply->type == REDIS_REPLY_NIL ? NULL : stream_entries(reply);
    if (reply->type != REDIS_REPLY_NIL && !entries) {
        snprintf(error, error_size, "%s: XREADGROUP gave a reply of an unexpected shape", s->where);
        freeReplyObject(reply);
        return false;
    }
    if (s->reading_history && (!entries || entries->elements == 0))
        s->reading_history = false; /* own pending entries all read: new ones next */
    if (s->reading_history && !last_id_readable(entries))
        s->reading_history = false; /* a reply that would not move the history on */
    s->batch = reply;
    s->batch_next = 0;
    s->batch_size = entries ? entries->elements : 0;
    if (!s->reading_history && s->batch_size == REDIS_BATCH)
        return send_stream_read(s, wait, error, error_size);
    return true;
}

/* The EVE text of one entry ([id, [field, value, ...]]) into entry. */
static void take_stream_entry(struct redis_source *s, redisReply *item, struct redis_entry *entry,
                              bool *skip)
{
    entry->problem = NULL;
    entry->text = NULL;
    entry->length = 0;
    snprintf(entry->id, sizeof entry->id, "?");
    if (item->type != REDIS_REPLY_ARRAY || item->elements != 2 ||
        item->element[0]->type != REDIS_REPLY_STRING) {
        entry->problem = "not an [id, fields] pair";
        return;
    }
    redisReply *id = item->element[0], *fields = item->element[1];
    snprintf(entry->id, sizeof entry->id, "%.*s", (int)(id->len < 40 ? id->len : 40), id->str);
    struct redis_stream_id parsed;
    if (!parse_stream_id(id->str, id->len, &parsed)) {
        entry->problem = "its id is not MS-SEQ";
        return;
    }
    s->current = parsed;
    s->current_valid = true;
    if (s->reading_history)
        snprintf(s->history_from, sizeof s->history_from, "%" PRIu64 "-%" PRIu64, parsed.ms, parsed.seq);
    /* Ids only grow: one not after the newest applied was applied before a
     * crash or a lost connection (or the group was set back: XGROUP SETID). */
    if (!id_after(parsed, s->applied.last_applied)) {
        *skip = true;
        return;
    }
    if (fields->type != REDIS_REPLY_ARRAY) {
        entry->problem = "its fields are gone (trimmed from the stream before it was read)";
        return;
    }
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        redisReply *name = fields->element[i], *value = fields->element[i + 1];
        if (name->type == REDIS_REPLY_STRING && name->len == 3 && memcmp(name->str, "eve", 3) == 0 &&
            value->type == REDIS_REPLY_STRING) {
            entry->text = value->str;
            entry->length = value->len;
            return;
        }
    }
    entry->problem = "no 'eve' field";
}

static int next_stream_entry(struct redis_source *s, bool wait, struct redis_entry *entry,
                             char *error, size_t error_size)
{
    for (;;) {
        while (s->batch && s->batch_next < s->batch_size) {
            redisReply *item = stream_entries(s->batch)->element[s->batch_next++];
            bool skip = false;
            s->current_valid = false;
            take_stream_entry(s, item, entry, &skip);
            if (!skip)
                return 1;
            s->counters.skipped_applied++;
            redis_source_applied(s); /* durable already: acknowledged with the rest */
        }
        bool was_history = s->reading_history;
        if (s->batch)
            freeReplyObject(s->batch);
        s->batch = NULL;
        if (!read_stream_batch(s, wait, error, error_size))
            return -1;
        if (s->batch_size == 0 && !was_history)
            return 0;
    }
}

/* ---- reading a list -------------------------------------------------------------- */

/* Up to REDIS_BATCH values of the processing list left from a crash. */
static bool read_list_history(struct redis_source *s, char *error, size_t error_size)
{
    uint64_t take = s->list_history_left < REDIS_BATCH ? s->list_history_left : REDIS_BATCH;
    char from[32], to[32];
    snprintf(from, sizeof from, "-%" PRIu64, s->list_history_read + take);
    snprintf(to, sizeof to, "-%" PRIu64, s->list_history_read + 1);
    const char *argv[] = { "LRANGE", s->processing_key, from, to };
    redisReply *reply;
    if (!command(s, 4, argv, &reply, error, error_size) || refused(s, reply, "LRANGE", error, error_size))
        return false;
    s->batch = reply;
    s->batch_next = 0;
    s->batch_size = reply->type == REDIS_REPLY_ARRAY ? reply->elements : 0;
    s->batch_reversed = true;
    s->list_history_read += s->batch_size;
    s->list_history_left = s->batch_size == 0 ? 0 : s->list_history_left - take;
    return true;
}

static void free_moved(struct redis_source *s)
{
    for (size_t i = 0; i < s->moved_count; i++)
        freeReplyObject(s->moved[i]);
    s->moved_count = 0;
}

/* One pipeline of LMOVEs: each value moves to the processing list. */
static bool read_list_batch(struct redis_source *s, char *error, size_t error_size)
{
    const char *from_side = s->url.mode == REDIS_MODE_LIST ? "RIGHT" : "LEFT"; /* the oldest */
    const char *argv[] = { "LMOVE", s->url.key, s->processing_key, from_side, "LEFT" };
    int sent = 0;
    while (sent < REDIS_BATCH && redisAppendCommandArgv(ctx(s), 5, argv, NULL) == REDIS_OK)
        sent++;
    for (int i = 0; i < sent; i++) {
        void *reply = NULL;
        if (redisGetReply(ctx(s), &reply) != REDIS_OK) {
            snprintf(error, error_size, "%s: %s", s->where, redis_connection_error(ctx(s)));
            free_moved(s); /* on the processing list: read again after the reconnect */
            return false;
        }
        if (((redisReply *)reply)->type == REDIS_REPLY_STRING)
            s->moved[s->moved_count++] = reply;
        else
            freeReplyObject(reply); /* nil: the list is empty */
    }
    s->batch_next = 0;
    s->batch_size = s->moved_count;
    s->batch_reversed = false;
    return true;
}

/* The value at the batch's next place: a moved one, or one of the
 * processing list's LRANGE (which gives the oldest last). */
static redisReply *next_list_item(struct redis_source *s)
{
    size_t at = s->batch_next++;
    if (!s->batch)
        return s->moved[at];
    redisReply **values = ((redisReply *)s->batch)->element;
    return values[s->batch_reversed ? s->batch_size - 1 - at : at];
}

static int next_list_value(struct redis_source *s, bool wait, struct redis_entry *entry,
                           char *error, size_t error_size)
{
    for (int round = 0;; round++) {
        if (s->batch_next < s->batch_size) {
            redisReply *value = next_list_item(s);
            snprintf(entry->id, sizeof entry->id, "list value %" PRIu64,
                     s->applied.list_applied + 1);
            entry->problem = value->type == REDIS_REPLY_STRING ? NULL : "not a string";
            entry->text = value->str;
            entry->length = value->type == REDIS_REPLY_STRING ? value->len : 0;
            return 1;
        }
        if (s->batch)
            freeReplyObject(s->batch);
        s->batch = NULL;
        free_moved(s);
        s->reading_history = s->list_history_left > 0;
        if (!(s->reading_history ? read_list_history(s, error, error_size)
                                 : read_list_batch(s, error, error_size)))
            return -1;
        if (s->batch_size == 0 && !s->reading_history) {
            if (!wait || round > 0)
                return 0;
            struct timespec pause = { 0, BLOCK_MS * 1000000L / 4 };
            nanosleep(&pause, NULL); /* LMOVE does not block: wait a little, once */
        }
    }
}

int redis_source_next(struct redis_source *source, bool wait, struct redis_entry *entry,
                      char *error, size_t error_size)
{
    if (!source->context && !redis_source_reconnect(source, error, error_size))
        return -1;
    int status = source->url.mode == REDIS_MODE_STREAM
                     ? next_stream_entry(source, wait, entry, error, error_size)
                     : next_list_value(source, wait, entry, error, error_size);
    if (status > 0)
        source->counters.entries++;
    if (status < 0)
        drop_connection(source);
    return status;
}

/* ---- applied and acknowledged ---------------------------------------------------- */

void redis_source_applied(struct redis_source *source)
{
    if (source->url.mode != REDIS_MODE_STREAM) {
        source->applied.list_applied++;
        return;
    }
    if (!source->current_valid)
        return; /* an entry without an id cannot be acknowledged: it stays pending */
    source->current_valid = false;
    if (id_after(source->current, source->applied.last_applied))
        source->applied.last_applied = source->current;
    if (source->unacknowledged_count == source->unacknowledged_capacity) {
        size_t capacity = source->unacknowledged_capacity ? source->unacknowledged_capacity * 2 : 1024;
        void *grown = realloc(source->unacknowledged, capacity * sizeof *source->unacknowledged);
        if (!grown)
            return; /* stays pending: read again (and skipped) after a restart */
        source->unacknowledged = grown;
        source->unacknowledged_capacity = capacity;
    }
    source->unacknowledged[source->unacknowledged_count++] = source->current;
}

struct redis_position redis_source_position(const struct redis_source *source)
{
    return source->applied;
}

/* MULTI; LTRIM the count oldest off the processing list; INCRBY the
 * trimmed count; EXEC: both or neither, so a restart knows what is gone. */
static bool trim_list(struct redis_source *s, uint64_t count, char *error, size_t error_size)
{
    char keep_to[32], by[32];
    snprintf(keep_to, sizeof keep_to, "-%" PRIu64, count + 1);
    snprintf(by, sizeof by, "%" PRIu64, count);
    const char *multi[] = { "MULTI" }, *exec[] = { "EXEC" };
    const char *ltrim[] = { "LTRIM", s->processing_key, "0", keep_to };
    const char *incr[] = { "INCRBY", s->trimmed_key, by };
    if (!simple(s, 1, multi, error, error_size) || !simple(s, 4, ltrim, error, error_size) ||
        !simple(s, 3, incr, error, error_size) || !simple(s, 1, exec, error, error_size))
        return false;
    s->list_trimmed += count;
    s->counters.acknowledged += count;
    if (s->reading_history) /* the right end moved: history counts from it */
        s->list_history_read = s->list_history_read > count ? s->list_history_read - count : 0;
    return true;
}

static bool acknowledge_stream(struct redis_source *s, char *error, size_t error_size)
{
    if (!settle_read(s, error, error_size))
        return false;
    const char *argv[3 + ACK_CHUNK];
    static const size_t id_size = REDIS_ID_TEXT_MAX;
    char (*ids)[REDIS_ID_TEXT_MAX] = malloc(ACK_CHUNK * id_size);
    if (!ids) {
        snprintf(error, error_size, "%s: out of memory", s->where);
        return false;
    }
    argv[0] = "XACK", argv[1] = s->url.key, argv[2] = s->url.group;
    size_t done = 0;
    bool ok = true;
    while (ok && done < s->unacknowledged_count) {
        size_t n = s->unacknowledged_count - done < ACK_CHUNK ? s->unacknowledged_count - done : ACK_CHUNK;
        for (size_t i = 0; i < n; i++) {
            struct redis_stream_id id = s->unacknowledged[done + i];
            snprintf(ids[i], id_size, "%" PRIu64 "-%" PRIu64, id.ms, id.seq);
            argv[3 + i] = ids[i];
        }
        uint64_t acknowledged;
        ok = read_integer(s, (int)(3 + n), argv, &acknowledged, error, error_size);
        if (ok) {
            s->counters.acknowledged += acknowledged;
            done += n;
        }
    }
    free(ids);
    if (done && done < s->unacknowledged_count)
        memmove(s->unacknowledged, s->unacknowledged + done,
                (s->unacknowledged_count - done) * sizeof *s->unacknowledged);
    s->unacknowledged_count -= done;
    return ok;
}

bool redis_source_acknowledge(struct redis_source *source, char *error, size_t error_size)
{
    if (!source->context)
        return true; /* told after the next connection: the entries stay pending */
    bool ok;
    if (source->url.mode == REDIS_MODE_STREAM) {
        ok = acknowledge_stream(source, error, error_size);
    } else {
        uint64_t count = source->applied.list_applied - source->list_trimmed;
        ok = count == 0 || trim_list(source, count, error, error_size);
    }
    if (!ok)
        drop_connection(source);
    return ok;
}
