/* run: the state of one `exclave` run and the steps every run mode shares:
 * opening the databases, the input, the logs and the engine with its
 * policies; flushing; the end-of-run counters and alert table; closing.
 * The run modes (run_capture, run_logs, run_report) are built from these.
 * It reads no packets and no log lines itself. */
#ifndef EXCLAVE_CLI_RUN_H
#define EXCLAVE_CLI_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "base/progress.h"
#include "capture/pcap_source.h"
#include "capture/sensor.h"
#include "capture/sensor_pool.h"
#include "cli/options.h"
#include "engine/engine.h"
#include "engine/reorder_buffer.h"
#include "engine/state_file.h"
#include "pdns/pdns_table.h"
#include "eve/alert_writer.h"
#include "eve/eve_reader.h"
#include "eve/eve_writer.h"
#include "geoip/geoip.h"
#include "policy/policy_process.h"
#include "redis/redis_sink.h"
#include "redis/redis_source.h"
#include "zeek/zeek_dns_writer.h"
#include "zeek/zeek_files.h"
#include "zeek/zeek_notice_writer.h"
#include "zeek/zeek_reader.h"

enum { ERROR_SIZE = GEOIP_ERROR_MAX };

/* Set by the signal handlers, read between batches of input: the only
 * mutable state outside struct exclave_run, since a handler must reach it. */
struct exclave_signals {
    volatile sig_atomic_t stop;
    volatile sig_atomic_t reload;
};
extern struct exclave_signals exclave_signals;

struct exclave_run {
    struct exclave_options options;
    struct geoip geoip;
    bool geoip_open;
    FILE *log_file;            /* eve.json; NULL with --format zeek */
    struct json_out *out;
    struct eve_writer writer;
    struct zeek_dns_writer *dns_log;       /* --format zeek */
    struct zeek_notice_writer *notice_log;
    struct zeek_dns_record *zeek_record;   /* scratch for a packet's dns.log line */
    struct zeek_dns_scratch zeek_scratch;
    bool engine_ready;
    struct engine engine;
    struct policy_process policies;
    struct alert_writer alerts;
    struct sensor sensor;
    struct sensor_pool *pool;              /* --threads: the sensor on worker threads */
    struct run_thread_worker *thread_workers; /* run_threads' own, one per worker */
    unsigned thread_worker_count;
    struct dns_message *pdns_message;      /* run_threads with --log pdns: a response again */
    struct pcap_source source;
    struct zeek_files zeek_files;
    struct zeek_reader *zeek;              /* the file being read */
    struct eve_reader *eve;                /* --eve */
    struct redis_url *redis_url;           /* --eve redis://...: where the records are */
    char *redis_password;                  /* from --redis-password-file or the environment */
    struct redis_source *redis;            /* open while run_redis reads */
    struct redis_sink *sink;               /* -l redis://: where eve.json's records go */
    struct state_input resume_input;       /* --state with a Redis input: where it stopped */
    bool state_saved_by_input;             /* run_redis saved the state itself at the end */
    struct redis_totals {
        uint64_t bad_entries;              /* entries that hold no EVE record */
        uint64_t state_saves, state_save_failures;
    } redis_totals;
    struct log_totals {                    /* of every Zeek or EVE file read */
        uint64_t records, bad_lines;
        uint64_t bad_fields;               /* Zeek: fields left unset */
        uint64_t dns_unusable;             /* EVE: dns records passed on, not counted */
        uint64_t lookups;                  /* EVE: dns records that became lookups */
        uint64_t reopened;                 /* --follow: rotations followed */
    } log_totals;
    time_t last_reload_check;
    char log_name[4096];       /* eve.json's path, or "standard output" */
    bool write_failure_told;   /* the first failed write of the log was reported */
    bool one_direction_told;   /* the warning of run_check_counting was given */
    struct state_autosave autosave;        /* --state */
    struct reorder_buffer reorder;         /* --zeek, --eve: lookups put back in time order */
    bool reorder_on;
    unsigned reorder_warnings;
    time_t last_record_wall;               /* --follow: when a lookup last arrived */
    struct progress progress;
    uint64_t input_bytes;                  /* size of the file read, 0 when unknown */
    bool log_dns;                          /* --log dns: the records of every lookup */
    struct pdns_table pdns;                /* --log pdns */
    FILE *passivedns_file;                 /* --pdns-format passivedns: passivedns.log */
    struct json_out *passivedns_out;
    char passivedns_name[4096];
    bool pdns_on;
    time_t next_stats_wall;                /* --log stats: when the next record is due */
};

void exclave_install_signal_handlers(void);

/* Each says what failed on stderr and returns false. */
bool run_open_geoip(struct exclave_run *run);
bool run_open_source(struct exclave_run *run);
bool run_open_log(struct exclave_run *run);
bool run_open_engine(struct exclave_run *run);

void run_flush_logs(struct exclave_run *run);

/* --log stats: an exclave_stats record when one is due by the wall clock
 * (--stats-every), or now when forced (the end of the run). */
void run_write_stats_when_due(struct exclave_run *run, bool force);
bool run_stats_due(const struct exclave_run *run);

/* Says, once, when a write of the log has failed (a full disk): what
 * failed and that the records are lost from there on, counted. Cheap
 * enough to call per record. */
void run_check_output(struct exclave_run *run);

/* Says, once, when queries flow and almost none is answered: a sensor that
 * sees one direction counts nothing by default (--count-unanswered). As
 * cheap as run_check_output. */
void run_check_counting(struct exclave_run *run);
void run_start_progress(struct exclave_run *run, const char *path, const char *unit);
void run_show_progress(struct exclave_run *run, uint64_t count, uint64_t bytes);

/* The end of any input: the last evaluation, the log flushed, counters and
 * the alert table printed. Returns ok, or false when the log failed. */
bool run_finish(struct exclave_run *run, bool ok);

/* Closes what the run opened (the log after the policies). */
void run_close(struct exclave_run *run);

#endif
