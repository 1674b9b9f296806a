"""build_eve_v3: turns suricata-verify's dns checks into EVE dns version 3
records (Suricata 8's layout) for the --eve tests. Each check's "match" names
fields by path ("dns.queries[0].rrname", "dns.answers[1].rdata"); the record
built holds exactly those fields, plus a timestamp, a flow_id per test and
"dns.version": 3. Only request/response checks are taken (those of version
3). Usage: build_eve_v3.py CHECKS.jsonl > OUT.json
"""
import json
import re
import sys

PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def put(record, path, value):
    parts = [name if name else int(index) for name, index in PATH_PART.findall(path)]
    node = record
    for part, following in zip(parts, parts[1:]):
        empty = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append(None)
            if node[part] is None:
                node[part] = empty
            node = node[part]
        else:
            node = node.setdefault(part, empty)
    last = parts[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def main(path):
    tests = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            check = json.loads(line)
            match = check.get("match", {})
            if match.get("dns.type") not in ("request", "response") or "src_ip" not in match:
                continue
            record = {}
            for field, value in sorted(match.items()):
                put(record, field, value)
            record["dns"]["version"] = 3
            record.setdefault("event_type", "dns")
            record["timestamp"] = "2024-01-01T00:%02d:%02d.000000+0000" % (n // 60 % 60, n % 60)
            record["flow_id"] = tests.setdefault(check["test"], len(tests) + 1)
            print(json.dumps(record))


if __name__ == "__main__":
    main(*sys.argv[1:])
