#!/usr/bin/env bash
# The consumer projects of examples/consumer/, built the way users build
# them, against `cmake --install BUILD_DIR` in a fresh prefix (then moved,
# to show that the installed tree is relocatable):
#
#   find_package/  CMake package, shared and static (vouch::vouch, vouch::ssl)
#   pkg-config/    plain make with pkg-config, shared (RPATH to the prefix) and static
#   fetchcontent/  vouch built from this checkout inside the consumer
#
# Each program runs TLS handshakes in one process and must succeed; the
# shared builds must load libvouch.so.0 from the prefix, the static ones no
# libvouch at all; the FetchContent build must not involve GoogleTest.
#
#   scripts/consumers.sh BUILD_DIR [WORK_DIR]     (WORK_DIR: BUILD_DIR/consumers)
#
# Registered as the ctest test package.consumers of the Release build
# (tests/CMakeLists.txt), so `make test` runs it. Needs cmake, a C/C++
# compiler, make and pkg-config (scripts/install-deps.sh); ninja and ccache
# are used when present. Each step's output goes to WORK_DIR/*.log and is
# printed when the step fails.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 BUILD_DIR [WORK_DIR]" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
work=${2:-$build/consumers}
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
prefix=$work/prefix
start=$SECONDS

# Runs a command with its output in LOG; on failure prints the log and stops.
logged() {
  local log=$1
  shift
  if ! "$@" >>"$log" 2>&1; then
    echo "consumers: failed: $*" >&2
    cat "$log" >&2
    exit 1
  fi
}
fail() {
  echo "consumers: $*" >&2
  exit 1
}

cmake_args=(-DCMAKE_BUILD_TYPE=Release)
if command -v ninja >/dev/null; then cmake_args+=(-G Ninja); fi
if command -v ccache >/dev/null; then
  cmake_args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}

# Installed elsewhere and moved: the package and the .pc files must not
# remember where they were installed.
logged "$work/install.log" cmake --install "$build" --prefix "$work/installed"
mv "$work/installed" "$prefix"
echo "installed, then moved to $prefix"
# The shared library exports vouch's API and nothing else (cmake/vouch.map).
so=$(find "$prefix" -name libvouch.so.0)
[ -n "$so" ] || fail "no libvouch.so.0 under $prefix"
others=$(nm -D -C --defined-only "$so" | grep -v -e ' vouch::' -e ' VOUCH_0$' || true)
[ -z "$others" ] || fail "libvouch.so.0 exports symbols outside namespace vouch:"$'\n'"$others"
if [ -e "$prefix/bin/vouch" ]; then
  logged "$work/install.log" "$prefix/bin/vouch" --help
fi
# The projects are copied so that nothing is built inside the checkout.
cp -r "$src/examples/consumer" "$work/src"

# ---- find_package, shared and static ---------------------------------------
for kind in shared static; do
  dir=$work/find_package-$kind
  shared=ON
  [ "$kind" = static ] && shared=OFF
  logged "$dir.log" cmake -S "$work/src/find_package" -B "$dir" "${cmake_args[@]}" \
    -DCMAKE_PREFIX_PATH="$prefix" -Dvouch_SHARED_LIBS=$shared
  logged "$dir.log" cmake --build "$dir" -j "$jobs"
  "$dir/handshake" "find_package, $kind" || fail "find_package ($kind): handshake failed"
  "$dir/ssl_handshake" "find_package, $kind, vouch-ssl" ||
    fail "find_package ($kind): ssl_handshake failed"
  for program in handshake ssl_handshake; do
    libs=$(ldd "$dir/$program")
    case "$kind/$program" in
      shared/handshake) want="libvouch.so.0 => $prefix/" ;;
      shared/ssl_handshake) want="libvouch_ssl.so.0 => $prefix/" ;;
      *) want="" ;;
    esac
    if [ -n "$want" ]; then
      grep -qF "$want" <<<"$libs" || fail "$kind/$program does not load ${want%% *} from the prefix:"$'\n'"$libs"
    elif grep -q libvouch <<<"$libs"; then
      fail "static $program loads a shared vouch library:"$'\n'"$libs"
    fi
    if grep -q 'libssl\.so' <<<"$libs"; then fail "$kind/$program loads libssl:"$'\n'"$libs"; fi
  done
done

# ---- pkg-config --------------------------------------------------------------
pc_dir=$(dirname "$(find "$prefix" -name vouch.pc)")
export PKG_CONFIG_PATH=$pc_dir
static_libs=$(pkg-config --static --libs vouch)
for want in -lvouch -lcrypto -lpthread; do
  grep -qw -- "$want" <<<"$static_libs" || fail "pkg-config --static --libs vouch lacks $want: $static_libs"
done
logged "$work/pkg-config.log" make -C "$work/src/pkg-config" handshake handshake-static
"$work/src/pkg-config/handshake" "pkg-config, shared" || fail "pkg-config: handshake failed"
# ldd's output is read whole before it is searched, as above: with pipefail,
# `ldd | grep -q` fails at random when grep exits on its match while ldd is
# still writing (SIGPIPE) — a CI run failed that way — and, in an `if`,
# would turn a found match into "not found".
libs=$(ldd "$work/src/pkg-config/handshake")
grep -qF "libvouch.so.0 => $prefix/" <<<"$libs" ||
  fail "pkg-config: the program does not load libvouch.so.0 from the prefix:"$'\n'"$libs"
"$work/src/pkg-config/handshake-static" "pkg-config, static" ||
  fail "pkg-config: handshake-static failed"
libs=$(ldd "$work/src/pkg-config/handshake-static")
if grep -q libvouch <<<"$libs"; then
  fail "pkg-config: handshake-static loads a shared libvouch:"$'\n'"$libs"
fi
unset PKG_CONFIG_PATH

# ---- FetchContent ------------------------------------------------------------
dir=$work/fetchcontent
logged "$dir.log" cmake -S "$work/src/fetchcontent" -B "$dir" "${cmake_args[@]}" -DVOUCH_SOURCE_DIR="$src"
if grep -qi gtest "$dir/CMakeCache.txt"; then fail "FetchContent: vouch looked for GoogleTest"; fi
logged "$dir.log" cmake --build "$dir" -j "$jobs"
"$dir/handshake" "fetchcontent" || fail "fetchcontent: handshake failed"

echo "consumers: all built and ran in $((SECONDS - start)) s"
