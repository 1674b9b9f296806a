#!/bin/sh
# exclave merge: one capture split by querier into two sensors' captures
# (one resolver's traffic, and the rest), each read with its own --state,
# merges into the state one sensor gets from the whole capture: every key's
# counts, distinct counts, per-ASN tally, days, hours, times and links are
# equal (exclave dump-state); the policies compute alerts from exactly
# these. Bad arguments and a damaged input are refused.
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

EXPECT="give two or more state files and -o OUTPUT" expect_error "$EXCLAVE" merge "$WORK/a.state"
cp "$WORK/a.state" "$WORK/bad.state"
printf 'X' | dd of="$WORK/bad.state" bs=1 seek=5000 conv=notrunc 2>/dev/null
EXPECT="bad.state: refused: damaged: checksum mismatch" expect_error \
    "$EXCLAVE" merge "$WORK/bad.state" "$WORK/b.state" -o "$WORK/never.state"
[ -e "$WORK/never.state" ] && fail "a merge with a damaged input wrote its output"
finish
