#!/bin/sh
# --zeek: Zeek dns.log in, engine alerts out. The demo scenario written as a
# Zeek dns.log alerts exactly as its pcap does (same times and counts); the
# TSV and JSON copies of the same 53,615 real records give byte-identical
# results; Zeek's own btest baselines parse without loss; bad lines, a
# missing header and a truncated gzip get clear errors and lose no good line.
. "$top_srcdir/tests/e2e/lib.sh"
alerts() { # the alerts' time, policy, key and counts
    grep '"event_type":"alert"' "$1" | jq -r '[.timestamp, .exclave.policy, .exclave.kind,
        .exclave.name, .exclave.lookups, .exclave.lookups_corrected] | @tsv'
}
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

"$GEN" --scenario demo --seed 11 -o "$WORK/demo.pcap" --zeek "$WORK/demo.dns.log"
"$EXCLAVE" -r "$WORK/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/pcap" 2>/dev/null ||
    fail "pcap run exited $?"
"$EXCLAVE" --zeek "$WORK/demo.dns.log" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/zeek" \
    --stats 2>"$WORK/zeek.err" || fail "zeek run exited $?"
alerts "$WORK/pcap/eve.json" >"$WORK/pcap.alerts"
alerts "$WORK/zeek/eve.json" >"$WORK/zeek.alerts"
[ -s "$WORK/pcap.alerts" ] || fail "no alerts from the pcap"
cmp -s "$WORK/pcap.alerts" "$WORK/zeek.alerts" ||
    fail "Zeek log and pcap alert differently: $(diff "$WORK/pcap.alerts" "$WORK/zeek.alerts" | head -5)"

# a directory, as Zeek archives logs: day subdirectories, plain and gzip
# files, other logs beside them; the same alerts as the single file
mkdir -p "$WORK/logs/2016-05-04" "$WORK/logs/2016-09-27"
head -n 7 "$WORK/demo.dns.log" >"$WORK/header"
{ cat "$WORK/header"; sed -n '8,12000p' "$WORK/demo.dns.log"; } >"$WORK/logs/2016-05-04/dns.00:00:00-01:00:00.log"
{ cat "$WORK/header"; sed -n '12001,$p' "$WORK/demo.dns.log"; } | gzip >"$WORK/logs/2016-09-27/dns.00:00:00-01:00:00.log.gz"
echo "not a dns log" >"$WORK/logs/2016-05-04/conn.00:00:00-01:00:00.log"
"$EXCLAVE" --zeek "$WORK/logs" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/dir" --stats \
    2>"$WORK/dir.err" || fail "directory run exited $?"
[ "$(counter "$WORK/dir.err" zeek_files)" = 2 ] || fail "expected 2 dns logs in the directory"
alerts "$WORK/dir/eve.json" | cmp -s - "$WORK/zeek.alerts" || fail "a directory alerts differently"
EXPECT="--zeek $WORK/header.d: no Zeek dns logs" expect_error sh -c \
    "mkdir -p '$WORK/header.d' && '$EXCLAVE' --zeek '$WORK/header.d' --asn-db ''"

need_shared
BRIM="$SHARED/logs/zeek/brimdata-zed-sample-data"
for copy in dns.log.gz dns.json.gz; do
    "$EXCLAVE" --zeek "$BRIM/$copy" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" \
        --policy "$top_srcdir/tests/policies/witness.lua" -l "$WORK/$copy" --stats \
        2>"$WORK/$copy.err" || fail "$copy: exit $?"
    [ "$(counter "$WORK/$copy.err" zeek_records)" = 53615 ] || fail "$copy: not 53,615 records"
    [ "$(counter "$WORK/$copy.err" zeek_bad_lines)" = 0 ] || fail "$copy: bad lines"
    [ "$(counter "$WORK/$copy.err" engine_unnamed)" = 2 ] || fail "$copy: records without a query"
done
[ "$(grep -c '"event_type":"alert"' "$WORK/dns.log.gz/eve.json")" -gt 100 ] || fail "witness quiet"
cmp -s "$WORK/dns.log.gz/eve.json" "$WORK/dns.json.gz/eve.json" ||
    fail "TSV and JSON copies give different results"

# btest canonifies times to XXXXXXXXXX.XXXXXX, which is no time at all (such
# a line is rejected, as the next check shows); a fixed time stands in.
for log in "$SHARED"/logs/zeek/zeek-btest-baselines/*.dns.log; do
    name=$(basename "$log")
    sed 's/^XXXXXXXXXX\.XXXXXX\t/1300000000.000000\t/' "$log" >"$WORK/$name"
    "$EXCLAVE" --zeek "$WORK/$name" --asn-db "" -l "$WORK/btest" --stats 2>"$WORK/btest.err" ||
        fail "$name: exit $?"
    want=$(grep -vc '^#' "$log" || true)
    grep -q '^1300000000' "$WORK/$name" || [ "$want" = 0 ] || fail "$name: times not replaced"
    [ "$(counter "$WORK/btest.err" zeek_records)" = "$want" ] &&
        [ "$(counter "$WORK/btest.err" zeek_bad_lines)" = 0 ] ||
        fail "$name: $(counter "$WORK/btest.err" zeek_records) of $want records, $(counter "$WORK/btest.err" zeek_bad_lines) bad"
done

# a bad line in the middle (5 records, the bad one, 8 more): reported with
# file:line, the others still read
{ head -n 12 "$WORK/demo.dns.log"; echo "garbage	line"; sed -n '13,20p' "$WORK/demo.dns.log"; } >"$WORK/bad.log"
"$EXCLAVE" --zeek "$WORK/bad.log" --asn-db "" -l "$WORK/bad" --stats 2>"$WORK/bad.err" || fail "bad.log: exit $?"
grep -q "exclave: $WORK/bad.log:13: ts 'garbage' is not a time" "$WORK/bad.err" || fail "bad line not reported"
[ "$(counter "$WORK/bad.err" zeek_records)" = 13 ] || fail "good lines around a bad one lost"
# a record whose time is not a number
{ sed -n '1,8p' "$WORK/demo.dns.log"; sed -n '9p' "$WORK/demo.dns.log" | sed 's/^[^	]*/yesterday/'; } >"$WORK/badts.log"
"$EXCLAVE" --zeek "$WORK/badts.log" --asn-db "" -l "$WORK/badts" --stats 2>"$WORK/badts.err"
grep -q "badts.log:9: ts 'yesterday' is not a time" "$WORK/badts.err" && [ "$(counter "$WORK/badts.err" zeek_records)" = 1 ] ||
    fail "a non-numeric ts was accepted: $(head -2 "$WORK/badts.err")"
# records before any header
grep -v '^#' "$WORK/demo.dns.log" | head -n 5 >"$WORK/headless.log"
"$EXCLAVE" --zeek "$WORK/headless.log" --asn-db "" -l "$WORK/headless" --stats 2>"$WORK/headless.err"
grep -q "headless.log:1: a record before any #fields header" "$WORK/headless.err" ||
    fail "missing header not reported"
# a broken JSON line
{ zcat "$BRIM/dns.json.gz" | head -n 3; echo '{"ts": 1, "id.orig_h": '; zcat "$BRIM/dns.json.gz" | sed -n 4,6p; } >"$WORK/broken.json"
"$EXCLAVE" --zeek "$WORK/broken.json" --asn-db "" -l "$WORK/broken" --stats 2>"$WORK/broken.err"
grep -q "broken.json:4: not a JSON object" "$WORK/broken.err" && [ "$(counter "$WORK/broken.err" zeek_records)" = 6 ] ||
    fail "broken JSON line: $(head -2 "$WORK/broken.err")"
# a truncated gzip: an error naming the file, exit 1, the lines before it read
head -c 200000 "$BRIM/dns.log.gz" >"$WORK/cut.log.gz"
EXPECT="$WORK/cut.log.gz: after line" expect_error "$EXCLAVE" --zeek "$WORK/cut.log.gz" --asn-db "" -l "$WORK/cut" --stats
grep -q "the gzip data ends early" "$WORK/err" || fail "truncation not explained: $(cat "$WORK/err" | head -2)"
[ "$(counter "$WORK/err" zeek_records)" -gt 1000 ] || fail "lines before the cut were lost"
EXPECT="$WORK/none.log: cannot read Zeek log" expect_error "$EXCLAVE" --zeek "$WORK/none.log" --asn-db "" -l "$WORK/none"
[ -e "$WORK/none/eve.json" ] && fail "a log was created for an unreadable input"
EXPECT="--zeek feeds the engine" expect_error "$EXCLAVE" --zeek "$WORK/bad.log" --no-engine
finish
