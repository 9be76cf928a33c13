#!/usr/bin/env bash
# Runs BoringSSL's BoGo TLS test runner against vouch's shim.
#
#   scripts/bogo.sh BUILD_DIR [subset|all] [-- extra runner flags]
#
# BUILD_DIR holds the built shim (BUILD_DIR/bin/vouch-bogo-shim, a target of
# the tests). The runner pack lives beside the checkout, at ../shared/bogo;
# it is copied to BUILD_DIR/bogo/pack (the pack itself is never written to)
# and its runner is built there, again only when the pack changed.
#   subset (default): the client-certificate and OCSP families, the globs of
#                     the pack's patterns/client-cert.txt and patterns/ocsp.txt
#   all:              every test
# Tests are disabled, each with its reason, by tests/bogo/config.json.
# Results: BUILD_DIR/bogo/results-<what>.json, the runner's full output in
# BUILD_DIR/bogo/<what>.log. Prints the failed tests, then the runner's
# "N passed, N failed, N skipped" line; exits non-zero if any test failed.
# Env: BOGO_JOBS (parallel shims, default nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PACK="$ROOT/../shared/bogo"
BUILD=${1:?usage: scripts/bogo.sh BUILD_DIR [subset|all] [-- runner flags]}
WHAT=${2:-subset}
shift $(( $# >= 2 ? 2 : 1 ))
[ "${1:-}" = "--" ] && shift

if [ ! -f "$PACK/run-bogo.sh" ]; then
  echo "bogo: the BoGo pack is missing: expected BoringSSL's runner pack at ../shared/bogo (beside $ROOT)" >&2
  exit 1
fi
BUILD=$(cd "$BUILD" && pwd)
SHIM="$BUILD/bin/vouch-bogo-shim"
[ -x "$SHIM" ] || { echo "bogo: $SHIM not built (cmake --build $BUILD --target vouch-bogo-shim)" >&2; exit 1; }
WORK="$BUILD/bogo"
mkdir -p "$WORK"

# The runner, rebuilt only when the pack's files changed.
sum=$(cd "$PACK" && find . -type f ! -path './runner/ssl/test/runner/runner.test' ! -path './.go*' -print0 |
      sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
RUNNER="$WORK/pack/runner/ssl/test/runner/runner.test"
if [ ! -x "$RUNNER" ] || [ "$(cat "$WORK/pack.sum" 2>/dev/null || true)" != "$sum" ]; then
  start=$(date +%s)
  rm -rf "$WORK/pack" "$WORK/pack.sum"
  cp -r "$PACK" "$WORK/pack"
  chmod -R u+w "$WORK/pack"
  rm -f "$RUNNER"
  "$WORK/pack/build-runner.sh"
  echo "$sum" > "$WORK/pack.sum"
  echo "bogo: runner built in $(( $(date +%s) - start )) s"
fi

args=(-j "${BOGO_JOBS:-$(nproc)}" -o "$WORK/results-$WHAT.json")
case "$WHAT" in
  subset)
    cat "$PACK/patterns/client-cert.txt" "$PACK/patterns/ocsp.txt" > "$WORK/patterns.txt"
    args+=(-t "@$WORK/patterns.txt")
    ;;
  all) ;;
  *) echo "bogo: unknown selection '$WHAT' (subset or all)" >&2; exit 2 ;;
esac

start=$(date +%s)
set +e
"$WORK/pack/run-bogo.sh" "${args[@]}" "$SHIM" "$ROOT/tests/bogo/config.json" -- "$@" > "$WORK/$WHAT.log" 2>&1
rc=$?
set -e
# The runner prints a progress line per test and the details of each
# failure; keep the failures' names here and the rest in the log.
grep -E '^FAILED \(' "$WORK/$WHAT.log" | head -100 || true
echo "bogo: $WHAT ran in $(( $(date +%s) - start )) s; full output in $WORK/$WHAT.log"
tail -n 1 "$WORK/$WHAT.log"
exit $rc
