"""check_community_id: the community_id of each EVE record against another
implementation's for the same packet (pcap_cnt), given as "NUMBER<TAB>ID"
lines (tshark's frame.number and communityid, or Suricata's pcap_cnt and
community_id). Packets the other side gave no single ID for (none, or one
per IP layer of a tunnel) are not compared. Exits 1 on the first
difference, on a record without community_id, or when fewer than MINIMUM
records could be compared.

  check_community_id.py EVE.json OTHER.tsv MINIMUM [PROTO]
"""
import json
import sys


def main(eve_path, other_path, minimum, proto=None):
    other = {}
    with open(other_path) as f:
        for line in f:
            number, _, value = line.rstrip("\n").partition("\t")
            if value and "," not in value:
                other[int(number)] = value
    compared = 0
    with open(eve_path) as f:
        for lineno, line in enumerate(f, 1):
            record = json.loads(line)
            if record.get("event_type") != "dns":
                continue
            if "community_id" not in record:
                sys.exit(f"{eve_path}:{lineno}: no community_id")
            if proto and record.get("proto") != proto:
                continue
            theirs = other.get(record.get("pcap_cnt"))
            if theirs is None:
                continue
            if theirs != record["community_id"]:
                sys.exit(f"{eve_path}:{lineno}: packet {record['pcap_cnt']}: "
                         f"{record['community_id']} against {theirs}")
            compared += 1
    if compared < int(minimum):
        sys.exit(f"{eve_path}: only {compared} records compared (at least {minimum} wanted)")
    print(compared)


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
