#!/bin/sh
# An address with more names than it keeps (4) must not lose a rotation: in
# the shared scenario six names of a mail host are on the planted address
# before mail1.trump-email.com and are asked every day. The rotation to
# trump1.contact-client.com is still found, on pcap, Zeek and EVE input, and
# its evidence says the address's list of names was cut. The bank's daily
# anti-spam checks of trump-email.com under Spamhaus's DBL alert on none.
. "$top_srcdir/tests/e2e/lib.sh"
RUN="--geoip-dir $DEMO_DIR --policy $POLICIES"
"$GEN" --scenario shared --seed 7 -o "$WORK/shared.pcap" --zeek "$WORK/dns.log"
"$EXCLAVE" -r "$WORK/shared.pcap" --geoip-dir "$DEMO_DIR" --no-engine -l - >"$WORK/plain.json" 2>/dev/null ||
    fail "--no-engine exited $?"
rotation() { # the rotation alert's new name, old name and names cut
    grep '"policy":"rotation"' "$1" | head -1 |
        jq -r '[.exclave.name, .exclave.related[0], .exclave.evidence.address_names_cut] | @tsv'
}
for input in "-r $WORK/shared.pcap" "--zeek $WORK/dns.log" "--eve $WORK/plain.json"; do
    # shellcheck disable=SC2086
    "$EXCLAVE" $input $RUN -l - >"$WORK/out.json" 2>"$WORK/err" || fail "$input exited $?: $(tail -2 "$WORK/err")"
    set -- $(rotation "$WORK/out.json")
    [ "$1 $2" = "trump1.contact-client.com mail1.trump-email.com" ] ||
        fail "$input: no rotation from mail1.trump-email.com to trump1.contact-client.com: '$*'"
    [ "${3:-0}" -gt 0 ] || fail "$input: the rotation's evidence does not say the address's names were cut"
    # the bank's anti-spam checks of the domain (Spamhaus DBL) are no finding
    grep '"event_type":"alert"' "$WORK/out.json" | grep -q 'spamhaus' &&
        fail "$input: a DBL lookup alerted: $(grep '"event_type":"alert"' "$WORK/out.json" | grep -o '"name":"[^"]*spamhaus[^"]*"' | head -2)"
done
dbl=$(jq -r 'select(.dns.type == "answer" and .dns.rrname == "trump-email.com.dbl.spamhaus.org") | 1' "$WORK/plain.json" | wc -l)
[ "$dbl" -gt 1000 ] || fail "only $dbl DBL lookups: the scenario shows nothing"
# the six names really are on the address, and exceed what it keeps
names=$(jq -r 'select(.dns.type == "answer") | select(any(.dns.answers[]?; .rdata == "192.0.2.129")) | .dns.rrname' \
    "$WORK/plain.json" | sort -u | wc -l)
[ "$names" -ge 8 ] || fail "the planted address has $names names: the scenario shows nothing"
finish
