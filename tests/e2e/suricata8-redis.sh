#!/bin/sh
# Suricata 8.0's own redis output in stream mode (XADD KEY * eve RECORD),
# from the Debian 13 root, into a valkey-server of this test on the host's
# loopback (the root shares the host's network), beside its eve.json: a
# central exclave reading the stream gives exactly the output of exclave
# --eve on that eve.json, once the "host" field Suricata adds to what it
# sends to Redis is taken out, and leaves nothing pending.
. "$top_srcdir/tests/e2e/lib.sh"
need_suricata8
chroot "$ROOT8" suricata --build-info 2>/dev/null | grep -q "hiredis support: *yes" ||
    { echo "FAIL: the root's Suricata 8 has no hiredis"; exit 1; }
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
start_redis
cp "$DEMO_DIR/demo.pcap" "$W8/demo.pcap"
suricata_redis_yaml "$W8/redis.yaml" "$PORT" stream suricata8
run_suricata8 "$W8IN/redis.yaml" "$W8IN/demo.pcap" "$W8IN/out" --runmode single ||
    fail "suricata 8 exited $?: $(tail -3 "$W8/out/suricata.out")"
records=$(wc -l <"$W8/out/eve.json")
[ "$records" -gt 1000 ] || fail "suricata 8 wrote only $records dns records"
run() { # run NAME INPUT: exclave --eve INPUT into WORK/NAME
    mkdir -p "$WORK/$1"
    "$EXCLAVE" --eve "$2" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/$1" --stats \
        2>"$WORK/$1.stats" || fail "$1: exclave exited $?"
}
run file "$W8/out/eve.json"
run stream "redis://127.0.0.1:$PORT/suricata8"
[ "$(counter "$WORK/stream.stats" redis_entries)" = "$records" ] ||
    fail "the stream holds $(counter "$WORK/stream.stats" redis_entries) entries, not $records"
[ "$(grep -c '"event_type":"alert"' "$WORK/file/eve.json")" -gt 0 ] || fail "no alert from the file"
sed 's/,"host":"[^"]*"//' "$WORK/stream/eve.json" >"$WORK/stream.nohost.json"
cmp -s "$WORK/file/eve.json" "$WORK/stream.nohost.json" ||
    fail "Suricata 8's stream gives other output than its eve.json"
[ "$($FEED "$PORT" cmd XPENDING suricata8 exclave | sed 's/^\[.:\([0-9]*\).*/\1/')" = 0 ] ||
    fail "entries left pending"
finish
