#!/bin/sh
# --eve: Suricata's EVE JSON in, enriched EVE (or dns.log) and alerts out.
# The standalone sensor's own eve.json read back alerts exactly as its pcap
# did; Suricata 7.0.10's real logs (dns version 2) come out byte for byte
# with only exclave's fields added; version 3 records built from
# suricata-verify's checks are read with Suricata 8's rules (a response's
# client is dest_ip); bad lines are reported and counted, the rest read; a
# followed eve.json survives a rotation; standard input works.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
alerts() {
    grep '"event_type":"alert"' "$1" | jq -r '[.timestamp, .exclave.policy, .exclave.kind,
        .exclave.name, .exclave.lookups, .exclave.lookups_corrected] | @tsv'
}
RUN="--geoip-dir $DEMO_DIR --policy $POLICIES"

# exclave -r's own eve.json, read back: the same alerts, times and counts
"$GEN" --scenario demo --seed 9 -o "$WORK/demo.pcap"
"$EXCLAVE" -r "$WORK/demo.pcap" $RUN -l "$WORK/pcap" 2>/dev/null || fail "pcap run exited $?"
grep -v '"event_type":"alert"' "$WORK/pcap/eve.json" >"$WORK/records.json"
"$EXCLAVE" --eve "$WORK/records.json" $RUN -l "$WORK/back" --stats 2>"$WORK/back.err" ||
    fail "--eve exited $?"
alerts "$WORK/pcap/eve.json" >"$WORK/pcap.alerts"
[ -s "$WORK/pcap.alerts" ] || fail "no alerts from the pcap"
alerts "$WORK/back/eve.json" | cmp -s - "$WORK/pcap.alerts" ||
    fail "EVE read back alerts unlike its pcap: $(alerts "$WORK/back/eve.json" | diff - "$WORK/pcap.alerts" | head -4)"
grep -v '"event_type":"alert"' "$WORK/back/eve.json" | cmp -s - "$WORK/records.json" ||
    fail "already enriched records were changed"
# and from standard input, to standard output
"$EXCLAVE" --eve - $RUN -l - <"$WORK/records.json" 2>/dev/null | alerts /dev/stdin |
    cmp -s - "$WORK/pcap.alerts" || fail "--eve - differs from --eve FILE"

need_shared
# Suricata 7.0.10's own dns logs: passed on, dns enriched, nothing else changed
cat "$SHARED"/logs/suricata/generated-suricata-7.0.10/*/*.json >"$WORK/v2.json"
REAL="--asn-db $SHARED/mmdb/real/ip-location-db-ASN.mmdb --country-db $SHARED/mmdb/real/iptoasn-country.mmdb"
"$EXCLAVE" --eve "$WORK/v2.json" $REAL --no-policies -l "$WORK/v2" --stats 2>"$WORK/v2.err" ||
    fail "v2 exited $?"
[ "$(counter "$WORK/v2.err" eve_records)" = "$(wc -l <"$WORK/v2.json")" ] || fail "v2 records lost"
[ "$(counter "$WORK/v2.err" eve_dns_lookups)" = "$(grep -c '"event_type":"dns"' "$WORK/v2.json")" ] ||
    fail "v2 dns records not all counted"
jq -c 'del(.src_as, .src_geo, .dest_as, .dest_geo) | if .dns.answers then .dns.answers |= map(del(.as, .geo)) else . end' \
    "$WORK/v2/eve.json" | cmp -s - "$(jq -c . "$WORK/v2.json" >"$WORK/v2.canon" && echo "$WORK/v2.canon")" ||
    fail "v2 records changed beyond the enrichment"
[ "$(jq -r 'select(.dns.type == "answer") | .dns.answers[]? | select(.rrtype == "A") | .as.number // empty' "$WORK/v2/eve.json" | wc -l)" -gt 10 ] ||
    fail "v2 answers not enriched"

# version 3, built from suricata-verify's checks
"$PYTHON3" "$top_srcdir/tests/e2e/build_eve_v3.py" "$SHARED/logs/suricata/suricata-verify-dns-checks.jsonl" >"$WORK/v3.json"
"$EXCLAVE" --eve "$WORK/v3.json" --geoip-dir "$DEMO_DIR" --no-policies --format zeek -l "$WORK/v3" \
    --stats 2>"$WORK/v3.err" || fail "v3 exited $?"
"$PYTHON3" - "$WORK/v3.json" "$WORK/v3/dns.log" "$WORK/v3.err" <<'PY' || fail "v3 records read wrongly"
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
dns = [r for r in records if r.get("event_type") == "dns"]
requests = [r for r in dns if r["dns"]["type"] == "request" and "src_ip" in r]
responses = [r for r in dns if r["dns"]["type"] == "response" and "dest_ip" in r]
counters = dict(l.split()[:2] for l in open(sys.argv[3]) if len(l.split()) == 2)
lines = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if not l.startswith("#")]
want = sorted((r["dest_ip"], r["dns"].get("queries", [{}])[0].get("rrname", "-")) for r in responses)
got = sorted((l[2], l[9]) for l in lines)
counted = int(counters["engine_lookups_counted"]) + int(counters["engine_unnamed"])
problems = []
if counted < len(requests):
    problems.append(f"{counted} lookups for {len(requests)} requests")
if want != got:
    problems.append(f"responses: want {want[:3]} got {got[:3]} ({len(want)} vs {len(got)})")
print("\n".join(problems))
sys.exit(1 if problems else 0)
PY
grep -q "v3.json:[0-9]*: dns record passed on but not counted: no client address" "$WORK/v3.err" ||
    fail "a response without dest_ip was not reported"

# bad lines: reported with file:line, dropped and counted; the rest read
{ head -n 3 "$WORK/v2.json"; echo '{"event_type":"dns", "dns": '; echo 'not json'; sed -n '4,6p' "$WORK/v2.json"; } >"$WORK/bad.json"
"$EXCLAVE" --eve "$WORK/bad.json" --asn-db "" --no-policies -l "$WORK/bad" --stats 2>"$WORK/bad.err" ||
    fail "bad.json exited $?"
grep -q "bad.json:4: not an EVE record, dropped: " "$WORK/bad.err" &&
    grep -q "bad.json:5: not an EVE record, dropped: " "$WORK/bad.err" || fail "bad lines not reported: $(head -3 "$WORK/bad.err")"
[ "$(counter "$WORK/bad.err" eve_bad_lines)" = 2 ] && [ "$(wc -l <"$WORK/bad/eve.json")" = 6 ] ||
    fail "good lines around bad ones lost"

# --follow across a rotation
head -n 100 "$WORK/records.json" >"$WORK/live.json"
"$EXCLAVE" --eve "$WORK/live.json" --follow --asn-db "" --no-policies -l "$WORK/follow" --stats \
    2>"$WORK/follow.err" &
pid=$!
lines_out() { wc -l <"$WORK/follow/eve.json" 2>/dev/null || echo 0; }
wait_lines() { i=0; while [ "$(lines_out)" -lt "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; }
wait_lines 100
mv "$WORK/live.json" "$WORK/live.json.1"
sed -n '101,150p' "$WORK/records.json" >"$WORK/live.json"
wait_lines 150
kill -TERM $pid; wait $pid || fail "--eve --follow exited $? on SIGTERM"
[ "$(counter "$WORK/follow.err" eve_records)" = 150 ] && [ "$(counter "$WORK/follow.err" eve_reopened)" = 1 ] ||
    fail "followed $(counter "$WORK/follow.err" eve_records) of 150 records, $(counter "$WORK/follow.err" eve_reopened) reopens"
head -n 150 "$WORK/records.json" | cmp -s - "$WORK/follow/eve.json" || fail "followed records differ"
finish
