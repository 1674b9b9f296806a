/* redis_source: EVE records from a Redis or Valkey key, one entry at a
 * time, without losing any across a crash of this reader or of the server.
 *
 * A stream (Suricata 8's `mode: stream`, exclave's own publishers) is read
 * with a consumer group: this reader's own pending entries first (those it
 * read before a crash and never acknowledged), then new ones. A list
 * (Suricata 7's `mode: list`, an LPUSH; or `rpush`) is read by moving each
 * value to a processing list of this consumer, in one round trip per batch.
 *
 * Nothing is acknowledged (XACK, or trimmed off the processing list) before
 * the caller says its effect is durable (redis_source_acknowledge). The
 * caller keeps a redis_position with its state; given back at open, the
 * entries it covers are skipped, so none is counted twice. It knows nothing
 * of EVE or of the engine: an entry is bytes and an id. */
#ifndef EXCLAVE_REDIS_SOURCE_H
#define EXCLAVE_REDIS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "redis/redis_url.h"

enum { REDIS_BATCH = 256, REDIS_ID_TEXT_MAX = 48 };

struct redis_stream_id {
    uint64_t ms, seq;
};

/* How far a reader's effect reached: kept by the caller with its state. */
struct redis_position {
    struct redis_stream_id last_applied;  /* stream: the newest entry applied */
    uint64_t list_applied;                /* list: values applied, ever */
};

struct redis_entry {
    char id[REDIS_ID_TEXT_MAX];   /* "1700000000000-0", or "list value 17" */
    const char *text;             /* the record's bytes (not NUL-terminated) */
    size_t length;
    const char *problem;          /* set when the entry holds no record: why */
};

struct redis_source_counters {
    uint64_t entries;             /* entries handed on */
    uint64_t skipped_applied;     /* read again after a crash, already applied: skipped */
    uint64_t acknowledged;        /* XACK'ed or trimmed */
    uint64_t reconnects;          /* connections made again after one was lost */
};

struct redis_source {
    struct redis_url url;
    char where[REDIS_URL_HOST_MAX + REDIS_URL_KEY_MAX + 32]; /* redis://host:port/key */
    char *password;               /* NULL: no AUTH */
    void *context;                /* redisContext */
    void *batch;                  /* redisReply of the last read */
    void *prefetched;             /* stream: the reply of the next read, when it came early */
    bool read_in_flight;          /* stream: the next read is sent, its reply not read */
    size_t batch_next, batch_size;
    bool batch_reversed;          /* list history (LRANGE): oldest value last */
    void *moved[REDIS_BATCH];     /* list: the values (redisReply) of the last LMOVEs */
    size_t moved_count;
    struct redis_stream_id current; /* stream: the id of the entry last returned */
    bool current_valid;
    bool reading_history;         /* stream: own pending entries still being read */
    char history_from[REDIS_ID_TEXT_MAX];
    struct redis_position applied; /* what the caller applied so far */
    uint64_t list_trimmed;        /* list: values trimmed off the processing list, ever */
    uint64_t list_history_left;   /* list: values on the processing list still to read */
    uint64_t list_history_read;   /* list: of those, read (counted from the right end) */
    char processing_key[REDIS_URL_KEY_MAX + REDIS_URL_NAME_MAX + 32];
    char trimmed_key[REDIS_URL_KEY_MAX + REDIS_URL_NAME_MAX + 40];
    struct redis_stream_id *unacknowledged; /* stream: ids applied, not yet XACK'ed */
    size_t unacknowledged_count, unacknowledged_capacity;
    struct redis_source_counters counters;
};

/* Connects (AUTH with password when not NULL), checks the key's type and,
 * for a stream, makes the consumer group (from the stream's start) when it
 * is missing. resume: what the caller's state says was applied (NULL: a
 * first run). False with a message naming the server and key. */
bool redis_source_open(struct redis_source *source, const struct redis_url *url,
                       const char *password, const struct redis_position *resume, char *error,
                       size_t error_size);
void redis_source_close(struct redis_source *source);

/* The next entry: 1 (entry filled, until the next call); 0 when there is
 * none now (with wait: after waiting up to a second); -1 when the
 * connection failed (error set): redis_source_reconnect, then go on. */
int redis_source_next(struct redis_source *source, bool wait, struct redis_entry *entry,
                      char *error, size_t error_size);

/* The entry last returned has had its effect (or was skipped as bad). */
void redis_source_applied(struct redis_source *source);

/* The position of what was applied, for the caller's state. */
struct redis_position redis_source_position(const struct redis_source *source);

/* Everything applied is durable: XACK it, or trim it off the processing
 * list. False (error set) when the server could not be told; the entries
 * stay pending and are told on the next call. */
bool redis_source_acknowledge(struct redis_source *source, char *error, size_t error_size);

/* After -1: connects again; entries read but not applied are read again. */
bool redis_source_reconnect(struct redis_source *source, char *error, size_t error_size);

#endif
