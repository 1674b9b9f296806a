#!/bin/sh
# make install DESTDIR=...: the usual layout (bin, man1, share/exclave with
# scripts, geoip and the systemd unit, lib/exclave with the plugin when built), the
# installed program runs and finds its installed policies, and
# systemd-analyze accepts the unit.
. "$top_srcdir/tests/e2e/lib.sh"
DEST="$WORK/root"
(cd "$top_builddir" && make -s install DESTDIR="$DEST" prefix=/usr/local) >"$WORK/install.out" 2>&1 ||
    fail "make install: $(tail -n 3 "$WORK/install.out")"
for f in bin/exclave share/man/man1/exclave.1 share/exclave/scripts/exclusive.lua \
         share/exclave/scripts/rotation.lua share/exclave/scripts/peaks.lua \
         share/exclave/systemd/exclave@.service bin/exclave-geoip share/man/man1/exclave-geoip.1 \
         share/exclave/geoip/build-mmdb.pl share/exclave/elastic/exclave-index-template.json \
         share/exclave/splunk/props.conf share/exclave/splunk/transforms.conf; do
    [ -f "$DEST/usr/local/$f" ] || fail "not installed: $f"
done
if [ -f "$top_builddir/exclave-suricata.so" ]; then
    [ -f "$DEST/usr/local/lib/exclave/exclave-suricata.so" ] &&
        [ -f "$DEST/usr/local/lib/exclave/exclave-suricata-engine.so" ] || fail "plugin not installed"
fi
grep -q "^ExecStart=/usr/local/bin/exclave -i %i" "$DEST/usr/local/share/exclave/systemd/exclave@.service" ||
    fail "the unit does not name the installed program"
"$DEST/usr/local/bin/exclave" --version >/dev/null || fail "the installed program does not run"
# exclave-geoip names the installed build-mmdb.pl, and builds an internal database with it
grep -q '^INSTALLED_BUILD_MMDB = "/usr/local/share/exclave/geoip/build-mmdb.pl"$' \
    "$DEST/usr/local/bin/exclave-geoip" || fail "exclave-geoip does not name the installed build-mmdb.pl"
printf '10.0.0.0/8,64512,"Lab, internal",DE\n' >"$WORK/internal.csv"
EXCLAVE_BUILD_MMDB="$DEST/usr/local/share/exclave/geoip/build-mmdb.pl" \
    "$DEST/usr/local/bin/exclave-geoip" --internal-only --internal "$WORK/internal.csv" -o "$WORK/geoip" \
    2>"$WORK/geoip.err" || fail "installed exclave-geoip: $(cat "$WORK/geoip.err")"
mmdblookup --file "$WORK/geoip/exclave-ASN.mmdb" --ip 10.1.2.3 autonomous_system_organization 2>&1 |
    grep -q '"Lab, internal"' || fail "the installed exclave-geoip built no usable database"
if command -v systemd-analyze >/dev/null; then
    # an instance whose ExecStart names the program installed here
    sed "s|/usr/local/bin/exclave|$DEST/usr/local/bin/exclave|" \
        "$DEST/usr/local/share/exclave/systemd/exclave@.service" >"$WORK/exclave@eth0.service"
    systemd-analyze verify "$WORK/exclave@eth0.service" >"$WORK/verify.out" 2>&1 || true
    if grep -v "exclave.*\(User\|Group\)\|network-online" "$WORK/verify.out" | grep -qi "error\|invalid\|unknown\|neither"; then
        fail "systemd-analyze objects: $(head -3 "$WORK/verify.out")"
    fi
fi
finish
