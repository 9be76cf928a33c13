// libFuzzer target: the session codec (Session::deserialize, vouch/session.h),
// with the encode → decode round trip, and the sealed form's parser. Input:
// the encoded session.
#include "fuzz_util.h"
#include "vouch/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The sealed form's parser too: whatever the bytes, an error and no crash
  // (a forged tag never opens under this key).
  static const vouch::Bytes kKey(vouch::Session::kSealKeyBytes, 0x5a);
  (void)vouch::Session::deserialize(vouch::ByteView(data, size), kKey);
  auto first = vouch::Session::deserialize(vouch::ByteView(data, size));
  if (!first.ok()) return 0;
  const vouch::Bytes once = first->serialize();
  auto second = vouch::Session::deserialize(once);
  if (!second.ok()) std::fprintf(stderr, "re-decode: %s\n", second.error().to_string().c_str());
  VOUCH_FUZZ_CHECK(second.ok());
  VOUCH_FUZZ_CHECK(second->serialize() == once);
  return 0;
}
