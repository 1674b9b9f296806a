#!/bin/sh
# Proof of source: in the proof scenario a name is asked over TCP with the
# handshake and with DNS cookies (proven), and by forged answered UDP
# queries, queries with a cookie the server never handed out, TCP picked up
# mid-stream (not proven) and blind TCP (never answered). The engine's
# proven lookups, in all and per querier ASN, equal a count made here from
# the capture with tshark: the query's acknowledgement is the server's
# SYN-ACK sequence number plus one, or its server cookie is one that an
# answered response had handed to that client before. A policy reads the
# same in key.proven and key.asns[i].proven, and alerts carry it. Logs
# (Zeek, EVE) cannot prove a source: there it stays 0.
. "$top_srcdir/tests/e2e/lib.sh"
NAME=vpn.alfa-partner.example
"$GEN" --scenario proof --seed 3 -o "$WORK/proof.pcap" --zeek "$WORK/dns.log"
"$EXCLAVE" -r "$WORK/proof.pcap" --geoip-dir "$DEMO_DIR" --policy "$top_srcdir/tests/policies/proof.lua" --state "$WORK/proof.state" \
    --stats -l "$WORK/logs" 2>"$WORK/run.err" || fail "exclave -r exited $?: $(tail -2 "$WORK/run.err")"
"$EXCLAVE" dump-state "$WORK/proof.state" | jq -c --arg n "$NAME" 'select(.kind == "name" and .name == $n)' \
    >"$WORK/key.json"
# the capture as tshark reads it: SYN-ACKs, and the name's DNS messages
tshark -r "$WORK/proof.pcap" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 1' -T fields -e tcp.stream \
    -e tcp.seq_raw >"$WORK/synack.tsv" 2>/dev/null || fail "tshark could not read the SYN-ACKs"
tshark -r "$WORK/proof.pcap" -Y "dns.qry.name == \"$NAME\"" -T fields -E occurrence=f -e dns.flags.response \
    -e ip.src -e ip.dst -e tcp.srcport -e udp.srcport -e tcp.dstport -e udp.dstport -e dns.id -e tcp.stream \
    -e tcp.ack_raw -e dns.opt.cookie.server >"$WORK/dns.tsv" 2>/dev/null || fail "tshark could not read the DNS"
"$PYTHON3" - "$WORK" <<'PY' >"$WORK/check.out" 2>&1 || fail "$(tail -4 "$WORK/check.out")"
import collections, json, sys
work = sys.argv[1]
key = json.loads(open(f"{work}/key.json").read())
isn = {s: int(q) for s, q in (l.split("\t") for l in open(f"{work}/synack.tsv").read().split("\n") if l)}
owner = {}  # querier address -> ASN, from exclave's records of the queries
for line in open(f"{work}/logs/eve.json"):
    r = json.loads(line)
    if r.get("event_type") == "dns" and "src_as" in r:
        owner[r["src_ip"]] = r["src_as"]["number"]
pending, handed, proven, counted = {}, set(), collections.Counter(), 0
for line in open(f"{work}/dns.tsv").read().split("\n"):
    if not line:
        continue
    response, src, dst, tsport, usport, tdport, udport, qid, stream, ack, cookie = (line.split("\t") + [""] * 11)[:11]
    if response in ("0", "False"):
        sport = tsport or usport
        tcp_ok = bool(stream) and stream in isn and ack and int(ack) == (isn[stream] + 1) % 2**32
        pending[(src, sport, qid)] = tcp_ok or (bool(cookie) and (src, dst, cookie) in handed)
    else:
        client_port = tdport or udport
        query = pending.pop((dst, client_port, qid), None)
        if query is None:
            continue
        counted += 1
        if cookie:
            handed.add((dst, src, cookie))
        if query:
            proven[owner.get(dst, 0)] += 1
if counted != key["lookups"]:
    sys.exit(f"the capture has {counted} answered lookups of the name, the engine {key['lookups']}")
if sum(proven.values()) != key["proven_lookups"] or sum(proven.values()) < 100:
    sys.exit(f"tshark finds {sum(proven.values())} proven lookups, the engine {key['proven_lookups']}")
mine = {a[0]: a[3] for a in key["asn_tally"]}
if any(mine.get(asn, 0) != n for asn, n in proven.items()) or sum(mine.values()) != key["proven_lookups"]:
    sys.exit(f"proven per ASN: tshark {dict(proven)}, the engine {mine}")
print(f"{counted} answered lookups, {sum(proven.values())} proven: {dict(proven)}")
PY
probe=$(grep '"signature_id":56' "$WORK/logs/eve.json" | tail -1)
[ -n "$probe" ] || fail "the probe policy did not alert"
[ "$(printf '%s' "$probe" | jq '.exclave.evidence.proven')" = "$(printf '%s' "$probe" | jq '.exclave.proven')" ] &&
    [ "$(printf '%s' "$probe" | jq '.exclave.proven')" -gt 0 ] || fail "key.proven is not the alert's proven: $probe"
printf '%s' "$probe" | jq -r '.exclave.evidence.per_asn' | grep -q "^15632:[1-9]" ||
    fail "key.asns[1].proven is not AS15632's: $(printf '%s' "$probe" | jq -c .exclave.evidence)"
printf '%s' "$probe" | jq -e '[.exclave.top_asns[] | select(.number == 15632) | .proven] == [(.exclave.evidence.per_asn | capture("15632:(?<n>[0-9]+)").n | tonumber)]' \
    >/dev/null || fail "the alert's top_asns[].proven is not the policy's"
grep -Eq '^queries_proven_tcp +[1-9]' "$WORK/run.err" && grep -Eq '^queries_proven_cookie +[1-9]' "$WORK/run.err" ||
    fail "the proven counters are not in --stats: $(grep proven "$WORK/run.err")"
# the report says it per key and per ASN, as the alert has it
"$EXCLAVE" report -l "$WORK/logs" -o "$WORK/report.html" 2>/dev/null || fail "report exited $?"
want=$(printf '%s' "$probe" | jq -r '(.exclave.top_asns[] | select(.number == 15632) | "proven source \(.proven) of \(.lookups)"),
    "Proven source (TCP handshake or DNS server cookie): \(.exclave.proven) of the last alert'"'"'s \(.exclave.lookups) lookups"')
printf '%s\n' "$want" | while IFS= read -r line; do
    grep -qF "$line" "$WORK/report.html" || echo "$line"
done >"$WORK/missing"
[ ! -s "$WORK/missing" ] || fail "the report lacks: $(cat "$WORK/missing")"
# a log cannot prove a source
"$EXCLAVE" --zeek "$WORK/dns.log" --geoip-dir "$DEMO_DIR" --no-policies --state "$WORK/zeek.state" -l "$WORK/zeek" \
    2>/dev/null || fail "--zeek exited $?"
[ "$("$EXCLAVE" dump-state "$WORK/zeek.state" | jq -s '[.[].proven_lookups] | add')" = 0 ] ||
    fail "a Zeek log proved a source"
finish
