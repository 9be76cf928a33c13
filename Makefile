# vouch — the two commands a newcomer runs: `make demo` and `make test`.
# Each installs missing Debian packages (as root) before building.

JOBS ?= $(shell nproc)
# ccache keys relative to the checkout, so that every clone (CI makes a new
# one each run) reuses what an earlier build of the same sources compiled.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true
GEN := -G Ninja
BUILD_DIR := build
ASAN_DIR := build-asan

.PHONY: all deps build build-asan test test-release test-asan demo bench clean

all: build

deps:
	@scripts/install-deps.sh

# Release build: the library, the `vouch` tool (build/bin/vouch) and all tests.
build: deps
	cmake -S . -B $(BUILD_DIR) $(GEN) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD_DIR) -j $(JOBS)

# ASan+UBSan build of the library and the in-process tests.
build-asan: deps
	cmake -S . -B $(ASAN_DIR) $(GEN) -DCMAKE_BUILD_TYPE=Debug -DVOUCH_SANITIZE=ON \
	  -DVOUCH_BUILD_TOOLS=OFF -DVOUCH_INTEROP_TESTS=OFF
	cmake --build $(ASAN_DIR) -j $(JOBS)

test-asan: build-asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) --timeout 300

test-release: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 300

# Every test: sanitizer run of the in-process suites first, then the full
# Release suite (unit, vectors, loopback, interop with real peers). The last
# lines are ctest's summary of the full suite.
test: test-asan test-release

# Mutual TLS in one process, then OCSP stapling with real processes (a
# responder, `vouch serve --staple auto`, `vouch connect --ocsp require`).
demo: build
	$(BUILD_DIR)/bin/vouch demo
	scripts/demo-ocsp.sh $(BUILD_DIR)/bin

# Benchmarks, vouch and libssl side by side in one run, with ratios.
bench: deps
	bench/run.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
