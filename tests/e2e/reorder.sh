#!/bin/sh
# Records out of time order give the results of the time-ordered input, up
# to the reorder window; records later than it are reported (FILE:LINE) and
# counted, never mis-counted in silence. Inputs: a two-worker `suricata -r`
# of the demo capture (Suricata 7 writes about half its dns records behind
# the newest time, 9 to 30 days late as its threads were scheduled), the demo's EVE and Zeek logs shuffled
# within a bounded distance, and a window too small for the shuffle.
. "$top_srcdir/tests/e2e/lib.sh"
alerts() { grep '"event_type":"alert"' "$1" | jq -r '[.timestamp, .exclave.policy, .exclave.kind,
    .exclave.name, .exclave.lookups, .exclave.lookups_corrected] | @tsv'; }
counter() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
run_eve() { # NAME FILE ARGS...
    name=$1 file=$2; shift 2
    "$EXCLAVE" --eve "$file" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/$name" --stats "$@" \
        2>"$WORK/$name.err" || fail "$name: exit $?: $(head -3 "$WORK/$name.err")"
    alerts "$WORK/$name/eve.json" >"$WORK/$name.alerts"
}
shuffle() { # IN OUT SKIP_HEADER: each line moved at most 2,000 lines away, the same every run
    "$PYTHON3" - "$1" "$2" "$3" <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines(True)
head = int(sys.argv[3])
body = lines[head:]
rng = random.Random(19)
keyed = sorted(range(len(body)), key=lambda i: i + rng.uniform(0, 2000))
open(sys.argv[2], "w").writelines(lines[:head] + [body[i] for i in keyed])
PY
}

# the demo's EVE, in order and shuffled
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" -l - --no-engine 2>/dev/null >"$WORK/ordered.json"
shuffle "$WORK/ordered.json" "$WORK/shuffled.json" 0
cmp -s "$WORK/ordered.json" "$WORK/shuffled.json" && fail "the shuffle changed nothing"
run_eve ordered "$WORK/ordered.json"
run_eve shuffled "$WORK/shuffled.json"
[ -s "$WORK/ordered.alerts" ] || fail "no alerts from the ordered EVE"
cmp -s "$WORK/ordered.alerts" "$WORK/shuffled.alerts" ||
    fail "shuffled EVE alerts differently: $(diff "$WORK/ordered.alerts" "$WORK/shuffled.alerts" | head -4)"
[ "$(counter "$WORK/shuffled.err" reorder_too_late)" = 0 ] || fail "records counted as too late"
# a window of 50 lookups is too small for that shuffle: reported and counted
run_eve small "$WORK/shuffled.json" --reorder-lookups 50
late=$(counter "$WORK/small.err" reorder_too_late)
[ -n "$late" ] && [ "$late" -gt 0 ] || fail "a too small window counted no late records"
grep -q "shuffled.json:[0-9]*: record .* behind the newest, later than the reorder window" "$WORK/small.err" ||
    fail "late records are not reported with FILE:LINE: $(grep -m2 'behind' "$WORK/small.err")"

# Zeek: the demo as a dns.log, in order and shuffled (its 8 header lines kept)
"$GEN" --scenario demo --seed 2016 -o /dev/null --zeek "$WORK/ordered.log"
shuffle "$WORK/ordered.log" "$WORK/shuffled.log" 8
for name in ordered shuffled; do
    "$EXCLAVE" --zeek "$WORK/$name.log" --geoip-dir "$DEMO_DIR" --policy "$POLICIES" -l "$WORK/zeek-$name" \
        2>/dev/null || fail "--zeek $name exited $?"
    alerts "$WORK/zeek-$name/eve.json" >"$WORK/zeek-$name.alerts"
done
[ -s "$WORK/zeek-ordered.alerts" ] && cmp -s "$WORK/zeek-ordered.alerts" "$WORK/zeek-shuffled.alerts" ||
    fail "a shuffled dns.log alerts differently: $(diff "$WORK/zeek-ordered.alerts" "$WORK/zeek-shuffled.alerts" | head -4)"

# Suricata 7 with two workers, against its own output sorted by time
if command -v suricata >/dev/null 2>&1; then
    mkdir -p "$WORK/suricata-logs" # not run_eve's "$WORK/suricata": its output would be its input
    cat >"$WORK/suricata-logs/suricata.yaml" <<YAML
%YAML 1.1
---
default-log-dir: $WORK/suricata-logs
outputs:
  - eve-log: { enabled: yes, filetype: regular, filename: eve.json, types: [ dns ] }
app-layer:
  protocols:
    dns:
      udp: { enabled: yes, detection-ports: { dp: 53 } }
      tcp: { enabled: yes, detection-ports: { dp: 53 } }
threading: { set-cpu-affinity: no, detect-thread-ratio: 1.0 }
YAML
    suricata -c "$WORK/suricata-logs/suricata.yaml" -r "$DEMO_DIR/demo.pcap" -k none --runmode autofp \
        -l "$WORK/suricata-logs" >"$WORK/suricata-logs/out" 2>&1 || fail "suricata -r exited $?"
    jq -c -s 'sort_by(.timestamp) | .[]' "$WORK/suricata-logs/eve.json" >"$WORK/suricata-sorted.json"
    run_eve suricata "$WORK/suricata-logs/eve.json"
    run_eve suricata-sorted "$WORK/suricata-sorted.json"
    cmp -s "$WORK/suricata-sorted.alerts" "$WORK/suricata.alerts" ||
        fail "two-worker Suricata alerts differently from its sorted output: $(diff "$WORK/suricata-sorted.alerts" "$WORK/suricata.alerts" | head -4)"
    [ "$(counter "$WORK/suricata.err" reorder_too_late)" = 0 ] ||
        fail "two-worker Suricata: records counted as too late: $(grep -m1 'behind the newest' "$WORK/suricata.err")"
    echo "reorder: suricata -r with two workers: $(counter "$WORK/suricata.err" reorder_held_most) lookups held at most"
else
    echo "reorder: Suricata not installed; its two-worker case skipped"
fi
finish
