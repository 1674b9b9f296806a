#!/bin/sh
# Every fuzz target replays, with the normal compiler (and in CI under
# AddressSanitizer and UBSan), every input that once crashed it
# (tests/fuzz/regressions/TARGET) and seeds made from ../shared: none may
# crash, trip a sanitizer or hang. `make fuzz` is where new inputs are found.
. "$top_srcdir/tests/e2e/lib.sh"
SEEDS="$WORK/seeds"
if [ -d "$SHARED" ]; then
    "$PYTHON3" "$top_srcdir/tests/fuzz/make_seeds.py" "$SHARED" "$top_builddir/demo/demo.pcap" "$SEEDS"
fi
"$top_srcdir/tests/fuzz/make_state_seed" "$top_builddir" "$SEEDS/state_file" || fail "no state file seed"
for target in dns_message tcp_dns_stream pcap_lookup eve_record zeek_reader policy_values state_file; do
    binary="$top_builddir/tests/fuzz/replay-$(echo $target | tr _ -)"
    set -- "$top_srcdir"/tests/fuzz/regressions/$target/* "$SEEDS"/$target/*
    files=""
    for f in "$@"; do [ -f "$f" ] && files="$files $f"; done
    [ -n "$files" ] || continue
    # shellcheck disable=SC2086
    timeout 300 "$binary" $files >"$WORK/$target.out" 2>&1 ||
        fail "$target: $(grep -m 3 'ERROR\|runtime error\|SUMMARY' "$WORK/$target.out" || tail -n 3 "$WORK/$target.out")"
done
[ -n "$(ls "$top_srcdir"/tests/fuzz/regressions/*/* 2>/dev/null)" ] || fail "no regression inputs found"
finish
