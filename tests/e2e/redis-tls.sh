#!/bin/sh
# rediss:// (TLS), where the build's hiredis has it: the exclave built in
# the Debian 13 root (hiredis 1.2) publishes the demo's records over TLS to
# a valkey-server of this test on the host's loopback, with a client
# certificate, and a central there reads them back over TLS: the central's
# output equals exclave --eve on the records. A server certificate from
# another CA is refused with the reason, and so is a rediss:// URL in this
# host's build when its hiredis (Debian 12's 0.14) has no TLS
# (redis-input.sh).
. "$top_srcdir/tests/e2e/lib.sh"
need_suricata8
TLS="$W8/tls" TLSIN="$W8IN/tls"
mkdir -p "$TLS" "$W8/geoip"
cp "$DEMO_DIR"/*.mmdb "$W8/geoip/"
# a CA, the server's certificate for 127.0.0.1, a client's, and a CA of no one's
certificate() { # certificate NAME SUBJECT [EXTENSION]: NAME.key and NAME.pem signed by ca
    openssl req -newkey rsa:2048 -nodes -keyout "$TLS/$1.key" -subj "/CN=$2" -out "$TLS/$1.csr" 2>/dev/null &&
        openssl x509 -req -in "$TLS/$1.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial \
            -days 2 ${3:+-extfile "$3"} -out "$TLS/$1.pem" 2>/dev/null
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS/ca.key" -subj "/CN=exclave test CA" \
    -days 2 -out "$TLS/ca.pem" 2>/dev/null || fail "openssl could not make a CA"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS/other.key" -subj "/CN=someone else" \
    -days 2 -out "$TLS/other.pem" 2>/dev/null || fail "openssl could not make the other CA"
printf 'subjectAltName = IP:127.0.0.1\n' >"$TLS/server.ext"
certificate server 127.0.0.1 "$TLS/server.ext" || fail "openssl could not sign the server's certificate"
certificate client "exclave sensor" || fail "openssl could not sign the client's certificate"
chmod 644 "$TLS"/*.key # the root's exclave and the server read them as root anyway
start_redis --tls-port @TLS_PORT@ --tls-cert-file "$TLS/server.pem" --tls-key-file "$TLS/server.key" \
    --tls-ca-cert-file "$TLS/ca.pem" --tls-auth-clients optional
grep -q "Ready to accept connections tls" "$SERVER_DIR/server.log" ||
    fail "the server listens for no TLS: $(grep -i tls "$SERVER_DIR/server.log" | head -2)"
EXCLAVE8="chroot $ROOT8 /build/exclave/exclave"
"$EXCLAVE" -r "$DEMO_DIR/demo.pcap" --geoip-dir "$DEMO_DIR" --no-engine -l - >"$W8/records.json" 2>/dev/null ||
    fail "the records: exclave -r exited $?"
URL="rediss://127.0.0.1:$TLS_PORT/tls?tls-ca=$TLSIN/ca.pem"
$EXCLAVE8 --eve "$W8IN/records.json" --no-engine --asn-db "" --country-db "" --stats \
    -l "$URL&tls-cert=$TLSIN/client.pem&tls-key=$TLSIN/client.key" >/dev/null 2>"$WORK/publish.err" ||
    fail "publishing over TLS exited $?: $(head -3 "$WORK/publish.err")"
records=$(wc -l <"$W8/records.json")
grep -Eq "^redis_published +$records\$" "$WORK/publish.err" ||
    fail "$records records, but: $(grep redis_ "$WORK/publish.err" | tr '\n' ' ')"
$EXCLAVE8 --eve "$URL" --geoip-dir "$W8IN/geoip" --policy /build/exclave/scripts -l - \
    >"$WORK/central.json" 2>"$WORK/central.err" || fail "the central over TLS exited $?: $(head -3 "$WORK/central.err")"
$EXCLAVE8 --eve "$W8IN/records.json" --geoip-dir "$W8IN/geoip" --policy /build/exclave/scripts -l - \
    >"$WORK/file.json" 2>/dev/null || fail "exclave --eve on the records exited $?"
[ "$(grep -c '"event_type":"alert"' "$WORK/file.json")" -gt 0 ] || fail "no alert from the records"
cmp -s "$WORK/central.json" "$WORK/file.json" ||
    fail "the central over TLS writes other output than --eve on the records: $(diff "$WORK/central.json" "$WORK/file.json" | head -2 | cut -c1-200)"
# a server whose certificate no CA given vouches for: refused, with the reason
EXPECT="TLS handshake failed" expect_error $EXCLAVE8 --eve "rediss://127.0.0.1:$TLS_PORT/tls?tls-ca=$TLSIN/other.pem" \
    --no-engine --asn-db "" --country-db "" -l -
grep -q "certificate verify failed" "$WORK/err" || fail "the refusal does not say why: $(cat "$WORK/err")"
EXPECT="tls-ca goes with rediss://" expect_error $EXCLAVE8 --eve "redis://127.0.0.1:$PORT/tls?tls-ca=$TLSIN/ca.pem" \
    --no-engine --asn-db "" --country-db "" -l -
finish
