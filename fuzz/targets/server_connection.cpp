// libFuzzer target: a server Connection fed a client's bytes. Input: byte 0
// picks the server configuration (fuzz_world.h ServerKind), then chunks (see
// fuzz_world.h), each passed to one receive() — how the bytes arrive in
// pieces is part of the input. Randomness and time are deterministic
// (crypto/random.h, base/clock.h), so a client flight recorded by
// record_corpus replays exactly and the fuzzer starts from complete
// handshakes (plain, HelloRetryRequest, mutual TLS, stapled, resumed,
// TLS 1.2). VOUCH_FUZZ_VERBOSE=1 prints how each input ended.
#include <cstdio>
#include <cstdlib>

#include "fuzz_util.h"
#include "fuzz_world.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vouch::fuzz::init_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto conn = vouch::fuzz::run_server_input(vouch::ByteView(data, size));
  static const bool verbose = std::getenv("VOUCH_FUZZ_VERBOSE") != nullptr;
  if (verbose) {
    std::fprintf(stderr, "server: handshake %s, %s%s\n", conn->handshake_complete() ? "complete" : "incomplete",
                 conn->error() ? conn->error()->to_string().c_str() : "no error",
                 conn->peer_closed() ? ", peer closed" : "");
  }
  return 0;
}
