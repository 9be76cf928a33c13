#!/usr/bin/env bash
# Installs the Debian 12 packages vouch needs to build, test and demo.
# As root: apt-get installs what is missing. Otherwise: prints the exact
# command and fails, so nothing is silently assumed.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build make pkg-config ccache
  libssl-dev openssl          # libcrypto (library) and openssl s_server/s_client/ocsp (tests)
  ca-certificates             # the system CA bundle TrustStore::system() loads (its test)
  gnutls-bin                  # gnutls-serv / gnutls-cli (interop tests)
  openjdk-17-jdk-headless     # java / javac: JSSE, the peer for status_request_v2 (RFC 6961) interop tests
  libgtest-dev                # unit tests
  libbenchmark-dev            # benchmarks
  libcli11-dev libfmt-dev     # the command-line tool
  libasio-dev                 # standalone Asio (header-only): vouch/asio.h, its tests and examples
  libhiredis-dev              # vouch_redis: the SharedStore on Redis (fleets)
  redis-server                # the Redis the fleet tests start on 127.0.0.1
  faketime                    # a `vouch serve` whose clock is off, in the fleet clock-skew test (tests/interop/fleet_test.cpp)
  python3                     # small test scripts
  valgrind                    # make profile: callgrind instruction counts per handshake (bench/profile.sh)
  tshark                      # decrypts a captured handshake with vouch's key log (tests/interop/keylog_tshark_test.cpp)
  clang-14 libclang-rt-14-dev # the fuzz build: clang with libFuzzer, ASan and UBSan runtimes
  nginx curl                  # Debian's own binaries run on vouch's libssl.so.3 (tests/abi, docs/libssl-abi.md)
)

missing=()
for p in "${PACKAGES[@]}"; do
  case "$p" in \#*) continue ;; esac
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "vouch: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark's wireshark-common asks whether non-root users may capture; the
  # answer is no (the tests capture as root), and it must not prompt.
  if command -v debconf-set-selections >/dev/null; then
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  fi
  apt-get update -qq
  # Installing nginx must not leave Debian's service running on port 80: a
  # policy-rc.d that denies every start (exit 101) is put in place for the
  # install unless one exists, and removed after; the tests start their own
  # nginx on a free port.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
else
  echo "vouch: missing Debian packages. Run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
