#!/bin/sh
# Policies that hang in ways no instruction hook can stop (a pcall that
# catches the budget, a looping message handler or finalizer, loops inside
# the string and table libraries, a quadratic find, a backtracking pattern),
# all loaded beside the default policies on the demo capture. Each call
# runs in the policy process; over its CPU budget (--lua-cpu, CPU time:
# a loaded machine does not change it) the process is killed, the call
# reported with policy, function and file:line, the process restarted and
# the batch resumed. Each offender is disabled after three stops; the
# sensor exits 0 with every alert of the default policies, and what it
# counted is what a run without the offenders counts. A SIGTERM while a
# policy hangs still ends the run, with the log complete.
. "$top_srcdir/tests/e2e/lib.sh"
alerts() { grep '"event_type":"alert"' "$1" | jq -r '[.timestamp, .exclave.policy, .exclave.kind, .exclave.name, .exclave.lookups_corrected] | @tsv'; }
HOSTILE="$top_srcdir/tests/policies/hostile"
HANGS="pcall xpcall_handler finalizer string_rep table_move table_insert plain_find pattern"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/defaults" --stats \
    2>"$WORK/defaults.err" || fail "the default policies exited $?"
alerts "$WORK/defaults/eve.json" >"$WORK/defaults.alerts"
[ -s "$WORK/defaults.alerts" ] || fail "no alerts from the default policies"
set -- --policy "$POLICIES"
for hang in $HANGS; do set -- "$@" --policy "$HOSTILE/hang_$hang.lua"; done
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" "$@" --lua-cpu 0.5 -l "$WORK/hangs" --stats \
    2>"$WORK/hangs.err" || fail "with the hanging policies: exit $?: $(grep -v '^  ' "$WORK/hangs.err" | head -3)"
alerts "$WORK/hangs/eve.json" >"$WORK/hangs.alerts"
cmp -s "$WORK/defaults.alerts" "$WORK/hangs.alerts" ||
    fail "the default policies alerted differently: $(diff "$WORK/defaults.alerts" "$WORK/hangs.alerts" | head -3)"
for hang in $HANGS; do
    line=$(grep -n -- "-- hangs here" "$HOSTILE/hang_$hang.lua" | cut -d: -f1) # the file marks its line
    grep -q "^exclave: policy hang_$hang: evaluate([^)]*) stopped: over its CPU budget of 0.5 s, at .*hang_$hang.lua:$line; the policy process is restarted$" "$WORK/hangs.err" ||
        fail "hang_$hang: no report with file:line ($line): $(grep -m1 "hang_$hang" "$WORK/hangs.err")"
    grep -q "^exclave: policy hang_$hang: disabled after 3 stopped calls$" "$WORK/hangs.err" ||
        fail "hang_$hang: not disabled after three stops"
done
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
[ "$(counter "$WORK/hangs.err" policy_calls_stopped)" = 24 ] ||
    fail "policy_calls_stopped is $(counter "$WORK/hangs.err" policy_calls_stopped), not 24 (8 policies, 3 stops each)"
[ "$(counter "$WORK/hangs.err" policy_process_starts)" = 25 ] ||
    fail "policy_process_starts is $(counter "$WORK/hangs.err" policy_process_starts), not 25"
for k in engine_lookups_counted engine_keys_created engine_alerts; do
    [ "$(counter "$WORK/hangs.err" $k)" = "$(counter "$WORK/defaults.err" $k)" ] ||
        fail "$k: $(counter "$WORK/hangs.err" $k) with the hangs, $(counter "$WORK/defaults.err" $k) without"
done
! grep -q "Sanitizer" "$WORK/hangs.err" || fail "$(grep -m1 Sanitizer "$WORK/hangs.err")"

# SIGTERM while a call hangs (the default budget, 5 s): the run still ends,
# exit 0, the log's every line whole.
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" \
    --policy "$HOSTILE/hang_pcall.lua" -l "$WORK/term" 2>"$WORK/term.err" &
pid=$!
waited=0
until grep -q '"event_type":"dns"' "$WORK/term/eve.json" 2>/dev/null || [ $waited -ge 600 ]; do
    sleep 0.1; waited=$((waited + 1))
done
kill -TERM $pid
wait $pid || fail "SIGTERM during a hanging call: exit $?: $(head -3 "$WORK/term.err")"
jq -c . "$WORK/term/eve.json" >/dev/null || fail "SIGTERM during a hanging call: eve.json has a broken line"
finish
