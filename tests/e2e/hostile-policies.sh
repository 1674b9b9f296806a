#!/bin/sh
# Hostile policies beside the default ones on the demo capture: each is
# contained (exit 0, every default alert still raised) and what it may
# legitimately do still works. A finalizer that raises an alert when the
# Lua states close at exit must find the log open (it once wrote through a
# closed FILE and its alerts were lost); alert fields are read raw (an
# __index could once free the related names under the host); control bytes
# in a signature, a log line or an input name are shown escaped. A view kept
# from a policy's load, and the size caps, are tested in unit-policies.
. "$top_srcdir/tests/e2e/lib.sh"
alerts() { grep '"event_type":"alert"' "$1" | jq -r '[.exclave.policy, .exclave.kind, .exclave.name] | @tsv' | sort; }
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/defaults" \
    2>"$WORK/defaults.err" || fail "the default policies exited $?"
alerts "$WORK/defaults/eve.json" >"$WORK/defaults.alerts"
[ -s "$WORK/defaults.alerts" ] || fail "no alerts from the default policies"
HOSTILE="$top_srcdir/tests/policies/hostile"
for policy in exit_alerts alert_gc; do
    "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" \
        --policy "$HOSTILE/$policy.lua" -l "$WORK/$policy" 2>"$WORK/$policy.err" ||
        fail "$policy: exit $?: $(grep -v '^  ' "$WORK/$policy.err" | head -3)"
    alerts "$WORK/$policy/eve.json" | grep -v "^$policy	" >"$WORK/$policy.alerts"
    cmp -s "$WORK/defaults.alerts" "$WORK/$policy.alerts" ||
        fail "$policy: the default policies alerted differently: $(diff "$WORK/defaults.alerts" "$WORK/$policy.alerts" | head -3)"
    ! grep -q "Sanitizer" "$WORK/$policy.err" || fail "$policy: $(grep -m1 Sanitizer "$WORK/$policy.err")"
done
grep -q '"signature":"raised by a finalizer at exit"' "$WORK/exit_alerts/eve.json" ||
    fail "exit_alerts: the alert raised by a finalizer at exit is not in eve.json"
[ "$(grep -c '"policy":"alert_gc"' "$WORK/alert_gc/eve.json")" -ge 1 ] || fail "alert_gc: raised no alert"
! grep -q "alert_gc.*error" "$WORK/alert_gc.err" || fail "alert_gc: $(grep -m1 alert_gc "$WORK/alert_gc.err")"

# Control bytes from a policy (signature, log line) and from the input (a
# name in an EVE record) never reach a terminal raw: no ESC, BEL or forged
# line on stderr, in the alert lines and in the end-of-run table alike.
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" -l - --no-engine 2>/dev/null | head -n 1 |
    sed 's/"rrname":"[^"]*"/"rrname":"evil\\u001b[2J\\nexclave: alert [forged]\\u0007.example"/' >"$WORK/evil.json"
grep -q 'u001b' "$WORK/evil.json" || fail "could not build the EVE record with control characters"
"$EXCLAVE" --eve "$WORK/evil.json" --geoip-dir "$DEMO_DIR" --policy "$HOSTILE/control_characters.lua" \
    -l "$WORK/controls" 2>"$WORK/controls.err" || fail "control_characters: exit $?"
grep -q 'real\\x0aexclave: alert \[forged\]' "$WORK/controls.err" ||
    fail "control_characters: the signature is not shown escaped: $(head -c 300 "$WORK/controls.err")"
grep -q 'evil\\x1b\[2j\\x0aexclave: alert \[forged\]\\x07.example' "$WORK/controls.err" ||
    fail "control_characters: the name from the input is not shown escaped: $(head -c 300 "$WORK/controls.err")"
! grep -q '^exclave: alert \[forged' "$WORK/controls.err" || fail "control_characters: a forged line on stderr"
! LC_ALL=C grep -q "$(printf '[\033\007]')" "$WORK/controls.err" || fail "control_characters: ESC or BEL reached stderr"
grep -q '"signature":"real\\u000aexclave: alert \[forged\]' "$WORK/controls/eve.json" ||
    fail "control_characters: the EVE alert does not carry the signature JSON-escaped"
finish
