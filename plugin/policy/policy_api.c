/* policy_api: the `exclave` Lua library and the read-only key view. A view
 * is a small userdata (snapshot pointer + call generation) whose fields are
 * read from the snapshot's aggregates when asked for, so evaluate() costs
 * only what the policy reads. It reaches keys, the ASN database and the
 * alert sink only through the host's policy_world. */
#include "policy/policy_api.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/dns_codes.h"
#include "base/json_out.h"

enum { EVIDENCE_FIELDS_MAX = 64, EVIDENCE_BYTES_MAX = 32768, US_PER_SECOND = 1000000,
       SIGNATURE_BYTES_MAX = 512, RELATED_BYTES_MAX = 1100 };

static const char KEY_VIEW_TYPE[] = "exclave.key";

struct key_view {
    struct key_snapshot *snapshot;
    uint64_t generation;
};

static struct policy *policy_upvalue(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

static int64_t policy_now_us(const struct policy_host *host)
{
    return host->evaluating ? host->tick_time_us : host->now_us;
}

static void push_time(lua_State *L, int64_t time_us)
{
    lua_pushinteger(L, (lua_Integer)(time_us / US_PER_SECOND));
}

static void push_day_text(lua_State *L, int64_t day)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    char text[16];
    gmtime_r(&t, &tm);
    strftime(text, sizeof text, "%Y-%m-%d", &tm);
    lua_pushstring(L, text);
}

/* ---- key view fields ------------------------------------------------------------ */

/* count, corrected, share and overestimate of one tally entry, into the table on top */
static void push_tally_counts(lua_State *L, const struct key *key, const struct asn_count *entry)
{
    lua_pushinteger(L, entry->lookups);
    lua_setfield(L, -2, "count");
    lua_pushinteger(L, entry->corrected);
    lua_setfield(L, -2, "corrected");
    lua_pushnumber(L, key_asn_share(key, entry));
    lua_setfield(L, -2, "share");
    lua_pushinteger(L, entry->overestimate);
    lua_setfield(L, -2, "overestimate");
    lua_pushinteger(L, entry->proven);
    lua_setfield(L, -2, "proven");
}

static void push_asns(lua_State *L, const struct key_snapshot *snapshot)
{
    const struct key *key = snapshot->key;
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(&key->asn_tally, sorted);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        const struct key_snapshot_asn *described = key_snapshot_asn(snapshot, sorted[i].asn);
        const char *org = described ? described->org : NULL;
        const char *country = described ? described->country : NULL;
        lua_createtable(L, 0, 7);
        lua_pushinteger(L, sorted[i].asn);
        lua_setfield(L, -2, "asn");
        lua_pushstring(L, org);
        lua_setfield(L, -2, "org");
        lua_pushstring(L, country);
        lua_setfield(L, -2, "country");
        push_tally_counts(L, key, &sorted[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* Lookups per querier country, from the country tally, largest corrected first. */
static void push_countries(lua_State *L, const struct key *key)
{
    struct asn_count sorted[ASN_TALLY_SLOTS];
    size_t n = asn_tally_sorted(&key->country_tally, sorted);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        char code[2];
        lua_createtable(L, 0, 5);
        if (key_country_text(sorted[i].asn, code)) {
            lua_pushlstring(L, code, 2);
            lua_setfield(L, -2, "country");
        }
        push_tally_counts(L, key, &sorted[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

/* The ASNs (of those `asns` keeps, in its order) that looked the key up on `day`. */
static void push_day_asns(lua_State *L, const struct key *key, const struct asn_count *sorted,
                          const int8_t *slots, size_t n, int64_t day)
{
    uint8_t mask = key_aggregate_daily_asns(key, day);
    lua_createtable(L, __builtin_popcount(mask), 0);
    lua_Integer count = 0;
    for (size_t i = 0; i < n; i++) {
        if (slots[i] >= 0 && (mask >> slots[i] & 1)) {
            lua_pushinteger(L, sorted[i].asn);
            lua_rawseti(L, -2, ++count);
        }
    }
}

static void push_daily(lua_State *L, const struct key *key)
{
    lua_newtable(L);
    if (key->daily_last_day == 0)
        return;
    int64_t last = key->daily_last_day, first = (int64_t)key_aggregate_day(key->first_seen_us);
    if (last - first >= KEY_DAILY_DAYS)
        first = last - KEY_DAILY_DAYS + 1;
    struct asn_count sorted[ASN_TALLY_SLOTS];
    int8_t slots[ASN_TALLY_SLOTS];
    size_t asn_count = asn_tally_sorted(&key->asn_tally, sorted);
    for (size_t i = 0; i < asn_count; i++)
        slots[i] = (int8_t)asn_tally_find(&key->asn_tally, sorted[i].asn);
    lua_Integer n = 0;
    for (int64_t day = first; day <= last; day++) {
        lua_createtable(L, 0, 4);
        push_day_text(L, day);
        lua_setfield(L, -2, "day");
        lua_pushinteger(L, (lua_Integer)(day * 86400));
        lua_setfield(L, -2, "time");
        lua_pushinteger(L, key_aggregate_daily(key, day));
        lua_setfield(L, -2, "count");
        push_day_asns(L, key, sorted, slots, asn_count, day);
        lua_setfield(L, -2, "asns");
        lua_rawseti(L, -2, ++n);
    }
}

static void push_hours(lua_State *L, const struct key *key)
{
    lua_createtable(L, 24, 0);
    for (int h = 0; h < 24; h++) {
        lua_pushinteger(L, key->hours[h]);
        lua_rawseti(L, -2, h + 1);
    }
}

static void push_answers(lua_State *L, const struct key *key)
{
    lua_newtable(L);
    if (key->kind == KEY_ADDRESS)
        return;
    for (unsigned i = 0; i < key->linked_count; i++) {
        char text[IP_ADDRESS_TEXT_MAX];
        lua_pushlstring(L, text, ip_address_format(&key->linked.answers[i], text));
        lua_rawseti(L, -2, i + 1);
    }
}

static void push_names(lua_State *L, const struct key_snapshot *snapshot)
{
    lua_createtable(L, snapshot->name_count, 0);
    for (unsigned i = 0; i < snapshot->name_count; i++) {
        lua_pushlstring(L, snapshot->names[i], snapshot->name_lengths[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static void push_rcodes(lua_State *L, const struct key *key)
{
    static const char *const names[KEY_RCODES] = { "noerror", "servfail", "nxdomain",
                                                   "refused", "other" };
    lua_createtable(L, 0, KEY_RCODES);
    for (int i = 0; i < KEY_RCODES; i++) {
        lua_pushinteger(L, key->rcodes[i]);
        lua_setfield(L, -2, names[i]);
    }
}

/* {policy_name = true, ...} for the policies that alerted on the key in this window. */
static void push_alerted(lua_State *L, const struct policy *policy, const struct key_snapshot *snapshot)
{
    uint32_t mask = snapshot->alerted;
    lua_newtable(L);
    for (unsigned i = 0; i < policy->host->count && i < 32; i++) {
        if (mask & (1u << i)) {
            lua_pushboolean(L, 1);
            lua_setfield(L, -2, policy_host_name(policy->host, i));
        }
    }
}

/* {address, count, overestimate} of the querier that surely made more than
 * half of the lookups, or nil. */
static void push_top_querier(lua_State *L, const struct key *key)
{
    const struct querier_count *top = querier_tally_majority(&key->top_queriers, key->lookups);
    if (!top) {
        lua_pushnil(L);
        return;
    }
    char text[IP_ADDRESS_TEXT_MAX];
    lua_createtable(L, 0, 3);
    lua_pushlstring(L, text, ip_address_format(&top->address, text));
    lua_setfield(L, -2, "address");
    lua_pushinteger(L, top->lookups);
    lua_setfield(L, -2, "count");
    lua_pushinteger(L, top->overestimate);
    lua_setfield(L, -2, "overestimate");
}

static void push_optional_time(lua_State *L, int64_t time_us)
{
    if (time_us)
        push_time(L, time_us);
    else
        lua_pushnil(L);
}

/* Pushes the field's value; false for an unknown field. */
static bool push_field(lua_State *L, const struct policy *policy,
                       const struct key_snapshot *snapshot, const char *field)
{
    const struct key *key = snapshot->key;
    if (!strcmp(field, "name")) lua_pushlstring(L, key->name, key->name_length);
    else if (!strcmp(field, "kind")) lua_pushstring(L, key_kind_name(key->kind));
    else if (!strcmp(field, "lookups")) lua_pushinteger(L, (lua_Integer)key->lookups);
    else if (!strcmp(field, "lookups_corrected")) lua_pushinteger(L, (lua_Integer)key->lookups_corrected);
    else if (!strcmp(field, "queriers")) lua_pushinteger(L, (lua_Integer)key_aggregate_distinct(key, &key->queriers));
    else if (!strcmp(field, "prefixes")) lua_pushinteger(L, (lua_Integer)key_aggregate_distinct(key, &key->prefixes));
    else if (!strcmp(field, "asn_count")) lua_pushinteger(L, (lua_Integer)key_aggregate_distinct(key, &key->asns));
    else if (!strcmp(field, "country_count")) lua_pushinteger(L, (lua_Integer)key_aggregate_country_count(key));
    else if (!strcmp(field, "asns")) push_asns(L, snapshot);
    else if (!strcmp(field, "countries")) push_countries(L, key);
    else if (!strcmp(field, "entropy")) lua_pushnumber(L, asn_tally_entropy(&key->asn_tally, key->lookups_corrected));
    else if (!strcmp(field, "first_seen")) push_time(L, key->first_seen_us);
    else if (!strcmp(field, "last_seen")) push_time(L, key->last_seen_us);
    else if (!strcmp(field, "daily")) push_daily(L, key);
    else if (!strcmp(field, "hours")) push_hours(L, key);
    else if (!strcmp(field, "answers")) push_answers(L, key);
    else if (!strcmp(field, "names")) push_names(L, snapshot);
    else if (!strcmp(field, "nxdomain_since")) push_optional_time(L, key->nxdomain_since_us);
    else if (!strcmp(field, "last_answer")) push_optional_time(L, key->last_answer_us);
    else if (!strcmp(field, "rcodes")) push_rcodes(L, key);
    else if (!strcmp(field, "reverse_lookups")) lua_pushinteger(L, (lua_Integer)key->reverse_lookups);
    else if (!strcmp(field, "queries")) lua_pushinteger(L, (lua_Integer)key->queries);
    else if (!strcmp(field, "unanswered")) lua_pushinteger(L, (lua_Integer)key_unanswered(key));
    else if (!strcmp(field, "unsolicited")) lua_pushinteger(L, (lua_Integer)key->unsolicited);
    else if (!strcmp(field, "top_querier")) push_top_querier(L, key);
    else if (!strcmp(field, "proven")) lua_pushinteger(L, (lua_Integer)key->proven_lookups);
    else if (!strcmp(field, "names_cut")) lua_pushinteger(L, key->names_cut);
    else if (!strcmp(field, "home_lookups")) lua_pushinteger(L, (lua_Integer)key->home_lookups);
    else if (!strcmp(field, "alerted")) push_alerted(L, policy, snapshot);
    else if (!strcmp(field, "ttl")) lua_pushinteger(L, key->slot_seconds);
    else if (!strcmp(field, "approximate"))
        lua_pushboolean(L, key->asn_tally.approximate || !distinct_counter_is_exact(&key->queriers));
    else return false;
    return true;
}

static struct key_snapshot *checked_view(lua_State *L, int index, struct policy **policy_out)
{
    struct key_view *view = luaL_checkudata(L, index, KEY_VIEW_TYPE);
    struct policy *policy = policy_upvalue(L);
    if (view->generation != policy->host->view_generation)
        luaL_error(L, "a key view is only valid during the call that received it");
    if (policy_out)
        *policy_out = policy;
    return view->snapshot;
}

static int view_index(lua_State *L)
{
    struct policy *policy;
    const struct key_snapshot *snapshot = checked_view(L, 1, &policy);
    const char *field = luaL_checkstring(L, 2);
    if (!push_field(L, policy, snapshot, field)) /* a typo must not read as nil and never alert */
        return luaL_error(L, "a key view has no field '%s' (docs/policies.md lists them)", field);
    return 1;
}

static int view_newindex(lua_State *L)
{
    return luaL_error(L, "key views are read-only (tried to set '%s')", luaL_tolstring(L, 2, NULL));
}

static int view_tostring(lua_State *L)
{
    const struct key *key = checked_view(L, 1, NULL)->key;
    lua_pushfstring(L, "exclave.key(%s %s)", key_kind_name(key->kind), key->name);
    return 1;
}

void policy_api_push_key(lua_State *L, struct policy *policy, struct key_snapshot *snapshot)
{
    struct key_view *view = lua_newuserdatauv(L, sizeof *view, 0);
    view->snapshot = snapshot;
    view->generation = policy->host->view_generation;
    luaL_setmetatable(L, KEY_VIEW_TYPE);
}

/* ---- the exclave table ---------------------------------------------------------- */

static int api_key(lua_State *L)
{
    static const char *const kinds[] = { "name", "domain", "address", NULL };
    struct policy *policy = policy_upvalue(L);
    int kind = luaL_checkoption(L, 1, NULL, kinds);
    size_t length;
    const char *name = luaL_checklstring(L, 2, &length);
    const struct policy_world *world = &policy->host->world;
    struct key_snapshot *key = world->find_key(world->context, (enum key_kind)kind, name, length);
    if (key)
        policy_api_push_key(L, policy, key);
    else
        lua_pushnil(L);
    return 1;
}

static int api_asn(lua_State *L)
{
    struct policy *policy = policy_upvalue(L);
    const struct policy_world *world = &policy->host->world;
    struct ip_address address;
    struct policy_asn found;
    if (!ip_address_parse(luaL_checkstring(L, 1), &address) ||
        !world->describe_address(world->context, &address, &found)) {
        lua_pushnil(L);
        return 1;
    }
    if (found.asn) lua_pushinteger(L, found.asn); else lua_pushnil(L);
    if (found.org) lua_pushlstring(L, found.org, found.org_length); else lua_pushnil(L);
    if (found.country[0]) lua_pushstring(L, found.country); else lua_pushnil(L);
    return 3;
}

/* exclave.home(ip): true when the address is in the home networks
 * (--home-net); false when not, or when none were given; nil for text that
 * is no address. */
static int api_home(lua_State *L)
{
    const struct network_list *home = policy_upvalue(L)->host->home_networks;
    struct ip_address address;
    if (!ip_address_parse(luaL_checkstring(L, 1), &address))
        lua_pushnil(L);
    else
        lua_pushboolean(L, home && network_list_contains(home, &address));
    return 1;
}

static int api_now(lua_State *L)
{
    push_time(L, policy_now_us(policy_upvalue(L)->host));
    return 1;
}

static int api_log(lua_State *L)
{
    policy_log(policy_upvalue(L), luaL_checkstring(L, 1));
    return 0;
}

/* exclave.var(name, default): the --set POLICY.name value, as the default's type. */
static int api_var(lua_State *L)
{
    struct policy *policy = policy_upvalue(L);
    const char *name = luaL_checkstring(L, 1);
    luaL_checkany(L, 2);
    const struct policy_variable *found = NULL;
    size_t policy_length = strlen(policy->name);
    for (size_t i = 0; i < policy->host->variable_count; i++) {
        struct policy_variable *v = &policy->host->variables[i];
        if (v->policy_length == policy_length && !memcmp(v->policy, policy->name, policy_length) &&
            !strcmp(v->name, name)) {
            v->used = true;
            found = v;
        }
    }
    if (!found) {
        lua_settop(L, 2);
        return 1;
    }
    const char *text = found->value;
    switch (lua_type(L, 2)) {
    case LUA_TNUMBER:
        if (!lua_stringtonumber(L, text))
            return luaL_error(L, "--set %s.%s=%s: not a number", policy->name, name, text);
        return 1;
    case LUA_TBOOLEAN:
        if (!strcmp(text, "true") || !strcmp(text, "yes") || !strcmp(text, "1")) lua_pushboolean(L, 1);
        else if (!strcmp(text, "false") || !strcmp(text, "no") || !strcmp(text, "0")) lua_pushboolean(L, 0);
        else return luaL_error(L, "--set %s.%s=%s: not true or false", policy->name, name, text);
        return 1;
    case LUA_TTABLE: { /* a comma-separated list */
        lua_newtable(L);
        lua_Integer n = 0;
        for (const char *p = text; *p;) {
            size_t length = strcspn(p, ",");
            if (length) {
                lua_pushlstring(L, p, length);
                if (lua_stringtonumber(L, lua_tostring(L, -1))) lua_remove(L, -2);
                lua_rawseti(L, -2, ++n);
            }
            p += length + (p[length] == ',');
        }
        return 1;
    }
    default:
        lua_pushstring(L, text);
        return 1;
    }
}

/* ---- alerts --------------------------------------------------------------------- */

static bool scalar(int type)
{
    return type == LUA_TSTRING || type == LUA_TNUMBER || type == LUA_TBOOLEAN;
}

/* Counts a scalar's bytes against the evidence budget: the cap applies
 * while the evidence is read, before anything is built from it. */
static void spend(lua_State *L, size_t *budget, size_t bytes)
{
    if (bytes + 32 > *budget)
        luaL_error(L, "exclave.alert: evidence over %d bytes", EVIDENCE_BYTES_MAX);
    *budget -= bytes + 32; /* a number or a boolean counts 32 */
}

static void check_evidence_value(lua_State *L, const char *field, size_t *budget)
{
    if (scalar(lua_type(L, -1))) {
        spend(L, budget, lua_type(L, -1) == LUA_TSTRING ? lua_rawlen(L, -1) : 0);
        return;
    }
    if (lua_type(L, -1) == LUA_TTABLE) {
        lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
        for (lua_Integer i = 1; i <= n; i++) {
            int type = lua_rawgeti(L, -1, i);
            bool ok = scalar(type);
            size_t bytes = type == LUA_TSTRING ? lua_rawlen(L, -1) : 0;
            lua_pop(L, 1);
            if (!ok)
                luaL_error(L, "exclave.alert: evidence.%s[%d]: only strings, numbers and booleans",
                           field, (int)i);
            spend(L, budget, bytes);
        }
        return;
    }
    luaL_error(L, "exclave.alert: evidence.%s: only strings, numbers, booleans and lists of them",
               field);
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Collects the evidence table's field names (validated), sorted. Each name
 * is also left on the stack, below the iteration, so that no collection
 * (a finalizer may change the table) can free a string fields[] points to. */
static size_t evidence_fields(lua_State *L, int table, const char **fields)
{
    size_t n = 0, budget = EVIDENCE_BYTES_MAX;
    luaL_checkstack(L, EVIDENCE_FIELDS_MAX + 8, "evidence");
    lua_pushnil(L);
    while (lua_next(L, table)) {
        size_t key_length;
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "exclave.alert: evidence keys must be strings");
        if (n == EVIDENCE_FIELDS_MAX)
            luaL_error(L, "exclave.alert: at most %d evidence fields", EVIDENCE_FIELDS_MAX);
        fields[n++] = lua_tolstring(L, -2, &key_length);
        if (strlen(fields[n - 1]) != key_length)
            luaL_error(L, "exclave.alert: an evidence key holds a NUL byte");
        spend(L, &budget, key_length);
        check_evidence_value(L, fields[n - 1], &budget);
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_insert(L, table + 1); /* the kept name; the key stays on top for lua_next */
    }
    qsort(fields, n, sizeof *fields, by_string);
    return n;
}

/* Any value: a scalar as JSON, anything else (a finalizer may have swapped
 * a validated value since) as null. */
static void write_scalar(lua_State *L, struct json_out *out)
{
    char number[64];
    size_t length;
    switch (lua_type(L, -1)) {
    case LUA_TBOOLEAN: json_out_bool(out, lua_toboolean(L, -1)); break;
    case LUA_TNUMBER:
        if (lua_isinteger(L, -1)) {
            length = (size_t)snprintf(number, sizeof number, "%lld", (long long)lua_tointeger(L, -1));
        } else {
            double value = lua_tonumber(L, -1);
            length = value == value && value - value == 0
                         ? (size_t)snprintf(number, sizeof number, "%.6g", value)
                         : (size_t)snprintf(number, sizeof number, "null");
        }
        json_out_raw(out, number, length);
        break;
    case LUA_TSTRING: {
        const char *text = lua_tolstring(L, -1, &length);
        json_out_string(out, text, length);
        break;
    }
    default: json_out_literal(out, "null"); break;
    }
}

/* Serialises already validated evidence into a malloc'ed string (caller frees). */
static char *serialize_evidence(lua_State *L, struct policy_host *host, int table,
                                const char **fields, size_t count)
{
    char *text = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&text, &size);
    if (!memory || (!host->evidence && !(host->evidence = malloc(sizeof *host->evidence)))) {
        if (memory)
            fclose(memory);
        free(text);
        return NULL;
    }
    struct json_out *out = host->evidence;
    json_out_init(out, memory);
    for (size_t i = 0; i < count; i++) {
        if (i)
            json_out_literal(out, ",");
        json_out_cstring(out, fields[i]);
        json_out_literal(out, ":");
        lua_pushstring(L, fields[i]);
        lua_rawget(L, table); /* raw, as validated: no __index may swap the value */
        if (lua_type(L, -1) == LUA_TTABLE) {
            json_out_literal(out, "[");
            for (lua_Integer j = 1, n = (lua_Integer)lua_rawlen(L, -1); j <= n; j++) {
                if (j > 1)
                    json_out_literal(out, ",");
                lua_rawgeti(L, -1, j);
                write_scalar(L, out);
                lua_pop(L, 1);
            }
            json_out_literal(out, "]");
        } else {
            write_scalar(L, out);
        }
        lua_pop(L, 1);
    }
    json_out_flush(out);
    fclose(memory);
    return text;
}

/* The alert table's field, read raw: no __index runs while the host holds
 * pointers into Lua strings. Pushes the value; returns its type. */
static int alert_field(lua_State *L, const char *name)
{
    lua_pushstring(L, name);
    return lua_rawget(L, 1);
}

static void read_related(lua_State *L, struct engine_alert *alert)
{
    luaL_checkstack(L, ENGINE_RELATED_MAX + 8, "related");
    if (alert_field(L, "related") == LUA_TTABLE) {
        int table = lua_gettop(L);
        lua_Integer n = (lua_Integer)lua_rawlen(L, table);
        for (lua_Integer i = 1; i <= n && alert->related_count < ENGINE_RELATED_MAX; i++) {
            if (lua_rawgeti(L, table, i) != LUA_TSTRING) /* a number would be converted, then freed */
                luaL_error(L, "exclave.alert: related[%d] is not a string", (int)i);
            if (lua_rawlen(L, -1) > RELATED_BYTES_MAX)
                luaL_error(L, "exclave.alert: related[%d] is over %d bytes", (int)i, RELATED_BYTES_MAX);
            /* left on the stack: the table may lose it before the alert is raised */
            alert->related[alert->related_count++] = lua_tostring(L, -1);
        }
    } else if (!lua_isnil(L, -1)) {
        luaL_error(L, "exclave.alert: related must be a list of names");
    }
}

uint32_t policy_api_default_signature_id(const char *name)
{
    uint32_t hash = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        hash = (hash ^ *p) * 16777619u;
    return 9100000u + hash % 900000u;
}

/* exclave.alert{signature=, severity=, signature_id=, key=, related=, evidence=}
 * Its fields are read raw, and every string the alert points to stays on the
 * stack until the alert is written. */
static int api_alert(lua_State *L)
{
    struct policy *policy = policy_upvalue(L);
    struct policy_host *host = policy->host;
    luaL_checktype(L, 1, LUA_TTABLE);
    struct engine_alert alert = { .policy = policy->name, .severity = 2,
                                  .signature_id = policy_api_default_signature_id(policy->name),
                                  .time_us = policy_now_us(host) };
    alert_field(L, "signature");
    size_t signature_length;
    alert.signature = luaL_checklstring(L, -1, &signature_length);
    luaL_argcheck(L, signature_length <= SIGNATURE_BYTES_MAX && strlen(alert.signature) == signature_length,
                  1, "signature is at most 512 bytes, without NUL");
    alert_field(L, "severity");
    alert.severity = (int)luaL_optinteger(L, -1, 2);
    luaL_argcheck(L, alert.severity >= 1 && alert.severity <= 4, 1, "severity is 1 (high) to 4");
    alert_field(L, "signature_id");
    alert.signature_id = (uint32_t)luaL_optinteger(L, -1, alert.signature_id);
    alert_field(L, "key");
    struct key_snapshot *key = lua_isnil(L, -1) ? host->evaluating : checked_view(L, lua_gettop(L), NULL);
    if (!key)
        return luaL_error(L, "exclave.alert: no key (outside evaluate, pass key = exclave.key(...))");
    read_related(L, &alert);
    const char *fields[EVIDENCE_FIELDS_MAX];
    size_t field_count = 0;
    int evidence = 0;
    if (alert_field(L, "evidence") == LUA_TTABLE) {
        evidence = lua_gettop(L);
        field_count = evidence_fields(L, evidence, fields);
    } else if (!lua_isnil(L, -1)) {
        return luaL_error(L, "exclave.alert: evidence must be a table");
    }
    char *evidence_json = evidence ? serialize_evidence(L, host, evidence, fields, field_count) : NULL;
    if (evidence_json && strlen(evidence_json) > EVIDENCE_BYTES_MAX) {
        free(evidence_json);
        return luaL_error(L, "exclave.alert: evidence over %d bytes", EVIDENCE_BYTES_MAX);
    }
    alert.evidence_json = evidence_json ? evidence_json : "";
    bool raised = host->world.raise_alert(host->world.context, policy->index, key, &alert);
    if (raised) /* the policies after this one see it, as they would in the engine */
        key->alerted |= 1u << (policy->index % 32);
    free(evidence_json);
    lua_pushboolean(L, raised);
    return 1;
}

/* ---- lookups for on_lookup ---------------------------------------------------------- */

static void set_address_field(lua_State *L, const char *field, const struct ip_address *address)
{
    char text[IP_ADDRESS_TEXT_MAX];
    lua_pushlstring(L, text, ip_address_format(address, text));
    lua_setfield(L, -2, field);
}

void policy_api_push_lookup(lua_State *L, struct policy *policy,
                            const struct engine_lookup *lookup, uint32_t querier_asn)
{
    (void)policy;
    lua_createtable(L, 0, 9);
    push_time(L, lookup->time_us);
    lua_setfield(L, -2, "time");
    set_address_field(L, "querier", &lookup->querier);
    set_address_field(L, "server", &lookup->server);
    lua_pushlstring(L, lookup->qname, lookup->qname_length);
    lua_setfield(L, -2, "name");
    char code[32];
    lua_pushlstring(L, code, dns_type_text(lookup->qtype, code));
    lua_setfield(L, -2, "qtype");
    if (lookup->has_response) {
        lua_pushlstring(L, code, dns_rcode_text(lookup->rcode, code));
        lua_setfield(L, -2, "rcode");
    }
    static const char *const parts[] = { "query", "response", "answered", "unanswered", "unsolicited" };
    lua_pushstring(L, parts[lookup->part <= LOOKUP_UNSOLICITED ? lookup->part : LOOKUP_UNSOLICITED]);
    lua_setfield(L, -2, "part");
    lua_pushboolean(L, lookup->part == LOOKUP_RESPONSE || lookup->part == LOOKUP_ANSWERED);
    lua_setfield(L, -2, "is_lookup");
    if (querier_asn) {
        lua_pushinteger(L, querier_asn);
        lua_setfield(L, -2, "querier_asn");
    }
    lua_createtable(L, (int)lookup->answer_count, 0);
    for (size_t i = 0; i < lookup->answer_count; i++) {
        char text[IP_ADDRESS_TEXT_MAX];
        lua_pushlstring(L, text, ip_address_format(&lookup->answers[i], text));
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "answers");
}

void policy_api_open(struct policy *policy)
{
    lua_State *L = policy->state;
    static const luaL_Reg view_methods[] = {
        { "__index", view_index }, { "__newindex", view_newindex },
        { "__tostring", view_tostring }, { NULL, NULL },
    };
    luaL_newmetatable(L, KEY_VIEW_TYPE);
    lua_pushlightuserdata(L, policy);
    luaL_setfuncs(L, view_methods, 1);
    lua_pushliteral(L, "locked");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
    static const luaL_Reg functions[] = {
        { "alert", api_alert }, { "key", api_key }, { "asn", api_asn }, { "home", api_home }, { "now", api_now },
        { "log", api_log }, { "var", api_var }, { NULL, NULL },
    };
    luaL_newlibtable(L, functions);
    lua_pushlightuserdata(L, policy);
    luaL_setfuncs(L, functions, 1);
    lua_pushstring(L, policy->name);
    lua_setfield(L, -2, "policy");
    lua_setglobal(L, "exclave");
}
