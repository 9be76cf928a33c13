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
FUZZ_DIR := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS ?= 30

.PHONY: all deps build build-asan build-fuzz test test-release test-asan fuzz fuzz-ci bogo bogo-all demo bench profile load clean

all: build

deps:
	@scripts/install-deps.sh

# Release build: the library, the `vouch` tool (build/bin/vouch), all tests
# and the benchmarks, whose smoke runs (ctest label bench-smoke) are part of
# the Release suite; the ASan build leaves them out (sanitizers distort both
# the times and the heap figures, and its stage is the slowest already).
build: deps
	cmake -S . -B $(BUILD_DIR) $(GEN) -DCMAKE_BUILD_TYPE=Release -DVOUCH_BUILD_BENCH=ON
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

# The libFuzzer targets of fuzz/ (clang-14, ASan + UBSan, deterministic
# randomness and clock: VOUCH_FUZZING), one per parser and per connection role.
build-fuzz: deps
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_DIR) $(GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
	  -DVOUCH_FUZZING=ON -DVOUCH_BUILD_TESTS=OFF -DVOUCH_BUILD_TOOLS=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS)

# Every target for FUZZ_SECONDS (default 60), starting from its committed
# corpus and what earlier runs found (kept in build-fuzz/fuzz-work/).
fuzz: build-fuzz
	fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# What `make test` runs: each target over its committed corpus and nothing
# else, then FUZZ_CI_SECONDS (30) of exploration; any crash, leak, timeout or
# out-of-memory fails.
fuzz-ci: build-fuzz
	fuzz/run.sh --fresh $(FUZZ_DIR) $(FUZZ_CI_SECONDS)

# BoGo, BoringSSL's TLS test runner (its pack lives beside the checkout, in
# ../shared/bogo): builds the runner (Go, installed by
# scripts/install-bogo-deps.sh) and runs vouch's shim (tests/bogo/) through
# the client-certificate and OCSP families; tests/bogo/config.json disables,
# with reasons, what vouch does not implement. `make bogo-all` runs every test.
bogo: build
	@scripts/install-bogo-deps.sh
	scripts/bogo.sh $(BUILD_DIR) subset

bogo-all: build
	@scripts/install-bogo-deps.sh
	scripts/bogo.sh $(BUILD_DIR) all

# Every test: sanitizer run of the in-process suites first, the fuzz targets
# over their corpora with a short exploration, BoGo's client-certificate and
# OCSP families, then the full Release suite (unit, vectors, loopback,
# interop with real peers). The last lines are ctest's summary of the full
# suite.
test: test-asan fuzz-ci bogo test-release

# Mutual TLS in one process, then OCSP stapling with real processes (a
# responder, `vouch serve --staple auto`, `vouch connect --ocsp require`).
demo: build
	$(BUILD_DIR)/bin/vouch demo
	scripts/demo-ocsp.sh $(BUILD_DIR)/bin

# Benchmarks, vouch and libssl side by side in one run, with ratios.
bench: deps
	bench/run.sh

# Instructions per handshake under callgrind, libssl / vouch-ssl / native,
# split into public-key crypto, HMAC, AEAD, the rest of libcrypto, libc and
# the library's own code (bench/profile.sh).
profile: deps
	bench/profile.sh

# `vouch serve` under 10,000 concurrent idle TLS connections (tools/load):
# failures, handshake p99, server RSS per connection and after close.
LOAD_CONNECTIONS ?= 10000
load: build
	scripts/load.sh $(BUILD_DIR) $(LOAD_CONNECTIONS)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
