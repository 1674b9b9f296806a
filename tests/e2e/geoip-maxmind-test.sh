#!/bin/sh
# Enrichment through real .mmdb files: MaxMind's test databases against their
# source JSON, the real-size ASN database against the CSV it was built from,
# the flat-layout country database against mmdblookup.
. "$top_srcdir/tests/e2e/lib.sh"
need_shared
command -v mmdblookup >/dev/null 2>&1 || skip "mmdblookup not installed (Debian mmdb-bin)"
"$PYTHON3" "$top_srcdir/tests/e2e/check_maxmind_test.py" "$EXCLAVE" "$SHARED" "$WORK" ||
    fail "enrichment differs from the databases' sources"
finish
