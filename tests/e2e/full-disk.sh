#!/bin/sh
# A full disk (a 2 MiB tmpfs the test mounts and removes): the first failed
# write of eve.json is reported at once, naming the file and the reason,
# and only once; the lost records are counted; the daily state saves that
# fail are reported three times, then only counted (they once printed 115
# lines); the alerts still reach stderr; exit 1. A state file beside which
# nothing can be written is refused at start, not at the first daily save.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
mkdir -p "$WORK/disk"
mount -t tmpfs -o size=2m tmpfs "$WORK/disk" 2>"$WORK/mount.err" || skip "cannot mount a tmpfs: $(cat "$WORK/mount.err")"
trap 'umount "$WORK/disk"' EXIT
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l - --no-engine \
    >/dev/null 2>&1 || fail "the bare run failed"
status=0
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/disk" \
    --state "$WORK/disk/demo.state" --stats 2>"$WORK/full.err" || status=$?
[ "$status" = 1 ] || fail "a full disk should make the exit status 1, got $status"
[ "$(grep -c "eve.json: cannot write: No space left on device" "$WORK/full.err")" = 1 ] ||
    fail "the failed write is not reported exactly once: $(grep -m3 'cannot write' "$WORK/full.err")"
[ "$(grep -c "cannot write state:" "$WORK/full.err")" -le 4 ] || # three daily, then the last
    fail "failed state saves are not throttled: $(grep -c 'cannot write state' "$WORK/full.err") lines"
grep -q "demo.state: further failed saves not shown" "$WORK/full.err" || fail "no word that further saves failed"
lost=$(counter "$WORK/full.err" output_records_lost)
[ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "lost records not counted (output_records_lost '$lost')"
grep -q "records were not written" "$WORK/full.err" || fail "no end-of-run word on the records lost"
[ "$(grep -c '^exclave: alert \[' "$WORK/full.err")" -ge 20 ] || fail "the alerts did not reach stderr"
# every line but a last one cut by the full disk is a whole record
sed '$d' "$WORK/disk/eve.json" | jq -c . >/dev/null 2>"$WORK/jq.err" ||
    fail "eve.json holds a broken record before its last line: $(head -2 "$WORK/jq.err")"
umount "$WORK/disk" && trap - EXIT

EXPECT="$WORK/no/such/dir/demo.state: cannot write state beside it: No such file or directory" \
    expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" -l "$WORK" \
    --state "$WORK/no/such/dir/demo.state"
[ ! -s "$WORK/eve.json" ] || fail "the run with an unwritable state went on to write records"
finish
