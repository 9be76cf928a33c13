// The native twin of ssl_api_bench.cpp: the same rows (rows.h), the same
// scenarios and certificates, through vouch's native API
// (native_harness.cpp). A row's time is the CPU time spent inside the
// measured side's vouch calls: Connection::client/server and start(),
// receive(), pending_output()/consume_output(), handshake_complete(), read(),
// write(), take_sessions() and the Connection's destruction.
#include "native_harness.h"
#include "rows.h"

namespace {

struct NativeApi {
  using Contexts = vouch::bench::native::Contexts;
  using Pair = vouch::bench::native::Pair;
  using Session = vouch::bench::native::SessionPtr;
  static Contexts make(const vouch::bench::Setup& setup) { return vouch::bench::native::make_contexts(setup); }
};

}  // namespace

int main(int argc, char** argv) {
  vouch::bench::register_rows<NativeApi>();
  return vouch::bench::run_benchmarks(argc, argv, "native");
}
