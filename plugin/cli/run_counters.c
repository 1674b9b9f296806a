/* run_counters: a run's counters, in the order --stats prints them (see
 * the header). It changes nothing. */
#include "cli/run_counters.h"

#include "cli/run_threads.h"

static void visit_input(const struct exclave_run *run, counter_visit_fn visit, void *user)
{
    const struct log_totals *t = &run->log_totals;
    if (run->zeek) {
        visit(user, "zeek_records", t->records);
        visit(user, "zeek_bad_lines", t->bad_lines);
        visit(user, "zeek_bad_fields", t->bad_fields);
        visit(user, "zeek_files", run->zeek_files.count);
        visit(user, "zeek_reopened", t->reopened);
    } else if (run->eve) {
        visit(user, "eve_records", t->records);
        visit(user, "eve_dns_lookups", t->lookups);
        visit(user, "eve_bad_lines", t->bad_lines);
        visit(user, "eve_dns_unusable", t->dns_unusable);
        visit(user, "eve_reopened", t->reopened);
    } else {
        if (run->pool)
            run_threads_visit_sensor(run, visit, user);
        else
            sensor_visit_counters(&run->sensor, visit, user);
        if (run->source.live) {
            visit(user, "capture_kernel_drops", run->source.kernel_drops);
            visit(user, "capture_interface_drops", run->source.interface_drops);
        }
    }
    if (run->redis) {
        const struct redis_source_counters *c = &run->redis->counters;
        visit(user, "redis_entries", c->entries);
        visit(user, "redis_bad_entries", run->redis_totals.bad_entries);
        visit(user, "redis_skipped_applied", c->skipped_applied);
        visit(user, "redis_acknowledged", c->acknowledged);
        visit(user, "redis_reconnects", c->reconnects);
        visit(user, "redis_state_saves", run->redis_totals.state_saves);
        visit(user, "redis_state_save_failures", run->redis_totals.state_save_failures);
    }
    if (run->reorder_on) {
        visit(user, "reorder_too_late", run->reorder.too_late);
        visit(user, "reorder_held_most", run->reorder.held_most);
    }
}

static void visit_outputs(const struct exclave_run *run, counter_visit_fn visit, void *user)
{
    if (run->sink) {
        visit(user, "redis_published", run->sink->counters.published);
        visit(user, "redis_dropped", run->sink->counters.dropped);
        visit(user, "redis_refused", run->sink->counters.refused);
        visit(user, "redis_queued_most", run->sink->counters.queued_most);
        visit(user, "redis_sink_reconnects", run->sink->counters.reconnects);
    }
    struct geoip_counters all;
    run_threads_geoip_counters(run, &all);
    const struct geoip_counters *g = &all;
    visit(user, "geoip_no_asn", g->no_asn);
    visit(user, "geoip_no_country", g->no_country);
    visit(user, "geoip_lookups", g->lookups);
    visit(user, "geoip_cache_hits", g->cache_hits);
    visit(user, "geoip_lookup_errors", g->lookup_errors);
    visit(user, "geoip_reloads", g->reloads);
    visit(user, "geoip_reload_failures", g->reload_failures);
    if (run->out) {
        visit(user, "output_bytes", run->out->bytes_written);
        visit(user, "output_write_errors", run->out->write_errors);
        visit(user, "output_records_lost", run->out->records_lost + run_threads_records_lost(run));
    }
    if (run->dns_log) {
        visit(user, "zeek_dns_log_records", run->dns_log->log.records);
        visit(user, "zeek_notices", run->notice_log->log.records);
    }
    if (run->pdns_on)
        pdns_table_visit_counters(&run->pdns, visit, user);
}

void run_visit_counters(const struct exclave_run *run, counter_visit_fn visit, void *user)
{
    visit_input(run, visit, user);
    visit_outputs(run, visit, user);
    if (run->engine_ready) {
        engine_visit_counters(&run->engine, visit, user);
        policy_process_visit_counters(&run->policies, visit, user);
    }
}
