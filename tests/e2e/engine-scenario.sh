#!/bin/sh
# The engine on the generated demo scenario with the default policies:
# exactly the planted cases alert, every alert's evidence equals what
# check_scenario.py recomputes from the DNS records and the CSV, the end-of-
# input table ranks them, and --set changes what alerts.
. "$top_srcdir/tests/e2e/lib.sh"
"$GEN" --scenario demo --seed 11 -o "$WORK/demo.pcap"
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/logs" \
    --stats 2>"$WORK/stderr" || fail "exclave exited $?"
"$PYTHON3" "$top_srcdir/tests/e2e/check_scenario.py" \
    "$WORK/logs/eve.json" "$top_srcdir/geoip/demo-networks.csv" || fail "alerts or evidence wrong"
grep -q '^exclave: alert \[rotation\] name trump1.contact-client.com' "$WORK/stderr" ||
    fail "no one-line alert on stderr"
# the ranked table: the rotation (severity 1) first
awk '/^rank /{getline; print; exit}' "$WORK/stderr" | grep -q 'rotation *name *trump1.contact-client.com' ||
    fail "table not ranked by severity: $(grep -A2 '^rank ' "$WORK/stderr")"
grep -q '^policy_errors *0$' "$WORK/stderr" || fail "policy errors: $(grep policy_ "$WORK/stderr")"
# stricter settings (variables reach the policy): one ASN holding 90 %
# silences the two-ASN name (about 81/19) and keeps the one-ASN name
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/strict" \
    --set exclusive.max_asns=1 --set exclusive.share=0.9 2>"$WORK/strict.err" || fail "exclave --set exited $?"
grep -q '"name":"mail1.trump-email.com"' "$WORK/strict/eve.json" &&
    fail "max_asns=1 still flags mail1 (two ASNs)"
grep -q '"policy":"exclusive","kind":"name","name":"trump1.contact-client.com"' "$WORK/strict/eve.json" ||
    fail "max_asns=1 lost the one-ASN name"
# --no-engine: the DNS records are the same, and no alert
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" -l "$WORK/plain" --no-engine 2>/dev/null ||
    fail "--no-engine exited $?"
grep -v '"event_type":"alert"' "$WORK/logs/eve.json" | cmp -s - "$WORK/plain/eve.json" ||
    fail "the engine changed the DNS records"
# the examples in docs/policies.md run, and find what they say they find
"$PYTHON3" - "$top_srcdir/docs/policies.md" "$WORK/examples" <<'PY'
import os, re, sys
os.makedirs(sys.argv[2], exist_ok=True)
for code in re.findall(r"```lua\n(.*?)```", open(sys.argv[1], encoding="utf-8").read(), re.S):
    name = re.match(r"-- (\w+)\.lua", code)
    if name:
        open(os.path.join(sys.argv[2], name.group(1) + ".lua"), "w").write(code)
PY
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$WORK/examples" -l "$WORK/examples" \
    --stats 2>"$WORK/examples.err" || fail "the documented examples failed to run"
grep -q '^policy_errors *0$' "$WORK/examples.err" || fail "documented examples raise errors"
grep -q '"policy":"only_from","kind":"name","name":"trump1.contact-client.com"' \
    "$WORK/examples/eve.json" || fail "only_from.lua did not find the Russia-only name"
grep -q '"policy":"same_pair","kind":"name","name":"mail1.trump-email.com"' \
    "$WORK/examples/eve.json" || fail "same_pair.lua did not find the two-ASN name"
finish
