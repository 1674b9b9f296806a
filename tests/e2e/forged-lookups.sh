#!/bin/sh
# Forged packets do not make, inflate or hide evidence. The demo with what an
# outsider can send at no cost (gen-dns-pcap --scenario forged): unanswered
# queries "from" the bank's resolvers that create a name and inflate
# mail1.trump-email.com, unanswered queries from 8 other networks that would
# dilute trump1.contact-client.com below the share, and a name that only
# unsolicited responses carry. By default exactly the demo's planted cases
# alert, with every evidence figure recomputed from answered lookups only
# (check_scenario.py) and the unanswered and unsolicited figures from the
# log's query and answer records (check_side_counts.py), in the report too;
# the Zeek log of the same traffic alerts the same. --count-unanswered, the rule for a
# one-direction tap, shows what the forgeries did under the old rule, and
# says so in every alert; a query-only capture gets the warning that
# points to it. A policy reads the side counts from the key view.
. "$top_srcdir/tests/e2e/lib.sh"
alerts() { # time, policy, kind, name, lookups, corrected
    jq -r 'select(.event_type == "alert") | [.timestamp, .exclave.policy, .exclave.kind,
        .exclave.name, .exclave.lookups, .exclave.lookups_corrected] | @tsv' "$1"
}
"$GEN" --scenario forged --seed 7 -o "$WORK/forged.pcap" --zeek "$WORK/forged.dns.log"
"$EXCLAVE" -r "$WORK/forged.pcap" --geoip-dir "$DEMO_DIR" -l "$WORK/pcap" --stats 2>"$WORK/pcap.err" ||
    fail "pcap run exited $?"
"$PYTHON3" "$top_srcdir/tests/e2e/check_scenario.py" "$WORK/pcap/eve.json" \
    "$top_srcdir/geoip/demo-networks.csv" >"$WORK/scenario.out" 2>&1 ||
    fail "forged packets changed the alerts or their evidence: $(grep -v '^ok' "$WORK/scenario.out" | head -5)"
"$PYTHON3" "$top_srcdir/tests/e2e/check_side_counts.py" "$WORK/pcap/eve.json" >"$WORK/side.out" ||
    fail "unanswered or unsolicited figures wrong: $(head -5 "$WORK/side.out")"
for name in vpn.forged-only.example forged-only.example mx.unsolicited-only.example 192.0.2.200; do
    grep -q "\"event_type\":\"alert\".*\"name\":\"$name\"" "$WORK/pcap/eve.json" && fail "$name alerted"
done
jq -e 'select(.event_type == "alert" and .exclave.name == "mail1.trump-email.com") | .exclave.unanswered' \
    "$WORK/pcap/eve.json" | sort -n | tail -1 | awk '{ exit !($1 > 1000) }' ||
    fail "mail1.trump-email.com's alerts do not show the forged queries as unanswered"
grep -q '^engine_unsolicited_seen  *[1-9]' "$WORK/pcap.err" || fail "no unsolicited response counted"

# the report counts as the engine does, and shows the forged queries apart
"$EXCLAVE" report -l "$WORK/pcap" -o "$WORK/report.html" 2>"$WORK/report.err" ||
    fail "report exited $?: $(head -3 "$WORK/report.err")"
records() { jq -r "select(.event_type == \"dns\" and .dns.rrname == \"mail1.trump-email.com\" and $1) | 1" \
    "$WORK/pcap/eve.json" | wc -l; }
asked=$(records '.dns.type == "query"')
answered=$(records '.dns.type == "answer" and (.dns.unsolicited | not)')
tr -d '\n' <"$WORK/report.html" | grep -q "mail1\.trump-email\.com <small>name, exclusive</small></h2><p>[^<]*\. $answered lookups counted in the log over these days\. Unanswered queries: $((asked - answered)); responses to no query seen: 0\." ||
    fail "the report's mail1.trump-email.com is not $answered answered lookups and $((asked - answered)) unanswered queries"

"$EXCLAVE" --zeek "$WORK/forged.dns.log" --geoip-dir "$DEMO_DIR" -l "$WORK/zeek" 2>/dev/null ||
    fail "zeek run exited $?"
alerts "$WORK/pcap/eve.json" >"$WORK/pcap.alerts"
alerts "$WORK/zeek/eve.json" | cmp -s - "$WORK/pcap.alerts" ||
    fail "the Zeek log alerts unlike the pcap: $(alerts "$WORK/zeek/eve.json" | diff - "$WORK/pcap.alerts" | head -4)"
# and EVE input: the same traffic's records, as a sensor without the engine wrote them
grep -v '"event_type":"alert"' "$WORK/pcap/eve.json" >"$WORK/records.json"
"$EXCLAVE" --eve "$WORK/records.json" --geoip-dir "$DEMO_DIR" -l "$WORK/eve" 2>/dev/null || fail "eve run exited $?"
alerts "$WORK/eve/eve.json" | cmp -s - "$WORK/pcap.alerts" ||
    fail "the EVE records alert unlike the pcap: $(alerts "$WORK/eve/eve.json" | diff - "$WORK/pcap.alerts" | head -4)"
# as Suricata writes them, without exclave's mark: the responses whose request
# was not logged are unsolicited all the same, and counted
sed 's/,"unsolicited":true//' "$WORK/records.json" >"$WORK/suricata-like.json"
unsolicited=$(grep -c '"unsolicited":true' "$WORK/records.json")
"$EXCLAVE" --eve "$WORK/suricata-like.json" --geoip-dir "$DEMO_DIR" --stats -l "$WORK/unmarked" 2>"$WORK/unmarked.err" ||
    fail "eve run without the marks exited $?"
alerts "$WORK/unmarked/eve.json" | cmp -s - "$WORK/pcap.alerts" ||
    fail "unmarked EVE records alert unlike the pcap: $(alerts "$WORK/unmarked/eve.json" | diff - "$WORK/pcap.alerts" | head -4)"
grep -Eq "^engine_responses_unpaired +$unsolicited\$" "$WORK/unmarked.err" ||
    fail "$unsolicited responses had no request: $(grep unpaired "$WORK/unmarked.err")"
# an output that logs no requests cannot be paired: its answers count as before
grep -v '"type":"query"' "$WORK/suricata-like.json" >"$WORK/answers-only.json"
"$EXCLAVE" --eve "$WORK/answers-only.json" --geoip-dir "$DEMO_DIR" --no-policies --stats -l "$WORK/answers" \
    2>"$WORK/answers.err" || fail "eve run of answers only exited $?"
grep -Eq '^engine_responses_unpaired +0$' "$WORK/answers.err" &&
    grep -Eq "^engine_lookups_counted +$(grep -c '"type":"answer"' "$WORK/answers-only.json")\$" "$WORK/answers.err" ||
    fail "answers without any request were not all counted: $(grep -E 'unpaired|lookups_counted' "$WORK/answers.err")"

# the old rule, for a one-direction tap: the forgeries work, and it says so
"$EXCLAVE" -r "$WORK/forged.pcap" --geoip-dir "$DEMO_DIR" -l "$WORK/queries" --count-unanswered \
    2>/dev/null || fail "--count-unanswered run exited $?"
for name in vpn.forged-only.example mx.unsolicited-only.example; do
    grep -q "\"event_type\":\"alert\".*\"name\":\"$name\"" "$WORK/queries/eve.json" ||
        fail "--count-unanswered: $name did not alert (the scenario forges nothing?)"
done
grep -q '"event_type":"alert".*"policy":"exclusive".*"name":"trump1.contact-client.com"' \
    "$WORK/queries/eve.json" && fail "--count-unanswered: the dilution of trump1.contact-client.com did not work"
[ "$(jq -r 'select(.event_type == "alert") | .exclave.counting' "$WORK/queries/eve.json" | sort -u)" = queries ] ||
    fail "--count-unanswered alerts do not all say counting: queries"

tshark -r "$WORK/forged.pcap" -Y "dns.flags.response == 0" -w "$WORK/queries.pcap" 2>/dev/null ||
    fail "tshark could not cut the queries out"
"$EXCLAVE" -r "$WORK/queries.pcap" --geoip-dir "$DEMO_DIR" -l "$WORK/one-way" 2>"$WORK/one-way.err" ||
    fail "query-only run exited $?"
[ "$(grep -c 'queries seen and 0 answered.*--count-unanswered' "$WORK/one-way.err")" = 1 ] ||
    fail "a query-only capture was not warned about once: $(head -3 "$WORK/one-way.err")"

# the key view
cat >"$WORK/side.lua" <<'LUA'
function evaluate(key)
  if key.kind == "name" and key.name == "mail1.trump-email.com" then
    exclave.alert{ signature = "side counts",
                   evidence = { unanswered = key.unanswered, unsolicited = key.unsolicited,
                                queries = key.queries } }
  end
end
LUA
"$EXCLAVE" -r "$WORK/forged.pcap" --geoip-dir "$DEMO_DIR" -l "$WORK/view" --policy "$WORK/side.lua" \
    2>/dev/null || fail "key view run exited $?"
jq -e 'select(.event_type == "alert") | .exclave.evidence.unanswered == .exclave.unanswered and
       .exclave.evidence.unsolicited == .exclave.unsolicited and
       .exclave.evidence.queries >= .exclave.lookups' "$WORK/view/eve.json" | sort -u >"$WORK/view.out"
[ "$(cat "$WORK/view.out")" = true ] || fail "the key view's side counts differ from the alert's"
finish
