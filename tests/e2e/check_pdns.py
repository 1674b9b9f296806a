#!/usr/bin/env python3
"""check_pdns.py DNS_EVE PDNS_EVE EVERY_SECONDS [filled]: the passive-DNS records of
a run against a count made here from the enriched dns records of another
run on the same capture: for every distinct (name, type, rdata) answer, and
(name, type, rcode) failed lookup, the counts of its pdns lines add up to
the answer records holding it, first_seen and last_seen are the earliest
and latest of them, the enrichment is the dns records' own, and each line
was written on the schedule: at a multiple of EVERY after its last_seen, or
at the end (with "filled", the table filled up and wrote early: only after
its last_seen). Prints what differs; exits 1 if anything does."""
import json
import sys
from datetime import datetime


def seconds(stamp):
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def expected_entries(path):
    entries = {}
    for line in open(path):
        record = json.loads(line)
        dns = record.get("dns")
        if record.get("event_type") != "dns" or dns.get("type") != "answer" or dns.get("unsolicited"):
            continue
        when = record["timestamp"]
        found = []
        for answer in dns.get("answers", []):
            if "rdata" in answer:
                key = (answer["rrname"].lower(), answer["rrtype"], "rdata", answer["rdata"])
                found.append((key, answer.get("as"), answer.get("geo")))
        if not dns.get("answers") and dns.get("rcode", "NOERROR") != "NOERROR":
            found.append(((dns["rrname"].lower(), dns["rrtype"], "rcode", dns["rcode"]), None, None))
        for key, asn, geo in found:
            e = entries.setdefault(key, {"count": 0, "first": when, "last": when, "as": asn, "geo": geo})
            e["count"] += 1
            e["first"] = min(e["first"], when, key=seconds)
            e["last"] = max(e["last"], when, key=seconds)
    return entries


def main():
    want = expected_entries(sys.argv[1])
    every = float(sys.argv[3])
    filled = sys.argv[4:] == ["filled"]
    got, problems, end = {}, [], None
    lines = [json.loads(l) for l in open(sys.argv[2])]
    lines = [r for r in lines if r.get("event_type") == "pdns"]
    for r in lines:
        end = r["timestamp"] if end is None else max(end, r["timestamp"], key=seconds)
    for r in lines:
        p = r["pdns"]
        kind = "rcode" if "rcode" in p else "rdata"
        key = (p["rrname"], p["rrtype"], kind, p[kind])
        g = got.setdefault(key, {"count": 0, "first": p["first_seen"], "last": p["last_seen"],
                                 "as": p.get("as"), "geo": p.get("geo")})
        g["count"] += p["count"]
        g["first"] = min(g["first"], p["first_seen"], key=seconds)
        g["last"] = max(g["last"], p["last_seen"], key=seconds)
        at, last = seconds(r["timestamp"]), seconds(p["last_seen"])
        on_schedule = (filled or at % every == 0) and last <= at
        if not (on_schedule or r["timestamp"] == end) or seconds(p["first_seen"]) > last:
            problems.append(f"{key}: written at {r['timestamp']}, last seen {p['last_seen']}")
    for key in sorted(set(want) | set(got)):
        if want.get(key) != got.get(key):
            problems.append(f"{key}: expected {want.get(key)}, pdns has {got.get(key)}")
    for p in problems[:20]:
        print(p)
    print(f"{len(want)} distinct answers and failures, {len(lines)} pdns lines, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
