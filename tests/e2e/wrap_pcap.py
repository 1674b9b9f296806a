"""wrap_pcap: wraps every frame of an Ethernet pcap in a tunnel, as a cloud
mirror or a switch's SPAN session would deliver it, to test and time
exclave's decapsulation. The outer headers are well formed (lengths right,
IPv4 checksum right) and come from 192.0.2.1 to 192.0.2.2.

  wrap_pcap.py KIND IN.pcap OUT.pcap [--vni N] [--split-vni]

KIND is one of the names in WRAPPERS. --split-vni puts frames from port 53
(responses) on VNI/key N+1, so that two "tenants" see halves of each lookup.
The wrappers are also used by tests/fuzz/make_seeds.py for seed frames.
"""
import struct
import sys

OUTER_SRC, OUTER_DST = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
ETHERNET_IPV4 = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"


def ipv4_checksum(header):
    total = sum(struct.unpack(">10H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return struct.pack(">H", ~total & 0xFFFF)


def ipv4(protocol, payload, src=OUTER_SRC, dst=OUTER_DST):
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, protocol, 0,
                         src, dst)
    return header[:10] + ipv4_checksum(header) + header[12:] + payload


def udp(src_port, dst_port, payload):
    return struct.pack(">HHHH", src_port, dst_port, 8 + len(payload), 0) + payload


def vxlan(frame, vni):
    return ETHERNET_IPV4 + ipv4(17, udp(49152 + vni % 1000, 4789,
                                        struct.pack(">B3xI", 0x08, vni << 8) + frame))


def geneve(frame, vni):
    options = struct.pack(">HBB", 0x0103, 0x01, 1) + b"\x00" * 4  # one 4-byte option
    header = struct.pack(">BBH", len(options) // 4, 0, 0x6558) + struct.pack(">I", vni << 8)
    return ETHERNET_IPV4 + ipv4(17, udp(49152, 6081, header + options + frame))


def gre_header(protocol, key=None, sequence=None):
    flags = (0x2000 if key is not None else 0) | (0x1000 if sequence is not None else 0)
    out = struct.pack(">HH", flags, protocol)
    if key is not None:
        out += struct.pack(">I", key)
    if sequence is not None:
        out += struct.pack(">I", sequence)
    return out


def erspan(frame, session, sequence=1):
    """ERSPAN type II: GRE with a sequence number, then the 8-byte header."""
    header = struct.pack(">HHI", 0x1000 | 0, session & 0x3FF, 0)
    return ETHERNET_IPV4 + ipv4(47, gre_header(0x88BE, sequence=sequence) + header + frame)


def gre_bridged(frame, key):
    return ETHERNET_IPV4 + ipv4(47, gre_header(0x6558, key=key) + frame)


def mpls(frame, label):
    """Two labels and a pseudowire control word before the Ethernet frame."""
    stack = struct.pack(">II", (label << 12) | 64, ((label + 1) << 12) | 0x100 | 64)
    return frame[:12] + b"\x88\x47" + stack + b"\x00\x00\x00\x00" + frame


def pppoe(frame, session):
    """The frame's IP packet in a PPPoE session (IPv4 or IPv6 PPP protocol)."""
    ethertype, packet = frame[12:14], frame[14:]
    protocol = 0x0021 if ethertype == b"\x08\x00" else 0x0057
    header = struct.pack(">BBHHH", 0x11, 0, session & 0xFFFF, len(packet) + 2, protocol)
    return frame[:12] + b"\x88\x64" + header + packet


WRAPPERS = {"vxlan": vxlan, "geneve": geneve, "erspan": erspan, "gre": gre_bridged,
            "mpls": mpls, "pppoe": pppoe}


def read_pcap(path):
    with open(path, "rb") as f:
        head = f.read(24)
        order = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
                 b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}[head[:4]]
        if struct.unpack(order + "I", head[20:24])[0] != 1:
            raise SystemExit(f"wrap_pcap: {path}: not an Ethernet pcap")
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            seconds, fraction, captured, original = struct.unpack(order + "IIII", record)
            yield head[:4], seconds, fraction, f.read(captured)


def from_port_53(frame):
    if frame[12:14] == b"\x08\x00" and frame[23] in (6, 17):
        start = 14 + (frame[14] & 15) * 4
    elif frame[12:14] == b"\x86\xdd" and frame[20] in (6, 17):
        start = 54
    else:
        return False
    return struct.unpack(">H", frame[start:start + 2])[0] == 53


def main(argv):
    kind, source, target = argv[:3]
    vni = int(argv[argv.index("--vni") + 1]) if "--vni" in argv else 7
    split = "--split-vni" in argv
    wrap = WRAPPERS[kind]
    with open(target, "wb") as out:
        wrote_header = False
        for magic, seconds, fraction, frame in read_pcap(source):
            if not wrote_header:
                out.write(struct.pack("<IHHiIII", 0xA1B2C3D4 if magic in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4") else 0xA1B23C4D,
                                      2, 4, 0, 0, 262144, 1))
                wrote_header = True
            wrapped = wrap(frame, vni + 1 if split and from_port_53(frame) else vni)
            out.write(struct.pack("<IIII", seconds, fraction, len(wrapped), len(wrapped)) + wrapped)


if __name__ == "__main__":
    main(sys.argv[1:])
