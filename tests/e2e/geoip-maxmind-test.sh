#!/bin/sh
# Enrichment through real .mmdb files: MaxMind's test databases against their
# source JSON, the real-size ASN database against the CSV it was built from,
# the flat-layout country database against mmdblookup; and the word on
# addresses a database does not cover.
. "$top_srcdir/tests/e2e/lib.sh"
need_shared
command -v mmdblookup >/dev/null 2>&1 || skip "mmdblookup not installed (Debian mmdb-bin)"
"$PYTHON3" "$top_srcdir/tests/e2e/check_maxmind_test.py" "$EXCLAVE" "$SHARED" "$WORK" ||
    fail "enrichment differs from the databases' sources"
# A database that covers few of the addresses says so at the end of the run,
# and --stats counts the lookups without an owner.
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --asn-db "$SHARED/mmdb/maxmind-test/test-data/GeoLite2-ASN-Test.mmdb" \
    --country-db "" --no-engine -l - --stats >/dev/null 2>"$WORK/coverage.err" || fail "coverage run exited $?"
no_asn=$(awk '$1 == "geoip_no_asn" { print $2 }' "$WORK/coverage.err")
lookups=$(awk '$1 == "geoip_lookups" { print $2 }' "$WORK/coverage.err")
[ -n "$no_asn" ] && [ "$no_asn" -gt 0 ] && [ "$no_asn" -le "$lookups" ] || fail "geoip_no_asn '$no_asn' of '$lookups'"
grep -q "^exclave: $no_asn of $lookups address lookups (.*) found no AS in the ASN database" "$WORK/coverage.err" ||
    fail "no word on the addresses the database does not cover: $(tail -2 "$WORK/coverage.err")"
finish
