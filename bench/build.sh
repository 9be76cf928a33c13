# Sourced by bench/run.sh and bench/profile.sh, after they set $here (the
# bench/ folder): what both use.
#   root      the repository
#   build     the benchmarks' build tree (VOUCH_BENCH_BUILD_DIR, default
#             <repo>/build-bench); bin, its binaries
#   api_bins  the OpenSSL-API benchmark's three builds: libssl, vouch-ssl
#             and the native twin, in the order their rows alternate
#   bench_build TARGET...  configures (Release) and builds those targets
root="$(dirname "$here")"
build="${VOUCH_BENCH_BUILD_DIR:-$root/build-bench}"
bin="$build/bin"
api_bins=(vouch_ssl_api_bench_libssl vouch_ssl_api_bench_vouch vouch_native_api_bench)

bench_build() {
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DVOUCH_BUILD_BENCH=ON -DVOUCH_BUILD_TESTS=OFF -DVOUCH_BUILD_TOOLS=OFF -DVOUCH_INTEROP_TESTS=OFF \
    >/dev/null
  cmake --build "$build" -j2 --target "$@"
}
