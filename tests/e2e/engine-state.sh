#!/bin/sh
# --state: a capture read in three parts, each run loading and saving the
# state, alerts as one run over the whole: same alerts at the same times
# with the same queriers; the raw and corrected counts may be lower by the
# transactions a file boundary cut (a response whose query was in the run
# before is unsolicited to its run: counted apart, not as a lookup); a
# damaged, cut, foreign or other-version file is refused with the reason
# and left as it is; a run killed with SIGKILL while saving leaves a state
# that loads.
. "$top_srcdir/tests/e2e/lib.sh"
alerts() { # all but the counts
    grep '"event_type":"alert"' "$1" | jq -r '[.timestamp, .exclave.policy, .exclave.kind,
        .exclave.name, .exclave.queriers] | @tsv'
}
counts() { grep '"event_type":"alert"' "$1" | jq -r '[.exclave.lookups, .exclave.lookups_corrected] | @tsv'; }
RUN="--geoip-dir $DEMO_DIR --policy $POLICIES"
command -v editcap >/dev/null || skip "editcap (wireshark-common) not installed"

"$GEN" --scenario demo --seed 21 -o "$WORK/demo.pcap"
"$EXCLAVE" -r "$WORK/demo.pcap" $RUN -l "$WORK/whole" --state "$WORK/whole.state" 2>/dev/null ||
    fail "whole run exited $?"
editcap -r "$WORK/demo.pcap" "$WORK/part1.pcap" 1-15000
editcap -r "$WORK/demo.pcap" "$WORK/part2.pcap" 15001-30000
editcap -r "$WORK/demo.pcap" "$WORK/part3.pcap" 30001-1000000
for part in 1 2 3; do
    "$EXCLAVE" -r "$WORK/part$part.pcap" $RUN -l "$WORK/parts" --state "$WORK/parts.state" \
        2>"$WORK/part$part.err" || fail "part $part exited $?"
done
grep -q "parts.state: [0-9]* keys loaded" "$WORK/part3.err" || fail "part 3 did not load the state"
alerts "$WORK/whole/eve.json" >"$WORK/whole.alerts"
[ "$(wc -l <"$WORK/whole.alerts")" -gt 10 ] || fail "too few alerts to compare"
alerts "$WORK/parts/eve.json" | cmp -s - "$WORK/whole.alerts" ||
    fail "three parts alert unlike the whole: $(alerts "$WORK/parts/eve.json" | diff - "$WORK/whole.alerts" | head -4)"
counts "$WORK/whole/eve.json" >"$WORK/whole.counts"
counts "$WORK/parts/eve.json" | paste - "$WORK/whole.counts" |
    awk '$1 > $3 || $1 < $3 - 2 || $2 > $4 || $2 < $4 - 2 { bad++ } END { exit bad > 0 }' ||
    fail "lookups of the parts differ by more than the cut transactions"

# refused files: the reason, exit 1, the file untouched
refused() { # NAME REASON: the state file WORK/NAME is refused for REASON
    cp "$WORK/$1" "$WORK/$1.before"
    EXPECT="$WORK/$1: refused: $2" expect_error "$EXCLAVE" -r "$WORK/part1.pcap" $RUN -l "$WORK/refused" \
        --state "$WORK/$1"
    cmp -s "$WORK/$1" "$WORK/$1.before" || fail "$1 was changed"
    if [ -s "$WORK/refused/eve.json" ]; then fail "$1: records written after a refusal"; fi
}
size=$(wc -c <"$WORK/whole.state")
cp "$WORK/whole.state" "$WORK/flipped.state"
printf 'X' | dd of="$WORK/flipped.state" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
refused flipped.state "damaged: checksum mismatch"
head -c $((size - 100)) "$WORK/whole.state" >"$WORK/cut.state"
refused cut.state "damaged: it ends early"
cp "$WORK/whole.state" "$WORK/v5.state"
printf '\005' | dd of="$WORK/v5.state" bs=1 seek=8 conv=notrunc 2>/dev/null
refused v5.state "written in another format version"
cp "$WORK/demo.pcap" "$WORK/pcap.state"
refused pcap.state "not an exclave state file"

EXPECT="--state keeps the engine's aggregates" expect_error "$EXCLAVE" -r "$WORK/part1.pcap" \
    --no-engine --state "$WORK/x.state"

# SIGKILL while saving: killed the moment its temporary file appears, the
# run leaves the previous state, which loads
"$GEN" --scenario flood --packets 300000 --seed 8 -o "$WORK/flood.pcap"
"$EXCLAVE" -r "$WORK/flood.pcap" --asn-db "" --no-policies -l - --state "$WORK/kill.state" \
    >/dev/null 2>&1 || fail "flood run exited $?"
cp "$WORK/kill.state" "$WORK/kill.state.saved"
killed_mid_save=0
for round in 1 2 3; do
    rm -f "$WORK/kill.state.tmp"
    "$EXCLAVE" -r "$WORK/flood.pcap" --asn-db "" --no-policies -l - --state "$WORK/kill.state" \
        >/dev/null 2>&1 &
    pid=$!
    i=0
    while [ ! -e "$WORK/kill.state.tmp" ] && [ $i -lt 400 ]; do sleep 0.02; i=$((i + 1)); done
    kill -KILL $pid 2>/dev/null && [ -e "$WORK/kill.state.tmp" ] && killed_mid_save=$((killed_mid_save + 1))
    wait $pid 2>/dev/null || true
    cmp -s "$WORK/kill.state" "$WORK/kill.state.saved" || fail "round $round: the state changed though the save was killed"
    "$EXCLAVE" -r "$WORK/part1.pcap" --asn-db "" --no-policies -l - --state "$WORK/kill.state" \
        >/dev/null 2>"$WORK/kill.err" || fail "after SIGKILL in round $round: $(head -2 "$WORK/kill.err")"
    cp "$WORK/kill.state.saved" "$WORK/kill.state" # that run saved it anew; start from the same
done
[ "$killed_mid_save" -gt 0 ] || fail "no run was killed during a save"
finish
