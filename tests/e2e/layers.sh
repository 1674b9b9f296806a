#!/bin/sh
# The layering of plugin/ holds (tools/check-layers passes on the tree), and
# the check does catch a breach: a copy of the tree whose engine includes the
# policy host, and one with an include that names no room, are refused.
. "$top_srcdir/tests/e2e/lib.sh"
"$top_srcdir/tools/check-layers" "$top_srcdir" >"$WORK/tree.out" 2>&1 ||
    fail "the tree breaks its layering: $(cat "$WORK/tree.out")"

mkdir -p "$WORK/copy"
cp -R "$top_srcdir/plugin" "$top_srcdir/geoip" "$WORK/copy/"
printf '#include "policy/policy_host.h"\n' >>"$WORK/copy/plugin/engine/engine.c"
printf '#include "hash.h"\n' >>"$WORK/copy/plugin/dns/dns_codes.c"
if "$top_srcdir/tools/check-layers" "$WORK/copy" >"$WORK/copy.out" 2>&1; then
    fail "check-layers passed a tree whose engine includes policy/"
fi
grep -q 'plugin/engine/engine.c:[0-9]*: room engine includes policy/policy_host.h' "$WORK/copy.out" ||
    fail "upward include not named: $(cat "$WORK/copy.out")"
grep -q 'plugin/dns/dns_codes.c:[0-9]*: "hash.h" does not name its room' "$WORK/copy.out" ||
    fail "unqualified include not named: $(cat "$WORK/copy.out")"
finish
