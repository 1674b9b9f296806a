#!/bin/sh
# Progress on a terminal: a run longer than a second shows packets, MB read
# with the share of the file, the rate and the alerts on standard error when
# it is a terminal (script(1) gives it one); nothing with --quiet, nothing
# when standard error is a file; and the line is cleared before the end.
. "$top_srcdir/tests/e2e/lib.sh"
command -v script >/dev/null || skip "script(1) not installed"
"$GEN" --scenario bench --packets 1000000 --seed 4 -o "$WORK/big.pcap"
# The run must last over a second however fast the machine is: its EVE
# goes into a pipe whose reader waits two seconds before it reads, so
# exclave is held once the pipe's buffer is full, early in the file. The
# reader gives up after two minutes, so that a run that never opens the
# pipe cannot hang the test.
mkfifo "$WORK/slow"
run_on_tty() { # OUT ARGS...: exclave on a pseudo-terminal, what it showed into OUT
    out=$1; shift
    timeout 120 sh -c 'exec 3<"$1"; sleep 2; cat <&3 >/dev/null' sh "$WORK/slow" &
    script -qfec "$EXCLAVE -r $WORK/big.pcap --asn-db '' --no-policies -l - $* >$WORK/slow" "$out" \
        >/dev/null 2>&1 || true
    wait
}
run_on_tty "$WORK/tty.out"
tr '\r' '\n' <"$WORK/tty.out" | grep -a -q "^exclave: [0-9]* packets, [0-9.]* MB ([0-9]*%), [0-9]* packets/s, 0 alerts" ||
    fail "no progress line on a terminal: $(tr '\r' '\n' <"$WORK/tty.out" | head -3)"
run_on_tty "$WORK/quiet.out" --quiet
grep -a -q "packets/s" "$WORK/quiet.out" && fail "--quiet still shows progress"
"$EXCLAVE" -r "$WORK/big.pcap" --asn-db '' --no-policies -l - --stats 2>"$WORK/file.err" >/dev/null
grep -q "packets/s" "$WORK/file.err" && fail "progress written to a file"
grep -q "^packets " "$WORK/file.err" || fail "the run did not finish"
finish
