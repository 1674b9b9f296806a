#!/bin/sh
# exclave merge: one capture split by querier into two sensors' captures
# (one resolver's traffic, and the rest), each read with its own --state,
# merges into the state one sensor gets from the whole capture: every key's
# counts, distinct counts, per-ASN tally, days, hours, times and links are
# equal (exclave dump-state); the policies compute alerts from exactly
# these. Then a split where keys go idle on one side: the demo dealt to
# two sensors in turns of 10 days (a resolver failing over between sites)
# with a 7-day window, so each sensor sees every busy key stop for 10 days
# and start over, while the whole view never saw it idle: with the keys each
# sensor expired kept in its state (the default with --state), the merge
# equals the whole, live and retired keys alike; without them (--retired-keys
# 0) lookups are lost, as they were before. States of different windows,
# bad arguments and a damaged input are refused.
. "$top_srcdir/tests/e2e/lib.sh"
RUN="--geoip-dir $DEMO_DIR --policy $POLICIES -l -"
"$GEN" --scenario demo --seed 33 -o "$WORK/demo.pcap"
tshark -r "$WORK/demo.pcap" -Y "ip.addr == 203.0.113.10" -w "$WORK/a.pcap" 2>/dev/null
tshark -r "$WORK/demo.pcap" -Y "!(ip.addr == 203.0.113.10)" -w "$WORK/b.pcap" 2>/dev/null
for part in demo a b; do
    "$EXCLAVE" -r "$WORK/$part.pcap" $RUN --state "$WORK/$part.state" >/dev/null 2>&1 ||
        fail "$part exited $?"
done
"$EXCLAVE" merge "$WORK/a.state" "$WORK/b.state" -o "$WORK/merged.state" || fail "merge exited $?"
"$EXCLAVE" dump-state "$WORK/demo.state" >"$WORK/whole.dump" || fail "dump-state exited $?"
"$EXCLAVE" dump-state "$WORK/merged.state" >"$WORK/merged.dump" || fail "dump-state exited $?"
"$EXCLAVE" dump-state "$WORK/a.state" >"$WORK/a.dump"
[ "$(wc -l <"$WORK/whole.dump")" -gt 100 ] || fail "too few keys to compare"
cmp -s "$WORK/a.dump" "$WORK/whole.dump" && fail "one sensor's state already equals the whole: the split shows nothing"
cmp -s "$WORK/merged.dump" "$WORK/whole.dump" ||
    fail "merged state differs from the whole: $(diff "$WORK/merged.dump" "$WORK/whole.dump" | head -4 | cut -c1-200)"
grep -q '"name":"mail1.trump-email.com"' "$WORK/merged.dump" || fail "the planted name is not in the state"
# the merged state is a state like any other: a run loads it
"$EXCLAVE" -r "$WORK/b.pcap" $RUN --state "$WORK/merged.state" >/dev/null 2>"$WORK/load.err" ||
    fail "the merged state does not load: $(head -2 "$WORK/load.err")"

# keys idle on one side: the turns of 10 days against a 7-day window
python3 "$top_srcdir/tests/e2e/split_pcap_by_time.py" "$WORK/demo.pcap" "$WORK/even.pcap" \
    "$WORK/odd.pcap" 10 >/dev/null || fail "split by time failed"
# the ASN and country tallies are exact up to 8 a key (README); past that they
# are compared by count only, and the days by lookups
comparable() {
    "$EXCLAVE" dump-state "$1" | jq -c 'if .asns > 8 then del(.asn_tally) | .days |= map(.[0:2]) else . end
        | if (.country_tally | length) >= 8 then del(.country_tally) else . end'
}
live_lookups() { "$EXCLAVE" dump-state "$1" | jq -s '[.[] | select(.retired | not) | .lookups] | add'; }
for kept in 100000 0; do
    for part in demo even odd; do
        "$EXCLAVE" -r "$WORK/$part.pcap" $RUN --window 7 --retired-keys $kept \
            --state "$WORK/$part-$kept.state" >/dev/null 2>&1 || fail "$part with --window 7 exited $?"
    done
    "$EXCLAVE" merge "$WORK/even-$kept.state" "$WORK/odd-$kept.state" -o "$WORK/turns-$kept.state" ||
        fail "merge of the turns exited $?"
done
comparable "$WORK/demo-100000.state" >"$WORK/turns-whole.dump"
comparable "$WORK/turns-100000.state" >"$WORK/turns-merged.dump"
grep -q '"retired":true' "$WORK/turns-whole.dump" || fail "no key expired with --window 7: the split shows nothing"
cmp -s "$WORK/turns-merged.dump" "$WORK/turns-whole.dump" ||
    fail "keys idle on one side: merged state differs from the whole: $(diff "$WORK/turns-merged.dump" "$WORK/turns-whole.dump" | head -4 | cut -c1-300)"
whole=$(live_lookups "$WORK/demo-0.state") lossy=$(live_lookups "$WORK/turns-0.state")
[ "$lossy" -lt "$whole" ] ||
    fail "without the retired keys the merge should lose lookups (whole $whole, merged $lossy): the test shows nothing"
# the ring is bounded: what it pushes out is counted
"$EXCLAVE" -r "$WORK/demo.pcap" $RUN --window 7 --retired-keys 16 --state "$WORK/small.state" \
    --stats >/dev/null 2>"$WORK/small.err" || fail "--retired-keys 16 exited $?"
grep -Eq '^engine_retired_dropped +[1-9]' "$WORK/small.err" || fail "a full ring of retired keys dropped none"
EXPECT="merge states written with one --window" expect_error \
    "$EXCLAVE" merge "$WORK/a.state" "$WORK/even-0.state" -o "$WORK/never.state"
EXPECT="--retired-keys goes with --state" expect_error "$EXCLAVE" -r "$WORK/a.pcap" $RUN --retired-keys 5

EXPECT="give two or more state files and -o OUTPUT" expect_error "$EXCLAVE" merge "$WORK/a.state"
cp "$WORK/a.state" "$WORK/bad.state"
printf 'X' | dd of="$WORK/bad.state" bs=1 seek=5000 conv=notrunc 2>/dev/null
EXPECT="bad.state: refused: damaged: checksum mismatch" expect_error \
    "$EXCLAVE" merge "$WORK/bad.state" "$WORK/b.state" -o "$WORK/never.state"
[ -e "$WORK/never.state" ] && fail "a merge with a damaged input wrote its output"
finish
