"""make_seeds: seed corpora for the fuzz targets from real inputs: frames of
the pcaps in ../shared and of the demo capture (with their DNS payloads for
the decoder), Suricata's EVE lines, and Zeek's dns logs. Only classic
Ethernet pcap files are taken; a few inputs per file keep the corpora small.
Usage: make_seeds.py SHARED_DATA DEMO_PCAP OUTDIR
"""
import glob
import gzip
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import wrap_pcap  # noqa: E402  the tunnel wrappers of the tunnels test


def pcap_frames(path, limit=64):
    """Ethernet frames of a classic pcap file (any byte order), or []."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return []
        magic = head[:4]
        order = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
                 b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
        if not order or struct.unpack(order + "I", head[20:24])[0] != 1:
            return []
        frames = []
        while len(frames) < limit:
            record = f.read(16)
            if len(record) < 16:
                break
            length = struct.unpack(order + "I", record[8:12])[0]
            frames.append(f.read(length))
        return frames


def dns_payload(frame):
    """The UDP payload of an IPv4/IPv6 frame to or from port 53, or None."""
    offset, ethertype = 14, frame[12:14]
    while ethertype == b"\x81\x00" and len(frame) >= offset + 4:
        ethertype, offset = frame[offset + 2:offset + 4], offset + 4
    if ethertype == b"\x08\x00" and len(frame) > offset + 20 and frame[offset + 9] == 17:
        udp = offset + (frame[offset] & 15) * 4
    elif ethertype == b"\x86\xdd" and len(frame) > offset + 40 and frame[offset + 6] == 17:
        udp = offset + 40
    else:
        return None
    ports = struct.unpack(">HH", frame[udp:udp + 4]) if len(frame) >= udp + 8 else (0, 0)
    return frame[udp + 8:] if 53 in ports else None


def write(directory, name, data):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main(shared, demo_pcap, out):
    pcaps = sorted(glob.glob(os.path.join(shared, "pcaps", "**", "*.pcap"), recursive=True))
    for n, path in enumerate([demo_pcap] + pcaps):
        frames = pcap_frames(path)
        if not frames:
            continue
        for start in range(0, len(frames), 8):
            chunk = frames[start:start + 8]
            write(f"{out}/pcap_lookup", f"{n}-{start}",
                  b"".join(struct.pack(">H", len(fr)) + fr for fr in chunk))
        for i, frame in enumerate(frames[:16]):
            payload = dns_payload(frame)
            if payload:
                write(f"{out}/dns_message", f"{n}-{i}", payload)
    for n, path in enumerate(sorted(glob.glob(f"{shared}/logs/suricata/generated-suricata-7.0.10/*/*.json"))):
        with open(path, "rb") as f:
            for i, line in enumerate(f.read().splitlines()[:6]):
                write(f"{out}/eve_record", f"{n}-{i}", line)
    zeek = sorted(glob.glob(f"{shared}/logs/zeek/zeek-btest-baselines/*.log"))
    for n, path in enumerate(zeek):
        with open(path, "rb") as f:
            write(f"{out}/zeek_reader", f"btest-{n}", f.read())
    for name in ("dns.log.gz", "dns.json.gz"):
        path = f"{shared}/logs/zeek/brimdata-zed-sample-data/{name}"
        if os.path.exists(path):
            with gzip.open(path, "rb") as f:
                write(f"{out}/zeek_reader", name, b"".join(f.readline() for _ in range(40)))
    for i, value in enumerate([b"42\nyes\ntext\na,b,c", b"-1e308\n0\n\n", b"1\nno\n\\\"\x01\xff\n,,,",
                               b"nan\ntrue", b"inf\n1\n" + "\u00e9t\u00e9".encode() + b"\nx,y",
                               b"0x10\nfalse\n" + b"a" * 300 + b"\n" + b"b," * 100]):
        write(f"{out}/policy_values", f"value-{i}", value)
    # the demo's first frames wrapped in every tunnel wrap_pcap knows, and
    # VXLAN in Geneve, so that the fuzzer starts inside each decapsulation
    demo = pcap_frames(demo_pcap, 8)
    for kind, wrap in sorted(wrap_pcap.WRAPPERS.items()):
        write(f"{out}/pcap_lookup", f"tunnel-{kind}",
              b"".join(struct.pack(">H", len(w)) + w for w in (wrap(fr, 7) for fr in demo)))
    nested = [wrap_pcap.geneve(wrap_pcap.vxlan(fr, 3), 9) for fr in demo]
    write(f"{out}/pcap_lookup", "tunnel-nested", b"".join(struct.pack(">H", len(w)) + w for w in nested))
    # times at and past the edges (issue 17): the readers must refuse them
    for i, stamp in enumerate(["1969-12-31T23:59:59.999999+0000", "1970-01-01T00:00:00Z",
                               "2099-12-31T23:59:59-05:00", "9999-12-31T23:59:59+2359"]):
        write(f"{out}/eve_record", f"time-{i}",
              ('{"timestamp":"%s","event_type":"dns","src_ip":"192.0.2.1","src_port":1,'
               '"dest_ip":"192.0.2.53","dest_port":53,"proto":"UDP","dns":{"version":2,'
               '"type":"query","id":1,"rrname":"example.com","rrtype":"A"}}' % stamp).encode())
    header = (b"#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\t"
              b"proto\ttrans_id\tquery\tqtype\trcode\n")
    for i, ts in enumerate([b"-18000", b"-1e15", b"1e19", b"1e400", b"4102444799.999999", b"0"]):
        write(f"{out}/zeek_reader", f"time-{i}", header + ts +
              b"\tC1\t192.0.2.1\t1\t192.0.2.53\t53\tudp\t1\texample.com\t1\t0\n")
    # TCP: one message split in two segments, and a retransmission
    message = struct.pack(">H", 29) + bytes.fromhex("1234010000010000000000000377777706676f6f676c6503636f6d0000010001")[:29]
    segment = lambda flow, seq, flags, data: bytes([flow]) + struct.pack(">I", seq) + bytes([flags, len(data)]) + data
    write(f"{out}/tcp_dns_stream", "split", segment(4, 1, 0x18, message[:10]) + segment(4, 11, 0x18, message[10:]))
    write(f"{out}/tcp_dns_stream", "retransmit", segment(4, 1, 0x18, message) + segment(4, 1, 0x18, message))


if __name__ == "__main__":
    main(*sys.argv[1:])
