#!/bin/sh
# --suppress FILE: the demo's alerts less exactly those its entries cover
# (a registered domain with its names, until a date; a network of answer
# addresses; a name), each entry's count said with its reason and the total
# in engine_alerts_suppressed; a leading querier ASN suppresses every alert
# it leads. Mistakes in the file stop the run at start with FILE:LINE and
# what is wrong, as they do inside Suricata (suricata-plugin.sh).
. "$top_srcdir/tests/e2e/lib.sh"
RUN="--geoip-dir $DEMO_DIR --policy $POLICIES"
alerts() { grep '"event_type":"alert"' "$1" | jq -r '[.timestamp, .exclave.policy, .exclave.kind, .exclave.name] | @tsv'; }
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN -l - >"$WORK/all.json" 2>/dev/null || fail "exclave -r exited $?"
alerts "$WORK/all.json" >"$WORK/all.tsv"
[ "$(wc -l <"$WORK/all.tsv")" -gt 10 ] || fail "too few alerts to suppress"
cat >"$WORK/judged.suppress" <<'EOF2'
# judged by the analyst
domain trump-email.com.   until=2016-08-01   the marketing host, judged benign until August
address 192.0.2.128/25    our own mail relays
name Trump1.Contact-Client.com   reported to the CERT already
EOF2
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --suppress "$WORK/judged.suppress" --stats -l - \
    >"$WORK/judged.json" 2>"$WORK/judged.err" || fail "--suppress exited $?: $(head -3 "$WORK/judged.err")"
alerts "$WORK/judged.json" >"$WORK/judged.tsv"
# what the three entries cover, computed apart from exclave
awk -F '\t' '!(($3 == "name" || $3 == "domain") && ($4 == "trump-email.com" || $4 ~ /\.trump-email\.com$/) && $1 < "2016-08-01") &&
             !($3 == "address" && $4 ~ /^192\.0\.2\.(1[3-9][0-9]|2[0-5][0-9]|12[89])$/) &&
             !($3 == "name" && $4 == "trump1.contact-client.com")' "$WORK/all.tsv" >"$WORK/expected.tsv"
cmp -s "$WORK/judged.tsv" "$WORK/expected.tsv" ||
    fail "suppressed alerts differ: $(diff "$WORK/judged.tsv" "$WORK/expected.tsv" | head -4)"
removed=$(($(wc -l <"$WORK/all.tsv") - $(wc -l <"$WORK/expected.tsv")))
[ "$removed" -ge 3 ] && [ "$(wc -l <"$WORK/expected.tsv")" -ge 3 ] || fail "the entries should remove some alerts and keep some"
grep -Eq "^engine_alerts_suppressed +$removed\$" "$WORK/judged.err" ||
    fail "$removed alerts suppressed, but: $(grep alerts_suppressed "$WORK/judged.err")"
grep -q "judged.suppress:2 suppressed [0-9]* alerts: the marketing host, judged benign until August" "$WORK/judged.err" ||
    fail "the domain entry's count and reason were not said: $(grep suppress "$WORK/judged.err")"
grep -q "judged.suppress:4 suppressed 4 alerts: reported to the CERT already" "$WORK/judged.err" ||
    fail "the name entry's count was not said: $(grep suppress "$WORK/judged.err")"
# a leading ASN: all the demo's alerts are led by AS15632
printf 'asn 15632 the bank resolvers, watched elsewhere\n' >"$WORK/asn.suppress"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --suppress "$WORK/asn.suppress" --stats -l - \
    >"$WORK/asn.json" 2>"$WORK/asn.err" || fail "--suppress asn exited $?"
[ "$(alerts "$WORK/asn.json" | wc -l)" = 0 ] || fail "alerts led by AS15632 were raised"
grep -Eq "^engine_alerts_suppressed +$(wc -l <"$WORK/all.tsv")\$" "$WORK/asn.err" || fail "the ASN entry miscounted"
# mistakes, named by file and line
bad() { # bad LINE EXPECTED
    printf '# a comment\n%s\n' "$1" >"$WORK/bad.suppress"
    EXPECT="bad.suppress:2: $2" expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --suppress "$WORK/bad.suppress" -l -
}
bad "host mail1.trump-email.com a reason" "the kind is name, domain, address or asn"
bad "name mail1.trump-email.com" "a reason follows"
bad "name mail1.trump-email.com until=2016-13-45 why" "until= takes a date"
bad "address 192.0.2.0/33 why" "the prefix is not a number of bits"
bad "address mail1.example why" "not an IPv4 or IPv6 address"
bad "asn AS15632 why" "an ASN is a number"
bad "domain" "a value follows the kind"
EXPECT="nowhere.suppress: cannot read" expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --suppress "$WORK/nowhere.suppress" -l -
finish
