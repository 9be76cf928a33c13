// CPU time of the calling thread, summed over chosen spans of code.
//
// The OpenSSL-API and native benchmarks run both ends of a connection in one
// thread and want only what one end's calls cost: each call on that end runs
// inside a CpuSpan, everything else (the other end, moving bytes, checks) runs
// outside. CLOCK_THREAD_CPUTIME_ID rather than a wall clock, so that time the
// thread spends descheduled on a busy machine (two cores, a fuzzer beside it)
// is not charged to the library that happened to be running.
#pragma once

#include <time.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

// Under callgrind (valgrind --tool=callgrind --collect-atstart=no), only the
// measured side's calls are collected: instruction counts of one end of a
// handshake, free of the timer's noise, to compare builds before and after
// a change. Outside valgrind the client request is a few no-op instructions.
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define VOUCH_BENCH_TOGGLE_COLLECT() CALLGRIND_TOGGLE_COLLECT
#else
#define VOUCH_BENCH_TOGGLE_COLLECT() ((void)0)
#endif

namespace vouch::bench {

/// Nanoseconds of CPU time this thread has used so far.
inline int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// Turns callgrind's collection on for its lifetime (see above); nothing
/// when `on` is false.
class CollectScope {
 public:
  explicit CollectScope(bool on = true) : on_(on) {
    if (on_) VOUCH_BENCH_TOGGLE_COLLECT();
  }
  ~CollectScope() {
    if (on_) VOUCH_BENCH_TOGGLE_COLLECT();
  }
  CollectScope(const CollectScope&) = delete;
  CollectScope& operator=(const CollectScope&) = delete;

 private:
  bool on_;
};

/// Adds the CPU time between its construction and destruction to `total`.
class CpuSpan {
 public:
  explicit CpuSpan(int64_t& total) : total_(total), start_(thread_cpu_ns()) {}
  ~CpuSpan() { total_ += thread_cpu_ns() - start_; }
  CpuSpan(const CpuSpan&) = delete;
  CpuSpan& operator=(const CpuSpan&) = delete;

 private:
  int64_t& total_;
  int64_t start_;
};

/// What a CpuSpan adds by itself: the end of its first clock read and the
/// start of its second, which are system calls (CLOCK_THREAD_CPUTIME_ID has
/// no vDSO fast path), about half a microsecond each here. Measured once per
/// process as the median over batches of empty spans. A SideMeter subtracts
/// it per span, so that an API driven through more, smaller calls (the
/// native one: pending_output, receive, consume_output) is not charged more
/// for the timer than one driven through few (SSL_do_handshake).
inline int64_t span_overhead_ns() {
  static const int64_t overhead = [] {
    constexpr int kBatches = 9;
    constexpr int kSpans = 2000;
    std::array<int64_t, kBatches> averages{};
    for (auto& average : averages) {
      int64_t total = 0;
      for (int i = 0; i < kSpans; ++i) {
        CpuSpan span(total);
      }
      average = total / kSpans;
    }
    std::sort(averages.begin(), averages.end());
    return averages[kBatches / 2];
  }();
  return overhead;
}

/// Which end of a connection a benchmark charges.
enum class Side { client, server };

/// Sums the CPU time of the calls made on one side; calls on the other side
/// run untimed. The timer's own cost per call (span_overhead_ns) is taken
/// off the sum.
class SideMeter {
 public:
  /// `collect` false: a meter for set-up work (a first handshake to resume
  /// from, a connection for the bulk rows), whose calls callgrind skips too.
  explicit SideMeter(Side measured, bool collect = true)
      : measured_(measured), collect_(collect), overhead_ns_(span_overhead_ns()) {}

  /// Runs `call`, timing it if it is made on the measured side.
  template <typename F>
  decltype(auto) on(Side side, F&& call) {
    if (side != measured_) return std::forward<F>(call)();
    ++spans_;
    CpuSpan span(ns_);
    const CollectScope collect(collect_);
    return std::forward<F>(call)();
  }

  Side measured() const { return measured_; }
  /// The calls' CPU time less the timer's; never negative.
  double seconds() const {
    const int64_t ns = ns_ - spans_ * overhead_ns_;
    return ns > 0 ? static_cast<double>(ns) * 1e-9 : 0.0;
  }

 private:
  Side measured_;
  bool collect_;
  int64_t overhead_ns_;
  int64_t ns_ = 0;
  int64_t spans_ = 0;
};

}  // namespace vouch::bench
