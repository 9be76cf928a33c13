// libFuzzer target: the empty-body messages, ServerHelloDone (RFC 5246
// §7.4.5) and HelloRequest (§7.4.1.1). Input: the body; only an empty one
// may be accepted.
#include "fuzz_util.h"
#include "msg/messages12.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const vouch::Status st = vouch::parse_empty_body(vouch::ByteView(data, size), "ServerHelloDone");
  VOUCH_FUZZ_CHECK(st.ok() == (size == 0));
  return 0;
}
