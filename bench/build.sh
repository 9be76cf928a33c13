# Sourced by bench/run.sh and bench/profile.sh: configures and builds the
# benchmarks (Release) in $build. Expects $root and $build; builds the
# targets given as arguments.
bench_build() {
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DVOUCH_BUILD_BENCH=ON -DVOUCH_BUILD_TESTS=OFF -DVOUCH_BUILD_TOOLS=OFF -DVOUCH_INTEROP_TESTS=OFF \
    >/dev/null
  cmake --build "$build" -j2 --target "$@"
}
