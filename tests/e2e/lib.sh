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
# skip_if_sanitized BINARY: the plugin's loader opens the engine with
# RTLD_DEEPBIND, which the sanitizer runtimes refuse; the engine's code is
# tested under them standalone
skip_if_sanitized() {
    if ldd "$1" 2>/dev/null | grep -q 'libasan\|libtsan'; then
        skip "a sanitizer build: RTLD_DEEPBIND cannot run under AddressSanitizer"
    fi
}
# need_suricata: skip unless configure found Suricata 7 and built the plugin
SURICATA_PLUGIN="$top_builddir/exclave-suricata.so"
need_suricata() {
    command -v suricata >/dev/null && [ -f "$SURICATA_PLUGIN" ] || skip "Suricata 7 or the plugin not built"
    skip_if_sanitized "$top_builddir/exclave-suricata-engine.so"
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
# at_exit COMMAND: run when the test exits, after those given before it;
# the test's own status stands
EXIT_TASKS=""
at_exit() {
    EXIT_TASKS="$EXIT_TASKS
$1"
    trap 'status=$?; eval "$EXIT_TASKS"; exit $status' EXIT
}
# need_suricata8: Suricata 8 in a Debian 13 root (tools/suricata8-root,
# made on first use and reused), exclave built inside it from this tree.
# Sets ROOT8; W8 is this test's work directory inside the root as the host
# sees it, and W8IN the same directory as seen inside; /proc is mounted in
# the root while the test runs. Skips under a sanitizer build (the plugin's
# loader needs RTLD_DEEPBIND) and when not root.
need_suricata8() {
    [ "$(id -u)" = 0 ] || skip "Suricata 8 runs in a Debian 13 root: debootstrap and chroot need root"
    skip_if_sanitized "$EXCLAVE"
    command -v git >/dev/null && git -C "$top_srcdir" rev-parse >/dev/null 2>&1 ||
        skip "the source is not a git checkout: the root's build copies git's files"
    # one test at a time in the root (make check -j runs several): another's
    # build of exclave there, or its unmount of /proc, would pull the floor
    # from under this one. The lock goes with the test's shell (fd 9).
    exec 9>"${EXCLAVE_TRIXIE_ROOT:-/var/tmp/exclave-trixie}.lock"
    flock 9
    "$top_srcdir/tools/suricata8-root" --build "$top_srcdir" >"$WORK/root8.path" 2>"$WORK/root8.log" ||
        { echo "FAIL: no Debian 13 root with exclave built: $(tail -n 5 "$WORK/root8.log")"; exit 1; }
    ROOT8=$(tail -n 1 "$WORK/root8.path")
    W8IN="/work/$TEST_NAME"
    W8="$ROOT8$W8IN"
    rm -rf "$W8" && mkdir -p "$W8"
    if ! mountpoint -q "$ROOT8/proc"; then
        # the test's own status stands, whatever the unmount says
        mount -t proc proc "$ROOT8/proc" && at_exit 'umount "$ROOT8/proc" 2>/dev/null || true'
    fi
    PLUGIN8=/build/exclave/exclave-suricata.so
    mkdir -p "$W8/geoip" && cp "$DEMO_DIR"/GeoLite2-*.mmdb "$W8/geoip/"
}
# suricata8_config FILE THREADED EXCLAVE-YAML: Debian's own suricata.yaml of
# the root, changed as README tells a user: the plugin under plugins:, the
# exclave: section at the end; and a second eve-log output (dns and flow,
# threaded: THREADED) first in outputs:, to show that every output is enriched.
suricata8_config() {
    awk -v plugin="$PLUGIN8" -v threaded="$2" '
        { print }
        /^plugins:/ { print "  - " plugin }
        /^outputs:/ { print "  - eve-log:\n      enabled: yes\n      filetype: regular\n" \
                            "      filename: eve-second.json\n      threaded: " threaded "\n" \
                            "      types: [ dns, flow ]" }' "$ROOT8/etc/suricata/suricata.yaml" >"$1"
    printf '\n%s\n' "$3" >>"$1"
}
# run_suricata8 CONFIG PCAP LOGDIR [suricata args...]: paths inside the root
run_suricata8() {
    config=$1 pcap=$2 logdir=$3
    shift 3
    mkdir -p "$ROOT8$logdir"
    chroot "$ROOT8" suricata -c "$config" -r "$pcap" -k none -l "$logdir" "$@" >"$ROOT8$logdir/suricata.out" 2>&1
}
# start_redis: a valkey-server (or redis-server) of this test's own on a
# free loopback port, append-only file on, in WORK; killed when the test
# exits. Sets PORT, SERVER, SERVER_DIR and FEED (tests/e2e/redis_feed.py).
# stop_redis kills it (SIGKILL) and waits until it is gone; redis_up PORT
# starts it again.
FEED="$PYTHON3 $top_srcdir/tests/e2e/redis_feed.py"
redis_up() { # redis_up PORT [SERVER-ARGS...]: starts the server there; true once it answers
    up_port=$1
    shift
    "$SERVER" --port "$up_port" --bind 127.0.0.1 --appendonly yes --appendfsync always --save "" \
        --dir "$SERVER_DIR" \
        --daemonize yes --pidfile "$SERVER_DIR/server.pid" --logfile "$SERVER_DIR/server.log" \
        "$@" 2>/dev/null 9>&- || return 1 # the daemon must not hold a test's lock
    for wait in $(seq 100); do
        [ "$($FEED "$up_port" cmd PING 2>/dev/null)" = "+PONG" ] && return 0
        sleep 0.1
    done
    return 1
}
start_redis() { # start_redis [SERVER-ARGS...]: @TLS_PORT@ in them becomes PORT + 1
    SERVER=$(command -v valkey-server || command -v redis-server) ||
        skip "no valkey-server or redis-server (tools/install-deps installs valkey-server)"
    SERVER_DIR=$(cd "$WORK" && pwd) # absolute: the server changes into --dir first
    PORT=""
    for try in 1 2 3 4 5 6 7 8; do
        candidate=$((20000 + ($$ * 7 + try * 131) % 40000))
        TLS_PORT=$((candidate + 1))
        # shellcheck disable=SC2046
        redis_up "$candidate" $(printf '%s\n' "$@" | sed "s/@TLS_PORT@/$TLS_PORT/") &&
            { PORT=$candidate; break; }
    done
    [ -n "$PORT" ] || { echo "FAIL: $SERVER did not start: $(tail -3 "$WORK/server.log" 2>/dev/null)"; exit 1; }
    at_exit 'kill "$(cat "$SERVER_DIR/server.pid" 2>/dev/null)" 2>/dev/null || true'
}
stop_redis() {
    pid=$(cat "$SERVER_DIR/server.pid")
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    rm -f "$SERVER_DIR/server.pid"
}
# suricata_redis_yaml FILE PORT MODE KEY: a Suricata configuration with two
# dns outputs, a regular eve.json and Suricata's own redis output (MODE list
# or stream, to KEY on the loopback PORT), for 7.0 and 8.0 alike
suricata_redis_yaml() {
    cat >"$1" <<EOF2
%YAML 1.1
---
outputs:
  - eve-log: { enabled: yes, filetype: regular, filename: eve.json, types: [ dns ] }
  - eve-log:
      enabled: yes
      filetype: redis
      redis: { server: 127.0.0.1, port: $2, mode: $3, key: $4 }
      types: [ dns ]
app-layer: { protocols: { dns: { udp: { enabled: yes, detection-ports: { dp: 53 } },
                                 tcp: { enabled: yes, detection-ports: { dp: 53 } } } } }
EOF2
}
