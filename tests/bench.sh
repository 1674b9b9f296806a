#!/bin/sh
# make bench: packets/s of (a) a bare libpcap read loop, (b) exclave's decode
# and query matching, (c) the full run - enrichment against the real-size
# databases in ../shared (or the demo ones) and EVE JSON written to a file -
# and (d) the same with the JSON sent to /dev/null, on the same synthetic
# capture, in one run. Speed is a ratio to (a), measured
# together, because these machines are shared and noisy. Not a test: it never
# fails on a slow figure.
set -eu
: "${top_srcdir:?run through make bench}" "${top_builddir:?run through make bench}"
PACKETS=${BENCH_PACKETS:-2000000}
WORK="$top_builddir/tests/work/bench"
mkdir -p "$WORK"
PCAP="$WORK/bench-$PACKETS.pcap"
if [ ! -s "$PCAP" ]; then
    echo "bench: generating $PACKETS packets into $PCAP"
    "$top_builddir/tools/gen-dns-pcap" --scenario bench --packets "$PACKETS" --seed 1 -o "$PCAP"
fi
REAL="$top_srcdir/../shared/data/mmdb/real"
if [ -f "$REAL/ip-location-db-ASN.mmdb" ]; then
    DBS="--asn-db $REAL/ip-location-db-ASN.mmdb --country-db $REAL/iptoasn-country.mmdb"
else
    echo "bench: ../shared/data not found; using the demo databases"
    DBS="--geoip-dir $top_builddir/demo"
fi
now() { date +%s.%N; }
cat "$PCAP" >/dev/null # warm the page cache for every stage alike

set -- $("$top_builddir/tests/bench-pcap-read" "$PCAP")
read_packets=$1 read_seconds=$2
set -- $("$top_builddir/tests/bench-sensor" "$PCAP")
sensor_packets=$1 sensor_seconds=$2
rm -f "$WORK/eve.json"
start=$(now)
# shellcheck disable=SC2086
"$top_builddir/exclave" -r "$PCAP" $DBS -l "$WORK" --stats 2>"$WORK/stats"
end=$(now)
full_seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')
full_packets=$(awk '$1 == "packets" { print $2 }' "$WORK/stats")
start=$(now)
# shellcheck disable=SC2086
"$top_builddir/exclave" -r "$PCAP" $DBS -l - >/dev/null 2>&1
end=$(now)
null_seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')

awk -v rp="$read_packets" -v rs="$read_seconds" -v sp="$sensor_packets" -v ss="$sensor_seconds" \
    -v fp="$full_packets" -v fs="$full_seconds" -v ns="$null_seconds" -v bytes="$(wc -c <"$WORK/eve.json")" 'BEGIN {
    a = rp / rs; b = sp / ss; c = fp / fs
    printf "bench: %d packets\n", rp
    printf "  (a) libpcap read loop           %10.0f packets/s\n", a
    printf "  (b) decode + match              %10.0f packets/s  %5.1f%% of (a)\n", b, 100 * b / a
    printf "  (c) full: enrich + EVE to file  %10.0f packets/s  %5.1f%% of (a)  (%.0f MB/s of JSON)\n", c, 100 * c / a, bytes / fs / 1e6
    n = fp / ns
    printf "  (d) as (c), EVE to /dev/null    %10.0f packets/s  %5.1f%% of (a)  (what the file write costs)\n", n, 100 * n / a
}'
grep -E '^(geoip_lookups|geoip_cache_hits|queries|responses) ' "$WORK/stats" | sed 's/^/  /'
