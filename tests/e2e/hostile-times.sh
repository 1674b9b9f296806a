#!/bin/sh
# Times outside 1970-2100 from every input are refused where they are read
# and counted, never counted into an aggregate (they once wrote before a
# key's hours[] array and overflowed a pcapng time): EVE records stamped
# 1969, Zeek ts -18000, -1e15, 1e19 and 1e400 (TSV and JSON), and a pcapng
# packet stamped 2^64-1 us. Good records around them keep their effect.
# Run under the sanitizer build too, where a bad index is a failure.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
read_log() { # NAME --eve|--zeek FILE: a run with the counters in WORK/NAME.err
    "$EXCLAVE" "$2" "$3" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/$1" --stats \
        2>"$WORK/$1.err" || fail "$1: exited $?: $(head -3 "$WORK/$1.err")"
}
expect_count() { # NAME COUNTER VALUE WHAT
    [ "$(counter "$WORK/$1.err" "$2")" = "$3" ] || fail "$1: $4 ($2 is $(counter "$WORK/$1.err" "$2"), expected $3)"
}

# EVE: two good records and three with times out of range
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" -l - --no-engine 2>/dev/null | head -n 2 >"$WORK/good.json"
{
    cat "$WORK/good.json"
    for stamp in 1969-12-31T19:00:00 1969-12-31T23:59:59.999999+0000 2100-01-01T00:00:00Z 9999-12-31T23:59:59-05:00; do
        sed -n 1p "$WORK/good.json" | sed "s/\"timestamp\":\"[^\"]*\"/\"timestamp\":\"$stamp\"/"
    done
} >"$WORK/times.json"
read_log eve --eve "$WORK/times.json"
expect_count eve eve_dns_unusable 4 "the records out of range are not all refused"
expect_count eve eve_dns_lookups 2 "the good query and answer were not counted"
grep -q "times.json:3:" "$WORK/eve.err" || fail "EVE: the bad line is not named: $(head -3 "$WORK/eve.err")"

# Zeek TSV and JSON
"$GEN" --scenario demo --seed 3 -o /dev/null --zeek "$WORK/demo.dns.log"
head -n 9 "$WORK/demo.dns.log" >"$WORK/times.log" # the header and two lookups
good=$(sed -n 9p "$WORK/demo.dns.log")
for ts in -18000 -1e15 1e19 1e400 4102444800.000000 -0.5; do
    printf '%s\n' "$good" | awk -v ts="$ts" 'BEGIN { FS = OFS = "\t" } { $1 = ts; print }' >>"$WORK/times.log"
done
read_log zeek --zeek "$WORK/times.log"
expect_count zeek zeek_bad_lines 6 "the lines out of range are not all bad lines"
expect_count zeek zeek_records 2 "the two good lines were not both read"
grep -q "is not a time from 1970 to 2100" "$WORK/zeek.err" || fail "Zeek TSV: no clear message: $(head -2 "$WORK/zeek.err")"
{
    for ts in -18000 -1e15 1e19 1e400 '"1969-12-31T19:00:00"' 1462320000.5; do
        printf '{"ts":%s,"uid":"C1","id.orig_h":"192.0.2.1","id.orig_p":1,"id.resp_h":"192.0.2.53","id.resp_p":53,"proto":"udp","trans_id":1,"query":"example.com","qtype":1,"rtt":1e400}\n' "$ts"
    done
} >"$WORK/times.ndjson"
read_log zeekjson --zeek "$WORK/times.ndjson"
expect_count zeekjson zeek_bad_lines 5 "the lines out of range are not all bad lines"
expect_count zeekjson zeek_bad_fields 1 "an rtt of 1e400 is not a bad field"
expect_count zeekjson engine_queries_seen 1 "the good line (a query, unanswered) did not reach the engine"

# pcapng: one packet stamped 2^64-1 microseconds, then a good one
"$PYTHON3" - "$WORK/times.pcapng" <<'PY'
import struct, sys
frame = bytes.fromhex("ffffffffffff020000000001080045000021000100004011000001020304c0000235"
                      "04d20035000d0000") + b"dns!!"
def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", kind, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
out += block(1, struct.pack("<HHI", 1, 0, 65535))
for high, low in ((0xFFFFFFFF, 0xFFFFFFFF), (340000, 0)):
    out += block(6, struct.pack("<IIIII", 0, high, low, len(frame), len(frame)) + frame)
open(sys.argv[1], "wb").write(out)
PY
"$EXCLAVE" -r "$WORK/times.pcapng" --asn-db "" --country-db "" -l "$WORK/pcap" --stats 2>"$WORK/pcap.err" ||
    fail "-r pcapng exited $?: $(head -3 "$WORK/pcap.err")"
[ "$(counter "$WORK/pcap.err" packets_bad_time)" = 1 ] || fail "pcapng: the packet of 2^64-1 us was not refused"
[ "$(counter "$WORK/pcap.err" packets)" = 2 ] || fail "pcapng: expected 2 packets read"
grep -q "packet 1: capture time before 1970 or after 2099" "$WORK/pcap.err" ||
    fail "pcapng: no message naming the packet: $(head -2 "$WORK/pcap.err")"
finish
