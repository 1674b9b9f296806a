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
