#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build (make build-fuzz) over their
# committed corpora (fuzz/corpus/<target>/, read only) and explores from
# there for SECONDS each, two targets at a time (FUZZ_JOBS).
#
#   fuzz/run.sh [--fresh] BUILD_DIR SECONDS [TARGET...]
#
# New inputs go to BUILD_DIR/fuzz-work/<target>/corpus, which later runs
# start from too (--fresh empties it first: what CI does, so that it runs the
# committed corpus and nothing else). Any crash, leak, timeout (-timeout)
# or out-of-memory (-rss_limit_mb) fails the run: the input is saved under
# BUILD_DIR/fuzz-work/<target>/ and the end of the log is printed. Prints
# one line per target: executions, exec/s, coverage (cov: edges, ft:
# features, from libFuzzer's final stats); the table is kept in
# BUILD_DIR/fuzz-work/summary.txt.
set -uo pipefail

fresh=0
if [ "${1:-}" = "--fresh" ]; then
  fresh=1
  shift
fi
if [ $# -lt 2 ]; then
  echo "usage: fuzz/run.sh [--fresh] BUILD_DIR SECONDS [TARGET...]" >&2
  exit 2
fi
build=$1
seconds=$2
shift 2
jobs=${FUZZ_JOBS:-2}
src=$(cd "$(dirname "$0")" && pwd)
work=$build/fuzz-work

if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in "$src"/targets/*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

# The largest input tried: whole conversations for the connection targets,
# a PEM chain for the credential and CRL targets; messages are smaller.
max_len_of() {
  case "$1" in
    server_connection | client_connection) echo 32768 ;;
    *) echo 8192 ;;
  esac
}

run_one() {
  local t=$1 dir=$work/$1
  [ "$fresh" = 1 ] && rm -rf "$dir"
  mkdir -p "$dir/corpus"
  rm -f "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* "$dir"/slow-unit-*
  local corpus=()
  [ -d "$src/corpus/$t" ] && corpus=("$src/corpus/$t")
  "$build/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len_of "$t")" -print_final_stats=1 -artifact_prefix="$dir/" \
    "$dir/corpus" "${corpus[@]}" >"$dir/log" 2>&1
  echo $? >"$dir/status"
}

summary() {
  local t=$1 dir=$work/$1
  local status runs rate cov ft
  status=$(cat "$dir/status" 2>/dev/null || echo "?")
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$dir/log" | tail -1 | cut -d' ' -f2)
  printf '%-28s %-6s %12s %8s %7s %8s\n' "$t" "$([ "$status" = 0 ] && echo ok || echo FAIL)" \
    "${runs:--}" "${rate:--}" "${cov:--}" "${ft:--}"
}

for t in "${targets[@]}"; do
  if [ ! -x "$build/fuzz/$t" ]; then
    echo "fuzz: no target $build/fuzz/$t (make build-fuzz)" >&2
    exit 2
  fi
done

mkdir -p "$work"
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time"
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
wait

failed=0
{
  printf '%-28s %-6s %12s %8s %7s %8s\n' target result executions exec/s cov ft
  for t in "${targets[@]}"; do summary "$t"; done
} | tee "$work/summary.txt"
for t in "${targets[@]}"; do
  if [ "$(cat "$work/$t/status" 2>/dev/null)" != 0 ]; then
    failed=1
    echo "---- $t failed; the end of $work/$t/log:"
    tail -n 60 "$work/$t/log"
    ls "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* "$work/$t"/oom-* 2>/dev/null
  fi
done
if [ "$failed" != 0 ]; then
  echo "fuzz: FAILED (reproduce: $build/fuzz/<target> <saved input>)"
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets passed"
