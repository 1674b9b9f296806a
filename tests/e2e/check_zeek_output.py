"""check_zeek_output: the same pcap logged as eve.json and as Zeek's dns.log
must describe the same responses with the same enrichment. Every EVE answer
record is matched to its dns.log line by endpoints, transaction id and
query; answers, TTLs, rcode, and the ASN, organisation and country of both
ends and of every answer must agree. Every dns.log line must have as many
fields as #fields names, and answer_asns/answer_ccs as many items as answers.
Usage: check_zeek_output.py EVE.json DNS.log
"""
import collections
import json
import sys

from check_e2e import report
from zeek_cut import read_log, unescape, vector


def endpoint(record, side):
    """(asn, org, country) of src or dest in an EVE record, '-' when absent."""
    asn = record.get(f"{side}_as", {})
    geo = record.get(f"{side}_geo", {})
    return (str(asn.get("number", "-")), asn.get("organization", "-"), geo.get("country_iso_code", "-"))


def eve_view(record):
    dns = record["dns"]
    answers = dns.get("answers", [])
    return {
        "rcode": dns.get("rcode"),
        "answers": [a.get("rdata", a["rrtype"]) for a in answers],
        "ttls": [f"{a['ttl']}.000000" for a in answers],
        "orig": endpoint(record, "src"),
        "resp": endpoint(record, "dest"),
        "answer_asns": [str(a["as"]["number"]) if "as" in a else "-" for a in answers],
        "answer_ccs": [a["geo"]["country_iso_code"] if "geo" in a else "-" for a in answers],
    }


def aligned(text, count):
    """An enrichment vector's items. Zeek writes both an unset vector and a
    vector of one unset item as "-": with one answer it is the latter."""
    return ["-"] if text == "-" and count == 1 else vector(text)


def zeek_view(line):
    text = lambda name: unescape(line[name]) if line[name] != "-" else "-"
    return {
        "rcode": line["rcode_name"],
        "answers": vector(line["answers"]),
        "ttls": vector(line["TTLs"]),
        "orig": (line["orig_asn"], text("orig_as_org"), line["orig_cc"]),
        "resp": (line["resp_asn"], text("resp_as_org"), line["resp_cc"]),
        "answer_asns": aligned(line["answer_asns"], len(vector(line["answers"]))),
        "answer_ccs": aligned(line["answer_ccs"], len(vector(line["answers"]))),
    }


def main(eve_path, dns_path):
    header, lines, errors = read_log(dns_path)
    if "close" not in header:
        errors.append(f"{dns_path}: no #close line")
    by_key = collections.defaultdict(list)
    for line in lines:
        count = len(vector(line["answers"]))
        if len(aligned(line["answer_asns"], count)) != count or \
                len(aligned(line["answer_ccs"], count)) != count:
            errors.append(f"answer_asns/answer_ccs not aligned with answers: {line['uid']} "
                          f"{line['answers']} {line['answer_asns']} {line['answer_ccs']}")
        key = (line["id.orig_h"], line["id.orig_p"], line["id.resp_h"], line["id.resp_p"],
               line["trans_id"], unescape(line["query"]) if line["query"] != "-" else "")
        by_key[key].append(zeek_view(line))
    matched = 0
    with open(eve_path, encoding="utf-8") as f:
        for raw in f:
            record = json.loads(raw)
            if record.get("event_type") != "dns" or record["dns"]["type"] != "answer":
                continue
            dns = record["dns"]
            key = (record["src_ip"], str(record["src_port"]), record["dest_ip"],
                   str(record["dest_port"]), str(dns["id"]), dns.get("rrname", ""))
            candidates = by_key.get(key)
            if not candidates:
                errors.append(f"no dns.log line for {key}")
                continue
            want = eve_view(record)
            got = candidates.pop(0)
            if got != want:
                errors.append(f"{key}: eve {want} != dns.log {got}")
            matched += 1
    left = sum(len(v) for v in by_key.values())
    if left:
        errors.append(f"{left} dns.log lines match no EVE answer")
    return report(errors, f"check_zeek_output: {matched} responses, {len(lines)} dns.log lines, "
                          f"{len(errors)} problems")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
