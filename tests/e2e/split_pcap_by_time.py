"""split_pcap_by_time: deals a classic Ethernet pcap out to two sensors in
turns of DAYS days of packet time, as if a resolver's traffic failed over
between two sites: sensor A gets the even turns, sensor B the odd ones.
A response goes with its query: it is placed by its time minus a few
seconds, so a lookup at the edge of a turn is not split between sensors.

  split_pcap_by_time.py IN.pcap A.pcap B.pcap DAYS
"""
import struct
import sys

RESPONSE_LAG = 5.0  # seconds: a response's turn is the one of its time minus this


def source_port(frame):
    """The UDP or TCP source port of an Ethernet IPv4/IPv6 frame, or None."""
    ethertype = struct.unpack(">H", frame[12:14])[0]
    offset = 14
    while ethertype == 0x8100 and len(frame) >= offset + 4:
        ethertype = struct.unpack(">H", frame[offset + 2:offset + 4])[0]
        offset += 4
    if ethertype == 0x0800 and len(frame) >= offset + 20:
        protocol, transport = frame[offset + 9], offset + (frame[offset] & 15) * 4
    elif ethertype == 0x86DD and len(frame) >= offset + 40:
        protocol, transport = frame[offset + 6], offset + 40
    else:
        return None
    if protocol not in (6, 17) or len(frame) < transport + 2:
        return None
    return struct.unpack(">H", frame[transport:transport + 2])[0]


def main(source, a_path, b_path, days):
    turn = float(days) * 86400
    with open(source, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        sys.exit(f"{source}: not a little-endian classic pcap")
    fraction = 1e-6 if magic == b"\xd4\xc3\xb2\xa1" else 1e-9
    outputs = [open(a_path, "wb"), open(b_path, "wb")]
    for out in outputs:
        out.write(data[:24])
    offset, counts = 24, [0, 0]
    while offset + 16 <= len(data):
        seconds, part, length, _ = struct.unpack("<IIII", data[offset:offset + 16])
        frame = data[offset + 16:offset + 16 + length]
        when = seconds + part * fraction
        if source_port(frame) == 53:
            when -= RESPONSE_LAG
        side = int(when // turn) % 2
        outputs[side].write(data[offset:offset + 16 + length])
        counts[side] += 1
        offset += 16 + length
    for out in outputs:
        out.close()
    print(f"split_pcap_by_time: {counts[0]} frames to {a_path}, {counts[1]} to {b_path}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
