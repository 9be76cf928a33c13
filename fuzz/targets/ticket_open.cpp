// libFuzzer target: ticket decryption (TicketKeys::open, vouch/session.h)
// with the fuzz world's fixed keys — the keys that sealed the tickets the
// recorded handshakes carry — and then the contents of what opens.
// Input: the ticket as a client presents it.
#include "fuzz_util.h"
#include "fuzz_world.h"
#include "handshake/ticket.h"
#include "vouch/session.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vouch::fuzz::init_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto plain = vouch::fuzz::ticket_keys().open(vouch::ByteView(data, size));
  if (!plain.ok()) return 0;
  auto contents = vouch::decode_ticket(plain.value());
  if (contents.ok()) VOUCH_FUZZ_CHECK(vouch::encode_ticket(contents.value()) == plain.value());
  return 0;
}
