"""check_scenario: the engine's alerts on the generated demo scenario.

Checks that exactly the planted cases alert (any decoy alert fails), and
recomputes every alert's evidence here, independently of the engine: from
the DNS records of the same eve.json (which e2e-generated checks against the
generator's truth) and the CSV the demo databases are built from.
Usage: check_scenario.py EVE.json NETWORKS.csv
"""
import calendar
import json
import sys
from collections import Counter, defaultdict
from datetime import datetime

from check_e2e import load_networks, owner, report

DEFAULT_SLOT_S = 300  # the engine's caching slot while a name has no answer TTL yet
PLANTED = {
    ("exclusive", "name", "mail1.trump-email.com"),
    ("exclusive", "domain", "trump-email.com"),
    ("exclusive", "address", "192.0.2.129"),
    ("exclusive", "name", "trump1.contact-client.com"),
    ("exclusive", "domain", "contact-client.com"),
    ("rotation", "name", "trump1.contact-client.com"),
    ("peaks", "name", "mail1.trump-email.com"),
}
DECOYS = ["mail.spectrum-health.example", "tracker.adnet.example", "invite.bank-partner.example",
          "dnsbl.example", "in-addr.arpa", "www.example.com", "203.0.113.90", "198.51.100.200",
          "forged-only.example", "unsolicited-only.example", "192.0.2.200"]  # --scenario forged
PEAK_DAYS = {"2016-08-11", "2016-09-02"}


def micros(text):
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    return calendar.timegm(moment.utctimetuple()) * 1_000_000 + moment.microsecond


def lookups_by_key(records):
    """(kind, key) -> list of (time_us, querier, caching slot) the engine should
    have counted: answered lookups only, at the time of the answer (a query
    no response answered, and a response to no query, count for nothing). A
    name's slot length is the shortest address-answer TTL seen for it so far,
    this answer's included (300 s before any); an address's is its
    response's."""
    keys, name_ttl = defaultdict(list), {}
    for r in records:
        dns, t = r["dns"], micros(r["timestamp"])
        name = dns.get("rrname", "").lower()
        querier = r["src_ip"]  # the client, in answers too (flow direction)
        if dns["type"] != "answer" or dns.get("unsolicited"):
            continue
        ttls = [a["ttl"] for a in dns.get("answers", []) if a.get("rrtype") in ("A", "AAAA")]
        if ttls:
            name_ttl[name] = min(name_ttl.get(name, min(ttls)), min(ttls))
            for a in dns["answers"]:
                if a.get("rrtype") in ("A", "AAAA"):
                    keys[("address", a["rdata"])].append((t, querier, t // (min(ttls) * 1_000_000)))
        slot = t // (name_ttl.get(name, DEFAULT_SLOT_S) * 1_000_000)
        keys[("name", name)].append((t, querier, slot))
        parts = name.split(".")
        if len(parts) >= 2:  # the scenario's suffixes are all one label
            keys[("domain", ".".join(parts[-2:]))].append((t, querier, slot))
    return keys


def expected_evidence(networks, lookups, before_us):
    seen = [(t, q) for t, q, _ in lookups if t < before_us]
    pairs = {(q, slot) for t, q, slot in lookups if t < before_us}
    asn_of = {q: owner(networks, q) for _, q in seen}
    raw, corrected = Counter(), Counter()
    for _, q in seen:
        raw[int(asn_of[q][1]) if asn_of[q] else 0] += 1
    for q, _ in pairs:
        corrected[int(asn_of[q][1]) if asn_of[q] else 0] += 1
    top = sorted(raw, key=lambda a: (-corrected[a], -raw[a], a))[:5]
    return {
        "lookups": len(seen), "lookups_corrected": len(pairs),
        "queriers": len({q for _, q in seen}),
        "asn_count": len(raw),
        "country_count": len({asn_of[q][3] for _, q in seen if asn_of[q] and asn_of[q][3]}),
        "top_asns": [(a, corrected[a], raw[a], round(corrected[a] / len(pairs), 4)) for a in top],
        "first_seen": min(t for t, _ in seen), "last_seen": max(t for t, _ in seen),
    }


def check_alert(errors, networks, keys, alert):
    x, where = alert["exclave"], f"{alert['exclave']['policy']} {alert['exclave']['kind']} {alert['exclave']['name']}"
    want = expected_evidence(networks, keys[(x["kind"], x["name"])], micros(alert["timestamp"]))
    got = {k: x[k] for k in ("lookups", "lookups_corrected", "queriers", "asn_count", "country_count")}
    got["top_asns"] = [(a["number"], a["lookups_corrected"], a["lookups"], round(a["share"], 4))
                       for a in x["top_asns"]]
    got["first_seen"], got["last_seen"] = micros(x["first_seen"]), micros(x["last_seen"])
    for field, value in want.items():
        if got[field] != value:
            errors.append(f"{where} at {alert['timestamp']}: {field} is {got[field]}, expected {value}")


def main():
    eve_path, networks_path = sys.argv[1:3]
    records = [json.loads(line) for line in open(eve_path, encoding="utf-8")]
    alerts = [r for r in records if r.get("event_type") == "alert"]
    dns = [r for r in records if r.get("event_type") == "dns"]
    networks = load_networks(networks_path)
    errors = []
    raised = {(a["exclave"]["policy"], a["exclave"]["kind"], a["exclave"]["name"]) for a in alerts}
    for missing in sorted(PLANTED - raised):
        errors.append(f"planted case did not alert: {missing}")
    for extra in sorted(raised - PLANTED):
        errors.append(f"unexpected alert (a decoy?): {extra}")
    for decoy in DECOYS:
        if any(decoy in a["exclave"]["name"] for a in alerts):
            errors.append(f"decoy {decoy} alerted")
    for a in alerts:
        x = a["exclave"]
        if a["alert"]["category"] != "exclusive-dns" or not x["top_asns"]:
            errors.append(f"alert without its evidence: {x['name']}")
        if x["policy"] == "rotation":
            if x["related"] != ["mail1.trump-email.com"] or not 3.5 <= x["evidence"]["gap_days"] <= 4.5:
                errors.append(f"rotation evidence: {x['related']} {x['evidence']}")
    peak_days = {a["exclave"]["evidence"]["day"] for a in alerts if a["exclave"]["policy"] == "peaks"}
    if peak_days != PEAK_DAYS:
        errors.append(f"peak days {sorted(peak_days)}, expected {sorted(PEAK_DAYS)}")
    keys = lookups_by_key(dns)
    for a in alerts:
        check_alert(errors, networks, keys, a)
    return report(errors, f"check_scenario: {len(alerts)} alerts on {len(raised)} keys and "
                          f"policies, {len(dns)} dns records, {len(errors)} problems", shown=40)


if __name__ == "__main__":
    sys.exit(main())
