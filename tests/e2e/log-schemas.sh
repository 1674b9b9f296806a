#!/bin/sh
# dist/elastic's index template and dist/splunk's props.conf and
# transforms.conf against real output (tests/e2e/check_log_schemas.py): the
# demo with its alerts, --community-id and --home-net, a VXLAN-wrapped part of it with
# --log-tunnel, its passive-DNS and stats records, and the shared dnscap, tcpdump and Zeek captures (authority
# records, AA and TC flags, cut messages). Then the check must fail on a
# template field no record has, on a record field the template lacks, and
# on a Splunk alias of a field no record has.
. "$top_srcdir/tests/e2e/lib.sh"
CHECK="$PYTHON3 $top_srcdir/tests/e2e/check_log_schemas.py"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" --community-id \
    --home-net 203.0.113.0/26 -l - >"$WORK/demo.json" 2>/dev/null || fail "exclave -r exited $?"
editcap -F pcap -r "$DEMO_DIR/demo.pcap" "$WORK/part.pcap" 1-2000 2>/dev/null || fail "editcap failed"
"$PYTHON3" "$top_srcdir/tests/e2e/wrap_pcap.py" vxlan "$WORK/part.pcap" "$WORK/vxlan.pcap" >/dev/null ||
    fail "wrap_pcap failed"
"$EXCLAVE" -r "$WORK/vxlan.pcap" --geoip-dir "$DEMO_DIR" --no-engine --community-id --log-tunnel \
    -l - >"$WORK/vxlan.json" 2>/dev/null || fail "exclave -r of the VXLAN capture exited $?"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --no-policies --log pdns,stats \
    -l - >"$WORK/pdns.json" 2>/dev/null || fail "exclave -r --log pdns,stats exited $?"
inputs="$WORK/demo.json $WORK/vxlan.json $WORK/pdns.json"
if [ -d "$SHARED" ]; then
    for pcap in "$SHARED"/pcaps/dnscap/src/test/*.pcap "$SHARED"/pcaps/tcpdump/tests/dns*.pcap \
                "$SHARED"/pcaps/zeek-btest/Traces/*.pcap; do
        "$EXCLAVE" -r "$pcap" --geoip-dir "$DEMO_DIR" --no-engine --community-id -l - 2>/dev/null
    done >"$WORK/shared.json"
    inputs="$inputs $WORK/shared.json"
fi
# shellcheck disable=SC2086
$CHECK "$top_srcdir/dist" $inputs >"$WORK/check.out" 2>&1 || fail "$(cat "$WORK/check.out")"
# the check can fail: a copy of dist with one fault at a time
faulty() { # faulty NAME EXPECTED: dist copied, then changed by the caller's stdin script
    rm -rf "$WORK/$1" && cp -r "$top_srcdir/dist" "$WORK/$1" && sh -c "cd '$WORK/$1' && $(cat)"
    # shellcheck disable=SC2086
    if $CHECK "$WORK/$1" $inputs >"$WORK/$1.out" 2>&1; then fail "$1: the check passed"; fi
    grep -qF -- "$2" "$WORK/$1.out" || fail "$1: expected '$2', got: $(cat "$WORK/$1.out")"
}
faulty unused "dns.nonesuch occurs in no record" <<'EOS'
jq '.template.mappings.properties.dns.properties.nonesuch = {"type": "keyword"}' elastic/exclave-index-template.json >t && mv t elastic/exclave-index-template.json
EOS
faulty unmapped "the records' community_id is not mapped" <<'EOS'
jq 'del(.template.mappings.properties.community_id) | del(.template.mappings.properties.network)' elastic/exclave-index-template.json >t && mv t elastic/exclave-index-template.json
EOS
faulty wrongtype "src_port is keyword" <<'EOS'
jq '.template.mappings.properties.src_port = {"type": "keyword"}' elastic/exclave-index-template.json >t && mv t elastic/exclave-index-template.json
EOS
faulty alias "dns.rrnam occurs in no record" <<'EOS'
sed -i 's/^FIELDALIAS-exclave_query = dns.rrname AS query/FIELDALIAS-exclave_query = dns.rrnam AS query/' splunk/props.conf
EOS
finish
