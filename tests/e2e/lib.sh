# lib.sh: shared by the shell tests. Sets paths, gives each test its own work
# directory, and the exit codes automake expects (0 pass, 1 fail, 77 skip).
set -eu
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
EXCLAVE="$top_builddir/exclave"
GEN="$top_builddir/tools/gen-dns-pcap"
DEMO_DIR="$top_builddir/demo"
POLICIES="$top_srcdir/scripts"
SHARED="$top_srcdir/../shared/data"
PYTHON3="${PYTHON3:-python3}"
TEST_NAME=$(basename "$0" .sh)
WORK="$top_builddir/tests/work/$TEST_NAME"
rm -rf "$WORK" && mkdir -p "$WORK"
FAILURES=0

fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
skip() { echo "SKIP: $*"; exit 77; }
need_shared() { [ -d "$SHARED" ] || skip "../shared/data not found"; }
finish() {
    if [ "$FAILURES" -ne 0 ]; then echo "$TEST_NAME: $FAILURES failed"; exit 1; fi
    echo "$TEST_NAME: ok"; exit 0
}
# expect_error CMD... : must exit non-zero and print $EXPECT on stderr
expect_error() {
    if "$@" >"$WORK/out" 2>"$WORK/err"; then
        fail "expected failure: $*"
    elif ! grep -qF -- "$EXPECT" "$WORK/err"; then
        fail "'$*' said: $(cat "$WORK/err"), expected: $EXPECT"
    fi
}
# need_suricata: skip unless configure found Suricata 7 and built the plugin
SURICATA_PLUGIN="$top_builddir/exclave-suricata.so"
need_suricata() {
    command -v suricata >/dev/null && [ -f "$SURICATA_PLUGIN" ] || skip "Suricata 7 or the plugin not built"
    # the loader opens the engine with RTLD_DEEPBIND, which the sanitizer
    # runtimes refuse; the engine's code is tested under them standalone
    if ldd "$top_builddir/exclave-suricata-engine.so" 2>/dev/null | grep -q 'libasan\|libtsan'; then
        skip "a sanitizer build: RTLD_DEEPBIND cannot run under AddressSanitizer"
    fi
}
# suricata_config LOGDIR THREADED POLICY [INTERVAL]: LOGDIR/suricata.yaml,
# the plugin and a plain EVE output side by side (tests/e2e/suricata.yaml.in)
suricata_config() {
    mkdir -p "$1"
    sed -e "s|@LOGDIR@|$1|; s|@PLUGIN@|$SURICATA_PLUGIN|; s|@THREADED@|$2|" \
        -e "s|@GEOIP_DIR@|$DEMO_DIR|; s|@POLICY@|$3|; s|@INTERVAL@|${4:-3600}|" \
        "$top_srcdir/tests/e2e/suricata.yaml.in" >"$1/suricata.yaml"
}
# run_suricata PCAP LOGDIR THREADED POLICY [INTERVAL]: suricata -r with that
run_suricata() {
    suricata_config "$2" "$3" "$4" "${5:-3600}"
    suricata -c "$2/suricata.yaml" -r "$1" -k none -l "$2" >"$2/suricata.out" 2>&1
}
