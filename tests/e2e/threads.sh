#!/bin/sh
# --threads N (N - 1 workers) gives what one thread gives, byte for byte:
# the EVE log (dns
# records and alerts in their places), the stderr warnings with their
# limits, and every counter but the GeoIP cache's hits and the pool's own.
# On the generated scenarios with the engine and the default policies
# (the demo, forged lookups, a shared address, TCP handshakes and cookies,
# a random-subdomain flood), wrapped in VXLAN, on a capture with broken
# frames and DNS, and on every real third-party pcap under ../shared
# (fragments, TCP streams, odd link types) without the engine; Zeek's logs
# and passive DNS; also when
# --log stats pauses the workers for each record; with 1, 2 and 4 workers.
. "$top_srcdir/tests/e2e/lib.sh"
# same NAME ARGS...: --threads 1 and --threads $THREADS of the same run agree
same() {
    name=$1; shift
    for t in 1 "$THREADS"; do
        status=0
        "$EXCLAVE" "$@" --threads "$t" -l - --stats >"$WORK/$name.$t.out" 2>"$WORK/$name.$t.err" ||
            status=$?
        echo "exit $status" >>"$WORK/$name.$t.err"
        # what depends on the threads or the wall clock is left out: the
        # GeoIP cache's hits, the pool's own counters, the stats records
        # (written by the clock) and the log's size, which holds them
        grep -v '^geoip_cache_hits \|^threads_\|^output_bytes ' "$WORK/$name.$t.err" >"$WORK/$name.$t.cmp"
        grep -v '"event_type":"exclave_stats"' "$WORK/$name.$t.out" >"$WORK/$name.$t.json" || true
    done
    cmp -s "$WORK/$name.1.json" "$WORK/$name.$THREADS.json" ||
        fail "$name: --threads $THREADS wrote another log: $(cmp "$WORK/$name.1.json" "$WORK/$name.$THREADS.json")"
    cmp -s "$WORK/$name.1.cmp" "$WORK/$name.$THREADS.cmp" ||
        fail "$name: --threads $THREADS said otherwise: $(diff "$WORK/$name.1.cmp" "$WORK/$name.$THREADS.cmp" | head -6)"
    grep -q "^exit 0" "$WORK/$name.1.err" || return 0 # a capture refused: the same message was enough
    grep -q "^threads_workers  *$((THREADS - 1))\$" "$WORK/$name.$THREADS.err" ||
        fail "$name: did not run on $((THREADS - 1)) workers"
    return 0
}
GEO="--geoip-dir $DEMO_DIR"
THREADS=3
for scenario in demo forged shared proof; do
    "$GEN" --scenario "$scenario" --seed 7 -o "$WORK/$scenario.pcap"
    # shellcheck disable=SC2086
    same "$scenario" -r "$WORK/$scenario.pcap" $GEO --policy "$POLICIES"
done
grep -q '"event_type":"alert"' "$WORK/demo.3.json" || fail "the demo raised no alert"
"$GEN" --scenario flood --packets 200000 --seed 7 -o "$WORK/flood.pcap"
# shellcheck disable=SC2086
same flood -r "$WORK/flood.pcap" $GEO --policy "$POLICIES" --max-memory 8M
"$PYTHON3" "$top_srcdir/tests/e2e/wrap_pcap.py" vxlan "$WORK/demo.pcap" "$WORK/vxlan.pcap"
# shellcheck disable=SC2086
same vxlan -r "$WORK/vxlan.pcap" $GEO --policy "$POLICIES" --log-tunnel --community-id

# Zeek's dns.log and exclave.log (TSV and JSON), and passive DNS: the same
# files but for the TSV logs' #open and #close lines, which carry the clock.
same_files() { # NAME ARGS...: -l NAME.1 and -l NAME.$THREADS hold the same logs
    name=$1; shift
    for t in 1 "$THREADS"; do
        mkdir -p "$WORK/$name.$t"
        "$EXCLAVE" "$@" --threads "$t" -l "$WORK/$name.$t" 2>"$WORK/$name.$t.err" ||
            fail "$name: --threads $t exited $?"
    done
    for file in "$WORK/$name.1"/*; do
        log=$(basename "$file")
        [ -f "$WORK/$name.$THREADS/$log" ] || fail "$name: no $log with --threads $THREADS"
        grep -v '^#open\|^#close' "$file" >"$WORK/$name.1.$log" || true # an empty log is a log
        grep -v '^#open\|^#close' "$WORK/$name.$THREADS/$log" >"$WORK/$name.$THREADS.$log" || true
        cmp -s "$WORK/$name.1.$log" "$WORK/$name.$THREADS.$log" || fail "$name: $log differs"
    done
    cmp -s "$WORK/$name.1.err" "$WORK/$name.$THREADS.err" || fail "$name: stderr differs"
}
# shellcheck disable=SC2086
same_files zeek -r "$WORK/demo.pcap" $GEO --policy "$POLICIES" --format zeek
# shellcheck disable=SC2086
same_files zeek-json -r "$WORK/demo.pcap" $GEO --policy "$POLICIES" --format zeek --zeek-json
# shellcheck disable=SC2086
same_files pdns -r "$WORK/demo.pcap" $GEO --policy "$POLICIES" --log dns,alerts,pdns --pdns-every 86400
# shellcheck disable=SC2086
same_files passivedns -r "$WORK/demo.pcap" $GEO --log pdns --pdns-format passivedns --no-engine
[ -s "$WORK/zeek.3/dns.log" ] && grep -q '"event_type":"pdns"' "$WORK/pdns.3/eve.json" &&
    [ -s "$WORK/passivedns.3/passivedns.log" ] ||
    fail "no dns.log or no pdns records"

# Broken input: every 40th frame cut short, every 30th DNS message garbled:
# the packet and DNS warnings, with their limits, in the same order.
"$PYTHON3" - "$WORK/demo.pcap" "$WORK/broken.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
out, at, n = [data[:24]], 24, 0
while at + 16 <= len(data) and n < 20000:
    sec, usec, caplen, length = struct.unpack("<IIII", data[at:at + 16])
    frame = bytearray(data[at + 16:at + 16 + caplen])
    at += 16 + caplen
    n += 1
    if n % 40 == 0:
        frame = frame[:30]
    elif n % 30 == 0 and len(frame) > 50:
        frame[46:50] = b"\xff\xff\xff\xff"
    out.append(struct.pack("<IIII", sec, usec, len(frame), length) + bytes(frame))
open(sys.argv[2], "wb").write(b"".join(out))
PY
same broken -r "$WORK/broken.pcap" --asn-db "" --no-engine
grep -q 'packet warnings suppressed' "$WORK/broken.3.err" || fail "broken: no warning limit reached"

# --log stats with a record every second, the capture read from a pipe
# that takes 3 s or more to deliver it: each record pauses the workers.
slowly() { # PCAP: writes it to stdout in 10 parts, 0.3 s apart
    "$PYTHON3" -c '
import sys, time
data = open(sys.argv[1], "rb").read()
step = len(data) // 10 + 1
for at in range(0, len(data), step):
    sys.stdout.buffer.write(data[at:at + step]); sys.stdout.buffer.flush(); time.sleep(0.3)
' "$1"
}
for threads in 2 5; do
    for t in 1 $threads; do
        slowly "$WORK/flood.pcap" | "$EXCLAVE" -r - $GEO --policy "$POLICIES" --log dns,alerts,stats \
            --stats-every 1 --threads $t -l - >"$WORK/stats$threads.$t.out" 2>"$WORK/stats$threads.$t.err" ||
            fail "stats$threads: --threads $t exited $?"
        grep -v '"event_type":"exclave_stats"' "$WORK/stats$threads.$t.out" >"$WORK/stats$threads.$t.json"
    done
    cmp -s "$WORK/stats$threads.1.json" "$WORK/stats$threads.$threads.json" ||
        fail "stats$threads: --threads $threads wrote another log"
    records=$(grep -c '"event_type":"exclave_stats"' "$WORK/stats$threads.$threads.out" || true)
    [ "$records" -ge 3 ] || fail "stats$threads: $records stats records in 3 s or more"
done

# Every real pcap: records, warnings and counters as one thread's.
THREADS=3
if [ -d "$SHARED/pcaps" ]; then
    count=0
    for pcap in $(find "$SHARED/pcaps" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) | sort); do
        count=$((count + 1))
        same "shared-$count" -r "$pcap" $GEO --no-engine
    done
    echo "$count shared captures compared"
    [ "$count" -gt 100 ] || fail "only $count shared captures found"
fi
finish
