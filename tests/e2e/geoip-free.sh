#!/bin/sh
# geoip/exclave-geoip end to end: fetches the free ip-location-db packages
# from the npm registry, builds exclave-ASN.mmdb and exclave-Country.mmdb with
# an internal CSV merged in, and exclave enriches sampled addresses exactly as
# the packages' own CSV files say (first, middle and last address of ranges
# that overlap no other), while the internal networks win. Then: --offline
# rebuilds the same databases from the cache, a bad internal CSV is refused
# with file:line and leaves the databases alone, and a damaged cache is
# refused. Skipped when the registry cannot be reached at all, and in the
# sanitizer build: the builder is Perl and Python, and exclave's reading of
# databases is covered there by geoip-maxmind-test.
. "$top_srcdir/tests/e2e/lib.sh"
if ldd "$EXCLAVE" 2>/dev/null | grep -q libasan; then skip "the sanitizer build"; fi
BUILDER="$top_srcdir/geoip/exclave-geoip"
REGISTRY="${EXCLAVE_NPM_REGISTRY:-https://registry.npmjs.org}"
"$PYTHON3" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1] + '/@ip-location-db%2fasn/latest', timeout=30)" \
    "$REGISTRY" 2>/dev/null || skip "the npm registry $REGISTRY cannot be reached"

cat >"$WORK/internal.csv" <<'CSV'
network,asn,org,country
# the test's querier, and an override of public space: internal rows win
192.168.0.0/16,64512,"Lab network, building 7",DE
8.8.8.0/24,64513,Resolver override,SE
CSV
CACHE="$WORK/cache" DB="$WORK/db"
"$BUILDER" -o "$DB" --cache "$CACHE" --internal "$WORK/internal.csv" --registry "$REGISTRY" \
    2>"$WORK/build.err" || fail "exclave-geoip failed: $(tail -n 5 "$WORK/build.err")"
grep -q "asn-ipv4.csv: [0-9]* ranges; skipped" "$WORK/build.err" || fail "no per-file summary"

"$PYTHON3" "$top_srcdir/tests/e2e/check_geoip_free.py" sample "$CACHE" "$WORK/internal.csv" \
    "$WORK/sample.pcap" "$WORK/expect.json" || fail "sampling failed"
mkdir -p "$WORK/logs"
"$EXCLAVE" -r "$WORK/sample.pcap" --geoip-dir "$DB" -l "$WORK/logs" --quiet 2>"$WORK/run.err" ||
    fail "exclave failed on the sample: $(tail -n 3 "$WORK/run.err")"
"$PYTHON3" "$top_srcdir/tests/e2e/check_geoip_free.py" check "$WORK/logs/eve.json" "$WORK/expect.json" \
    "$DB" "$CACHE" || fail "the databases disagree with their sources"

# the same packages from the cache alone give the same databases
"$BUILDER" -o "$WORK/offline" --cache "$CACHE" --internal "$WORK/internal.csv" --offline \
    --registry http://127.0.0.1:9 2>"$WORK/offline.err" || fail "--offline failed: $(tail -n 3 "$WORK/offline.err")"
for db in exclave-ASN.mmdb exclave-Country.mmdb; do
    "$PYTHON3" "$top_srcdir/tests/e2e/check_geoip_free.py" same-data "$DB/$db" "$WORK/offline/$db" ||
        fail "--offline built another $db"
done

# a bad internal line is named, and nothing is replaced
sha256sum "$WORK"/offline/*.mmdb >"$WORK/offline.sha"
printf '10.0.0.0/8,64514,Lab,DE\n10.1.0.0/33,1,x,DE\n' >"$WORK/bad.csv"
EXPECT="bad.csv:2: '10.1.0.0/33' is not a CIDR network" expect_error "$BUILDER" -o "$WORK/offline" \
    --cache "$CACHE" --internal "$WORK/bad.csv" --offline
sha256sum -c --quiet "$WORK/offline.sha" || fail "a failed build touched the databases"

# a damaged cached package is not used
for f in "$CACHE"/*asn-2*.tgz; do printf 'x' | dd of="$f" bs=1 seek=5000 conv=notrunc 2>/dev/null; done
EXPECT="no verified copy of @ip-location-db/asn" expect_error "$BUILDER" -o "$WORK/offline" \
    --cache "$CACHE" --offline
finish
