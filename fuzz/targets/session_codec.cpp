// libFuzzer target: the session codec (decode_session, vouch/session.h),
// with the encode → decode round trip. Input: the encoded session.
#include "fuzz_util.h"
#include "vouch/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto first = vouch::decode_session(vouch::ByteView(data, size));
  if (!first.ok()) return 0;
  const vouch::Bytes once = vouch::encode_session(first.value());
  auto second = vouch::decode_session(once);
  if (!second.ok()) std::fprintf(stderr, "re-decode: %s\n", second.error().to_string().c_str());
  VOUCH_FUZZ_CHECK(second.ok());
  VOUCH_FUZZ_CHECK(vouch::encode_session(second.value()) == once);
  return 0;
}
