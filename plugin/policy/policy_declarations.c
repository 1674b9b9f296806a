/* policy_declarations: a policy's declarations read into its struct. It
 * must not run the policy's code or resolve other policies' names (the host
 * does, once every policy is loaded). */
#include "policy/policy_declarations.h"

#include <lauxlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy_api.h"

int policy_raw_global(lua_State *L, const char *name)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    lua_pushstring(L, name);
    int type = lua_rawget(L, -2);
    lua_remove(L, -2);
    return type;
}

static bool global_is_function(lua_State *L, const char *name)
{
    bool is = policy_raw_global(L, name) == LUA_TFUNCTION;
    lua_pop(L, 1);
    return is;
}

static const char *const candidate_fields[] = { "kinds", "min_lookups", "max_asns",
                                                "top_asns", "top_share", "ignore_asns",
                                                "first_seen_days", "alerted_by", "once", NULL };

/* candidates.FIELD of the table at index 1, low to high, or `absent`. */
static double candidate_number(lua_State *L, const char *field, double low, double high,
                               double absent)
{
    lua_pushstring(L, field);
    int type = lua_rawget(L, 1);
    double value = type == LUA_TNUMBER ? lua_tonumber(L, -1) : absent;
    if (type != LUA_TNIL && !(type == LUA_TNUMBER && value >= low && value <= high)) {
        char range[64];
        snprintf(range, sizeof range, "from %g to %g", low, high);
        luaL_error(L, "candidates.%s must be a number %s", field, range);
    }
    lua_pop(L, 1);
    return value;
}

/* Pushes candidates.FIELD when it is a list of at most max strings (its
 * length returned), 0 when absent; an error for anything else. */
static size_t candidate_list(lua_State *L, const char *field, size_t max)
{
    lua_pushstring(L, field);
    int type = lua_rawget(L, 1);
    if (type == LUA_TNIL) {
        lua_pop(L, 1);
        return 0;
    }
    size_t count = type == LUA_TTABLE ? (size_t)lua_rawlen(L, -1) : 0;
    if (type != LUA_TTABLE || count == 0 || count > max)
        luaL_error(L, "candidates.%s must be a list of 1 to %d strings", field, (int)max);
    for (size_t i = 1; i <= count; i++) {
        if (lua_rawgeti(L, -1, (lua_Integer)i) != LUA_TSTRING)
            luaL_error(L, "candidates.%s[%d] is not a string", field, (int)i);
        lua_pop(L, 1);
    }
    return count;
}

static void read_candidate_kinds(lua_State *L, struct policy *policy)
{
    size_t count = candidate_list(L, "kinds", KEY_KINDS);
    if (count == 0)
        return;
    policy->candidates.kinds = 0;
    for (size_t i = 1; i <= count; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i);
        const char *kind = lua_tostring(L, -1);
        unsigned k = 0;
        while (k < KEY_KINDS && strcmp(kind, key_kind_name(k)) != 0)
            k++;
        if (k == KEY_KINDS)
            luaL_error(L, "candidates.kinds: '%s' is not name, domain or address", kind);
        policy->candidates.kinds |= (uint8_t)(1u << k);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

static void read_candidate_ignored(lua_State *L, struct policy_candidates *c)
{
    lua_pushstring(L, "ignore_asns");
    int type = lua_rawget(L, 1);
    size_t count = type == LUA_TTABLE ? (size_t)lua_rawlen(L, -1) : 0;
    if (type != LUA_TNIL && (type != LUA_TTABLE || count > POLICY_CANDIDATE_IGNORED_MAX))
        luaL_error(L, "candidates.ignore_asns must be a list of at most %d ASNs",
                   POLICY_CANDIDATE_IGNORED_MAX);
    for (size_t i = 1; i <= count; i++) {
        lua_Integer asn;
        int is_integer = 0;
        lua_rawgeti(L, -1, (lua_Integer)i);
        asn = lua_tointegerx(L, -1, &is_integer);
        if (!is_integer || asn < 0 || asn > UINT32_MAX)
            luaL_error(L, "candidates.ignore_asns[%d] is not an ASN", (int)i);
        c->ignored_asns[i - 1] = (uint32_t)asn;
        lua_pop(L, 1);
    }
    c->ignored_count = (uint8_t)count;
    lua_pop(L, 1);
}

static void read_candidate_policies(lua_State *L, struct policy *policy)
{
    size_t count = candidate_list(L, "alerted_by", POLICY_CANDIDATE_NAMES_MAX);
    for (size_t i = 1; i <= count; i++) {
        lua_rawgeti(L, -1, (lua_Integer)i);
        size_t length;
        const char *name = lua_tolstring(L, -1, &length);
        if (length == 0 || length >= POLICY_NAME_MAX || strlen(name) != length)
            luaL_error(L, "candidates.alerted_by[%d] is not a policy name", (int)i);
        memcpy(policy->alerted_by[i - 1], name, length + 1);
        lua_pop(L, 1);
    }
    policy->alerted_by_count = (unsigned)count;
    if (count)
        lua_pop(L, 1);
}

/* Reads the table at index 1 (the global `candidates`): every field known,
 * every value in range; errors name the field. */
static void read_candidates(lua_State *L, struct policy *policy)
{
    struct policy_candidates *c = &policy->candidates;
    lua_pushnil(L);
    while (lua_next(L, 1)) {
        const char *const *field = candidate_fields;
        while (*field && !(lua_type(L, -2) == LUA_TSTRING && !strcmp(lua_tostring(L, -2), *field)))
            field++;
        if (!*field)
            luaL_error(L, "candidates: unknown field %s (known: kinds, min_lookups, max_asns, "
                          "top_asns, top_share, ignore_asns, first_seen_days, alerted_by, once)",
                       lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "that is not a string");
        lua_pop(L, 1);
    }
    read_candidate_kinds(L, policy);
    double floor = candidate_number(L, "min_lookups", 0, 1e18, 0);
    c->min_lookups = floor > c->min_lookups ? floor : c->min_lookups;
    c->max_asns = (uint32_t)candidate_number(L, "max_asns", 1, 1e9, 0);
    c->top_asns = (uint8_t)candidate_number(L, "top_asns", 1, ASN_TALLY_SLOTS, 0);
    c->top_share = candidate_number(L, "top_share", 0, 1, 0);
    if (c->top_share > 0 && c->top_asns == 0)
        luaL_error(L, "candidates.top_share needs candidates.top_asns");
    read_candidate_ignored(L, c);
    c->first_seen_within_us = (int64_t)(candidate_number(L, "first_seen_days", 0, 36500, 0) * 86400e6);
    read_candidate_policies(L, policy);
    lua_pushstring(L, "once");
    int type = lua_rawget(L, 1);
    if (type != LUA_TNIL && type != LUA_TBOOLEAN)
        luaL_error(L, "candidates.once must be true or false");
    policy->once = lua_toboolean(L, -1);
    lua_pop(L, 1);
}

int policy_read_declarations(lua_State *L)
{
    struct policy *policy = lua_touserdata(L, 1);
    lua_settop(L, 0);
    policy->has_evaluate = global_is_function(L, "evaluate");
    policy->has_on_lookup = global_is_function(L, "on_lookup");
    policy_candidates_all(&policy->candidates);
    policy->alerted_by_count = 0;
    policy->once = false;
    if (policy_raw_global(L, "min_lookups") == LUA_TNUMBER)
        policy->candidates.min_lookups = lua_tonumber(L, -1);
    lua_pop(L, 1);
    int type = policy_raw_global(L, "candidates");
    if (type == LUA_TTABLE)
        read_candidates(L, policy);
    else if (type != LUA_TNIL)
        luaL_error(L, "candidates must be a table");
    return 0;
}

