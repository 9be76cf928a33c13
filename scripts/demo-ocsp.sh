#!/usr/bin/env bash
# `make demo`, part 2: OCSP stapling end to end on 127.0.0.1.
#
#  1. a throw-away CA and a server certificate whose authorityInfoAccess
#     names the project's OCSP responder (made with the openssl tool);
#  2. the responder (vouch-test-ocsp-responder) answers "good";
#  3. `vouch serve --staple auto` fetches, verifies and caches the response
#     and staples it (RFC 8446 §4.4.2.1); `vouch connect --ocsp require`
#     verifies it and prints it;
#  4. the certificate is revoked at the responder; after the server's
#     Stapler refreshes (SIGHUP asks for it at once) it stops stapling, and
#     the next connection fails with a clear reason.
#
# Every process is started here, killed by PID at exit, and every wait is
# bounded.
set -euo pipefail

BIN=${1:-build/bin}
for prog in vouch vouch-test-ocsp-responder; do
  [[ -x "$BIN/$prog" ]] || { echo "demo-ocsp: $BIN/$prog is missing (run make build)" >&2; exit 1; }
done

work=$(mktemp -d -t vouch-ocsp-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for FILE [PATTERN]: until FILE exists (and contains PATTERN), at most 15 s.
wait_for() {
  for _ in $(seq 150); do
    if [[ -s "$1" ]] && { [[ $# -lt 2 ]] || grep -q -- "$2" "$1"; }; then return 0; fi
    sleep 0.1
  done
  echo "demo-ocsp: timed out waiting for $1 ${2:+(\"$2\")}" >&2
  return 1
}

start_responder() {  # MODE [PORT]
  rm -f "$work/responder.port"
  "$BIN/vouch-test-ocsp-responder" --issuer-cert "$work/ca.pem" --issuer-key "$work/ca.key" \
    --mode "$1" --port "${2:-0}" --port-file "$work/responder.port" --max-seconds 300 \
    >"$work/responder.log" 2>&1 &
  responder_pid=$!
  pids+=("$responder_pid")
  wait_for "$work/responder.port"
}

echo "=== OCSP stapling demo (work directory $work) ==="
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/O=vouch demo/CN=vouch demo OCSP CA" -keyout "$work/ca.key" -out "$work/ca.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

start_responder good
port=$(tr -d '\n' <"$work/responder.port")
url="http://127.0.0.1:$port/"
echo "--- responder: $url answers good"

openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
cat >"$work/server.ext" <<EXT
subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth
authorityInfoAccess=OCSP;URI:$url
EXT
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 7 -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null
# The chain carries the issuer: the Stapler needs it to build and verify requests.
cat "$work/server.pem" "$work/ca.pem" >"$work/chain.pem"

"$BIN/vouch" serve --listen 127.0.0.1:0 --port-file "$work/server.port" --cert "$work/chain.pem" \
  --key "$work/server.key" --staple auto --ocsp-cache "$work/ocsp-cache" 2>"$work/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
wait_for "$work/server.port"
server_port=$(tr -d '\n' <"$work/server.port")
echo "--- server log (vouch serve --staple auto):"
sed 's/^/    /' "$work/serve.log"

connect() {
  "$BIN/vouch" connect "127.0.0.1:$server_port" --ca "$work/ca.pem" --servername localhost \
    --ocsp require --request 'GET / HTTP/1.0\r\n\r\n' </dev/null
}

echo "--- client: vouch connect --ocsp require"
if ! connect >"$work/client1.out" 2>"$work/client1.err"; then
  cat "$work/client1.err" >&2
  echo "demo-ocsp: FAILED: the first connection should have succeeded" >&2
  exit 1
fi
sed 's/^/    /' "$work/client1.err"
grep -q '^ocsp: good (' "$work/client1.err" || { echo "demo-ocsp: FAILED: no good staple" >&2; exit 1; }

echo "--- revoking the certificate at the responder, then SIGHUP to the server"
kill "$responder_pid"
wait "$responder_pid" 2>/dev/null || true
start_responder revoked "$port"
kill -HUP "$serve_pid"
wait_for "$work/serve.log" "ocsp revoked"
grep "ocsp revoked" "$work/serve.log" | sed 's/^/    /'

echo "--- client: vouch connect --ocsp require (again)"
if connect >"$work/client2.out" 2>"$work/client2.err"; then
  cat "$work/client2.err" >&2
  echo "demo-ocsp: FAILED: the connection after the revocation should have failed" >&2
  exit 1
fi
sed 's/^/    /' "$work/client2.err"
grep -q "bad_certificate_status_response" "$work/client2.err" ||
  { echo "demo-ocsp: FAILED: unexpected failure reason" >&2; exit 1; }
echo "=== OCSP stapling demo: the revoked certificate is no longer accepted ==="
