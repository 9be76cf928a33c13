// libFuzzer target: the handshake message reassembler (RFC 8446 §5.1:
// messages spanning records or sharing one). Input: byte 0 picks the
// largest body accepted, then chunks (see fuzz_world.h), each one handshake
// record's plaintext, added in turn with every message they complete taken
// out.
#include "fuzz_util.h"
#include "fuzz_world.h"
#include "record/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static constexpr size_t kMaxBodies[] = {size_t{1} << 17, 64, 1024, size_t{1} << 14};
  const size_t max_body = kMaxBodies[data[0] % std::size(kMaxBodies)];
  vouch::HandshakeAssembler assembler(max_body);
  vouch::fuzz::Chunks chunks(vouch::ByteView(data + 1, size - 1));
  while (auto chunk = chunks.next()) {
    if (!assembler.add(*chunk).ok()) return 0;
    while (auto m = assembler.next()) {
      VOUCH_FUZZ_CHECK(m->body.size() <= max_body);
      VOUCH_FUZZ_CHECK(m->message.size() == m->body.size() + 4);
      VOUCH_FUZZ_CHECK(m->message[0] == m->type);
      VOUCH_FUZZ_CHECK(m->message.data() + 4 == m->body.data());
    }
    // With every complete message taken out, what remains is part of one
    // message or nothing: mid_message() (RFC 8446 §5.1, no other record
    // between the fragments) must agree with empty().
    VOUCH_FUZZ_CHECK(assembler.mid_message() == !assembler.empty());
  }
  return 0;
}
