#!/usr/bin/env bash
# Installs the Debian 12 packages vouch needs to build, test and demo.
# As root: apt-get installs what is missing. Otherwise: prints the exact
# command and fails, so nothing is silently assumed.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build make pkg-config ccache
  libssl-dev openssl          # libcrypto (library) and openssl s_server/s_client/ocsp (tests)
  gnutls-bin                  # gnutls-serv / gnutls-cli (interop tests)
  openjdk-17-jdk-headless     # java / javac: JSSE, the peer for status_request_v2 (RFC 6961) interop tests
  libgtest-dev                # unit tests
  libbenchmark-dev            # benchmarks
  libcli11-dev libfmt-dev     # the command-line tool
  libasio-dev                 # standalone Asio (header-only): vouch/asio.h, its tests and examples
  python3                     # small test scripts
  clang-14 libclang-rt-14-dev # the fuzz build: clang with libFuzzer, ASan and UBSan runtimes
)

missing=()
for p in "${PACKAGES[@]}"; do
  case "$p" in \#*) continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "vouch: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
else
  echo "vouch: missing Debian packages. Run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
