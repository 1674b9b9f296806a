#!/bin/sh
# --follow: exclave reads Zeek's current/dns.log as Zeek writes it, a line
# cut in the middle of a write included, and goes on with the new file when
# Zeek rotates the old one away; nothing is read twice or lost.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
"$GEN" --scenario demo --seed 3 -o "$WORK/demo.pcap" --zeek "$WORK/all.log"
head -n 8 "$WORK/all.log" | grep '^#' >"$WORK/header"
grep -v '^#' "$WORK/all.log" | head -n 300 >"$WORK/records"
mkdir -p "$WORK/current" "$WORK/archive"
LIVE="$WORK/current/dns.log"
{ cat "$WORK/header"; sed -n '1,100p' "$WORK/records"; } >"$LIVE"
"$EXCLAVE" --zeek "$LIVE" --follow --geoip-dir "$DEMO_DIR" --no-policies --format zeek \
    -l "$WORK/logs" --stats 2>"$WORK/err" &
pid=$!
wait_for_lines() { # N: until dns.log holds N records (10 s at most)
    i=0
    while [ "$(grep -vc '^#' "$WORK/logs/dns.log" 2>/dev/null || echo 0)" -lt "$1" ] && [ $i -lt 100 ]; do
        sleep 0.1; i=$((i + 1))
    done
}
wait_for_lines 100
# a write that ends in the middle of a line, then the rest of it
line=$(sed -n '101p' "$WORK/records")
printf '%s' "$(echo "$line" | cut -c1-20)" >>"$LIVE"
sleep 0.5
{ printf '%s\n' "$(echo "$line" | cut -c21-)"; sed -n '102,200p' "$WORK/records"; } >>"$LIVE"
wait_for_lines 200
# rotation: the file is moved away and a new one started
mv "$LIVE" "$WORK/archive/dns.log"
{ cat "$WORK/header"; sed -n '201,300p' "$WORK/records"; } >"$LIVE.tmp" && mv "$LIVE.tmp" "$LIVE"
wait_for_lines 300
kill -TERM $pid
wait $pid || fail "exclave --follow exited $? on SIGTERM"
[ "$(counter "$WORK/err" zeek_records)" = 300 ] || fail "read $(counter "$WORK/err" zeek_records) of 300 records"
[ "$(counter "$WORK/err" zeek_bad_lines)" = 0 ] || fail "a line cut by a write was misread"
[ "$(counter "$WORK/err" zeek_reopened)" = 1 ] || fail "the rotation was not followed"
grep -v '^#' "$WORK/logs/dns.log" | cut -f1,3,10 >"$WORK/got"
cut -f1,3,10 "$WORK/records" | cmp -s - "$WORK/got" || fail "records lost, repeated or reordered"
grep -q '^#close' "$WORK/logs/dns.log" || fail "dns.log not closed on SIGTERM"
EXPECT="--follow goes with --zeek FILE" expect_error "$EXCLAVE" --zeek "$WORK/current" --follow
EXPECT="--follow goes with --zeek FILE" expect_error "$EXCLAVE" -r "$WORK/demo.pcap" --follow
finish
