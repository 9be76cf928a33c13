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

#include <cstdint>
#include <utility>

namespace vouch::bench {

/// Nanoseconds of CPU time this thread has used so far.
inline int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

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

/// Which end of a connection a benchmark charges.
enum class Side { client, server };

/// Sums the CPU time of the calls made on one side; calls on the other side
/// run untimed. Each timed call costs two clock reads (a system call each,
/// well under a microsecond), charged alike to every library.
class SideMeter {
 public:
  explicit SideMeter(Side measured) : measured_(measured) {}

  /// Runs `call`, timing it if it is made on the measured side.
  template <typename F>
  decltype(auto) on(Side side, F&& call) {
    if (side != measured_) return std::forward<F>(call)();
    CpuSpan span(ns_);
    return std::forward<F>(call)();
  }

  Side measured() const { return measured_; }
  double seconds() const { return static_cast<double>(ns_) * 1e-9; }

 private:
  Side measured_;
  int64_t ns_ = 0;
};

}  // namespace vouch::bench
