#!/bin/sh
# make bench, Suricata 8 part: in the Debian 13 root (tools/suricata8-root),
# `suricata -r` on one DNS capture with Debian's own suricata.yaml, without
# the plugin, with it enriching only (engine: no), and with the engine and
# the default policies; the same outputs each time. Wall time, best of
# three rounds, the three kinds interleaved in each round so that the
# machine's noise falls on all alike; figures as ratios to the run without
# the plugin. Needs root (chroot); says so and skips otherwise. Not a test.
set -eu
: "${top_srcdir:?run through make bench}" "${top_builddir:?run through make bench}"
if [ "$(id -u)" != 0 ]; then
    echo "  Suricata 8: needs root for the Debian 13 root (chroot); skipped"
    exit 0
fi
PACKETS=${BENCH_SURICATA_PACKETS:-400000}
ROUNDS=${BENCH_ROUNDS:-3}
root=$("$top_srcdir/tools/suricata8-root" --build "$top_srcdir" 2>"$top_builddir/tests/work/bench/root8.log" | tail -n 1)
[ -x "$root/usr/bin/suricata" ] || { echo "  Suricata 8: no root ($(tail -n 2 "$top_builddir/tests/work/bench/root8.log"))"; exit 0; }
work=/work/bench8 host="$root/work/bench8"
mkdir -p "$host"
pcap="$host/bench-$PACKETS.pcap"
[ -s "$pcap" ] || "$top_builddir/tools/gen-dns-pcap" --scenario bench --packets "$PACKETS" --seed 2 -o "$pcap"
REAL="$top_srcdir/../shared/data/mmdb/real"
if [ -f "$REAL/ip-location-db-ASN.mmdb" ]; then
    cp "$REAL/ip-location-db-ASN.mmdb" "$REAL/iptoasn-country.mmdb" "$host/"
    dbs="  asn-db: $work/ip-location-db-ASN.mmdb
  country-db: $work/iptoasn-country.mmdb"
else
    cp "$top_builddir"/demo/GeoLite2-*.mmdb "$host/"
    dbs="  geoip-dir: $work"
fi
config() { # NAME [ENGINE]: Debian's suricata.yaml, with the plugin when ENGINE is given
    if [ $# -eq 1 ]; then
        cp "$root/etc/suricata/suricata.yaml" "$host/$1.yaml"
        return
    fi
    awk '{ print } /^plugins:/ { print "  - /build/exclave/exclave-suricata.so" }' \
        "$root/etc/suricata/suricata.yaml" >"$host/$1.yaml"
    printf '\nexclave:\n%s\n  policy: [ /build/exclave/scripts ]\n  engine: %s\n' "$dbs" "$2" >>"$host/$1.yaml"
}
config plain
config enrich no
config full yes
# The outputs (up to 0.5 GB a run) go to a tmpfs: on disk, the writeback of
# one run's eve.json ran during the next and moved the ratios by 20%.
mkdir -p "$host/out"
trap 'umount "$root/proc" "$host/out" 2>/dev/null || true' EXIT
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
mountpoint -q "$host/out" || mount -t tmpfs -o size=3g exclave-bench "$host/out"
now() { date +%s.%N; }
# The CPU seconds (user and system) of this shell's children so far, from
# `times`; called with a redirection, so that it runs in this shell (a
# $(...) subshell has no children). CPU time moves less with the machine's
# load than wall time does, and is printed beside it.
children_cpu() {
    times >"$host/out/times"
    awk 'NR == 2 { gsub(/[ms]/, " "); print $1 * 60 + $2 + $3 * 60 + $4 }' "$host/out/times"
}
cat "$pcap" >/dev/null
best_plain="" best_enrich="" best_full=""
cpu_plain="" cpu_enrich="" cpu_full=""
for round in $(seq "$ROUNDS"); do
    for kind in plain enrich full; do
        rm -rf "$host/out/$kind" && mkdir -p "$host/out/$kind"
        children_cpu >"$host/out/cpu-before"
        start=$(now)
        chroot "$root" suricata -c "$work/$kind.yaml" -r "$work/bench-$PACKETS.pcap" -k none \
            -l "$work/out/$kind" >"$host/out/$kind/out" 2>&1 || echo "  Suricata 8 ($kind) exited $?"
        end=$(now)
        children_cpu >"$host/out/cpu-after"
        eval "best=\$best_$kind cpu=\$cpu_$kind"
        best=$(awk -v s="$start" -v e="$end" -v b="$best" 'BEGIN { t = e - s; print (b == "" || t < b) ? t : b }')
        cpu=$(awk -v b="$cpu" 'NR == FNR { s = $1; next } { t = $1 - s; print (b == "" || t < b) ? t : b }' \
            "$host/out/cpu-before" "$host/out/cpu-after")
        eval "best_$kind=\$best cpu_$kind=\$cpu"
    done
done
records=$(grep -c '"event_type":"dns"' "$host/out/plain/eve.json")
grep -q '"src_as"' "$host/out/enrich/eve.json" || echo "  Suricata 8: the enrich run has no enrichment!"
alerts=$(grep -c '"event_type":"alert"' "$host/out/full/exclave.json" || true)
awk -v p="$best_plain" -v x="$best_enrich" -v q="$best_full" -v n="$PACKETS" -v r="$records" \
    -v a="$alerts" -v k="$ROUNDS" -v cp="$cpu_plain" -v cx="$cpu_enrich" -v cq="$cpu_full" 'BEGIN {
    printf "  Suricata 8.0 (Debian 13 root) on %d packets (%d dns records), wall time, best of %d:\n", n, r, k
    printf "    without the plugin            %8.2f s  %9.0f dns records/s\n", p, r / p
    printf "    plugin, engine: no            %8.2f s  %9.0f dns records/s  ratio %.3f (target at most 1.05)\n", x, r / x, x / p
    printf "    plugin, engine and policies   %8.2f s  %9.0f dns records/s  ratio %.3f (target at most 1.10; %d alerts)\n", q, r / q, q / p, a
    printf "  CPU time (user + system, all threads), best of %d: without %.2f s, engine: no %.2f s (%.3f),\n", k, cp, cx, cx / cp
    printf "    engine and policies %.2f s (%.3f)\n", cq, cq / cp
}'
