#!/bin/sh
# --help, the man page exclave(1) and the code's option table name the same
# long options (the man page also exclave report's, which report --help
# must list): one added to the code without documentation fails here. The
# same for exclave-geoip's --help and exclave-geoip(1).
. "$top_srcdir/tests/e2e/lib.sh"
sed -n '/long_options\[\] = {/,/{ NULL, 0, NULL, 0 }/p' "$top_srcdir/plugin/cli/options.c" |
    grep -o '{ "[a-z-]*"' | sed 's/{ "//; s/"//' | sort -u >"$WORK/code"
# exclave report's own options (run_report.c) are in exclave(1) and its --help too
grep -o 'strcmp(argv\[i\], "--[a-z-]*")' "$top_srcdir/plugin/cli/run_report.c" | sed 's/.*"--//; s/")//' |
    sort -u >"$WORK/report-code"
"$EXCLAVE" report --help | grep -o -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u >"$WORK/report-help"
comm -23 "$WORK/report-code" "$WORK/report-help" | grep -q . &&
    fail "exclave report --help lacks: $(comm -23 "$WORK/report-code" "$WORK/report-help" | tr '\n' ' ')"
sort -u "$WORK/code" "$WORK/report-code" >"$WORK/code-all"
"$EXCLAVE" --help | grep -o -- '--[a-z][a-z-]*' | sed 's/^--//' | sort -u >"$WORK/help"
sed 's/\\-/-/g' "$top_srcdir/doc/exclave.1" | grep -o -- '--[a-z][a-z-]*' | sed 's/^--//' |
    sort -u >"$WORK/man"
[ "$(wc -l <"$WORK/code")" -gt 20 ] || fail "could not read the option table from cli/options.c"
cmp -s "$WORK/code" "$WORK/help" || fail "--help and the code differ: $(diff "$WORK/code" "$WORK/help" | grep '^[<>]' | tr '\n' ' ')"
cmp -s "$WORK/code-all" "$WORK/man" || fail "exclave(1) and the code differ: $(diff "$WORK/code-all" "$WORK/man" | grep '^[<>]' | tr '\n' ' ')"
# exclave-geoip: its --help (argparse) and exclave-geoip(1) agree too
"$PYTHON3" "$top_srcdir/geoip/exclave-geoip" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$WORK/geoip-help"
sed 's/\\-/-/g' "$top_srcdir/doc/exclave-geoip.1" | sed -n '/^\.SH OPTIONS/,/^\.SH EXIT/p' |
    grep -o -- '--[a-z][a-z-]*' | sort -u >"$WORK/geoip-man"
[ "$(wc -l <"$WORK/geoip-help")" -ge 6 ] || fail "could not read exclave-geoip --help"
cmp -s "$WORK/geoip-help" "$WORK/geoip-man" ||
    fail "exclave-geoip(1) and its --help differ: $(diff "$WORK/geoip-help" "$WORK/geoip-man" | grep '^[<>]' | tr '\n' ' ')"
if command -v man >/dev/null; then
    MANWIDTH=80 man -l "$top_srcdir/doc/exclave.1" >"$WORK/man.txt" 2>"$WORK/man.err" ||
        fail "man cannot format exclave.1: $(head -2 "$WORK/man.err")"
    grep -q "exit status\|EXIT STATUS" "$WORK/man.txt" || fail "the formatted page lacks its sections"
fi
finish
