#!/bin/sh
# --community-id: every EVE record exclave writes carries its flow's
# Community ID, equal to Suricata 7's (community-id: true) for the same
# packets of the demo, and to Wireshark's (tshark's communityid) on the
# shared captures, UDP and TCP, IPv4 and IPv6, with the default seed and
# with another; a seed changes the IDs. Where exclave reads records it did
# not write (--eve, --zeek) the flag is refused.
. "$top_srcdir/tests/e2e/lib.sh"
CHECK="$PYTHON3 $top_srcdir/tests/e2e/check_community_id.py"
ids() { # ids PCAP SEED: tshark's "frame<TAB>communityid" lines
    tshark -r "$1" --enable-protocol communityid -o "communityid.seed:$2" \
        -T fields -e frame.number -e communityid 2>/dev/null
}
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --no-engine --community-id -l - \
    >"$WORK/demo.json" 2>/dev/null || fail "exclave -r --community-id exited $?"
# Suricata 7.0.10 on the same packets
if command -v suricata >/dev/null; then
    cat >"$WORK/suricata.yaml" <<EOF2
%YAML 1.1
---
outputs:
  - eve-log: { enabled: yes, filetype: regular, filename: eve.json, types: [ dns ], community-id: true }
app-layer: { protocols: { dns: { udp: { enabled: yes, detection-ports: { dp: 53 } },
                                 tcp: { enabled: yes, detection-ports: { dp: 53 } } } } }
EOF2
    mkdir -p "$WORK/suricata"
    suricata -c "$WORK/suricata.yaml" -r "$DEMO_DIR/demo.pcap" -k none -l "$WORK/suricata" \
        >"$WORK/suricata.out" 2>&1 || fail "suricata exited $?: $(tail -2 "$WORK/suricata.out")"
    jq -r 'select(.event_type == "dns") | [.pcap_cnt, .community_id] | @tsv' "$WORK/suricata/eve.json" \
        >"$WORK/suricata.tsv"
    $CHECK "$WORK/demo.json" "$WORK/suricata.tsv" 40000 >/dev/null || fail "against Suricata: $($CHECK "$WORK/demo.json" "$WORK/suricata.tsv" 40000)"
fi
ids "$DEMO_DIR/demo.pcap" 0 >"$WORK/demo.tsv"
$CHECK "$WORK/demo.json" "$WORK/demo.tsv" 40000 >/dev/null || fail "against tshark: $($CHECK "$WORK/demo.json" "$WORK/demo.tsv" 40000)"
# the shared captures: TCP, IPv4, VLANs, fragments; seeds 0 and 7
[ -d "$SHARED" ] || skip "no ../shared/data"
tcp=0
for pcap in "$SHARED"/pcaps/dnscap/src/test/*.pcap "$SHARED"/pcaps/tcpdump/tests/dns*.pcap; do
    name=$(basename "$pcap" .pcap)
    for seed in 0 7; do
        "$EXCLAVE" -r "$pcap" --asn-db "" --country-db "" --no-engine --community-id \
            --community-id-seed "$seed" -l - >"$WORK/$name-$seed.json" 2>/dev/null || continue
        [ -s "$WORK/$name-$seed.json" ] || continue
        ids "$pcap" "$seed" >"$WORK/$name-$seed.tsv"
        $CHECK "$WORK/$name-$seed.json" "$WORK/$name-$seed.tsv" 1 >/dev/null ||
            fail "$name, seed $seed: $($CHECK "$WORK/$name-$seed.json" "$WORK/$name-$seed.tsv" 1)"
    done
    n=$($CHECK "$WORK/$name-0.json" "$WORK/$name-0.tsv" 0 TCP 2>/dev/null || echo 0)
    tcp=$((tcp + n))
done
[ "$tcp" -ge 20 ] || fail "only $tcp TCP records compared"
cmp -s "$WORK/dnso1tcp-0.json" "$WORK/dnso1tcp-7.json" && fail "the seed changed nothing"
EXPECT="Suricata's and Zeek's records carry their own" expect_error \
    "$EXCLAVE" --eve "$WORK/demo.json" --community-id -l -
EXPECT="--community-id-seed goes with --community-id" expect_error \
    "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --community-id-seed 3 -l -
finish
