#!/bin/sh
# The plugin inside a real Suricata 7 (suricata -r), threaded and not: it
# loads and registers; every record Suricata produced is passed on, in each
# flow's order; dns records carry exactly the standalone sensor's enrichment;
# the scenario's planted cases alert as with exclave -r and no decoy does;
# the policies run on Lua 5.4, not on Suricata's LuaJIT; and so for the
# shared real-world pcaps.
. "$top_srcdir/tests/e2e/lib.sh"
need_suricata
alerts() { # policy, kind, key of each alert, sorted
    grep '"event_type":"alert"' "$1" | jq -r '[.exclave.policy, .exclave.kind, .exclave.name] | @tsv' | sort
}
stat_of() { grep '"event_type":"exclave_stats"' "$1" | jq -r ".exclave_stats.$2"; }
check() { "$PYTHON3" "$top_srcdir/tests/e2e/check_suricata_plugin.py" "$@" >"$WORK/check.out" ||
    fail "$(head -n 5 "$WORK/check.out")"; }

"$GEN" --scenario demo --seed 7 -o "$WORK/demo.pcap"
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/standalone" \
    2>/dev/null || fail "exclave -r exited $?"
alerts "$WORK/standalone/eve.json" | uniq >"$WORK/standalone.alerts"
[ -s "$WORK/standalone.alerts" ] || fail "no standalone alerts"
for threaded in no yes; do
    out="$WORK/suricata-threaded-$threaded"
    run_suricata "$WORK/demo.pcap" "$out" $threaded "$POLICIES" ||
        fail "suricata (threaded: $threaded) exited $?: $(tail -n 3 "$out/suricata.out")"
    grep -q "exclave: the plugin is not active" "$out/suricata.out" && fail "plugin not loaded: $(grep exclave "$out/suricata.out")"
    [ -s "$out/eve-exclave.json" ] || { fail "threaded: $threaded: no eve-exclave.json"; continue; }
    check "$out/eve.json" "$out/eve-exclave.json" "$WORK/standalone/eve.json"
    alerts "$out/eve-exclave.json" | uniq | cmp -s - "$WORK/standalone.alerts" ||
        fail "threaded: $threaded: alerts differ from exclave -r: $(alerts "$out/eve-exclave.json" | uniq | diff - "$WORK/standalone.alerts" | head -4)"
    [ "$(stat_of "$out/eve-exclave.json" plugin_records_not_parsed)" = 0 ] || fail "records not parsed"
    [ "$(stat_of "$out/eve-exclave.json" engine_lookups_counted)" -gt 20000 ] || fail "lookups not counted"
    grep '"event_type":"flow"' "$out/eve-exclave.json" | head -n 1 | grep -q '"dest_as"' ||
        fail "enrich: [flow] did not enrich flow records"
done
# corrected lookups of the planted name: as exclave -r counts them, give or
# take the one a worker falling behind the time-ordered merge can add
want=$(grep '"event_type":"alert"' "$WORK/standalone/eve.json" | jq -r 'select(.exclave.name == "mail1.trump-email.com" and .exclave.policy == "exclusive") | .exclave.lookups_corrected' | tail -n 1)
got=$(grep '"event_type":"alert"' "$WORK/suricata-threaded-yes/eve-exclave.json" | jq -r 'select(.exclave.name == "mail1.trump-email.com" and .exclave.policy == "exclusive") | .exclave.lookups_corrected' | tail -n 1)
[ -n "$got" ] && [ $((got - want)) -ge 0 ] && [ $((got - want)) -le 2 ] ||
    fail "corrected lookups inside Suricata $got, exclave -r $want"

# set: dotted and nested policy variables (Suricata's yaml reader turns _
# into -; the plugin turns it back); one no policy reads stops the output
settings() { # LOGDIR EXTRA-YAML-LINES: the test config with lines after interval
    suricata_config "$1" no "$POLICIES"
    awk -v extra="$2" '{ print } /interval:/ { print extra }' "$1/suricata.yaml" >"$1/s.yaml"
    rm -f "$1/eve-exclave.json"
    suricata -c "$1/s.yaml" -r "$SHARED/pcaps/dnscap/src/test/dns.pcap" -k none -l "$1" >"$1/out" 2>&1
}
if [ -d "$SHARED" ]; then
    settings "$WORK/set" "      set: { exclusive.min_lookups: 5, peaks: { min_lookups: 7 } }"
    grep -q "exclave_stats" "$WORK/set/eve-exclave.json" 2>/dev/null || fail "set: $(grep exclave "$WORK/set/out" | head -3)"
    settings "$WORK/badset" "      set: { exclusive.no_such: 1 }"
    grep -q "exclave: eve-log set: --set exclusive.no_such: no loaded policy reads this variable" "$WORK/badset/out" ||
        fail "an unread variable was not reported: $(grep exclave "$WORK/badset/out" | head -3)"
    [ -s "$WORK/badset/eve-exclave.json" ] && fail "the output ran with a bad setting"
    # suppress: the engine reads the file; a mistake in it stops the output, naming the line
    printf 'nonsense here\n' >"$WORK/bad.suppress"
    settings "$WORK/badsuppress" "      suppress: $WORK/bad.suppress"
    grep -q "bad.suppress:1: the kind is name, domain, address or asn" "$WORK/badsuppress/out" ||
        fail "a bad suppress file was not reported: $(grep exclave "$WORK/badsuppress/out" | head -3)"
    [ -s "$WORK/badsuppress/eve-exclave.json" ] && fail "the output ran with a bad suppress file"
fi

# Lua 5.4 inside a process that links LuaJIT
run_suricata "$WORK/demo.pcap" "$WORK/lua" yes "$top_srcdir/tests/policies/lua54.lua" ||
    fail "suricata with lua54.lua exited $?: $(grep exclave "$WORK/lua/suricata.out" | head -3)"
grep '"event_type":"alert"' "$WORK/lua/eve-exclave.json" 2>/dev/null |
    jq -r '[.alert.signature, .exclave.evidence.int_div, .exclave.evidence.type] | @tsv' |
    grep -q "^lua Lua 5.4	3	integer$" || fail "policies do not run on Lua 5.4 inside Suricata"

# real captures: every record passed on, enrichment as exclave -r gives it
need_shared
for pcap in "$SHARED"/pcaps/zeek-btest/Traces/dns*.pcap "$SHARED"/pcaps/dnscap/src/test/dns*.pcap; do
    name=$(basename "$pcap")
    "$EXCLAVE" -r "$pcap" --geoip-dir "$DEMO_DIR" --no-engine -l "$WORK/$name.standalone" 2>/dev/null
    run_suricata "$pcap" "$WORK/$name" yes "$POLICIES" || fail "$name: suricata exited $?"
    [ -s "$WORK/$name/eve.json" ] || continue # nothing Suricata logs as dns
    check "$WORK/$name/eve.json" "$WORK/$name/eve-exclave.json" "$WORK/$name.standalone/eve.json"
done
finish
