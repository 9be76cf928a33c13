#!/usr/bin/env bash
# Instructions per operation, under callgrind, for the rows of the
# OpenSSL-API benchmark in its three builds (libssl, vouch-ssl, native), and
# how much of each is the public-key cryptography every TLS library must do.
# `make profile` runs this. Deterministic where `make bench`'s times are not:
# use it to compare builds before and after a change and to see where each
# build's instructions go (bench/profile_table.py explains the columns; how
# far a ratio can go in time is make bench's floor table).
#
#   bench/profile.sh                      # the handshake and bulk rows
#   bench/profile.sh 'Handshake13/server' # rows matching a regex
#
# Each run is one row in one binary with VOUCH_BENCH_ITERATIONS fixed
# (VOUCH_PROFILE_HANDSHAKES, default 60; VOUCH_PROFILE_BULK, default 4
# megabytes) and callgrind collecting only inside the measured side's calls
# (bench/cpu_meter.h). Outputs stay in <build>/profile (callgrind.out.* for
# callgrind_annotate). Needs valgrind (Debian package valgrind).
# Handshake rows with a floor (bench/handshake_floor.cpp) profile it too:
# the libcrypto work alone, on prepared contexts, in vouch_aead_bench.
# VOUCH_PROFILE_CACHE=1 adds callgrind's cache and branch-predictor
# simulation (--cache-sim=yes --branch-sim=yes; about twice as slow) and a
# table of instruction-cache misses and mispredicted branches per operation:
# what a handshake pays above the floor beyond its extra instructions.
# VOUCH_BENCH_BUILD_DIR: the build tree (default <repo>/build-bench, built
# here as bench/run.sh builds it); with VOUCH_BENCH_NO_BUILD=1 its binaries
# are used as they are (the ctest smoke run, in the test build tree).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/build.sh
. "$here/build.sh"
out="$build/profile"
row_filter="${1:-^(Handshake|HandshakeMtls|Resumption|Bulk)}"
handshakes="${VOUCH_PROFILE_HANDSHAKES:-60}"
bulk="${VOUCH_PROFILE_BULK:-4}"

if ! command -v valgrind >/dev/null; then
  echo "profile.sh: valgrind is not installed (apt-get install valgrind)" >&2
  exit 1
fi

if [ "${VOUCH_BENCH_NO_BUILD:-0}" != 1 ]; then
  bench_build "${api_bins[@]}" vouch_aead_bench
fi

rm -rf "$out"
mkdir -p "$out"

sim=()
if [ "${VOUCH_PROFILE_CACHE:-0}" = 1 ]; then sim=(--cache-sim=yes --branch-sim=yes); fi
floor_rows="$("$bin/vouch_aead_bench" --benchmark_list_tests | sed -n 's|^Floor/\(.*\)/manual_time$|\1|p')"

mapfile -t rows < <("$bin/${api_bins[0]}" --benchmark_list_tests | grep -E -- "$row_filter" | grep -v IdleHeap)
for row in "${rows[@]}"; do
  base="${row%%/manual_time}"
  n="$handshakes"
  case "$base" in Bulk*) n="$bulk" ;; esac
  runs=()
  for b in "${api_bins[@]}"; do runs+=("$b ^${base}/"); done
  if grep -qxF -- "$base" <<<"$floor_rows"; then runs+=("vouch_aead_bench ^Floor/${base}/"); fi
  for run in "${runs[@]}"; do
    b="${run%% *}"
    file="$out/callgrind.out.$b.${base//\//.}"
    VOUCH_BENCH_ITERATIONS="$n" valgrind --tool=callgrind --collect-atstart=no "${sim[@]}" --callgrind-out-file="$file" \
      "$bin/$b" --benchmark_filter="${run#* }" >"$file.log" 2>&1 || {
      echo "profile.sh: $b $base failed; see $file.log" >&2
      exit 1
    }
    echo "$b $base $n $file" >>"$out/runs"
    echo "profiled $b $base ($n iterations)"
  done
done

echo
python3 "$here/profile_table.py" "$out/runs"
