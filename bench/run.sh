#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs vouch and libssl side by side in
# one process, then prints the vouch/libssl ratios (bench/ratios.py).
#
#   bench/run.sh                              # everything, 3 repetitions
#   bench/run.sh --benchmark_filter=Handshake # extra flags go to the binary
#
# Environment: VOUCH_BENCH_BUILD_DIR (default <repo>/build-bench),
# VOUCH_BENCH_JSON (default <build dir>/bench.json).
# Numbers are only comparable within one run on one otherwise idle machine.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${VOUCH_BENCH_BUILD_DIR:-$root/build-bench}"
json="${VOUCH_BENCH_JSON:-$build/bench.json}"

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DVOUCH_BUILD_BENCH=ON -DVOUCH_BUILD_TESTS=OFF -DVOUCH_BUILD_TOOLS=OFF -DVOUCH_INTEROP_TESTS=OFF \
  >/dev/null
cmake --build "$build" --target vouch_handshake_bench -j2

"$build/bin/vouch_handshake_bench" \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$json" --benchmark_out_format=json "$@"

echo
python3 "$here/ratios.py" "$json"
