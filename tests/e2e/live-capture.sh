#!/bin/sh
# Live capture (-i) on the loopback interface: DNS queries and responses sent
# to 127.0.0.1 are logged; replacing a database and a policy and sending
# SIGHUP changes the enrichment of later lookups and the policy that runs,
# without losing any lookup or aggregate; SIGTERM ends the run cleanly. Once
# the capture is open the sensor holds no capability (and all of the above
# still works).
# All of it on one thread, then on three (--threads 3: two workers).
# Traffic stays on loopback. Needs root (packet capture).
if [ -z "${LIVE_THREADS:-}" ]; then
    LIVE_THREADS=1 sh "$0" || exit $?
    LIVE_THREADS=3 exec sh "$0"
fi
. "$top_srcdir/tests/e2e/lib.sh"
echo "--threads $LIVE_THREADS"
[ "$(id -u)" = 0 ] || skip "live capture needs root"
mkdir -p "$WORK/geoip"
build() { "${PERL:-perl}" "$top_srcdir/geoip/build-mmdb.pl" --csv "$WORK/$1.csv" \
    --asn "$WORK/geoip/GeoLite2-ASN.mmdb" --country "$WORK/geoip/GeoLite2-Country.mmdb"; }
printf '127.0.0.0/8,64496,Before reload,SE\n' >"$WORK/before.csv"
printf '127.0.0.0/8,64511,After reload,NO\n' >"$WORK/after.csv"
build before
# policy VERSION: a policy that alerts on names, saying its version and what
# the engine has counted for their domain
policy() {
    cat >"$WORK/policy.new" <<EOF
min_lookups = 1
function evaluate(key)
  if key.kind ~= "name" then return end
  local domain = exclave.key("domain", "live.test")
  exclave.alert{ signature = "policy $1",
                 evidence = { domain_lookups = domain.lookups, owner = exclave.asn("127.0.0.53") } }
end
EOF
    mv "$WORK/policy.new" "$WORK/policy.lua"
}
policy v1

"$EXCLAVE" -i lo --dns-port 5399 --geoip-dir "$WORK/geoip" -l "$WORK/logs" --stats \
    --threads "$LIVE_THREADS" --policy "$WORK/policy.lua" --interval 1 2>"$WORK/stderr" &
pid=$!
# send_lookups N TAG: N query/response pairs over loopback UDP port 5399
send_lookups() {
    "$PYTHON3" - "$1" "$2" <<'PY'
import socket, struct, sys
count, tag = int(sys.argv[1]), sys.argv[2]
server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("127.0.0.1", 5399))
client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
name = b"".join(bytes([len(p)]) + p.encode() for p in (tag, "live", "test")) + b"\0"
for i in range(count):
    query = struct.pack(">HHHHHH", i, 0x0100, 1, 0, 0, 0) + name + b"\0\1\0\1"
    client.sendto(query, ("127.0.0.1", 5399))
    data, peer = server.recvfrom(512)
    answer = b"\xc0\x0c\0\1\0\1\0\0\0\x3c\0\4\x7f\0\0\x35"
    server.sendto(data[:2] + b"\x81\x80\0\1\0\1\0\0\0\0" + data[12:] + answer, peer)
    client.recvfrom(512)
PY
}
wait_for() { # wait_for PATTERN COUNT: until the log has COUNT lines matching (60 s at most)
    for _ in $(seq 1 300); do
        n=$(grep -c "$1" "$WORK/logs/eve.json" 2>/dev/null) || true # grep -c says 0 and fails
        [ "${n:-0}" -ge "$2" ] && return 0
        sleep 0.2
    done
    return 1
}
# poll_until: a condition, polled for at most 60 s (a loaded machine, the
# sanitizer build), never a fixed wait that a slow start can outrun
poll_until() {
    for _ in $(seq 1 300); do "$@" && return 0; sleep 0.2; done
    return 1
}
no_capabilities() {
    grep -q '^CapEff:[[:space:]]*0*$' "/proc/$pid/status" && grep -q '^CapPrm:[[:space:]]*0*$' "/proc/$pid/status" &&
        grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$pid/status"
}
# started as root, it holds no capability once the capture is open (which
# is also when it can see the lookups sent next)
poll_until no_capabilities ||
    fail "capabilities kept while capturing: $(grep '^Cap\|^NoNewPrivs' "/proc/$pid/status" | tr '\n' ' ')"
send_lookups 5 before
# The log is flushed when a batch ends; with little traffic that is at the
# 0.5 s capture timeout. SIGHUP then reloads and the next lookups show it.
sleep 1.2
send_lookups 1 tick # packet time passes a tick: policy v1 evaluates the names so far
poll_until grep -q '"signature":"policy v1".*"name":"before.live.test"' "$WORK/logs/eve.json" ||
    fail "policy v1 raised nothing before the reload"
cp "$WORK/geoip/GeoLite2-ASN.mmdb" "$WORK/old.mmdb"
build after
policy v2
kill -HUP "$pid"
poll_until grep -q "exclave: SIGHUP: policies and databases reloaded" "$WORK/stderr" ||
    fail "no reload reported after SIGHUP"
send_lookups 5 after
wait_for '"rrname":"after.live.test"' 10 || fail "the lookups after the reload were not logged"
kill -TERM "$pid"
wait "$pid" || fail "exclave exited $? after SIGTERM"
grep -c '"event_type":"dns".*"rrname":"before.live.test"' "$WORK/logs/eve.json" | grep -qx 10 ||
    fail "expected 10 records for the lookups before the reload"
grep -c '"event_type":"dns".*"rrname":"after.live.test"' "$WORK/logs/eve.json" | grep -qx 10 ||
    fail "expected 10 records for the lookups after the reload"
grep '"event_type":"dns".*"rrname":"before.live.test"' "$WORK/logs/eve.json" | grep -vq '"number":64496' &&
    fail "records before the reload lack the old ASN"
grep '"event_type":"dns".*"rrname":"after.live.test"' "$WORK/logs/eve.json" | grep -vq '"src_as":{"number":64511,"organization":"After reload"},"src_geo":{"country_iso_code":"NO"}' &&
    fail "records after the reload lack the new ASN"
grep -q '^geoip_reloads  *2$' "$WORK/stderr" || fail "geoip_reloads is not 2: $(grep reload "$WORK/stderr")"
grep -q '^responses_unsolicited  *0$' "$WORK/stderr" || fail "responses not matched to queries"
grep -q '"signature":"policy v1".*"name":"before.live.test"' "$WORK/logs/eve.json" ||
    fail "policy v1 did not run before the reload"
grep -q '"signature":"policy v2".*"name":"after.live.test".*"evidence":{"domain_lookups":11' \
    "$WORK/logs/eve.json" || fail "after the reload: no v2 alert, or aggregates lost"
# exclave.asn answers from the databases of the time: the policy process
# keeps its answers only until the databases reload
owners() { jq -r --arg s "$1" 'select(.alert.signature == $s) | .exclave.evidence.owner' "$WORK/logs/eve.json" | sort -u | tr '\n' ' '; }
[ "$(owners "policy v1")" = "64496 " ] || fail "policy v1's exclave.asn: $(owners "policy v1")"
[ "$(owners "policy v2")" = "64511 " ] || fail "policy v2's exclave.asn after the reload: $(owners "policy v2")"
grep -q '"signature":"policy v1".*"name":"after.live.test"' "$WORK/logs/eve.json" &&
    fail "the old policy still ran after SIGHUP"
grep -q '^policy_reloads  *1$' "$WORK/stderr" || fail "policy_reloads is not 1"
grep -q '^capture_kernel_drops  *[0-9][0-9]*$' "$WORK/stderr" && grep -q '^capture_interface_drops ' "$WORK/stderr" ||
    fail "no capture drop counters"
if [ "$LIVE_THREADS" -gt 1 ]; then
    grep -q "^threads_workers  *$((LIVE_THREADS - 1))\$" "$WORK/stderr" || fail "not on $((LIVE_THREADS - 1)) workers"
fi
finish
