#!/usr/bin/env python3
"""redis_feed: writes lines of a file to a Redis/Valkey key as Suricata does:
XADD KEY * eve LINE (stream), LPUSH KEY LINE (list) or RPUSH (rpush); or
sends one raw command (cmd). RESP over a plain socket, pipelined, so the
tests need no client library. Usage:
  redis_feed.py PORT stream|list|rpush KEY FILE [--field NAME]
  redis_feed.py PORT cmd WORD...      (prints the reply)
  redis_feed.py PORT group-read KEY GROUP  (entries the group was given, ever)
With REDIS_FEED_PASSWORD set it sends AUTH first."""
import os
import socket
import sys


def encode(*words):
    out = [b"*%d\r\n" % len(words)]
    for w in words:
        if isinstance(w, str):
            w = w.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(w), w))
    return b"".join(out)


def read_reply(f):
    line = f.readline()
    kind, rest = line[:1], line[1:-2]
    if kind in (b"+", b"-", b":"):
        return (kind + rest).decode(errors="replace")
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)[:-2]
        return data.decode(errors="replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [read_reply(f) for _ in range(n)]
    raise SystemExit("redis_feed: unexpected reply %r" % line)


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    sock = socket.create_connection(("127.0.0.1", port))
    f = sock.makefile("rb")
    if os.environ.get("REDIS_FEED_PASSWORD"):
        sock.sendall(encode("AUTH", os.environ["REDIS_FEED_PASSWORD"]))
        read_reply(f)
    if mode == "group-read":
        sock.sendall(encode("XINFO", "GROUPS", sys.argv[3]))
        reply = read_reply(f)
        for group in reply if isinstance(reply, list) else []:
            fields = dict(zip(group[::2], group[1::2]))
            if fields.get("name") == sys.argv[4]:
                print(str(fields.get("entries-read") or "0").lstrip(":"))
                return
        print(0)
        return
    if mode == "cmd":
        sock.sendall(encode(*sys.argv[3:]))
        print(read_reply(f))
        return
    key, path = sys.argv[3], sys.argv[4]
    field = sys.argv[6] if len(sys.argv) > 6 and sys.argv[5] == "--field" else "eve"
    sent = 0
    batch = []
    with open(path, "rb") as lines:
        for line in lines:
            line = line.rstrip(b"\n")
            if mode == "stream":
                batch.append(encode("XADD", key, "*", field, line))
            else:
                batch.append(encode("LPUSH" if mode == "list" else "RPUSH", key, line))
            if len(batch) == 512:
                sock.sendall(b"".join(batch))
                for _ in batch:
                    reply = read_reply(f)
                    if isinstance(reply, str) and reply.startswith("-"):
                        raise SystemExit("redis_feed: %s" % reply)
                sent += len(batch)
                batch = []
    if batch:
        sock.sendall(b"".join(batch))
        for _ in batch:
            read_reply(f)
        sent += len(batch)
    print(sent)


if __name__ == "__main__":
    main()
