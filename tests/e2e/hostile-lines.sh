#!/bin/sh
# Log lines as a real sensor writes them and as an attacker might: an EVE
# record of 100 KB and a Suricata stats record of 72 KB are passed on byte
# for byte (they were once dropped at 64 KiB); a line that starts with a NUL
# byte is a bad line, named, and reading goes on (it once ended the input
# as if at its end, silently, exit 0), in EVE and Zeek alike; a line over
# the 16 MiB cap is skipped and counted, and the line after it read.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" -l - --no-engine 2>/dev/null | head -n 2 >"$WORK/two.json"
"$PYTHON3" - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
query, answer = open(f"{work}/two.json").read().splitlines()
big = json.loads(query); big["pad"] = "x" * 100000
stats = {"timestamp": "2016-05-04T00:00:01.000000+0000", "event_type": "stats",
         "stats": {f"counter_{i}": i for i in range(4000)}}
with open(f"{work}/lines.json", "w") as f:
    f.write(json.dumps(big, separators=(",", ":")) + "\n")
    f.write(json.dumps(stats, separators=(",", ":")) + "\n")
    f.write("\0" + query + "\n")
    f.write("{\"huge\":\"" + "y" * (17 << 20) + "\"}\n")
    f.write(answer + "\n")
PY
"$EXCLAVE" --eve "$WORK/lines.json" --geoip-dir "$DEMO_DIR" --no-engine -l - --stats \
    >"$WORK/out.json" 2>"$WORK/eve.err" || fail "--eve exited $?: $(head -3 "$WORK/eve.err")"
[ "$(counter "$WORK/eve.err" eve_records)" = 3 ] || fail "expected 3 records read, got $(counter "$WORK/eve.err" eve_records)"
[ "$(counter "$WORK/eve.err" eve_bad_lines)" = 2 ] || fail "expected 2 bad lines (NUL, 17 MiB), got $(counter "$WORK/eve.err" eve_bad_lines)"
[ "$(counter "$WORK/eve.err" eve_dns_lookups)" = 2 ] || fail "the answer after the bad lines was not counted"
grep -q "lines.json:3: not an EVE record, dropped: a NUL byte at byte 1" "$WORK/eve.err" ||
    fail "the NUL line is not named: $(grep -m2 lines.json "$WORK/eve.err")"
grep -q "lines.json:4: line longer than 16777216 bytes, dropped" "$WORK/eve.err" ||
    fail "the 17 MiB line is not named: $(grep -m3 lines.json "$WORK/eve.err")"
sed -n 2p "$WORK/lines.json" >"$WORK/stats.in"
sed -n 2p "$WORK/out.json" >"$WORK/stats.out"
cmp -s "$WORK/stats.in" "$WORK/stats.out" || fail "the 72 KB stats record was not passed on byte for byte"
[ "$(sed -n 1p "$WORK/out.json" | wc -c)" -gt 100000 ] || fail "the 100 KB dns record was not passed on"
[ "$(wc -l <"$WORK/out.json")" = 3 ] || fail "expected 3 records written, got $(wc -l <"$WORK/out.json")"

# Zeek: a TSV line with a NUL byte, then a good one
"$GEN" --scenario demo --seed 5 -o /dev/null --zeek "$WORK/demo.dns.log"
{ head -n 7 "$WORK/demo.dns.log"; printf '\0'; sed -n 8p "$WORK/demo.dns.log"; sed -n 9p "$WORK/demo.dns.log"; } >"$WORK/nul.log"
"$EXCLAVE" --zeek "$WORK/nul.log" --geoip-dir "$DEMO_DIR" --no-policies -l "$WORK/zeek" --stats 2>"$WORK/zeek.err" ||
    fail "--zeek exited $?: $(head -3 "$WORK/zeek.err")"
[ "$(counter "$WORK/zeek.err" zeek_bad_lines)" = 1 ] && [ "$(counter "$WORK/zeek.err" zeek_records)" = 1 ] ||
    fail "Zeek: the NUL line should be one bad line and the next one read ($(grep -m1 nul.log "$WORK/zeek.err"))"
grep -q "nul.log:8: a NUL byte inside the line" "$WORK/zeek.err" || fail "Zeek: the NUL line is not named"
finish
