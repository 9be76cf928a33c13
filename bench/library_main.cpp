#include <benchmark/benchmark.h>

#include "scenarios.h"

namespace vouch::bench {

int run_benchmarks(int argc, char** argv, const char* library) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("library", library);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace vouch::bench
