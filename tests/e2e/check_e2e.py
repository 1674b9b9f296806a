"""check_e2e: compares exclave's eve.json with the generator's truth file.

Expected enrichment is derived here from the CSV by longest-prefix match with
Python's ipaddress module, independently of libmaxminddb and of exclave.
Usage: check_e2e.py TRUTH.tsv NETWORKS.csv EVE.json STATS.txt
"""
import csv
import ipaddress
import json
import sys

TYPES = {1: "A", 28: "AAAA", 5: "CNAME", 12: "PTR"}
RCODES = {0: "NOERROR", 3: "NXDOMAIN"}


def report(errors, summary, shown=30):
    """Prints the first problems and the summary line; the exit status."""
    for e in errors[:shown]:
        print(e)
    print(summary)
    return 1 if errors else 0


def load_networks(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f if not l.startswith("#") and not l.startswith("network,")]
    for network, asn, org, country in csv.reader(lines):
        rows.append((ipaddress.ip_network(network), asn, org, country))
    return rows


def owner(networks, address):
    ip = ipaddress.ip_address(address)
    best = None
    for net, asn, org, country in networks:
        if ip.version == net.version and ip in net and (best is None or net.prefixlen > best[0].prefixlen):
            best = (net, asn, org, country)
    return best


def expected_enrichment(networks, address):
    found = owner(networks, address)
    result = {}
    if found and found[1]:
        result["as"] = {"number": int(found[1])}
        if found[2]:
            result["as"]["organization"] = found[2]
    if found and found[3]:
        result["geo"] = {"country_iso_code": found[3]}
    return result


def check_enrichment(errors, where, record, as_key, geo_key, expected):
    if record.get(as_key) != expected.get("as"):
        errors.append(f"{where}: {as_key} is {record.get(as_key)}, expected {expected.get('as')}")
    if record.get(geo_key) != expected.get("geo"):
        errors.append(f"{where}: {geo_key} is {record.get(geo_key)}, expected {expected.get('geo')}")


def check_record(errors, networks, truth, record):
    (packet, kind, proto, client, cport, server, sport, ident, qname, qtype, rcode, answers,
     unsolicited, subnet) = truth
    where = f"packet {packet} {kind} {qname}"
    dns = record["dns"]
    simple = {
        "src_ip": (record["src_ip"], client), "src_port": (record["src_port"], int(cport)),
        "dest_ip": (record["dest_ip"], server), "dest_port": (record["dest_port"], int(sport)),
        "proto": (record["proto"], proto), "id": (dns["id"], int(ident)),
        "rrname": (dns["rrname"], qname), "rrtype": (dns["rrtype"], TYPES[int(qtype)]),
        "unsolicited": (dns.get("unsolicited", False), unsolicited == "1"),
    }
    if kind == "answer":
        simple["rcode"] = (dns["rcode"], RCODES[int(rcode)])
    for field, (got, want) in simple.items():
        if got != want:
            errors.append(f"{where}: {field} is {got!r}, expected {want!r}")
    check_enrichment(errors, where, record, "src_as", "src_geo", expected_enrichment(networks, client))
    check_enrichment(errors, where, record, "dest_as", "dest_geo", expected_enrichment(networks, server))
    want_answers = [] if answers == "-" else answers.split(",")
    got = [a for a in dns.get("answers", []) if a["rrtype"] in ("A", "AAAA")]
    if [a["rdata"] for a in got] != want_answers:
        errors.append(f"{where}: answers {[a['rdata'] for a in got]}, expected {want_answers}")
    for a in got:
        check_enrichment(errors, f"{where} answer {a['rdata']}", a, "as", "geo",
                         expected_enrichment(networks, a["rdata"]))
    if subnet != "-":
        ecs = dns.get("client_subnet", {})
        if ecs.get("network") != subnet:
            errors.append(f"{where}: client_subnet {ecs}, expected {subnet}")
        check_enrichment(errors, f"{where} client_subnet", ecs, "as", "geo",
                         expected_enrichment(networks, subnet.split("/")[0]))


def main():
    truth_path, networks_path, eve_path, stats_path = sys.argv[1:5]
    networks = load_networks(networks_path)
    truths = [line.rstrip("\n").split("\t") for line in open(truth_path, encoding="utf-8")]
    records = [r for r in map(json.loads, open(eve_path, encoding="utf-8"))
               if r.get("event_type") == "dns"]
    errors = []
    if len(records) != len(truths):
        errors.append(f"{len(records)} records, truth has {len(truths)}")
    by_key = {(str(r["pcap_cnt"]), r["dns"]["type"], str(r["dns"]["id"])): r for r in records}
    for truth in truths:
        record = by_key.get((truth[0], truth[1], truth[7]))
        if record is None:
            errors.append(f"packet {truth[0]} {truth[1]} id {truth[7]}: no record")
            continue
        check_record(errors, networks, truth, record)
    stats = dict(line.split() for line in open(stats_path, encoding="utf-8") if len(line.split()) == 2)
    queries = sum(1 for t in truths if t[1] == "query")
    for name, want in (("queries", queries), ("responses", len(truths) - queries),
                       ("responses_unsolicited", sum(t[12] == "1" for t in truths)),
                       ("dns_malformed", 0), ("queries_unanswered", 1)):
        if int(stats.get(name, -1)) != want:
            errors.append(f"counter {name} is {stats.get(name)}, expected {want}")
    return report(errors, f"check_e2e: {len(truths)} truth rows, {len(records)} records, "
                          f"{len(errors)} differences")


if __name__ == "__main__":
    sys.exit(main())
