"""compare_tshark: exclave's decoding of real captures against tshark's.

For every pcap under a folder, runs tshark (full DNS dissection, JSON) and
exclave (-l -) and compares, frame by frame and message by message: id,
query/response, question name and type, rcode, and the A/AAAA addresses of
the answer section. exclave is run with every port tshark saw DNS on, so port
choice is not a difference. A disagreement is "explained" only when tshark's
own dissection shows a reason exclave does not share by design (tunnels, DNS
inside ICMP errors or HTTP/2, a message tshark itself marks malformed);
anything else is unexplained and fails the test.
Usage: compare_tshark.py EXCLAVE TSHARK DIR [DIR...]
"""
import json
import re
import pathlib
import subprocess
import sys
from collections import Counter

# Encapsulations exclave does not strip (it strips VXLAN, Geneve, GRE, ERSPAN,
# MPLS, PPPoE, IP in IP and Teredo).
TUNNELS = ("gtp", "gtpv2", "ayiya")


def pairs_to_multidict(pairs):
    """JSON objects with repeated keys (tshark writes them) keep every value."""
    out = {}
    for key, value in pairs:
        if key in out:
            if not isinstance(out[key], list) or not getattr(out[key], "_multi", False):
                out[key] = MultiList([out[key]])
            out[key].append(value)
        else:
            out[key] = value
    return out


class MultiList(list):
    _multi = True


def values(node):
    return list(node) if isinstance(node, MultiList) else [node]


def tshark_frames(tshark, pcap):
    run = subprocess.run([tshark, "-r", str(pcap), "-Y", "dns", "-T", "json", "-J",
                          "frame dns udp tcp _ws.malformed"],
                         capture_output=True, text=True, check=False)
    frames = json.loads(run.stdout or "[]", object_pairs_hook=pairs_to_multidict)
    return [f["_source"]["layers"] for f in frames]


def tshark_message(dns):
    flags = dns.get("dns.flags_tree", {})
    queries = dns.get("Queries", dns.get("Zone", {}))  # UPDATE messages call it Zone
    first = next(iter(queries.values()), {}) if isinstance(queries, dict) else {}
    first = values(first)[0] if first else {}
    answers = []
    for rr in values(dns.get("Answers", {})):
        for item in rr.values() if isinstance(rr, dict) else []:
            for entry in values(item):
                for field in ("dns.a", "dns.aaaa"):
                    if field in entry:
                        answers.append(entry[field])
    return {
        "id": int(dns.get("dns.id", "0x0"), 16),
        "response": flags.get("dns.flags.response") == "1",
        "rrname": first.get("dns.qry.name", first.get("dns.zone.name")),
        "qtype": int(first.get("dns.qry.type", first.get("dns.zone.type", "0"))),
        "rcode": int(flags.get("dns.flags.rcode", "0")) | extended_rcode(dns) << 4,
        "answers": answers,
    }


def extended_rcode(dns):
    """The upper rcode bits from an OPT record (RFC 6891), as exclave reports them."""
    for rr in values(dns.get("Additional records", {})):
        for item in rr.values() if isinstance(rr, dict) else []:
            for entry in values(item):
                if isinstance(entry, dict) and "dns.resp.ext_rcode" in entry:
                    return int(entry["dns.resp.ext_rcode"], 0)
    return 0


def unescape(name):
    """exclave's presentation form (\\. \\\\ \\DDD) back to the raw label bytes tshark shows."""
    out, i = [], 0
    while i < len(name):
        if name[i] == "\\" and name[i + 1:i + 4].isdigit():
            out.append(chr(int(name[i + 1:i + 4])))
            i += 4
        elif name[i] == "\\" and i + 1 < len(name):
            out.append(name[i + 1])
            i += 2
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


def ports_of(layers):
    """The ports of the innermost UDP/TCP layer (a tunnel's outer UDP port
    must not be taken for a DNS port: exclave never decapsulates DNS ports)."""
    ports = set()
    for proto in ("udp", "tcp"):
        for layer in values(layers.get(proto, []))[-1:]:
            if isinstance(layer, dict):
                for field in (f"{proto}.srcport", f"{proto}.dstport"):
                    if field in layer:
                        ports.add(int(layer[field]))
    return ports


def exclave_records(exclave, pcap, ports):
    args = [exclave, "-r", str(pcap), "-l", "-", "--asn-db", "", "--country-db", ""]
    for port in sorted(ports):
        args += ["--dns-port", str(port)]
    run = subprocess.run(args, capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1) or "Sanitizer" in run.stderr:
        raise RuntimeError(f"{pcap}: exclave exited {run.returncode}: {run.stderr[-2000:]}")
    by_frame = {}
    for line in run.stdout.splitlines():
        record = json.loads(line)
        by_frame.setdefault(record["pcap_cnt"], []).append(record["dns"])
    return by_frame


TYPE_NUMBERS = None
NAME_AGREEMENT_MIN = 0.995  # issue 19's target, over every capture


def exclave_message(dns, type_numbers):
    return {
        "id": dns["id"], "response": dns["type"] == "answer",
        "rrname": unescape(dns["rrname"]) if "rrname" in dns else None,
        "qtype": type_numbers(dns["rrtype"]) if "rrtype" in dns else 0, "rcode": rcode_number(dns.get("rcode", "NOERROR")),
        "answers": [a["rdata"] for a in dns.get("answers", []) if a["rrtype"] in ("A", "AAAA")],
    }


RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
          "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"]
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "WKS": 11, "PTR": 12, "HINFO": 13, "MX": 15,
         "TXT": 16, "RP": 17, "AFSDB": 18, "SIG": 24, "KEY": 25, "AAAA": 28, "LOC": 29, "SRV": 33,
         "NAPTR": 35, "CERT": 37, "DNAME": 39, "OPT": 41, "DS": 43, "SSHFP": 44, "RRSIG": 46,
         "NSEC": 47, "DNSKEY": 48, "NSEC3": 50, "NSEC3PARAM": 51, "TLSA": 52, "CDS": 59,
         "CDNSKEY": 60, "SVCB": 64, "HTTPS": 65, "SPF": 99, "TKEY": 249, "TSIG": 250,
         "IXFR": 251, "AXFR": 252, "ANY": 255, "URI": 256, "CAA": 257}


def rcode_number(name):
    if name in RCODES:
        return RCODES.index(name)
    extended = {"BADVERS": 16, "BADKEY": 17, "BADTIME": 18, "BADMODE": 19, "BADNAME": 20,
                "BADALG": 21, "BADTRUNC": 22, "BADCOOKIE": 23}
    return extended.get(name, int(name[5:]) if name.startswith("RCODE") else -1)


def type_number(name):
    return TYPES.get(name, int(name[4:]) if name.startswith("TYPE") else -1)


def tshark_name(name):
    """tshark shows the root as <Root>; exclave as '.'."""
    return "." if name == "<Root>" else name


def explain(layers):
    protocols = ""
    frame = layers.get("frame", {})
    if isinstance(frame, dict):
        protocols = frame.get("frame.protocols", "")
    parts = protocols.split(":")
    if any(t in parts for t in TUNNELS):
        return "tunnelled in GTP or AYIYA (exclave does not decode them)"
    if "icmp" in parts or "icmpv6" in parts:
        return "DNS quoted inside an ICMP error"
    if "http2" in parts or "tls" in parts:
        return "DNS over HTTPS/HTTP2"
    if "_ws.malformed" in layers or "_ws.malformed" in protocols:
        return "tshark marks the message malformed"
    names = [tshark_message(d)["rrname"] or "" for d in values(layers.get("dns", []))
             if isinstance(d, dict)]
    if any(n.startswith("<") and n != "<Root>" for n in names):
        return "question name tshark could not decode either (exclave drops and counts it)"
    return None


def tshark_name_text(name):
    """tshark's name with its \\DDD escapes read, as unescape reads exclave's;
    None where tshark found no name ('' or an error such as <Name too long>)."""
    if not name or (name.startswith("<") and name != "."):
        return None
    return re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1))), name)


def count_names(theirs, mine, tally, report, reason):
    """Question names only: each tshark message's name must be exclave's for
    the same id and direction; where tshark could read no name, exclave must
    not have one either."""
    ours = Counter((m["id"], m["response"], m["rrname"]) for m in mine if m["rrname"])
    for m in theirs:
        name = tshark_name_text(m["rrname"])
        if name is None:
            agree = not any(k[:2] == (m["id"], m["response"]) for k in ours)
        else:
            agree = ours[(m["id"], m["response"], name)] > 0
            if agree:
                ours[(m["id"], m["response"], name)] -= 1
        tally["agree" if agree else "differ"] += 1
        if not agree:
            report(m, reason or "unexplained")


def compare_pcap(exclave, tshark, pcap, tally, unexplained, tally_names, name_differences):
    frames = tshark_frames(tshark, pcap)
    ports = set()
    for layers in frames:
        ports |= ports_of(layers)
    ours = exclave_records(exclave, pcap, ports or {53})
    for layers in frames:
        number = int(layers["frame"]["frame.number"])
        theirs = [tshark_message(d) for d in values(layers.get("dns", [])) if isinstance(d, dict)]
        mine = [exclave_message(d, type_number) for d in ours.get(number, [])]
        for m in theirs:
            m["rrname"] = tshark_name(m["rrname"])
        key = lambda m: (m["id"], m["response"], m["rrname"] or "")
        mine_sorted, theirs_sorted = sorted(mine, key=key), sorted(theirs, key=key)
        count_names(theirs, mine, tally_names,
                    lambda m, why: name_differences.append(f"{pcap} frame {number}: {key(m)}: {why}"),
                    explain(layers))
        if mine_sorted == theirs_sorted:
            tally["agree"] += len(theirs)
            continue
        reason = explain(layers)
        if reason:
            tally[reason] += len(theirs)
        else:
            tally["unexplained"] += len(theirs)
            unexplained.append(f"{pcap} frame {number}:\n  tshark  {theirs_sorted}\n  exclave {mine_sorted}")


def main():
    exclave, tshark, *dirs = sys.argv[1:]
    pcaps = sorted(p for d in dirs for p in pathlib.Path(d).rglob("*")
                   if p.is_file() and p.suffix in (".pcap", ".pcapng", ".cap") )
    tally, unexplained, tally_names, name_differences = Counter(), [], Counter(), []
    for pcap in pcaps:
        compare_pcap(exclave, tshark, pcap, tally, unexplained, tally_names, name_differences)
    total = sum(tally.values())
    for line in unexplained[:40]:
        print(line)
    print(f"compare_tshark: {len(pcaps)} pcaps, {total} DNS messages decoded by tshark")
    for reason, count in tally.most_common():
        print(f"  {count:6d}  {reason}")
    if total:
        print(f"  agreement: {100.0 * tally['agree'] / total:.2f}% "
              f"({100.0 * (total - tally['unexplained']) / total:.2f}% with explained differences)")
    named = tally_names["agree"] + tally_names["differ"]
    name_rate = tally_names["agree"] / named if named else 1.0
    print(f"  question names: {tally_names['agree']} of {named} agree ({100.0 * name_rate:.2f}%)")
    for line in name_differences:
        print(f"    {line}")
    if name_rate < NAME_AGREEMENT_MIN:
        print(f"compare_tshark: question names agree below {100.0 * NAME_AGREEMENT_MIN:.1f}%")
        return 1
    return 1 if tally["unexplained"] else 0


if __name__ == "__main__":
    sys.exit(main())
