#!/bin/sh
# The README's quick start, as a newcomer runs it: its first line, taken
# from README.md itself, in a fresh clone of this repository, must build and
# run the demo, which must end with the planted rotation at the top of the
# alert table. (The second line is tools/run-tests, which CI runs; running
# it from inside the suite would recurse.) Skipped under the sanitizer build,
# which rebuilds everything anyway, and outside a git checkout.
. "$top_srcdir/tests/e2e/lib.sh"
command -v git >/dev/null && [ -d "$top_srcdir/.git" ] || skip "not a git checkout"
if ldd "$EXCLAVE" 2>/dev/null | grep -q libasan; then skip "the sanitizer build"; fi
first_line=$(sed -n '/^## Quick start/,/^## /p' "$top_srcdir/README.md" | sed -n '/^```sh$/,/^```$/p' |
    sed -n 2p)
case "$first_line" in
    *install-deps*make\ demo*) ;;
    *) fail "the quick start's first line is not install-deps ... make demo: '$first_line'"; finish ;;
esac
git clone -q "$top_srcdir" "$WORK/clone" || fail "git clone failed"
(cd "$WORK/clone" && sh -c "$first_line") >"$WORK/demo.out" 2>&1 ||
    fail "the first line failed: $(tail -n 5 "$WORK/demo.out")"
grep -A2 "^rank sev policy" "$WORK/demo.out" | grep -q "rotation *name *trump1.contact-client.com" ||
    fail "the demo's table does not open with the rotation: $(grep -A3 '^rank' "$WORK/demo.out")"
grep -q "lookups per querier AS" "$WORK/demo.out" || fail "the demo printed no summary"
finish
