#!/usr/bin/python3
"""check_geoip_free.py: checks databases built by geoip/exclave-geoip against
the very CSV files they were built from, through exclave itself.

  sample CACHE INTERNAL_CSV OUT.pcap OUT.expect.json
      Reads the cached ip-location-db tarballs, samples ranges that overlap
      no other range, and writes a capture whose DNS answers are the first,
      middle and last address of each, plus the expected ASN, organisation
      or country of each address. The querier and server are in the internal
      CSV's networks, whose values must win.
  same-data A.mmdb B.mmdb
      Exit 0 when both hold the same tree and data (metadata aside).
  check EVE.json OUT.expect.json DBDIR CACHE
      Compares exclave's enrichment in EVE.json with the expectations, and
      SOURCES and LICENSES with the cached packages.
"""
import base64
import csv
import hashlib
import io
import ipaddress
import json
import os
import random
import struct
import sys
import tarfile

PACKAGES = {"asn": ("@ip-location-db+asn-", ["asn-ipv4.csv", "asn-ipv6.csv"]),
            "country": ("@ip-location-db+geo-whois-asn-country-",
                        ["geo-whois-asn-country-ipv4.csv", "geo-whois-asn-country-ipv6.csv"])}
SAMPLES_PER_FILE = 300
ANSWERS_PER_RESPONSE = 12
QUERIER, SERVER = "192.168.7.10", "8.8.8.8"   # both in the test's internal CSV
ALIASED = [ipaddress.ip_network(n) for n in ("::ffff:0:0/96", "2001::/32", "2002::/16")]


def cached_tarball(cache, prefix):
    names = sorted(n for n in os.listdir(cache) if n.startswith(prefix) and n.endswith(".tgz"))
    if not names:
        sys.exit(f"no {prefix}*.tgz in {cache}")
    return os.path.join(cache, names[-1])


def read_ranges(tarball, member):
    with tarfile.open(tarball, "r:gz") as archive:
        data = archive.extractfile("package/" + member).read().decode("utf-8")
    rows = []
    for row in csv.reader(io.StringIO(data)):
        first, last = ipaddress.ip_address(row[0]), ipaddress.ip_address(row[1])
        rows.append((int(first), int(last), first.version, row[2:]))
    return rows


def isolated(rows):
    """Rows whose range meets no other row of the file: what the database
    must answer for them does not depend on the order of insertion."""
    ordered = sorted(rows)
    alone = []
    for i, (first, last, version, values) in enumerate(ordered):
        before = ordered[i - 1][1] if i else -1
        after = ordered[i + 1][0] if i + 1 < len(ordered) else 1 << 129
        if before < first and last < after:
            alone.append((first, last, version, values))
    return alone


def outside(first, last, version, networks):
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    low, high = make(first), make(last)
    return not any(n.version == version and low <= n.broadcast_address and high >= n.network_address
                   for n in networks)


def internal_networks(path):
    with open(path, encoding="utf-8") as file:
        return [ipaddress.ip_network(row[0]) for row in csv.reader(file)
                if row and not row[0].startswith(("#", "network"))]


def expected_value(kind, values):
    if kind == "asn":
        owner = {"number": int(values[0])}
        if len(values) > 1 and values[1]:
            owner["organization"] = values[1][:255]
        return owner
    return {"country_iso_code": values[0]}


def sample(cache, internal_csv, pcap_path, expect_path):
    rng = random.Random(2016)
    avoid = internal_networks(internal_csv) + ALIASED
    expect = {}
    for kind, (prefix, members) in PACKAGES.items():
        tarball = cached_tarball(cache, prefix)
        for member in members:
            rows = [r for r in isolated(read_ranges(tarball, member)) if outside(*r[:3], avoid)]
            for first, last, version, values in rng.sample(rows, SAMPLES_PER_FILE):
                for address in {first, (first + last) // 2, last}:
                    text = str(ipaddress.ip_address(address) if version == 6
                               else ipaddress.IPv4Address(address))
                    expect.setdefault(text, {})[kind] = expected_value(kind, values)
    with open(expect_path, "w") as file:
        json.dump(expect, file)
    write_capture(pcap_path, sorted(expect))


def dns_name(label_text):
    return b"".join(bytes([len(p)]) + p.encode() for p in label_text.split(".")) + b"\0"


def dns_message(ident, name, answers, response):
    has_v6 = any(":" in a for a in answers)
    qtype = 28 if has_v6 else 1
    header = struct.pack("!HHHHHH", ident, 0x8180 if response else 0x0100, 1,
                         len(answers) if response else 0, 0, 0)
    body = dns_name(name) + struct.pack("!HH", qtype, 1)
    if response:
        for address in answers:
            packed = ipaddress.ip_address(address).packed
            body += b"\xc0\x0c" + struct.pack("!HHIH", 28 if len(packed) == 16 else 1, 1, 300,
                                              len(packed)) + packed
    return header + body


def ipv4_udp_frame(source, destination, source_port, destination_port, payload):
    udp = struct.pack("!HHHH", source_port, destination_port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     ipaddress.IPv4Address(source).packed, ipaddress.IPv4Address(destination).packed)
    checksum = sum(struct.unpack("!10H", ip))
    checksum = (checksum & 0xFFFF) + (checksum >> 16)
    checksum = ~((checksum & 0xFFFF) + (checksum >> 16)) & 0xFFFF
    ip = ip[:10] + struct.pack("!H", checksum) + ip[12:]
    return b"\x02\0\0\0\0\2" + b"\x02\0\0\0\0\1" + b"\x08\x00" + ip + udp


def write_capture(path, addresses):
    """One query and one response per group of answers, one version each."""
    groups = [a for a in addresses if ":" not in a], [a for a in addresses if ":" in a]
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        time_us, ident = 1_700_000_000 * 1_000_000, 0
        for group in groups:
            for start in range(0, len(group), ANSWERS_PER_RESPONSE):
                answers = group[start:start + ANSWERS_PER_RESPONSE]
                ident += 1
                name = f"sample-{ident}.geoip.test"
                port = 20000 + ident % 30000
                for response in (False, True):
                    payload = dns_message(ident, name, answers, response)
                    frame = ipv4_udp_frame(SERVER, QUERIER, 53, port, payload) if response \
                        else ipv4_udp_frame(QUERIER, SERVER, port, 53, payload)
                    time_us += 1000
                    out.write(struct.pack("<IIII", time_us // 1_000_000, time_us % 1_000_000,
                                          len(frame), len(frame)) + frame)


def enriched_answers(eve_path):
    """(rdata -> its as/geo) and the querier's and server's as/geo."""
    answers, ends = {}, []
    with open(eve_path, encoding="utf-8") as file:
        for line in file:
            record = json.loads(line)
            dns = record.get("dns", {})
            if record.get("event_type") != "dns" or dns.get("type") != "answer":
                continue
            ends.append((record.get("src_as"), record.get("dest_as")))
            for answer in dns.get("answers", []):
                answers[answer["rdata"]] = answer
    return answers, ends


def check_enrichment(eve_path, expect):
    answers, ends = enriched_answers(eve_path)
    problems = []
    for address, wanted in expect.items():
        got = answers.get(address)
        if got is None:
            problems.append(f"{address}: not in eve.json")
            continue
        if "asn" in wanted and got.get("as") != wanted["asn"]:
            problems.append(f"{address}: as {got.get('as')}, the CSV says {wanted['asn']}")
        if "country" in wanted and got.get("geo") != wanted["country"]:
            problems.append(f"{address}: geo {got.get('geo')}, the CSV says {wanted['country']}")
    internal_ends = {(json.dumps(s, sort_keys=True), json.dumps(d, sort_keys=True)) for s, d in ends}
    want_ends = (json.dumps({"number": 64512, "organization": "Lab network, building 7"}, sort_keys=True),
                 json.dumps({"number": 64513, "organization": "Resolver override"}, sort_keys=True))
    if internal_ends != {want_ends}:
        problems.append(f"querier/server owners {internal_ends}, expected the internal CSV's {want_ends}")
    print(f"{len(expect)} sampled addresses, {len(ends)} responses, {len(problems)} problems")
    return problems


def check_sources(db_dir, cache):
    sources = open(os.path.join(db_dir, "SOURCES"), encoding="utf-8").read()
    problems = []
    for kind, (prefix, _) in PACKAGES.items():
        tarball = cached_tarball(cache, prefix)
        with open(tarball, "rb") as file:
            integrity = "sha512-" + base64.b64encode(hashlib.sha512(file.read()).digest()).decode()
        package = prefix.rstrip("-").replace("+", "/")
        version = os.path.basename(tarball)[len(prefix):-len(".tgz")]
        for wanted in (f"package: {package} {version}", f"integrity: {integrity}"):
            if wanted not in sources:
                problems.append(f"SOURCES lacks '{wanted}'")
    if "licence: CC0-1.0" not in sources or "CC-BY-4.0" not in sources:
        problems.append("SOURCES does not name both licences")
    for name in ("ROUTEVIEWS-LICENSE", "DBIP-LICENSE", "NRO_LICENSE"):
        if not os.path.isfile(os.path.join(db_dir, "LICENSES", "asn", name)):
            problems.append(f"LICENSES/asn/{name} missing")
    return problems


def search_tree_and_data(path):
    """A MaxMind DB file without its metadata, which holds the build time."""
    with open(path, "rb") as file:
        data = file.read()
    return data[:data.rindex(b"\xab\xcd\xefMaxMind.com")]


def main(argv):
    if argv[1] == "sample":
        sample(*argv[2:6])
        return 0
    if argv[1] == "same-data":
        return 0 if search_tree_and_data(argv[2]) == search_tree_and_data(argv[3]) else 1
    eve_path, expect_path, db_dir, cache = argv[2:6]
    with open(expect_path) as file:
        expect = json.load(file)
    problems = check_enrichment(eve_path, expect) + check_sources(db_dir, cache)
    for problem in problems[:20]:
        print("FAIL:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
