#include <benchmark/benchmark.h>

#include <string>

#include "cpu_meter.h"
#include "scenarios.h"

namespace vouch::bench {

int run_benchmarks(int argc, char** argv, const char* library) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("library", library);
  // Measured before any row runs, and shown, since every handshake row's
  // time has it taken off once per timed call.
  benchmark::AddCustomContext("timer_overhead_ns", std::to_string(span_overhead_ns()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace vouch::bench
