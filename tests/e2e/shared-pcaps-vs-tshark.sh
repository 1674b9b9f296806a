#!/bin/sh
# Every pcap under ../shared/data/pcaps decodes without a crash, and names,
# types, rcodes and A/AAAA answers agree with tshark; compare_tshark.py prints
# the agreement rate and fails on any difference it cannot explain.
. "$top_srcdir/tests/e2e/lib.sh"
need_shared
[ -n "${TSHARK:-}" ] && [ -x "$TSHARK" ] || skip "tshark not installed (tools/install-deps installs it)"
"$PYTHON3" "$top_srcdir/tests/e2e/compare_tshark.py" "$EXCLAVE" "$TSHARK" "$SHARED/pcaps" ||
    fail "exclave and tshark disagree (see above)"
finish
