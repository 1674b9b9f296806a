#!/bin/sh
# Alert records carry src_ip where one querier made more than half of the
# key's lookups, and dest_ip beside it (the address key itself, or a name's
# or domain's one answer). Recomputed here from the same log's dns records:
# every alert's lookups are the answered lookups up to its time; a src_ip
# given is a true majority querier; a querier with over 60% is always given.
# On the demo and on a copy without one of the two Alfa resolvers (where
# the other dominates). The key view's top_querier says the same to a policy.
. "$top_srcdir/tests/e2e/lib.sh"
"$GEN" --scenario demo --seed 5 -o "$WORK/demo.pcap"
tshark -r "$WORK/demo.pcap" -Y '!(ip.addr == 203.0.113.11)' -F pcap -w "$WORK/one.pcap" 2>/dev/null ||
    fail "tshark could not filter the capture"
for run in demo one; do
    "$EXCLAVE" -r "$WORK/$run.pcap" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/$run" 2>/dev/null ||
        fail "exclave -r $run exited $?"
    "$PYTHON3" - "$WORK/$run/eve.json" >"$WORK/$run.out" 2>&1 <<'PY' || fail "$run: $(tail -3 "$WORK/$run.out")"
import collections, json, sys
answers, alerts = [], []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event_type"] == "alert":
        alerts.append(r)
    elif r["event_type"] == "dns" and r["dns"].get("type") == "answer" and not r["dns"].get("unsolicited"):
        addresses = {a["rdata"] for a in r["dns"].get("answers", []) if a.get("rrtype") in ("A", "AAAA")}
        answers.append((r["timestamp"], r["dns"]["rrname"].lower().rstrip("."), r["src_ip"], addresses))
given = dominated = 0
for a in alerts:
    x = a["exclave"]
    kind, key = x["kind"], x["name"]
    def lookup_of(name, addresses):
        if kind == "name": return name == key
        if kind == "domain": return name == key or name.endswith("." + key)
        return key in addresses
    counts = collections.Counter(q for t, n, q, addrs in answers if t <= a["timestamp"] and lookup_of(n, addrs))
    total = sum(counts.values())
    if total != x["lookups"]:
        sys.exit(f"{kind} {key} at {a['timestamp']}: {x['lookups']} lookups, the log has {total}")
    top, top_count = counts.most_common(1)[0]
    if "src_ip" in a:
        given += 1
        if a["src_ip"] != top or 2 * top_count <= total:
            sys.exit(f"{kind} {key}: src_ip {a['src_ip']}, but {top} made {top_count} of {total}")
        want = key if kind == "address" else (x["answers"][0] if len(x["answers"]) == 1 else None)
        if a.get("dest_ip") != want:
            sys.exit(f"{kind} {key}: dest_ip {a.get('dest_ip')}, expected {want}")
    elif top_count > 0.6 * total:
        sys.exit(f"{kind} {key}: no src_ip, but {top} made {top_count} of {total}")
    elif "dest_ip" in a:
        sys.exit(f"{kind} {key}: dest_ip without src_ip")
    dominated += top_count > 0.6 * total
print(f"{len(alerts)} alerts, {given} with src_ip, {dominated} with a querier over 60%")
PY
done
grep -q " [1-9][0-9]* with src_ip" "$WORK/one.out" || fail "no alert of the one-resolver copy has a src_ip: $(cat "$WORK/one.out")"
finish
