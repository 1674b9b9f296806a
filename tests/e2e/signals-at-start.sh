#!/bin/sh
# A SIGHUP storm while exclave starts (policies and a state file still
# loading) is deferred, not fatal: systemctl reload right after start once
# killed the sensor with no message. The input is a FIFO, so that the
# storm is sent only once exclave is blocked opening it, which comes after
# the handlers and before the slow part of the start; the pass condition
# does not depend on timing: exit 0 and every record read.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/first" \
    --state "$WORK/demo.state" 2>/dev/null || fail "making the state exited $?"
grep '"event_type":"dns"' "$WORK/first/eve.json" >"$WORK/records.json"
mkfifo "$WORK/input"
"$EXCLAVE" --eve "$WORK/input" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" --state "$WORK/demo.state" \
    -l "$WORK/second" --stats 2>"$WORK/second.err" &
pid=$!
"$PYTHON3" - "$WORK/input" "$pid" "$WORK/records.json" <<'PY' || fail "could not feed the FIFO"
import fcntl, os, signal, sys, time
fifo, pid, records = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for _ in range(60000):          # until exclave waits in its open of the FIFO (bounded, not timed)
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        break
    except OSError:
        time.sleep(0.001)
else:
    sys.exit("exclave never opened its input")
for _ in range(50):
    os.kill(pid, signal.SIGHUP)
fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
with open(records, "rb") as f:
    data = f.read()
    while data:
        written = os.write(fd, data)
        data = data[written:]
os.close(fd)
PY
wait "$pid"
status=$?
[ "$status" = 0 ] || fail "exclave exited $status after the SIGHUP storm: $(head -3 "$WORK/second.err")"
[ "$(counter "$WORK/second.err" eve_records)" = "$(wc -l <"$WORK/records.json")" ] ||
    fail "records lost: $(counter "$WORK/second.err" eve_records) of $(wc -l <"$WORK/records.json")"
finish
