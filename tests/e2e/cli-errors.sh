#!/bin/sh
# Bad input gets a clear error that names the file (and packet) and what is
# wrong; nothing crashes; good records before a fault are still written.
. "$top_srcdir/tests/e2e/lib.sh"
"$GEN" --scenario demo --seed 3 -o "$WORK/good.pcap"

EXPECT="give exactly one of -r FILE, -i IFACE, --zeek PATH or --eve FILE" expect_error "$EXCLAVE"
EXPECT="give exactly one of -r FILE, -i IFACE, --zeek PATH or --eve FILE" expect_error "$EXCLAVE" -r a -i b
EXPECT="unrecognized option '--no-such-flag'" expect_error "$EXCLAVE" --no-such-flag
EXPECT="--dns-port: '70000' is not a port number" expect_error "$EXCLAVE" -r x --dns-port 70000
EXPECT="--match-timeout: 'soon' is not a number" expect_error "$EXCLAVE" -r x --match-timeout soon
EXPECT="$WORK/missing.pcap: cannot read capture" \
    expect_error "$EXCLAVE" -r "$WORK/missing.pcap" --asn-db "" -l "$WORK/logs"
printf 'not a capture at all' >"$WORK/text.pcap"
EXPECT="$WORK/text.pcap: cannot read capture" \
    expect_error "$EXCLAVE" -r "$WORK/text.pcap" --asn-db "" -l "$WORK/logs"
EXPECT="$WORK/none.mmdb: cannot open MaxMind database" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" --asn-db "$WORK/none.mmdb" -l "$WORK/logs"
printf 'garbage' >"$WORK/bad.mmdb"
EXPECT="$WORK/bad.mmdb: cannot open MaxMind database: The MaxMind DB file contains invalid metadata" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" --country-db "$WORK/bad.mmdb" -l "$WORK/logs"
EXPECT="$WORK: no GeoLite2-ASN.mmdb" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" --geoip-dir "$WORK" -l "$WORK/logs"
EXPECT="bad capture filter 'port banana'" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" -f "port banana" --asn-db "" -l "$WORK/logs"
mkdir -p "$WORK/ro" && touch "$WORK/ro/eve.json" && chmod 0444 "$WORK/ro/eve.json"
if [ "$(id -u)" != 0 ]; then
    EXPECT="$WORK/ro/eve.json: cannot open for writing" \
        expect_error "$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l "$WORK/ro"
fi

# A capture cut in the middle of a packet record: the error names the file and
# the packet; every record before it is written; the exit status says so.
"$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l - >"$WORK/all.json" 2>/dev/null
size=$(wc -c <"$WORK/good.pcap")
head -c $((size / 2)) "$WORK/good.pcap" >"$WORK/cut.pcap"
if "$EXCLAVE" -r "$WORK/cut.pcap" --asn-db "" -l - >"$WORK/cut.json" 2>"$WORK/err"; then
    fail "a truncated capture exited 0"
fi
grep -q "$WORK/cut.pcap: read error after packet [0-9]*: truncated dump file" "$WORK/err" ||
    fail "truncated capture message: $(cat "$WORK/err")"
records=$(wc -l <"$WORK/cut.json")
[ "$records" -gt 100 ] || fail "only $records records before the cut"
head -n "$records" "$WORK/all.json" | cmp -s - "$WORK/cut.json" ||
    fail "records before the cut differ from a full run"

# Snaplen-cut packets are decoded in part and counted, with a warning.
"$PYTHON3" - "$WORK/good.pcap" "$WORK/snapped.pcap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
header, body, out, cut = data[:24], data[24:], [], 0
out.append(header[:16] + struct.pack("<I", 90) + header[20:])
i = 0
while i < len(body):
    sec, usec, incl, orig = struct.unpack("<IIII", body[i:i + 16])
    keep = min(incl, 90)
    out.append(struct.pack("<IIII", sec, usec, keep, orig) + body[i + 16:i + 16 + keep])
    i += 16 + incl
open(sys.argv[2], "wb").write(b"".join(out))
PY
"$EXCLAVE" -r "$WORK/snapped.pcap" --asn-db "" -l - --stats >"$WORK/snapped.json" 2>"$WORK/err" ||
    fail "snapped capture failed"
grep -q '^packets_snapped  *[1-9]' "$WORK/err" || fail "packets_snapped not counted"
grep -q 'further DNS warnings suppressed' "$WORK/err" || fail "warnings not rate-limited"
[ "$(wc -l <"$WORK/snapped.json")" -gt 100 ] || fail "snapped packets not logged in part"
grep -q '"decode_error":"a name or record runs past the end of the message"' "$WORK/snapped.json" ||
    fail "partial records carry no decode_error"
# engine and policy options
EXPECT="--set 'share=0.5': expected POLICY.NAME=VALUE" expect_error "$EXCLAVE" -r x --set share=0.5
EXPECT="--max-memory: '12Q' is not a size" expect_error "$EXCLAVE" -r x --max-memory 12Q
EXPECT="--interval: 'hourly' is not a number of seconds" expect_error "$EXCLAVE" -r x --interval hourly
EXPECT="--policy $WORK/nope.lua: No such file or directory" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l "$WORK/logs" --policy "$WORK/nope.lua"
printf 'function evaluate(key)\n  if then\nend\n' >"$WORK/syntax.lua"
EXPECT="$WORK/syntax.lua:2:" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l "$WORK/logs" --policy "$WORK/syntax.lua"
EXPECT="--set exclusive.shrae: no loaded policy reads this variable" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l "$WORK/logs" --policy "$POLICIES" \
    --set exclusive.shrae=0.9
EXPECT="--set exclusive.share=most: not a number" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l "$WORK/logs" --policy "$POLICIES" \
    --set exclusive.share=most
mkdir -p "$WORK/no-policies"
EXPECT="--policy $WORK/no-policies: a directory without a *.lua file" \
    expect_error "$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l "$WORK/logs" --policy "$WORK/no-policies"
# the wrong kind of input is refused at once, with what it is
EXPECT="$WORK/good.pcap: a pcap or pcapng capture, not a log (read it with -r)" \
    expect_error "$EXCLAVE" --eve "$WORK/good.pcap" --asn-db "" -l "$WORK/logs"
EXPECT="$WORK/good.pcap: a pcap or pcapng capture, not a log (read it with -r)" \
    expect_error "$EXCLAVE" --zeek "$WORK/good.pcap" --asn-db "" -l "$WORK/logs"
# an output that is the input itself is refused before anything is written
# (--eve DIR/eve.json -l DIR once read its own records back: 74 GB)
mkdir -p "$WORK/self"
"$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l "$WORK/self" --no-engine 2>/dev/null || fail "making self/eve.json failed"
size=$(wc -c <"$WORK/self/eve.json")
EXPECT="-l $WORK/self: the output $WORK/self/eve.json is the input $WORK/self/eve.json itself" \
    expect_error "$EXCLAVE" --eve "$WORK/self/eve.json" --asn-db "" -l "$WORK/self"
EXPECT="-l -: the output (standard output) is the input $WORK/self/eve.json itself" \
    expect_error sh -c "'$EXCLAVE' --eve '$WORK/self/eve.json' --asn-db '' -l - >>'$WORK/self/eve.json'"
"$GEN" --scenario demo --seed 3 -o /dev/null --zeek "$WORK/self/dns.log"
EXPECT="the output $WORK/self/dns.log is the input $WORK/self/dns.log itself" \
    expect_error "$EXCLAVE" --zeek "$WORK/self" --asn-db "" --format zeek -l "$WORK/self"
[ "$(wc -c <"$WORK/self/eve.json")" = "$size" ] || fail "the refused runs wrote into their input"
# every subcommand answers --help on standard output, exit 0
for sub in merge dump-state report; do
    "$EXCLAVE" "$sub" --help >"$WORK/$sub.help" 2>&1 || fail "$sub --help exited $?"
    grep -q "^Usage: exclave $sub" "$WORK/$sub.help" || fail "$sub --help: $(head -1 "$WORK/$sub.help")"
done
# a policy's default signature_id follows its name, not its load position
printf 'function evaluate(key)\n  if key.kind == "name" then exclave.alert{ signature = "mine" } end\nend\n' >"$WORK/mine.lua"
for order in first last; do
    if [ "$order" = first ]; then set -- --policy "$WORK/mine.lua" --policy "$POLICIES"
    else set -- --policy "$POLICIES" --policy "$WORK/mine.lua"; fi
    "$EXCLAVE" -r "$WORK/good.pcap" --asn-db "" -l "$WORK/sid-$order" "$@" 2>/dev/null || fail "sid run exited $?"
    grep '"policy":"mine"' "$WORK/sid-$order/eve.json" | jq -r .alert.signature_id | sort -u >"$WORK/sid-$order.ids"
done
[ "$(wc -l <"$WORK/sid-first.ids")" = 1 ] && cmp -s "$WORK/sid-first.ids" "$WORK/sid-last.ids" ||
    fail "the default signature_id moved with the load order: $(cat "$WORK/sid-first.ids" "$WORK/sid-last.ids" | tr '\n' ' ')"
# a policy that fails at run time is reported with file:line and disabled;
# the sensor and the other policies go on
printf 'min_lookups = 5\nfunction evaluate(key)\n  return key.nothing.here\nend\n' >"$WORK/broken.lua"
"$EXCLAVE" -r "$WORK/good.pcap" --geoip-dir "$DEMO_DIR" -l "$WORK/broken" --policy "$WORK/broken.lua" \
    --policy "$POLICIES" --stats 2>"$WORK/broken.err" || fail "a failing policy stopped the run"
grep -q "exclave: policy broken: evaluate(.*): $WORK/broken.lua:3: a key view has no field 'nothing'" \
    "$WORK/broken.err" || fail "policy error not reported with file:line: $(head -3 "$WORK/broken.err")"
grep -q "exclave: policy broken disabled after 10 errors" "$WORK/broken.err" || fail "not disabled"
grep -q '"policy":"rotation"' "$WORK/broken/eve.json" || fail "other policies stopped"
# --check: the policies run, nothing is written, the status says whether all ran clean
mkdir -p "$WORK/check" && cd "$WORK/check"
"$EXCLAVE" -r "$WORK/good.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" --check 2>"$WORK/check.err" ||
    fail "--check of the default policies exited $?: $(tail -2 "$WORK/check.err")"
grep -q "^exclave: check: every policy ran without error" "$WORK/check.err" || fail "--check: no verdict line"
grep -q "^exclave: check: policy exclusive ($POLICIES/exclusive.lua): 0 errors, [1-9][0-9]* alerts" \
    "$WORK/check.err" || fail "--check: no line for exclusive: $(grep -m1 'check: policy' "$WORK/check.err")"
[ ! -e "$WORK/check/eve.json" ] || fail "--check wrote eve.json"
status=0
"$EXCLAVE" -r "$WORK/good.pcap" --geoip-dir "$DEMO_DIR" --policy "$WORK/broken.lua" --policy "$POLICIES" \
    --check 2>"$WORK/check-broken.err" || status=$?
[ "$status" = 1 ] || fail "--check with a failing policy exited $status, expected 1"
grep -q "^exclave: check: policy broken ($WORK/broken.lua): 10 errors, disabled, 0 alerts" \
    "$WORK/check-broken.err" || fail "--check: the failing policy's line: $(grep -m1 'check: policy broken' "$WORK/check-broken.err")"
# --policy replaces the default policies; --default-policies keeps them beside it
"$EXCLAVE" -r "$WORK/good.pcap" --geoip-dir "$DEMO_DIR" --policy "$WORK/mine.lua" --check 2>"$WORK/only.err" ||
    fail "--policy mine.lua --check exited $?"
[ "$(grep -c '^exclave: check: policy ' "$WORK/only.err")" = 1 ] || fail "--policy did not replace the defaults"
"$EXCLAVE" -r "$WORK/good.pcap" --geoip-dir "$DEMO_DIR" --policy "$WORK/mine.lua" --default-policies \
    --check 2>"$WORK/both.err" || fail "--default-policies --check exited $?"
grep -q '^exclave: check: policy exclusive ' "$WORK/both.err" && grep -q '^exclave: check: policy mine ' \
    "$WORK/both.err" || fail "--default-policies did not load the defaults beside --policy"
cd "$WORK"
EXPECT="--check runs the policies and writes nothing" expect_error "$EXCLAVE" -r x --check --no-engine
finish
