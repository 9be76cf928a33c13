// libFuzzer target: what a vouch server seals in a session ticket
// (decode_ticket, src/handshake/ticket.h), with the encode → decode round
// trip. Input: the ticket's plaintext.
#include "fuzz_util.h"
#include "handshake/ticket.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto first = vouch::decode_ticket(vouch::ByteView(data, size));
  if (!first.ok()) return 0;
  const vouch::Bytes once = vouch::encode_ticket(first.value());
  auto second = vouch::decode_ticket(once);
  VOUCH_FUZZ_CHECK(second.ok());
  VOUCH_FUZZ_CHECK(vouch::encode_ticket(second.value()) == once);
  return 0;
}
