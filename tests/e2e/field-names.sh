#!/bin/sh
# --field-names ecs writes the same enrichment as the default names, shaped
# as the Elastic Common Schema: each record of the default output, moved
# here field by field (src_as -> source.as with organization.name, src_geo ->
# source.geo, dest_* -> destination.*, the answers' and the client subnet's
# as.organization, and a pdns record's, -> as.organization.name), equals the ECS output's, for
# packets (dns and pdns records) and for EVE input. Mistakes are refused.
. "$top_srcdir/tests/e2e/lib.sh"
RUN="--geoip-dir $DEMO_DIR --no-engine"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN -l - >"$WORK/eve.json" 2>/dev/null || fail "default names exited $?"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --field-names ecs -l - >"$WORK/ecs.json" 2>/dev/null ||
    fail "--field-names ecs exited $?"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --no-policies --log pdns -l - \
    >"$WORK/pdns-eve.json" 2>/dev/null || fail "pdns exited $?"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --no-policies --log pdns --field-names ecs -l - \
    >"$WORK/pdns-ecs.json" 2>/dev/null || fail "pdns with ecs names exited $?"
# EVE input: the default output without its enrichment, enriched again
jq -c 'del(.src_as, .src_geo, .dest_as, .dest_geo, .dns.client_subnet.as, .dns.client_subnet.geo)
       | if .dns.answers then .dns.answers |= map(del(.as, .geo)) else . end' "$WORK/eve.json" >"$WORK/plain.json"
"$EXCLAVE" --eve "$WORK/plain.json" $RUN -l - >"$WORK/again-eve.json" 2>/dev/null || fail "--eve exited $?"
"$EXCLAVE" --eve "$WORK/plain.json" $RUN --field-names ecs -l - >"$WORK/again-ecs.json" 2>/dev/null ||
    fail "--eve with ecs names exited $?"
"$PYTHON3" - "$WORK" <<'PY' >"$WORK/check.out" 2>&1 || fail "$(tail -3 "$WORK/check.out")"
import json, sys
def as_ecs(owner):
    out = {"number": owner["number"]}
    if "organization" in owner:
        out["organization"] = {"name": owner["organization"]}
    return out
def inner(obj):
    if "as" in obj:
        obj["as"] = as_ecs(obj["as"])
def to_ecs(r):
    for old, new in (("src", "source"), ("dest", "destination")):
        part = {}
        if old + "_as" in r: part["as"] = as_ecs(r.pop(old + "_as"))
        if old + "_geo" in r: part["geo"] = r.pop(old + "_geo")
        if part: r[new] = part
    dns = r.get("dns", {})
    for a in dns.get("answers", []): inner(a)
    if "client_subnet" in dns: inner(dns["client_subnet"])
    if "pdns" in r: inner(r["pdns"])
    return r
work = sys.argv[1]
for default, ecs in (("eve", "ecs"), ("pdns-eve", "pdns-ecs"), ("again-eve", "again-ecs")):
    a = [json.loads(l) for l in open(f"{work}/{default}.json")]
    b = [json.loads(l) for l in open(f"{work}/{ecs}.json")]
    if len(a) != len(b) or len(a) < 100:
        sys.exit(f"{default}: {len(a)} records, {ecs}: {len(b)}")
    moved = 0
    for n, (x, y) in enumerate(zip(a, b), 1):
        if x.get("event_type") == "exclave_stats":
            continue
        moved += "src_as" in x
        if to_ecs(x) != y:
            sys.exit(f"{ecs}.json:{n}: {json.dumps(y)[:300]}\n  expected {json.dumps(x)[:300]}")
    if moved < 100:
        sys.exit(f"{default}: only {moved} records had enrichment to move")
    print(f"{default}: {len(a)} records equal, {moved} moved")
PY
EXPECT="--field-names: 'elastic' is not eve or ecs" expect_error "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --field-names elastic -l -
EXPECT="--field-names ecs names EVE records' fields" expect_error \
    "$EXCLAVE" -r "$DEMO_DIR/demo.pcap" $RUN --field-names ecs --format zeek -l "$WORK/zeek"
finish
