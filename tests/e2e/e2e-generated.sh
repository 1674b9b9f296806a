#!/bin/sh
# End to end: the generator's demo capture through `exclave -r` with demo
# databases built from geoip/demo-networks.csv; check_e2e.py compares every
# record with the generator's truth file and the CSV (enrichment is computed
# independently, by CIDR matching in Python).
. "$top_srcdir/tests/e2e/lib.sh"
"$GEN" --scenario demo --seed 7 --truth "$WORK/truth.tsv" -o "$WORK/demo.pcap"
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/logs" --stats 2>"$WORK/stats" ||
    fail "exclave exited $?"
"$PYTHON3" "$top_srcdir/tests/e2e/check_e2e.py" "$WORK/truth.tsv" "$top_srcdir/geoip/demo-networks.csv" \
    "$WORK/logs/eve.json" "$WORK/stats" || fail "records differ from the truth"
# stdout output, and the same pcap from standard input, give the same records
"$EXCLAVE" -r - -l - --geoip-dir "$DEMO_DIR" --policy "$POLICIES" <"$WORK/demo.pcap" >"$WORK/stdout.json" 2>/dev/null ||
    fail "reading from stdin failed"
cmp -s "$WORK/stdout.json" "$WORK/logs/eve.json" || fail "-r - / -l - differ from -r FILE / -l DIR"
# the log is appended to, like Suricata's eve.json
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/logs" 2>/dev/null
[ "$(wc -l <"$WORK/logs/eve.json")" -eq $((2 * $(wc -l <"$WORK/stdout.json"))) ] ||
    fail "second run did not append"
finish
