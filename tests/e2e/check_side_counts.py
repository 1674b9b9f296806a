#!/usr/bin/env python3
"""check_side_counts.py EVE.json: every alert's unanswered and unsolicited
figures against a count made here from the dns records of the same log:
for a name or domain key, the query records for it before the alert's tick
less the answer records that answered one, and the answer records marked
unsolicited; an address key gets neither (only answers reach it). The
scenario's suffixes are one label, so a domain is a name's last two.
Prints what differs; exits 1 if anything does."""
import json
import sys
from collections import defaultdict
from datetime import datetime


def micros(text):
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def main():
    events = defaultdict(list)  # key -> [(time, "query" | "answered" | "unsolicited")]
    alerts = []
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r.get("event_type") == "alert":
            alerts.append(r)
            continue
        if r.get("event_type") != "dns":
            continue
        dns = r["dns"]
        part = "query" if dns["type"] == "query" else "unsolicited" if dns.get("unsolicited") else "answered"
        name = dns.get("rrname", "").lower()
        for key in (("name", name), ("domain", ".".join(name.split(".")[-2:]))):
            events[key].append((micros(r["timestamp"]), part))
    problems = 0
    for a in alerts:
        x, at = a["exclave"], micros(a["timestamp"])
        seen = [p for t, p in events.get((x["kind"], x["name"]), []) if t < at]
        if x["kind"] == "address":
            want = (0, 0)
        else:
            want = (max(0, seen.count("query") - seen.count("answered")), seen.count("unsolicited"))
        got = (x["unanswered"], x["unsolicited"])
        if want != got or x["counting"] != "answered":
            problems += 1
            print(f"{a['timestamp']} {x['kind']} {x['name']}: unanswered, unsolicited {got}, "
                  f"expected {want}; counting {x['counting']}")
    print(f"{len(alerts)} alerts, {problems} problems")
    return 1 if problems or not alerts else 0


if __name__ == "__main__":
    sys.exit(main())
