#!/bin/sh
# A random-subdomain flood (200,000 unique names) with --max-memory 8M: the
# keys' memory stays under the cap, the process grows by no more than the
# cap plus the engine's fixed tables, eviction is counted, and the exclusive
# name planted inside the flood still alerts.
. "$top_srcdir/tests/e2e/lib.sh"
"$GEN" --scenario flood --packets 400000 --seed 5 -o "$WORK/flood.pcap"
# peak_rss_kib ARGS...: runs exclave and prints its peak resident set (KiB)
peak_rss_kib() {
    "$PYTHON3" - "$EXCLAVE" "$@" <<'PY'
import resource, subprocess, sys
status = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if status == 0 else -1)
PY
}
base=$(peak_rss_kib -r "$WORK/flood.pcap" --geoip-dir "$DEMO_DIR" -l "$WORK/plain" --no-engine)
flood=$(peak_rss_kib -r "$WORK/flood.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" \
    -l "$WORK/logs" --max-memory 8M --stats 2>"$WORK/stats")
[ "$base" -gt 0 ] && [ "$flood" -gt 0 ] || fail "exclave failed ($base, $flood): $(tail -3 "$WORK/stats")"
counter() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/stats"; }
echo "rss without engine ${base} KiB, with engine and an 8 MiB cap ${flood} KiB;" \
     "keys $(counter engine_keys), evicted $(counter engine_keys_evicted), bytes $(counter engine_key_bytes)"
[ "$(counter engine_key_bytes)" -le 8388608 ] || fail "key memory over the cap"
[ "$(counter engine_keys_evicted)" -gt 100000 ] || fail "the flood did not evict"
# growth allowed: the cap, the 4 MiB caching-slot table, 4 MiB of slack (Lua,
# allocator). Not under AddressSanitizer, whose quarantine keeps freed memory.
if ldd "$EXCLAVE" 2>/dev/null | grep -q libasan; then
    echo "rss growth not checked under AddressSanitizer"
elif [ $((flood - base)) -gt $((8192 + 4096 + 4096)) ]; then
    fail "grew by $((flood - base)) KiB"
fi
grep -q '"policy":"exclusive","kind":"name","name":"mail1.trump-email.com"' "$WORK/logs/eve.json" ||
    fail "the planted name was lost in the flood"
finish
