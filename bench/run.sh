#!/usr/bin/env bash
# Builds the benchmarks (Release), runs them and prints the ratios
# (bench/ratios.py). `make bench` runs this.
#
#   bench/run.sh                                # everything
#   bench/run.sh --benchmark_min_time=0.1       # extra flags go to every run
#
# 1. The OpenSSL-API benchmark against libssl and against vouch-ssl and its
#    native twin, alternating row by row: for each of VOUCH_BENCH_ROUNDS
#    rounds (default 3), each row runs in the libssl, vouch-ssl and native
#    binaries one after the other, so a machine that gets busier or quieter
#    moves all three alike; each round also runs the raw-AEAD baseline.
#    ratios.py takes the median of the rounds.
# 2. vouch_handshake_bench (vouch and libssl in one process), 3 repetitions.
#
# Environment: VOUCH_BENCH_BUILD_DIR (default <repo>/build-bench),
# VOUCH_BENCH_OUT (default <build dir>/bench-results: one JSON file per run,
# emptied first), VOUCH_BENCH_ROUNDS (default 3), VOUCH_BENCH_ROWS (a regex
# choosing the OpenSSL-API rows, default all), VOUCH_BENCH_LEGACY=0 to skip
# step 2, VOUCH_BENCH_CPU (default 0): the CPU every run is pinned to
# (taskset), "any" to let the scheduler choose. Numbers are only comparable
# within one run on one machine.
#
# Why pin: on a virtual machine the vCPUs need not be equal — one may share
# its physical core with another guest's busy thread. Seen here: the floor
# row at 86–88 µs on CPU 0 and 100–126 µs on CPU 1 in the same minute, and
# unpinned runs landing on either, so that a row's medians mixed the two.
# Pinned, every build of every row runs on the same CPU.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/build.sh
. "$here/build.sh"
out="${VOUCH_BENCH_OUT:-$build/bench-results}"
rounds="${VOUCH_BENCH_ROUNDS:-3}"
row_filter="${VOUCH_BENCH_ROWS:-.}"

bench_build "${api_bins[@]}" vouch_aead_bench vouch_handshake_bench

rm -rf "$out"
mkdir -p "$out"

cpu="${VOUCH_BENCH_CPU:-0}"
pin=()
if [ "$cpu" != any ]; then
  if command -v taskset >/dev/null; then
    pin=(taskset -c "$cpu")
    echo "== every run pinned to CPU $cpu (VOUCH_BENCH_CPU)"
  else
    echo "== taskset not found: runs are not pinned to a CPU" >&2
  fi
fi

# One run of one row (or of a whole binary with filter "."): its JSON and
# its stderr (Google Benchmark's machine description, any crash report) are
# kept, and the result lines shown after the binary's name.
run() {
  local binary="$1" filter="$2" json="$3"
  shift 3
  "${pin[@]}" "$bin/$binary" --benchmark_filter="$filter" --benchmark_out="$json" --benchmark_out_format=json "$@" \
    2>"${json%.json}.stderr" | awk -v bin="$binary" '!/^(-+|Benchmark .*)$/ { print bin ": " $0 }'
}

mapfile -t rows < <("$bin/${api_bins[0]}" --benchmark_list_tests | grep -E -- "$row_filter")
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds"
  n=0
  for row in "${rows[@]}"; do
    n=$((n + 1))
    for b in "${api_bins[@]}"; do
      # Numbered so that ratios.py, given the files in name order, lists
      # the rows in registration order.
      run "$b" "^${row}\$" "$out/$b.r$round.$(printf %02d $n).json" "$@"
    done
  done
  run vouch_aead_bench . "$out/vouch_aead_bench.r$round.json" "$@"
done

legacy=()
if [ "${VOUCH_BENCH_LEGACY:-1}" != 0 ]; then
  echo "== vouch_handshake_bench"
  run vouch_handshake_bench . "$out/vouch_handshake_bench.json" \
    --benchmark_repetitions=3 --benchmark_report_aggregates_only=true "$@"
  legacy=("$out/vouch_handshake_bench.json")
fi

echo
python3 "$here/ratios.py" "$out"/vouch_{ssl_api,native_api,aead}_bench*.json "${legacy[@]}"
