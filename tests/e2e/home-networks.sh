#!/bin/sh
# --home-net: the lookups of a key from the home networks are counted as
# home_lookups (here the Alfa resolvers' networks: the count must equal the
# alert's own per-ASN lookups for AS15632), exclave.home answers for any
# address, in the policy process; without the flag nothing is home; a
# network exclave cannot read stops the run at start, saying what it is.
. "$top_srcdir/tests/e2e/lib.sh"
RUN="--geoip-dir $DEMO_DIR --policy $top_srcdir/tests/policies/home.lua"
probe() { # the probe's evidence and AS15632's lookups in the same alert
    grep '"signature_id":55' "$1" | head -1 |
        jq -r '[.exclave.evidence.home_lookups, .exclave.evidence.alfa_is_home,
                .exclave.evidence.alfa6_is_home, .exclave.evidence.google_is_home,
                .exclave.evidence.text_is_nil,
                (.exclave.top_asns[] | select(.number == 15632) | .lookups)] | @tsv'
}
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --home-net '[203.0.113.0/26, 198.18.0.0/15]' \
    --home-net 2001:db8:a1fa::/48 -l "$WORK/home" 2>"$WORK/home.err" ||
    fail "--home-net exited $?: $(head -3 "$WORK/home.err")"
set -- $(probe "$WORK/home/eve.json")
[ $# = 6 ] || fail "no probe alert with AS15632 in it: $(grep -c '"alert"' "$WORK/home/eve.json") alerts"
[ "$1" -gt 0 ] && [ "$1" = "$6" ] || fail "home_lookups $1, but AS15632 made $6 of the key's lookups"
[ "$2 $3 $4 $5" = "true true false true" ] || fail "exclave.home said: $2 $3 $4 $5"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN -l "$WORK/none" 2>/dev/null || fail "without --home-net exited $?"
set -- $(probe "$WORK/none/eve.json")
[ "$1 $2 $3 $4 $5" = "0 false false false true" ] || fail "without --home-net: $*"
EXPECT="--home-net: '!10.0.0.0/8': only plain networks" expect_error \
    "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --home-net '10.1.0.0/16,!10.0.0.0/8' -l -
EXPECT="--home-net: '\$HOME_NET': only plain networks" expect_error \
    "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --home-net '$HOME_NET' -l -
EXPECT="--home-net: '2001:db8::/129': the prefix length must be 0 to 128" expect_error \
    "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --home-net 2001:db8::/129 -l -
EXPECT="--home-net: 'mail1.example': not an address" expect_error \
    "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --home-net mail1.example -l -
finish
