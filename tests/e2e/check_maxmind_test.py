"""check_maxmind_test: exclave's enrichment against independent oracles.

1. MaxMind's test databases: a query from the first address of every network
   in source-data/GeoLite2-ASN-Test.json and GeoIP2-Country-Test.json must
   carry exactly that record's ASN, organisation and country (longest-prefix
   match over the source JSON, computed here).
2. The real-size ASN database: for sampled rows of the CSV it was built from,
   the ASN and organisation must match the row.
3. The real flat-layout country database: country must match mmdblookup's.
Queries are written as a pcap here (raw IP link type), read by `exclave -r`.
Usage: check_maxmind_test.py EXCLAVE SHARED_DATA WORKDIR
"""
import ipaddress
import json
import lzma
import random
import struct
import subprocess
import sys

from check_e2e import report


def pcap_of_queries(path, addresses):
    """One UDP DNS query per address, to 192.0.2.53 (or 2001:db8::53), link type RAW."""
    frames = []
    for n, text in enumerate(addresses):
        ip = ipaddress.ip_address(text)
        dns = struct.pack(">HHHHHH", n & 0xffff, 0x0100, 1, 0, 0, 0) + b"\x01q\x00\x00\x01\x00\x01"
        udp = struct.pack(">HHHH", 40000, 53, 8 + len(dns), 0) + dns
        if ip.version == 4:
            dst = ipaddress.ip_address("192.0.2.53")
            header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                                 ip.packed, dst.packed)
        else:
            dst = ipaddress.ip_address("2001:db8::53")
            header = struct.pack(">IHBB16s16s", 6 << 28, len(udp), 17, 64, ip.packed, dst.packed)
        frame = header + udp
        frames.append(struct.pack("<IIII", 1000000000 + n, 0, len(frame), len(frame)) + frame)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101) + b"".join(frames))


def run_exclave(exclave, pcap, asn_db, country_db):
    run = subprocess.run([exclave, "-r", pcap, "-l", "-", "--asn-db", asn_db, "--country-db",
                          country_db], capture_output=True, text=True, check=True)
    return [json.loads(line) for line in run.stdout.splitlines()]


def load_source(path):
    networks = []
    for entry in json.load(open(path, encoding="utf-8")):
        for network, record in entry.items():
            net = ipaddress.ip_network(network, strict=False)
            if net.version == 6 and net.prefixlen >= 96 and net.network_address in ipaddress.ip_network("::/96"):
                net = ipaddress.ip_network(f"{ipaddress.IPv4Address(int(net.network_address))}/{net.prefixlen - 96}")
            networks.append((net, record))
    return networks


def longest_match(networks, ip):
    best = None
    for net, record in networks:
        if net.version == ip.version and ip in net and (best is None or net.prefixlen > best[0].prefixlen):
            best = (net, record)
    return best[1] if best else {}


def expect_as(record):
    if "autonomous_system_number" not in record:
        return None
    out = {"number": record["autonomous_system_number"]}
    if "autonomous_system_organization" in record:
        out["organization"] = record["autonomous_system_organization"]
    return out


def expect_geo(record):
    code = record.get("country", {}).get("iso_code") or record.get("registered_country", {}).get("iso_code")
    return {"country_iso_code": code} if code else None


def check_maxmind(exclave, shared, work, errors):
    base = f"{shared}/mmdb/maxmind-test"
    asn = load_source(f"{base}/source-data/GeoLite2-ASN-Test.json")
    country = load_source(f"{base}/source-data/GeoIP2-Country-Test.json")
    addresses = sorted({str(net.network_address) for net, _ in asn + country})
    pcap = f"{work}/maxmind.pcap"
    pcap_of_queries(pcap, addresses)
    records = run_exclave(exclave, pcap, f"{base}/test-data/GeoLite2-ASN-Test.mmdb",
                          f"{base}/test-data/GeoIP2-Country-Test.mmdb")
    for text, record in zip(addresses, records):
        ip = ipaddress.ip_address(text)
        want_as, want_geo = expect_as(longest_match(asn, ip)), expect_geo(longest_match(country, ip))
        if record["src_ip"] != text or record.get("src_as") != want_as or record.get("src_geo") != want_geo:
            errors.append(f"maxmind-test {text}: got {record.get('src_as')} {record.get('src_geo')}, "
                          f"expected {want_as} {want_geo}")
    return len(addresses)


def check_real_asn(exclave, shared, work, errors):
    rows = []
    for name in ("asn-ipv4.csv.xz", "asn-ipv6.csv.xz"):
        with lzma.open(f"{shared}/asn-csv/{name}", "rt", encoding="utf-8") as f:
            import csv
            rows += [r for r in csv.reader(f)]
    sample = random.Random(2016).sample(rows, 3000)
    pcap = f"{work}/real.pcap"
    pcap_of_queries(pcap, [r[0] for r in sample])
    records = run_exclave(exclave, pcap, f"{shared}/mmdb/real/ip-location-db-ASN.mmdb",
                          f"{shared}/mmdb/real/iptoasn-country.mmdb")
    mismatched = 0
    for (start, _end, asn, org), record in zip(sample, records):
        want = {"number": int(asn), "organization": org} if org else {"number": int(asn)}
        if record.get("src_as") != want:
            mismatched += 1
            errors.append(f"real ASN {start}: got {record.get('src_as')}, expected {want}")
    checked = 0
    for (start, *_), record in list(zip(sample, records))[:300]:
        out = subprocess.run(["mmdblookup", "-f", f"{shared}/mmdb/real/iptoasn-country.mmdb",
                              "-i", start, "country_code"], capture_output=True, text=True)
        code = out.stdout.split('"')[1] if '"' in out.stdout else None
        want = {"country_iso_code": code} if code else None
        checked += 1
        if record.get("src_geo") != want:
            errors.append(f"real country {start}: got {record.get('src_geo')}, mmdblookup says {want}")
    return len(sample), checked


def main():
    exclave, shared, work = sys.argv[1:4]
    errors = []
    tested = check_maxmind(exclave, shared, work, errors)
    real, countries = check_real_asn(exclave, shared, work, errors)
    return report(errors, f"check_maxmind_test: {tested} MaxMind test addresses, {real} real "
                          f"ASN rows, {countries} flat-layout countries; {len(errors)} differences")


if __name__ == "__main__":
    sys.exit(main())
