#!/bin/sh
# Tunnels: the demo capture wrapped in VXLAN, Geneve, GRE, ERSPAN, MPLS and
# PPPoE (tests/e2e/wrap_pcap.py) gives exactly the records and alerts of the
# bare capture, with a right "tunnel" object under --log-tunnel and the
# layers counted; two tenants on different VNIs with the same inner
# addresses are kept apart; --tunnel-port and --tunnel-depth do what they
# say, and wrong values are refused.
. "$top_srcdir/tests/e2e/lib.sh"
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
WRAP="$top_srcdir/tests/e2e/wrap_pcap.py"
run() { # run NAME PCAP ARGS...: exclave into WORK/NAME, counters in WORK/NAME.stats
    name=$1 pcap=$2; shift 2
    mkdir -p "$WORK/$name"
    "$EXCLAVE" -r "$pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/$name" --stats \
        "$@" 2>"$WORK/$name.stats" || fail "$name: exclave exited $?: $(grep -v '^[a-z_0-9]* *[0-9]*$' "$WORK/$name.stats" | head -3)"
}
run bare "$DEMO_DIR/demo.pcap"
packets=$(counter "$WORK/bare.stats" packets)
for kind in vxlan geneve gre erspan mpls pppoe; do
    "$PYTHON3" "$WRAP" "$kind" "$DEMO_DIR/demo.pcap" "$WORK/$kind.pcap" || fail "$kind: wrap_pcap failed"
    run "$kind" "$WORK/$kind.pcap" --log-tunnel
    "$PYTHON3" "$top_srcdir/tests/e2e/check_tunnels.py" "$WORK/bare/eve.json" "$WORK/$kind/eve.json" \
        "$kind" || fail "$kind: the wrapped capture differs from the bare one (see above)"
    [ "$(counter "$WORK/$kind.stats" "tunnel_$kind")" = "$packets" ] ||
        fail "$kind: tunnel_$kind is $(counter "$WORK/$kind.stats" "tunnel_$kind"), expected $packets"
done
[ "$(counter "$WORK/erspan.stats" tunnel_gre)" = "$packets" ] || fail "erspan: its GRE layer not counted"

# Without --log-tunnel no record names the tunnel.
run quiet "$WORK/vxlan.pcap"
! grep -q '"tunnel"' "$WORK/quiet/eve.json" || fail "a tunnel object without --log-tunnel"

# Queries on VNI 7 and responses on VNI 8: two tenants, no answer matches.
"$PYTHON3" "$WRAP" vxlan "$DEMO_DIR/demo.pcap" "$WORK/split.pcap" --split-vni
run split "$WORK/split.pcap" --no-engine
[ "$(counter "$WORK/split.stats" responses_unsolicited)" = "$(counter "$WORK/split.stats" responses)" ] ||
    fail "responses on another VNI were matched with queries ($(counter "$WORK/split.stats" responses_unsolicited) unsolicited)"

# Another VXLAN port: 4789 is then plain UDP; depth 0 strips nothing.
run moved "$WORK/vxlan.pcap" --no-engine --tunnel-port vxlan=8472,4790 --tunnel-port vxlan-gpe=off
[ "$(counter "$WORK/moved.stats" tunnel_vxlan)" = 0 ] &&
    [ "$(counter "$WORK/moved.stats" packets_not_dns_port)" = "$packets" ] ||
    fail "--tunnel-port vxlan=8472 still decoded port 4789"
run shallow "$WORK/vxlan.pcap" --no-engine --tunnel-depth 0
[ "$(counter "$WORK/shallow.stats" packets_tunnel_too_deep)" = "$packets" ] ||
    fail "--tunnel-depth 0: packets_tunnel_too_deep is $(counter "$WORK/shallow.stats" packets_tunnel_too_deep)"

EXPECT="--tunnel-port: 'mpls' is not vxlan, vxlan-gpe, geneve, gre or teredo" \
    expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --tunnel-port mpls=1
EXPECT="ports are numbers 1-65535" expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --tunnel-port vxlan=0
EXPECT="ports are numbers 1-65535" expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --tunnel-port vxlan=4789,
EXPECT="--tunnel-depth: '9' is not a whole number (0-8)" \
    expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --tunnel-depth 9
finish
