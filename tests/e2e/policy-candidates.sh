#!/bin/sh
# The default policies' candidates declarations (C hands Lua only the keys
# worth a call) change no result: on a long-span capture (the demo's 155
# days at a busy sensor's load, a long tail of one-off names), the alerts
# equal those of the same policies with their declarations removed, byte
# for byte, while the calls into Lua drop to at most 5% of the lookups.
. "$top_srcdir/tests/e2e/lib.sh"
"$GEN" --scenario long --packets 800000 --seed 3 -o "$WORK/long.pcap"
mkdir -p "$WORK/undeclared"
for policy in "$POLICIES"/*.lua; do # the candidates = { ... } block, cut
    awk '/^candidates = \{/ { cut = 1 } !cut { print } cut && /^\}/ { cut = 0 }' "$policy" \
        >"$WORK/undeclared/$(basename "$policy")"
    grep -q '^candidates' "$WORK/undeclared/$(basename "$policy")" && fail "$policy: not cut"
    grep -q '^candidates = {' "$policy" || fail "$policy declares no candidates"
done
run() { # NAME POLICY-DIR
    "$EXCLAVE" -r "$WORK/long.pcap" --geoip-dir "$DEMO_DIR" --policy "$2" -l "$WORK/$1" \
        --stats 2>"$WORK/$1.stats" || fail "$1: exit $?: $(tail -3 "$WORK/$1.stats")"
    jq -cS 'select(.event_type == "alert")' "$WORK/$1/eve.json" | sort >"$WORK/$1.alerts"
}
run declared "$POLICIES"
run undeclared "$WORK/undeclared"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$WORK/$1.stats"; }
lookups=$(counter declared engine_lookups_counted)
echo "lookups $lookups; policy calls: declared $(counter declared policy_calls)," \
     "undeclared $(counter undeclared policy_calls); alerts $(wc -l <"$WORK/declared.alerts")"
[ "$(wc -l <"$WORK/declared.alerts")" -ge 20 ] || fail "the planted cases did not alert"
cmp -s "$WORK/declared.alerts" "$WORK/undeclared.alerts" ||
    fail "the declarations changed the alerts: $(diff "$WORK/declared.alerts" "$WORK/undeclared.alerts" | head -c 600)"
[ $(($(counter declared policy_calls) * 20)) -le "$lookups" ] ||
    fail "policy calls $(counter declared policy_calls) above 5% of $lookups lookups"
[ "$(counter undeclared policy_calls)" -gt "$lookups" ] ||
    fail "the undeclared run made few calls: the comparison shows nothing"
for kind in mail1.trump-email.com trump1.contact-client.com; do
    grep -q "\"name\":\"$kind\"" "$WORK/declared.alerts" || fail "no alert on $kind"
done
finish
