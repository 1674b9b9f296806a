#!/bin/sh
# -l redis://: sensors publish their enriched records to a stream that a
# central exclave reads. Three sensors on the demo capture split by querier
# and one central give exactly the alerts of one exclave -r over the whole
# capture. The server killed and started again while a sensor follows a log
# and the central follows the stream: both connect again, nothing is lost.
# A password from the environment or a file gets in; a wrong one or none
# is refused. A sensor whose server is away longer than its queue holds drops records,
# counts and reports them, and ends (exit 1) without hanging.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
start_redis
URL="redis://127.0.0.1:$PORT"
length() { $FEED "$PORT" cmd XLEN "$1" | tr -d ':'; }
# until_true CMD...: polls CMD for up to two minutes (no assumption on speed)
until_true() {
    for poll in $(seq 1200); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# Three sensors, split by querier; one central.
for part in a b c; do
    case $part in
    a) filter="ip.addr == 203.0.113.10" ;;
    b) filter="ip.addr == 203.0.113.70" ;;
    c) filter="!(ip.addr == 203.0.113.10) && !(ip.addr == 203.0.113.70)" ;;
    esac
    tshark -r "$DEMO_DIR/demo.pcap" -Y "$filter" -w "$WORK/$part.pcap" 2>/dev/null
    "$EXCLAVE" -r "$WORK/$part.pcap" --geoip-dir "$DEMO_DIR" --no-engine -l "$URL/sensors" --stats \
        2>"$WORK/$part.stats" || fail "sensor $part exited $?: $(grep exclave: "$WORK/$part.stats" | head -3)"
    [ "$(counter "$WORK/$part.stats" redis_published)" -gt 1000 ] || fail "sensor $part published too little"
done
mkdir -p "$WORK/whole" "$WORK/central"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/whole" 2>/dev/null
"$EXCLAVE" --eve "$URL/sensors" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/central" \
    --stats 2>"$WORK/central.stats" || fail "the central exited $?"
alerts() { grep '"event_type":"alert"' "$1"; }
[ "$(alerts "$WORK/whole/eve.json" | wc -l)" -gt 5 ] || fail "the whole capture raised too few alerts"
[ "$(alerts "$WORK/whole/eve.json")" = "$(alerts "$WORK/central/eve.json")" ] ||
    fail "three sensors and a central do not give the alerts of one sensor over the whole capture"
[ "$(counter "$WORK/central.stats" reorder_too_late)" = 0 ] || fail "the central refused records as too late"

# The server restarted under a following sensor and a following central.
grep '"event_type":"dns"' "$WORK/whole/eve.json" >"$WORK/records.json"
total=$(wc -l <"$WORK/records.json")
half=$((total / 2))
head -n "$half" "$WORK/records.json" >"$WORK/live.json"
mkdir -p "$WORK/follower" "$WORK/follow-central"
"$EXCLAVE" --eve "$WORK/live.json" --follow --no-engine -l "$URL/live" --stats 2>"$WORK/follower.stats" &
sensor=$!
"$EXCLAVE" --eve "$URL/live" --follow --no-engine -l "$WORK/follow-central" --stats \
    2>"$WORK/follow-central.stats" &
central=$!
stream_holds() { [ "$(length live)" = "$1" ]; }
until_true stream_holds "$half" || fail "the first half never reached the stream"
stop_redis
tail -n +"$((half + 1))" "$WORK/records.json" >>"$WORK/live.json"
redis_up "$PORT" || fail "the server did not start again"
until_true stream_holds "$total" || fail "the stream holds $(length live) records, not $total"
dns_written() { [ -f "$WORK/follow-central/eve.json" ] && [ "$(wc -l <"$WORK/follow-central/eve.json")" = "$total" ]; }
until_true dns_written || fail "the central wrote $(wc -l <"$WORK/follow-central/eve.json") records, not $total"
kill -TERM "$sensor" "$central"
wait "$sensor" || fail "the following sensor exited $?"
wait "$central" || fail "the following central exited $?"
[ "$(counter "$WORK/follower.stats" redis_sink_reconnects)" -ge 1 ] || fail "the sensor never connected again"
[ "$(counter "$WORK/follow-central.stats" redis_reconnects)" -ge 1 ] || fail "the central never connected again"
[ "$(counter "$WORK/follower.stats" redis_dropped)" = 0 ] || fail "the sensor dropped records"
cmp -s "$WORK/records.json" "$WORK/follow-central/eve.json" || fail "the central's records are not the sensor's"

# A server with a password: the sensor's from the environment, the
# central's from a file; a wrong one is refused, naming AUTH.
$FEED "$PORT" cmd CONFIG SET requirepass "s3cret word" >/dev/null
printf 's3cret word\n' >"$WORK/password"
printf 'wrong\n' >"$WORK/wrong-password"
EXCLAVE_REDIS_PASSWORD="s3cret word" "$EXCLAVE" --eve "$WORK/records.json" --no-engine \
    -l "$URL/locked" --stats 2>"$WORK/locked-sensor.stats" || fail "the sensor with a password exited $?"
! grep -q "records are kept" "$WORK/locked-sensor.stats" || fail "a sensor that got in said the server was away"
mkdir -p "$WORK/locked"
"$EXCLAVE" --eve "$URL/locked" --redis-password-file "$WORK/password" --no-engine -l "$WORK/locked" \
    --stats 2>"$WORK/locked.stats" || fail "the central with a password file exited $?"
[ "$(counter "$WORK/locked.stats" redis_entries)" = "$total" ] || fail "the locked stream did not give every record"
EXPECT="AUTH refused" expect_error "$EXCLAVE" --eve "$URL/locked" --redis-password-file "$WORK/wrong-password" \
    --no-engine -l "$WORK/x"
EXPECT="NOAUTH" expect_error "$EXCLAVE" --eve "$URL/locked" --no-engine -l "$WORK/x"
REDIS_FEED_PASSWORD="s3cret word" $FEED "$PORT" cmd CONFIG SET requirepass "" >/dev/null

# A server that is not there, and a queue of 1 MB: drops counted and said.
stop_redis
if "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --no-engine -l "$URL/away" \
    --redis-buffer 1 --stats 2>"$WORK/away.stats"; then
    fail "a sensor that could not publish exited 0"
fi
grep -q "records are kept (up to 1 MB)" "$WORK/away.stats" || fail "the absent server was not said"
grep -q "the queue of 1 MB is full: records dropped" "$WORK/away.stats" || fail "the drops were not said"
[ "$(counter "$WORK/away.stats" redis_dropped)" -gt 0 ] || fail "redis_dropped is 0"
EXPECT="--redis-buffer goes with -l redis://" expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --redis-buffer 2
EXPECT="-l redis:// publishes EVE records" expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" -l "$URL/x" --format zeek
EXPECT="is the input" expect_error "$EXCLAVE" --eve "$URL/same" -l "$URL/same"
finish
