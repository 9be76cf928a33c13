// libFuzzer target: the Finished parser (RFC 8446 §4.4.4; RFC 5246 §7.4.9),
// with the round trip. Input: byte 0 picks the verify_data length (12 for
// TLS 1.2, 32 or 48 for the TLS 1.3 hashes), then the body.
#include "fuzz_util.h"
#include "msg/messages.h"
#include "msg/messages12.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr size_t kLengths[] = {vouch::kFinished12Length, 32, 48};
  const size_t hash_length = kLengths[data[0] % 3];
  vouch::fuzz::check_round_trip<vouch::Finished>(
      vouch::ByteView(data + 1, size - 1),
      [&](vouch::ByteView b, vouch::Finished& m) { return vouch::parse(b, hash_length, m); },
      [](vouch::Writer& w, const vouch::Finished& m) { vouch::write(w, m); });
  return 0;
}
