/* policy_local: the in-process world and decider. */
#include "policy/policy_local.h"

#include <string.h>

#include "geoip/geoip.h"

static struct key_snapshot *local_find_key(void *context, enum key_kind kind, const char *name,
                                           size_t length)
{
    struct policy_local *local = context;
    struct key *key = engine_find_key(local->engine, kind, name, length);
    if (!key)
        return NULL;
    if (local->view_count == POLICY_LOCAL_VIEWS_MAX)
        return NULL; /* a policy asking for more keys in one call gets nil */
    struct key_snapshot *snapshot = &local->views[local->view_count++];
    key_snapshot_take(snapshot, local->engine, key);
    return snapshot;
}

static bool local_describe_address(void *context, const struct ip_address *address,
                                   struct policy_asn *found)
{
    struct policy_local *local = context;
    if (!local->engine->geoip)
        return false;
    struct geoip_result result;
    geoip_lookup(local->engine->geoip, address, &result);
    found->asn = result.asn;
    found->org = result.org;
    found->org_length = result.org_length;
    memcpy(found->country, result.country, sizeof found->country);
    found->country[2] = '\0';
    return true;
}

static bool local_raise_alert(void *context, unsigned policy_index, const struct key_snapshot *key,
                              struct engine_alert *alert)
{
    struct policy_local *local = context;
    alert->key = key_store_deref(&local->engine->store, key->ref);
    return alert->key && engine_raise_alert(local->engine, policy_index, alert);
}

static void local_call_ended(void *context)
{
    ((struct policy_local *)context)->view_count = 0;
}

struct policy_world policy_local_world(struct policy_local *local, struct engine *engine)
{
    memset(local, 0, sizeof *local);
    local->engine = engine;
    return (struct policy_world){ .context = local, .find_key = local_find_key,
                                  .describe_address = local_describe_address,
                                  .raise_alert = local_raise_alert,
                                  .call_ended = local_call_ended };
}

static void set_clock(struct policy_local *local)
{
    local->host->now_us = local->engine->now_us;
    local->host->tick_time_us = local->engine->tick_time_us;
}

static bool decider_wants_keys(const void *context)
{
    return policy_host_wants_keys(((const struct policy_local *)context)->host);
}

static bool decider_wants_lookups(const void *context)
{
    return policy_host_wants_lookups(((const struct policy_local *)context)->host);
}

static void decider_evaluate(void *context, struct key *key)
{
    struct policy_local *local = context;
    set_clock(local);
    if (!policy_host_wants_key(local->host, key, engine_alerted_policies(local->engine, key)))
        return;
    key_snapshot_take(&local->evaluated, local->engine, key);
    policy_host_evaluate(local->host, &local->evaluated, 0);
}

static void decider_on_lookup(void *context, const struct engine_lookup *lookup,
                              uint32_t querier_asn)
{
    struct policy_local *local = context;
    set_clock(local);
    policy_host_on_lookup(local->host, lookup, querier_asn, 0);
}

void policy_local_attach(struct policy_local *local, struct policy_host *host)
{
    local->host = host;
    host->home_networks = local->engine->config.home_networks;
    const struct engine_decider decider = {
        .context = local,
        .wants_keys = decider_wants_keys,
        .wants_lookups = decider_wants_lookups,
        .evaluate = decider_evaluate,
        .on_lookup = decider_on_lookup,
    };
    engine_set_decider(local->engine, &decider);
}
