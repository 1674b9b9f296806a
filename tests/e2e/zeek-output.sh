#!/bin/sh
# --format zeek: Zeek-style dns.log and exclave.log. The same pcap logged as
# eve.json and as dns.log agrees response by response (answers, TTLs and the
# enrichment of both ends and every answer); exclave.log holds the same
# alerts as eve.json; dns.log read back with --zeek alerts as the pcap does;
# the TSV and JSON copies of 53,615 real records give identical logs, whose
# first 24 columns are Zeek's own, byte for byte; the logs read with the
# zeek-cut rules and jq; --follow reads a growing log across a rotation.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
cut_fields() { "$PYTHON3" "$top_srcdir/tests/e2e/zeek_cut.py" "$@"; }
eve_alerts() { # time (epoch), policy, kind, name, lookups of each alert
    grep '"event_type":"alert"' "$1" | jq -r '[(.timestamp | sub("\\.[0-9]+\\+0000$"; "Z") | fromdate),
        .exclave.policy, .exclave.kind, .exclave.name, .exclave.lookups] | @tsv'
}
RUN="--geoip-dir $DEMO_DIR --policy $POLICIES"

"$GEN" --scenario demo --seed 5 -o "$WORK/demo.pcap"
"$EXCLAVE" -r "$WORK/demo.pcap" $RUN -l "$WORK/eve" 2>/dev/null || fail "eve run exited $?"
"$EXCLAVE" -r "$WORK/demo.pcap" $RUN --format zeek -l "$WORK/zeek" --stats 2>"$WORK/zeek.err" ||
    fail "zeek run exited $?"
[ -e "$WORK/zeek/eve.json" ] && fail "--format zeek also wrote eve.json"
[ "$(counter "$WORK/zeek.err" zeek_dns_log_records)" = "$(counter "$WORK/zeek.err" responses)" ] ||
    fail "dns.log lines are not one per response"
"$PYTHON3" "$top_srcdir/tests/e2e/check_zeek_output.py" "$WORK/eve/eve.json" "$WORK/zeek/dns.log" \
    >"$WORK/check.out" || fail "eve.json and dns.log disagree: $(head -5 "$WORK/check.out")"

# exclave.log: the alerts of eve.json, read by the zeek-cut rules
eve_alerts "$WORK/eve/eve.json" | cut -f1,2,4,5 | sort >"$WORK/eve.alerts"
cut_fields ts policy name sub <"$WORK/zeek/exclave.log" |
    awk -F'\t' '{ split($1, t, "."); split($4, s, " "); print t[1] "\t" $2 "\t" $3 "\t" s[1] }' |
    sort >"$WORK/notice.alerts"
[ -s "$WORK/eve.alerts" ] || fail "no alerts in eve.json"
cmp -s "$WORK/eve.alerts" "$WORK/notice.alerts" ||
    fail "exclave.log and eve.json alerts differ: $(diff "$WORK/eve.alerts" "$WORK/notice.alerts" | head -4)"
cut_fields note name related <"$WORK/zeek/exclave.log" | grep -q \
    "^Exclave::Rotation_Name	trump1.contact-client.com	mail1.trump-email.com$" ||
    fail "no rotation notice with its related name"
grep -q '^#close	' "$WORK/zeek/exclave.log" || fail "exclave.log has no #close"

# dns.log read back: the pcap's alerts, at the same times with the same counts
"$EXCLAVE" --zeek "$WORK/zeek/dns.log" $RUN -l "$WORK/back" 2>/dev/null || fail "read-back exited $?"
eve_alerts "$WORK/back/eve.json" | cmp -s - "$(eve_alerts "$WORK/eve/eve.json" >"$WORK/a" && echo "$WORK/a")" ||
    fail "dns.log read back alerts unlike its pcap"

# JSON lines: one object per response, the same alerts in exclave.log
"$EXCLAVE" -r "$WORK/demo.pcap" $RUN --format zeek --zeek-json -l "$WORK/json" 2>/dev/null ||
    fail "--zeek-json run exited $?"
[ "$(jq -c . "$WORK/json/dns.log" | wc -l)" = "$(counter "$WORK/zeek.err" responses)" ] ||
    fail "dns.log JSON lines do not parse one per response"
[ "$(jq -r 'select(.query == "mail1.trump-email.com") | .orig_asn' "$WORK/json/dns.log" | sort -u | head -1)" = 15632 ] ||
    fail "JSON dns.log lacks orig_asn"
[ "$(wc -l <"$WORK/json/exclave.log")" = "$(wc -l <"$WORK/eve.alerts")" ] || fail "JSON exclave.log count"

need_shared
BRIM="$SHARED/logs/zeek/brimdata-zed-sample-data"
REAL="--asn-db $SHARED/mmdb/real/ip-location-db-ASN.mmdb --country-db $SHARED/mmdb/real/iptoasn-country.mmdb"
for copy in dns.log.gz dns.json.gz; do
    for flavour in tsv json; do
        extra=; [ $flavour = json ] && extra=--zeek-json
        "$EXCLAVE" --zeek "$BRIM/$copy" $REAL --no-policies --format zeek $extra \
            -l "$WORK/$copy.$flavour" --stats 2>"$WORK/$copy.$flavour.err" || fail "$copy $flavour: exit $?"
        [ "$(counter "$WORK/$copy.$flavour.err" zeek_dns_log_records)" = 53615 ] ||
            fail "$copy $flavour: not 53,615 records written"
        grep -v '^#' "$WORK/$copy.$flavour/dns.log" >"$WORK/$copy.$flavour.records"
    done
done
for flavour in tsv json; do
    cmp -s "$WORK/dns.log.gz.$flavour.records" "$WORK/dns.json.gz.$flavour.records" ||
        fail "TSV and JSON inputs give different $flavour dns.log"
done
zcat "$BRIM/dns.log.gz" | grep -v '^#' >"$WORK/brim.records"
cut -f1-24 "$WORK/dns.log.gz.tsv.records" | cmp -s - "$WORK/brim.records" ||
    fail "dns.log's Zeek columns differ from Zeek's own"
PYTHONPATH="$top_srcdir/tests/e2e" "$PYTHON3" -c '
import sys
from zeek_cut import read_log
header, records, problems = read_log(sys.argv[1])
print("\n".join(problems[:5]))
sys.exit(1 if problems or len(records) != 53615 or "close" not in header else 0)' \
    "$WORK/dns.log.gz.tsv/dns.log" >"$WORK/shape.out" ||
    fail "enriched dns.log is not well formed: $(head -3 "$WORK/shape.out")"
enriched=$(cut_fields answers answer_asns answer_ccs <"$WORK/dns.log.gz.tsv/dns.log" |
    awk -F'\t' '$2 ~ /[0-9]/ && $3 ~ /[A-Z][A-Z]/' | wc -l)
[ "$enriched" -gt 10000 ] || fail "only $enriched answers enriched from the real databases"

# Zeek's btest baselines, with extra columns (opcode...): every record kept
for log in "$SHARED"/logs/zeek/zeek-btest-baselines/*.dns.log; do
    name=$(basename "$log")
    sed 's/^XXXXXXXXXX\.XXXXXX\t/1300000000.000000\t/' "$log" >"$WORK/$name"
    "$EXCLAVE" --zeek "$WORK/$name" --asn-db "" --no-policies --format zeek -l "$WORK/btest.$name" \
        --stats 2>"$WORK/btest.err" || fail "$name: exit $?"
    want=$(grep -vc '^#' "$log" || true)
    [ "$(grep -vc '^#' "$WORK/btest.$name/dns.log" || true)" = "$want" ] &&
        [ "$(counter "$WORK/btest.err" zeek_bad_fields)" = 0 ] || fail "$name: records lost or fields bad"
done
finish
