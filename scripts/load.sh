#!/usr/bin/env bash
# Load test of `vouch serve` (issue 14): N concurrent idle TLS connections
# from tools/load (vouch-load), with the failures, handshake p99 and the
# server's memory per connection and after close.
#
#   scripts/load.sh BUILD_DIR [CONNECTIONS [MAX_RSS_GROWTH_KIB]]
#
# (default 10000 connections, no memory limit; `make load`). With
# MAX_RSS_GROWTH_KIB, it also fails if the server's RSS after every
# connection closed exceeds its idle RSS by more than that.
#
# Generates a throw-away ECDSA P-256 certificate for localhost, starts
# `vouch serve` on 127.0.0.1 (free port, written to a port file), runs
# vouch-load against it, stops the server by PID. Exits non-zero if any
# connection failed.
set -euo pipefail

build=${1:?usage: scripts/load.sh BUILD_DIR [CONNECTIONS [MAX_RSS_GROWTH_KIB]]}
connections=${2:-10000}
max_growth=${3:-0}
bin=$(cd "$build/bin" && pwd)
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Every connection is a descriptor, twice over on loopback.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# Idle connections are held for as long as opening all of them takes: the
# server's idle timeout must not end them meanwhile.
"$bin/vouch" serve --listen 127.0.0.1:0 --port-file "$work/port" --cert "$work/cert.pem" \
  --key "$work/key.pem" --num-tickets 0 --timeout 600 --handshake-timeout 60 ${VOUCH_SERVE_ARGS:-} 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/port" ] && break
  sleep 0.1
done
if [ ! -s "$work/port" ]; then
  echo "load: vouch serve did not start" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
# Let the server settle before its idle RSS is read.
sleep 0.5

status=0
"$bin/vouch-load" --port "$(cat "$work/port")" --ca "$work/cert.pem" --connections "$connections" \
  --concurrency 256 --hold 2 --server-pid "$server_pid" --max-rss-growth-kib "$max_growth" || status=$?
failed=$(grep -c -v -E 'listening on|closed without a request|shutting down' "$work/serve.log" || true)
echo "server: $(grep -c 'closed without a request' "$work/serve.log" || true) connections served, $failed other log lines"
if [ "$failed" -gt 0 ]; then
  # (|| true: with pipefail, grep's SIGPIPE when head has its five lines
  # would end the script here.)
  grep -v -E 'listening on|closed without a request' "$work/serve.log" | head -5 || true
fi
exit "$status"
