#!/bin/sh
# --log chooses what the log holds. On the demo capture: alerts only gives
# the same alert records as the default log and no dns record; stats adds
# an exclave_stats record whose counters are those --stats prints; pdns
# writes passive-DNS records whose counts, first and last seen and
# enrichment equal a count made from the default log's dns records
# (check_pdns.py), on the hourly schedule, and still when a tiny table
# fills up; an --eve input passes nothing on without dns. Mistakes in the
# choice are refused at start, naming the word.
. "$top_srcdir/tests/e2e/lib.sh"
PCAP="$DEMO_DIR/demo.pcap"
run() { # NAME ARGS...: exclave -r on the demo into $WORK/NAME
    name=$1; shift
    "$EXCLAVE" -r "$PCAP" --geoip-dir "$DEMO_DIR" -l "$WORK/$name" "$@" 2>"$WORK/$name.err" ||
        fail "$name: exit $?: $(tail -3 "$WORK/$name.err")"
}
types() { jq -r .event_type "$WORK/$1/eve.json" | sort | uniq -c | awk '{ printf "%s:%s ", $2, $1 }'; }
alerts() { jq -cS 'select(.event_type == "alert")' "$WORK/$1/eve.json" | sort; }

run full
run alerts --log alerts
[ "$(types alerts)" = "alert:24 " ] || fail "--log alerts wrote: $(types alerts)"
[ "$(alerts alerts)" = "$(alerts full)" ] || fail "--log alerts: other alerts than the default log"
[ "$(types full | grep -ow 'dns:[0-9]*')" = "dns:46408" ] || fail "the default log: $(types full)"

# stats: the record at the end carries what --stats prints (bar the bytes
# written after it)
run stats --log alerts,stats --stats-every 0 --stats
[ "$(types stats)" = "alert:24 exclave_stats:1 " ] || fail "--log alerts,stats wrote: $(types stats)"
jq -r 'select(.event_type == "exclave_stats") | .exclave_stats | to_entries[] | "\(.key) \(.value)"' \
    "$WORK/stats/eve.json" | grep -v '^output_bytes ' | sort >"$WORK/stats.record"
awk 'NF == 2 && $2 ~ /^[0-9]+$/ && $1 != "output_bytes" { print $1, $2 }' "$WORK/stats.err" | sort >"$WORK/stats.printed"
[ "$(wc -l <"$WORK/stats.record")" -ge 60 ] || fail "the stats record has few counters"
cmp -s "$WORK/stats.record" "$WORK/stats.printed" ||
    fail "exclave_stats differs from --stats: $(diff "$WORK/stats.record" "$WORK/stats.printed" | head -5)"

# pdns, hourly (the default), beside the alerts
run pdns --log pdns,alerts --stats
[ "$(alerts pdns)" = "$(alerts full)" ] || fail "--log pdns,alerts: other alerts"
[ "$(types pdns | grep -ow 'dns:[0-9]*')" = "" ] || fail "--log pdns wrote dns records"
"$PYTHON3" "$top_srcdir/tests/e2e/check_pdns.py" "$WORK/full/eve.json" "$WORK/pdns/eve.json" 3600 \
    >"$WORK/pdns.check" || fail "pdns hourly: $(head -5 "$WORK/pdns.check")"
grep -q '^pdns_full_writes  *0$' "$WORK/pdns.err" || fail "the default table filled on the demo"
# a table of 16 entries written daily fills again and again: nothing is lost
run tiny --log pdns --pdns-max 16 --pdns-every 86400 --stats
"$PYTHON3" "$top_srcdir/tests/e2e/check_pdns.py" "$WORK/full/eve.json" "$WORK/tiny/eve.json" 86400 filled \
    >"$WORK/tiny.check" || fail "pdns, 16 entries: $(head -5 "$WORK/tiny.check")"
[ "$(awk '$1 == "pdns_full_writes" { print $2 }' "$WORK/tiny.err")" -gt 100 ] ||
    fail "a 16-entry table did not fill: $(grep pdns_ "$WORK/tiny.err")"
jq 'select(.event_type == "pdns" and .pdns.rrname == "mail1.trump-email.com" and .pdns.rdata == "192.0.2.129")
    | .pdns.as.number == 64498 and .pdns.geo.country_iso_code == "US" and .src_as.number > 0' \
    "$WORK/pdns/eve.json" | sort | uniq -c >"$WORK/mail1.enriched"
[ "$(awk '{ print $2 }' "$WORK/mail1.enriched")" = true ] ||
    fail "pdns records of mail1.trump-email.com and their enrichment: $(cat "$WORK/mail1.enriched")"

# --eve without dns: neither the dns records nor any other passes
"$EXCLAVE" --eve "$WORK/full/eve.json" --geoip-dir "$DEMO_DIR" -l "$WORK/eve" --log alerts \
    2>"$WORK/eve.err" || fail "--eve --log alerts: exit $?: $(tail -3 "$WORK/eve.err")"
[ "$(types eve)" = "alert:24 " ] || fail "--eve --log alerts wrote: $(types eve)"

EXPECT="--log 'dns,alrets': 'alrets' is not dns, alerts, stats or pdns"
expect_error "$EXCLAVE" -r "$PCAP" -l "$WORK/x" --log dns,alrets
EXPECT="--log: give at least one of"
expect_error "$EXCLAVE" -r "$PCAP" -l "$WORK/x" --log ""
EXPECT="--log pdns is made from DNS messages: it goes with -r or -i"
expect_error "$EXCLAVE" --eve "$WORK/full/eve.json" -l "$WORK/x" --log pdns
EXPECT="--log stats and pdns write EVE records"
expect_error "$EXCLAVE" -r "$PCAP" -l "$WORK/x" --format zeek --log dns,stats
EXPECT="--pdns-max: '8' is not a whole number (16-100000000)"
expect_error "$EXCLAVE" -r "$PCAP" -l "$WORK/x" --log pdns --pdns-max 8
EXPECT="--stats-every goes with --log stats"
expect_error "$EXCLAVE" -r "$PCAP" -l "$WORK/x" --stats-every 10
EXPECT="--pdns-every, --pdns-max and --pdns-format go with --log pdns"
expect_error "$EXCLAVE" -r "$PCAP" -l "$WORK/x" --pdns-every 60
EXPECT="--pdns-format passivedns writes DIR/passivedns.log: give -l DIR"
expect_error "$EXCLAVE" -r "$PCAP" -l - --log pdns --pdns-format passivedns
EXPECT="--pdns-format: 'cof' is not eve or passivedns"
expect_error "$EXCLAVE" -r "$PCAP" -l "$WORK/x" --log pdns --pdns-format cof

# --pdns-format passivedns: passivedns.log holds the pdns records of the same
# run as passivedns's lines, line for line (converted here from the EVE
# records: last seen, client, server, IN, name., type, answer, TTL, count)
"$EXCLAVE" -r "$PCAP" --geoip-dir "$DEMO_DIR" -l "$WORK/passivedns" --log pdns,alerts \
    --pdns-format passivedns 2>"$WORK/passivedns.err" || fail "--pdns-format passivedns: exit $?"
"$PYTHON3" - "$WORK/pdns/eve.json" "$WORK/passivedns/passivedns.log" <<'PY' || fail "passivedns.log is not the pdns records"
import datetime, json, sys
def seconds(text):  # "2016-05-04T00:00:00.041000+0000" -> "1462320000.041000"
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    whole = int(t.timestamp() // 1)
    return "%d.%06d" % (whole, t.microsecond)
def dotted(name):
    return name if name.endswith(".") else name + "."
expected = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event_type"] != "pdns":
        continue
    p = r["pdns"]
    if "rcode" in p:
        answer, ttl = p["rcode"], 0
    else:
        answer = dotted(p["rdata"]) if p["rrtype"] in ("CNAME", "NS", "PTR", "DNAME") else p["rdata"]
        ttl = p["ttl"]
    expected.append("||".join([seconds(p["last_seen"]), r["src_ip"], r["dest_ip"], "IN",
                               dotted(p["rrname"]), p["rrtype"], answer, str(ttl), str(p["count"])]))
got = open(sys.argv[2]).read().splitlines()
if got != expected:
    for i, (a, b) in enumerate(zip(got, expected)):
        if a != b:
            print("line %d: %s, expected %s" % (i + 1, a, b)); break
    print("%d lines, %d expected" % (len(got), len(expected)))
    sys.exit(1)
print("passivedns.log: %d lines as the pdns records" % len(got))
PY
grep -c '"event_type":"alert"' "$WORK/passivedns/eve.json" | grep -qx 24 ||
    fail "--pdns-format passivedns: the alerts are not in eve.json"
finish
