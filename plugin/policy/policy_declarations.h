/* policy_declarations: what C reads of a policy once its file has run: the
 * hooks it defines, its min_lookups and its candidates table, every field
 * checked (a mistake is an error that names the field). It reads globals
 * raw, never through a policy's metamethods, and calls no policy code. */
#ifndef EXCLAVE_POLICY_DECLARATIONS_H
#define EXCLAVE_POLICY_DECLARATIONS_H

#include <lua.h>

/* Pushes the global `name` without metamethods (the host may run outside a
 * protected call, where a policy's __index on _G must not run); returns
 * its type. */
int policy_raw_global(lua_State *L, const char *name);

/* A lua_CFunction, to be run with lua_pcall and the struct policy as its
 * one light userdata argument: fills the policy's has_evaluate,
 * has_on_lookup, candidates (min_lookups included), alerted_by names and
 * once, or raises an error that says what is wrong. */
int policy_read_declarations(lua_State *L);

#endif
