"""check_tunnels: a capture wrapped in a tunnel (wrap_pcap.py) must give what
the bare capture gives. Compares two eve.json files record by record: every
dns record and every alert equal, apart from flow_id (the VNI or GRE key
joins the flow key) and the "tunnel" object, which must describe the wrapper
that KIND names.
Usage: check_tunnels.py PLAIN_EVE WRAPPED_EVE KIND
"""
import json
import sys

# what --log-tunnel must say for each wrapper of wrap_pcap.py
EXPECTED = {
    "vxlan": {"src_ip": "192.0.2.1", "dest_ip": "192.0.2.2", "depth": 1, "layers": ["vxlan"], "id": 7},
    "geneve": {"src_ip": "192.0.2.1", "dest_ip": "192.0.2.2", "depth": 1, "layers": ["geneve"], "id": 7},
    "erspan": {"src_ip": "192.0.2.1", "dest_ip": "192.0.2.2", "depth": 2, "layers": ["gre", "erspan"]},
    "gre": {"src_ip": "192.0.2.1", "dest_ip": "192.0.2.2", "depth": 1, "layers": ["gre"], "id": 7},
    "mpls": {"depth": 1, "layers": ["mpls"]},
    "pppoe": {"depth": 1, "layers": ["pppoe"]},
}


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main(plain_path, wrapped_path, kind):
    plain, wrapped = records(plain_path), records(wrapped_path)
    problems = []
    if len(plain) != len(wrapped):
        problems.append(f"{len(plain)} records bare, {len(wrapped)} wrapped")
    alerts = 0
    for number, (bare, inner) in enumerate(zip(plain, wrapped), 1):
        tunnel = inner.pop("tunnel", None)
        if inner.get("event_type") == "dns" and tunnel != EXPECTED[kind]:
            problems.append(f"record {number}: tunnel {tunnel}, expected {EXPECTED[kind]}")
        if bare.get("event_type") == "dns":
            bare.pop("flow_id", None)
            inner.pop("flow_id", None)
        alerts += bare.get("event_type") == "alert"
        if bare != inner:
            problems.append(f"record {number} differs:\n  bare    {bare}\n  wrapped {inner}")
        if len(problems) > 10:
            break
    if alerts == 0:
        problems.append("the bare capture raised no alert: nothing was compared")
    for problem in problems:
        print(f"check_tunnels: {kind}: {problem}")
    if not problems:
        print(f"check_tunnels: {kind}: {len(plain)} records and {alerts} alerts as bare")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
