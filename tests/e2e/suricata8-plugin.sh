#!/bin/sh
# The plugin inside a real Suricata 8.0 (Debian 13's 8.0.8, in a root that
# tools/suricata8-root builds), configured as README tells a user: Debian's
# own suricata.yaml with the plugin under plugins: and an exclave: section.
# - it loads ("Initializing plugin": a failed load is only a Notice in 8);
# - every record of Suricata's own eve.json is there, equal to a run without
#   the plugin apart from exclave's fields, in every eve-log output (a
#   second one is added), threaded: no and yes, with one worker and two;
# - every dns record's enrichment equals exclave -r's for the same message;
# - the alerts equal exclave -r's: keys, times, corrected lookups, queriers;
# - policies run on Lua 5.4 (// and math.type);
# - a mistake in the exclave: settings stops Suricata at start, non-zero,
#   naming the key; so does an engine with no dns logged anywhere;
# - state: a capture read in two runs alerts as one run over the whole;
# - engine: no enriches only; the shared real-world pcaps enrich as -r does.
. "$top_srcdir/tests/e2e/lib.sh"
need_suricata8
alerts() { # time, policy, kind, key, corrected lookups, queriers of each alert
    grep '"event_type":"alert"' "$1" | jq -r '[.timestamp, .exclave.policy, .exclave.kind,
        .exclave.name, .exclave.lookups_corrected, .exclave.queriers] | @tsv'
}
# same_alerts FILE WORKERS: the alerts of exclave -r, exactly with one
# worker; with more, the same keys at the same times, and corrected lookups
# within 1% (at least 2): the engine feed's time-ordered merge stops waiting
# for a worker that is 100 ms (wall clock) behind, and a loaded machine can
# make one lag so (README, Threads)
same_alerts() {
    alerts "$1" >"$WORK/got.alerts"
    if [ "$2" = 1 ]; then
        cmp -s "$WORK/got.alerts" "$WORK/standalone.alerts" && return 0
        diff "$WORK/got.alerts" "$WORK/standalone.alerts" | head -4
        return 1
    fi
    cut -f 1-4 "$WORK/got.alerts" | cmp -s - "$WORK/standalone.keys4" ||
        { cut -f 1-4 "$WORK/got.alerts" | diff - "$WORK/standalone.keys4" | head -4; return 1; }
    paste "$WORK/got.alerts" "$WORK/standalone.alerts" | awk -F '\t' '{ d = $5 - $11; if (d < 0) d = -d;
        if (d > 2 && d > $11 / 100) { print "corrected lookups " $5 " against " $11 ": " $4; bad++ } }
        END { exit bad > 0 }'
}
stat_of() { grep '"event_type":"exclave_stats"' "$1" | jq -r ".exclave_stats.$2"; }
check() { "$PYTHON3" "$top_srcdir/tests/e2e/check_suricata_plugin.py" "$@" >"$WORK/check.out" ||
    fail "$(head -n 5 "$WORK/check.out")"; }
loaded() { grep -q "Initializing plugin exclave" "$1/suricata.out" ||
    fail "$1: the plugin did not load: $(grep -i 'plugin\|exclave' "$1/suricata.out" | head -3)"; }
only_types() { jq -c "select(.event_type == \"dns\" or .event_type == \"flow\")" "$1"; }
# README's excerpt, as a user would paste it: its plugins: entry and its
# exclave: section, with this machine's paths; @STATE@ is a run's own file
sed -n '/<!-- suricata8-yaml/,/^```$/p' "$top_srcdir/README.md" | sed '1,2d;$d' >"$WORK/readme.yaml"
grep -q "^  - /usr/local/lib/exclave/exclave-suricata.so$" "$WORK/readme.yaml" ||
    fail "README's Suricata 8 excerpt has no plugins: entry"
README_EXCLAVE=$(sed -n '/^exclave:/,$p' "$WORK/readme.yaml" | sed -e "s|/var/lib/GeoIP|$W8IN/geoip|" \
    -e "s|/usr/local/share/exclave/scripts|/build/exclave/scripts|" -e "s|/var/lib/suricata/exclave.state|@STATE@|")
printf '%s\n' "$README_EXCLAVE" | grep -q "@STATE@" || fail "README's excerpt has no state:"
README_SET=$(printf '%s\n' "$README_EXCLAVE" | sed -n 's/^    \([a-z_]*\.[a-z_]*\): *\(.*\)$/--set \1=\2/p')
EXCLAVE_YAML=$(printf '%s\n' "$README_EXCLAVE" | grep -v '@STATE@')

"$GEN" --scenario demo --seed 7 -o "$W8/demo.pcap"
# shellcheck disable=SC2086
"$EXCLAVE" -r "$W8/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" $README_SET \
    -l "$WORK/standalone" 2>/dev/null || fail "exclave -r exited $?"
alerts "$WORK/standalone/eve.json" >"$WORK/standalone.alerts"
cut -f 1-4 "$WORK/standalone.alerts" >"$WORK/standalone.keys4"
[ "$(wc -l <"$WORK/standalone.alerts")" -gt 10 ] || fail "too few standalone alerts to compare"

# Suricata without the plugin: the records every output must still hold
run_suricata8 /etc/suricata/suricata.yaml "$W8IN/demo.pcap" "$W8IN/plain" ||
    fail "suricata without the plugin exited $?"
only_types "$W8/plain/eve.json" >"$WORK/plain-dns-flow.json"

for mode in "no single 1" "yes autofp 2"; do
    set -- $mode
    name=threaded-$1-workers-$3
    out="$W8/$name"
    suricata8_config "$W8/$name.yaml" "$1" "$(printf '%s\n' "$README_EXCLAVE" | sed "s|@STATE@|$W8IN/$name.state|")"
    run_suricata8 "$W8IN/$name.yaml" "$W8IN/demo.pcap" "$W8IN/$name" --runmode "$2" ||
        { fail "$name: suricata exited $?: $(tail -n 3 "$out/suricata.out")"; continue; }
    loaded "$out"
    [ "$3" = 1 ] || grep -q "W: $3 " "$out/suricata.out" || fail "$name: not $3 worker threads"
    check "$W8/plain/eve.json" "$out/eve.json" "$WORK/standalone/eve.json"
    cat "$out"/eve-second*.json >"$WORK/second.json" # threaded: yes writes one file per thread
    check "$WORK/plain-dns-flow.json" "$WORK/second.json" "$WORK/standalone/eve.json"
    same_alerts "$out/exclave.json" "$3" || fail "$name: alerts differ from exclave -r"
    [ "$(stat_of "$out/exclave.json" plugin_records_not_parsed)" = 0 ] || fail "$name: records not parsed"
    [ "$(stat_of "$out/exclave.json" engine_lookups_counted)" -gt 20000 ] || fail "$name: lookups not counted"
    grep '"event_type":"exclave_stats"' "$out/exclave.json" | jq -e '.timestamp | test("^20[0-9-]+T")' >/dev/null ||
        fail "$name: exclave_stats without a timestamp"
    grep -m 1 '"event_type":"flow"' "$out/eve.json" | grep -q '"dest_as"' || fail "$name: flow records not enriched"
    [ -s "$out.state" ] || fail "$name: no state saved at shutdown"
    keys=$(cut -f 2-4 "$WORK/standalone.alerts" | sort -u | wc -l)
    grep '"event_type":"exclave_summary"' "$out/exclave.json" | jq -e --argjson n "$keys" \
        '(.exclave_summary.keys | length) == $n and (.timestamp | test("^20"))' >/dev/null ||
        fail "$name: no exclave_summary of the $keys alerted keys"
done

# an output that logs only some dns transactions: the engine's own
# transaction logger feeds it instead of the records, with the same alerts
awk '{ print } /^plugins:/ { print "  - '"$PLUGIN8"'" }
     /^        - dns:$/ { print "            requests: no" }' "$ROOT8/etc/suricata/suricata.yaml" >"$W8/txlogger.yaml"
printf '\n%s\n' "$EXCLAVE_YAML" >>"$W8/txlogger.yaml"
run_suricata8 "$W8IN/txlogger.yaml" "$W8IN/demo.pcap" "$W8IN/txlogger" --runmode single ||
    fail "txlogger: suricata exited $?"
if grep -q '"type":"request"' "$W8/txlogger/eve.json"; then fail "txlogger: requests logged despite requests: no"; fi
same_alerts "$W8/txlogger/exclave.json" 1 || fail "txlogger: alerts differ from exclave -r"

# EVE dns version 2 (still offered by 8, deprecated) is enriched alike
SURICATA_EVE_DNS_VERSION=2 run_suricata8 /etc/suricata/suricata.yaml "$W8IN/demo.pcap" "$W8IN/plain-v2" ||
    fail "suricata v2 without the plugin exited $?"
suricata8_config "$W8/v2.yaml" no "$EXCLAVE_YAML"
SURICATA_EVE_DNS_VERSION=2 run_suricata8 "$W8IN/v2.yaml" "$W8IN/demo.pcap" "$W8IN/v2" ||
    fail "suricata v2 exited $?"
grep -m 1 '"event_type":"dns"' "$W8/v2/eve.json" | grep -q '"version":2' || fail "v2: not dns version 2"
check "$W8/plain-v2/eve.json" "$W8/v2/eve.json" "$WORK/standalone/eve.json"
same_alerts "$W8/v2/exclave.json" 2 || fail "v2: alerts differ from exclave -r"

# Lua 5.4 semantics inside Suricata 8
suricata8_config "$W8/lua.yaml" no "exclave:
  geoip-dir: $W8IN/geoip
  policy: [ /build/exclave/tests/policies/lua54.lua ]"
run_suricata8 "$W8IN/lua.yaml" "$W8IN/demo.pcap" "$W8IN/lua" || fail "suricata with lua54.lua exited $?"
grep '"event_type":"alert"' "$W8/lua/exclave.json" 2>/dev/null |
    jq -r '[.alert.signature, .exclave.evidence.int_div, .exclave.evidence.type] | @tsv' |
    grep -q "^lua Lua 5.4	3	integer$" || fail "policies do not run on Lua 5.4 inside Suricata 8"

# home networks: Suricata's own HOME_NET unless home-net says otherwise
suricata8_config "$W8/home.yaml" no "exclave:
  geoip-dir: $W8IN/geoip
  policy: [ /build/exclave/tests/policies/home.lua ]"
run_suricata8 "$W8IN/home.yaml" "$W8IN/demo.pcap" "$W8IN/home" --runmode single \
    --set 'vars.address-groups.HOME_NET=[203.0.113.0/26,2001:db8:a1fa::/48]' ||
    fail "suricata with HOME_NET exited $?"
grep '"signature_id":55' "$W8/home/exclave.json" | head -1 |
    jq -r '[.exclave.evidence.home_lookups, .exclave.evidence.alfa_is_home,
            (.exclave.top_asns[] | select(.number == 15632) | .lookups)] | @tsv' >"$WORK/home.tsv"
read -r home alfa alfa_lookups <"$WORK/home.tsv" || true
[ "${home:-0}" -gt 0 ] && [ "$home" = "$alfa_lookups" ] && [ "$alfa" = true ] ||
    fail "HOME_NET inside Suricata 8: home_lookups '$home', 203.0.113.10 home '$alfa', AS15632 lookups '$alfa_lookups'"

# proof of source inside Suricata: its stream tracking saw the handshake of
# every TCP lookup it logged (stream.midstream off), and nothing else proves
"$GEN" --scenario proof --seed 3 -o "$W8/proof.pcap"
suricata8_config "$W8/proof.yaml" no "exclave:
  geoip-dir: $W8IN/geoip
  policy: [ /build/exclave/tests/policies/proof.lua ]"
run_suricata8 "$W8IN/proof.yaml" "$W8IN/proof.pcap" "$W8IN/proof" --runmode single ||
    fail "suricata on the proof scenario exited $?"
probe=$(grep '"signature_id":56' "$W8/proof/exclave.json" | tail -n 1)
[ -n "$probe" ] || fail "proof: the probe policy did not alert inside Suricata 8"
tcp=$(jq -r --arg t "$(printf '%s' "$probe" | jq -r .timestamp)" 'select(.event_type == "dns" and .proto == "TCP"
        and .dns.type == "response" and .dns.queries[0].rrname == "vpn.alfa-partner.example"
        and .timestamp <= $t) | 1' "$W8/proof/eve.json" | wc -l)
[ "$tcp" -gt 50 ] && [ "$(printf '%s' "$probe" | jq .exclave.proven)" = "$tcp" ] ||
    fail "proof inside Suricata: proven $(printf '%s' "$probe" | jq .exclave.proven), Suricata logged $tcp TCP responses"

# field-names: ecs: Suricata's own records get source/destination objects
suricata8_config "$W8/ecs.yaml" no "$EXCLAVE_YAML
  field-names: ecs"
run_suricata8 "$W8IN/ecs.yaml" "$W8IN/demo.pcap" "$W8IN/ecs" --runmode single || fail "suricata with field-names: ecs exited $?"
for type in dns flow; do
    grep "\"event_type\":\"$type\"" "$W8/ecs/eve.json" | jq -e -s --arg t "$type" \
        'length > 100 and all(.[]; (.src_as | not) and (.source.as.organization.name | type) == "string"
                               and (.source.geo.country_iso_code | type) == "string")' >/dev/null ||
        fail "field-names: ecs: $type records without source.as.organization.name, or with src_as"
done
grep '"type":"response"' "$W8/ecs/eve.json" | jq -e -s \
    'any(.[]; any(.dns.answers[]?; (.as.organization.name | type) == "string"))' >/dev/null ||
    fail "field-names: ecs: no answer with as.organization.name"

# mistakes stop Suricata at start, naming the key
refused() { # NAME EXPECTED-MESSAGE YAML: suricata must exit non-zero saying it
    suricata8_config "$W8/$1.yaml" no "$3"
    if run_suricata8 "$W8IN/$1.yaml" "$W8IN/demo.pcap" "$W8IN/$1"; then
        fail "$1: suricata exited 0"
    fi
    grep -qF -- "$2" "$W8/$1/suricata.out" ||
        fail "$1: expected '$2', got: $(grep -i 'exclave\|error' "$W8/$1/suricata.out" | head -3)"
    if [ -s "$W8/$1/eve.json" ]; then fail "$1: Suricata logged records with a bad setting"; fi
}
refused typo "exclave: exclave.geoip-dri: is not a setting of exclave" "$EXCLAVE_YAML
  geoip-dri: /nowhere"
refused badnumber "exclave: exclave.interval: 'hourly' is not a number" "$EXCLAVE_YAML
  interval: hourly"
refused homenet "exclave: exclave.home-net: '!10.0.0.0/8': only plain networks" "$EXCLAVE_YAML
  home-net: [ 10.1.0.0/16, '!10.0.0.0/8' ]"
refused names "exclave: exclave.field-names: 'elastic' is not eve or ecs" "$EXCLAVE_YAML
  field-names: elastic"
refused unread "exclave: exclave.set: --set exclusive.no_such: no loaded policy reads this variable" "$EXCLAVE_YAML
  set: { exclusive.no_such: 1 }"
refused nopolicy "exclave: exclave.policy: --policy /nowhere/x.lua: No such file" "exclave:
  geoip-dir: $W8IN/geoip
  policy: [ /nowhere/x.lua ]"
refused nodb "exclave: exclave.asn-db: " "exclave:
  asn-db: /nowhere/GeoLite2-ASN.mmdb"
# the engine needs some output to log dns (Suricata runs DNS loggers only then)
awk '{ print } /^plugins:/ { print "  - '"$PLUGIN8"'" }' "$ROOT8/etc/suricata/suricata.yaml" |
    sed '/^        - dns:$/d' >"$W8/nodns.yaml"
printf '\n%s\n' "$EXCLAVE_YAML" >>"$W8/nodns.yaml"
if run_suricata8 "$W8IN/nodns.yaml" "$W8IN/demo.pcap" "$W8IN/nodns"; then fail "nodns: suricata exited 0"; fi
grep -q "exclave: the engine reads Suricata's DNS transactions" "$W8/nodns/suricata.out" ||
    fail "no dns output: $(grep exclave "$W8/nodns/suricata.out" | head -2)"

# state: two runs, each loading and saving, alert as one run over the whole:
# the same keys at the same times; corrected lookups as many, but for the
# transaction cut at the boundary (Suricata does not log a UDP flow whose
# first packet is a response)
editcap -r "$W8/demo.pcap" "$W8/part1.pcap" 1-23000
editcap -r "$W8/demo.pcap" "$W8/part2.pcap" 23001-1000000
suricata8_config "$W8/state.yaml" no "$(printf '%s\n' "$README_EXCLAVE" | sed "s|@STATE@|$W8IN/exclave.state|")"
for part in 1 2; do
    run_suricata8 "$W8IN/state.yaml" "$W8IN/part$part.pcap" "$W8IN/state$part" --runmode single ||
        fail "state part $part exited $?"
done
grep -q "exclave.state: [0-9]* keys loaded" "$W8/state2/suricata.out" || fail "part 2 did not load the state"
cat "$W8/state1/exclave.json" "$W8/state2/exclave.json" >"$WORK/state.json"
alerts "$WORK/state.json" >"$WORK/state.alerts"
cut -f 1-4,6 "$WORK/standalone.alerts" >"$WORK/standalone.keys"
cut -f 1-4,6 "$WORK/state.alerts" | cmp -s - "$WORK/standalone.keys" ||
    fail "two runs with state alert unlike one run: $(cut -f 1-4,6 "$WORK/state.alerts" | diff - "$WORK/standalone.keys" | head -4)"
paste "$WORK/state.alerts" "$WORK/standalone.alerts" | awk -F '\t' '$5 > $11 || $5 < $11 - 2 { bad++ } END { exit bad > 0 }' ||
    fail "corrected lookups of the two runs differ by more than the cut transaction"

# engine: no - enrichment only, and the real captures enrich as exclave -r does
need_shared
for pcap in "$SHARED"/pcaps/zeek-btest/Traces/dns*.pcap "$SHARED"/pcaps/dnscap/src/test/dns*.pcap; do
    name=$(basename "$pcap" .pcap)
    cp "$pcap" "$W8/$name.pcap"
    "$EXCLAVE" -r "$pcap" --geoip-dir "$DEMO_DIR" --no-engine -l "$WORK/$name.standalone" 2>/dev/null
    run_suricata8 /etc/suricata/suricata.yaml "$W8IN/$name.pcap" "$W8IN/$name.plain" || fail "$name: plain suricata exited $?"
    suricata8_config "$W8/$name.yaml" yes "exclave:
  geoip-dir: $W8IN/geoip
  engine: no"
    run_suricata8 "$W8IN/$name.yaml" "$W8IN/$name.pcap" "$W8IN/$name" || fail "$name: suricata exited $?"
    loaded "$W8/$name"
    [ -s "$W8/$name.plain/eve.json" ] || continue # nothing Suricata logs
    check "$W8/$name.plain/eve.json" "$W8/$name/eve.json" "$WORK/$name.standalone/eve.json"
done
finish
