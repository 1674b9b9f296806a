"""check_suricata_plugin: what the exclave plugin wrote inside Suricata,
against Suricata's own plain EVE output (of the same run with Suricata 7, of
a run without the plugin with Suricata 8) and against the standalone
sensor's eve.json for the same pcap.

- Every record of the plain file is in the plugin's file once, equal to it
  once exclave's added fields are taken away, and each flow's dns records
  come in the same order.
- The enrichment of every dns record (src_as/src_geo, dest_as/dest_geo,
  as/geo of each address answer and the client_subnet) equals the standalone sensor's for the same
  message (matched by client and server endpoints, transaction id and
  whether it asks or answers: EVE dns version 2 logs both from the client,
  version 3 a response from the server); at least half the dns records must
  find their twin.
Usage: check_suricata_plugin.py PLAIN.json PLUGIN.json [STANDALONE.json]
"""
import collections
import ipaddress
import json
import sys

from check_e2e import report

ADDED = ("src_as", "src_geo", "dest_as", "dest_geo")


def records(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def without_enrichment(record):
    record = {k: v for k, v in record.items() if k not in ADDED}
    dns = record.get("dns")
    if dns and "answers" in dns:
        dns = dict(dns, answers=[{k: v for k, v in a.items() if k not in ("as", "geo")}
                                 for a in dns["answers"]])
    if dns and "client_subnet" in dns:
        dns = {k: v for k, v in dns.items() if k != "client_subnet"}
    if dns:
        record["dns"] = dns
    return record


def canonical(record):
    """Suricata renders each output's records on its own, and a flow record's
    timestamp can differ between two outputs of one run (seen when a flow is
    logged at shutdown); it is left out of the comparison of flow records.
    flow_id is drawn from a hash seeded anew by each run, and whether a flow
    ends by timeout or at shutdown depends on how fast the flow manager ran
    (wall clock): both left out too. So is a UDP flow's exception_policy:
    Suricata 8.0.8 sometimes leaves a TCP flow's stream_midstream entry on a
    UDP flow that reuses its memory (seen in one of two runs without the
    plugin, on the same pcap)."""
    record = {k: v for k, v in record.items() if k != "flow_id"}
    if record.get("event_type") == "flow":
        record = {k: v for k, v in record.items() if k != "timestamp"}
        if isinstance(record.get("flow"), dict):
            drop = ("reason", "exception_policy") if record.get("proto") == "UDP" else ("reason",)
            record["flow"] = {k: v for k, v in record["flow"].items() if k not in drop}
    return json.dumps(record, sort_keys=True)


def flow_of(record):
    """A flow's identity that two runs share: its endpoints."""
    ends = sorted([(address(record.get("src_ip")), record.get("src_port")),
                   (address(record.get("dest_ip")), record.get("dest_port"))], key=str)
    return (record.get("proto"), tuple(ends))


def address(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def from_server(record):
    """Version 3 logs a response from the server's side."""
    dns = record["dns"]
    return dns.get("version", 2) >= 3 and dns.get("type") == "response"


def enrichment(record):
    dns = record["dns"]
    answers = [(address(a["rdata"]), a.get("as"), a.get("geo"))
               for a in dns.get("answers", []) if a.get("rrtype") in ("A", "AAAA")]
    ends = [record.get(k) for k in ADDED]
    if from_server(record):
        ends = ends[2:] + ends[:2]
    return (ends, answers, dns.get("client_subnet"))


ASKS = {"query": True, "request": True, "answer": False, "response": False}


def logs_edns(record):
    """Whether the record carries its message's EDNS options (version 3)."""
    return any("opt" in a for a in record["dns"].get("additionals", []))


def message_key(record):
    dns = record["dns"]
    client = (address(record["src_ip"]), record["src_port"])
    server = (address(record["dest_ip"]), record["dest_port"])
    if from_server(record):
        client, server = server, client
    return client + server + (dns.get("id"), ASKS.get(dns.get("type")))


def check_records(plain, plugin, errors):
    # exclave's own records (its alerts carry an exclave object) are not
    # Suricata's; Suricata's stats records differ from run to run (uptime)
    kept = [r for r in plugin if r.get("event_type") not in ("exclave_stats", "exclave_summary", "stats")
            and not (r.get("event_type") == "alert" and "exclave" in r)]
    plain = [r for r in plain if r.get("event_type") != "stats"]
    want = collections.Counter(canonical(r) for r in plain)
    got = collections.Counter(canonical(without_enrichment(r)) for r in kept)
    for text, n in (want - got).items():
        errors.append(f"missing from the plugin's file ({n}x): {text[:160]}")
    for text, n in (got - want).items():
        errors.append(f"not in Suricata's own file ({n}x): {text[:160]}")
    order_plain, order_plugin = collections.defaultdict(list), collections.defaultdict(list)
    # a flow's dns records come from its worker thread, the flow record from
    # the flow manager's: the order is kept per thread, so among dns records
    for r in plain:
        if r.get("event_type") == "dns":
            order_plain[flow_of(r)].append(canonical(r))
    for r in kept:
        if r.get("event_type") == "dns":
            order_plugin[flow_of(r)].append(canonical(without_enrichment(r)))
    reordered = sum(1 for flow, seq in order_plain.items() if order_plugin.get(flow) != seq)
    if reordered:
        errors.append(f"{reordered} flows' records come in another order")
    return len(kept)


def check_enrichment(plugin, standalone, errors):
    expected = collections.defaultdict(list)
    for r in standalone:
        if r.get("event_type") == "dns":
            expected[message_key(r)].append(enrichment(r))
    compared = 0
    for r in plugin:
        if r.get("event_type") != "dns":
            continue
        candidates = expected.get(message_key(r))
        if not candidates:
            continue  # a message one decoder logs and the other does not; counted below
        got = enrichment(r)
        if not logs_edns(r):
            # Suricata 7's dns records (version 2) do not log the EDNS options
            got, candidates = got[:2], [c[:2] for c in candidates]
        if got not in candidates:
            errors.append(f"{message_key(r)}: plugin {got} != standalone {candidates[0]}")
        compared += 1
    return compared


def main(plain_path, plugin_path, standalone_path=None):
    errors = []
    plain, plugin = records(plain_path), records(plugin_path)
    kept = check_records(plain, plugin, errors)
    compared = check_enrichment(plugin, records(standalone_path), errors) if standalone_path else 0
    dns = sum(1 for r in plugin if r.get("event_type") == "dns")
    if standalone_path and dns and compared < dns / 2:
        errors.append(f"only {compared} of {dns} dns records have a standalone twin to compare")
    return report(errors, f"check_suricata_plugin: {len(plain)} Suricata records, {kept} passed on, "
                          f"{compared} dns enrichments compared, {len(errors)} problems")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
