#include "handshake/ticket.h"

#include <chrono>

#include "base/clock.h"
#include "base/reader.h"
#include "base/writer.h"

namespace vouch {

namespace {
constexpr uint8_t kTicketFormat = 3;  // 3: the session id context
}

uint64_t unix_seconds_now() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   wall_clock_now().time_since_epoch())
                                   .count());
}

Bytes encode_ticket(const TicketContents& t) {
  Bytes out;
  Writer w(out);
  w.u8(kTicketFormat);
  w.u16(t.version);
  w.u16(static_cast<uint16_t>(t.cipher_suite));
  w.vec8(t.psk);
  w.u32(static_cast<uint32_t>(t.issued_at >> 32));
  w.u32(static_cast<uint32_t>(t.issued_at));
  w.u32(t.lifetime);
  w.u32(t.age_add);
  w.prefixed16([&] { w.bytes(ByteView(reinterpret_cast<const uint8_t*>(t.server_name.data()), t.server_name.size())); });
  w.prefixed8([&] { w.bytes(ByteView(reinterpret_cast<const uint8_t*>(t.alpn.data()), t.alpn.size())); });
  w.prefixed24([&] {
    for (const Bytes& c : t.client_chain) w.vec24(c);
  });
  w.vec8(t.context);
  return out;
}

Result<TicketContents> decode_ticket(ByteView plaintext) {
  Reader r(plaintext);
  TicketContents t;
  uint8_t format;
  uint16_t suite;
  uint32_t hi, lo;
  ByteView sni, alpn;
  Reader chain;
  if (!r.u8(format) || format != kTicketFormat || !r.u16(t.version) || !r.u16(suite) ||
      !r.copy_prefixed8(t.psk) || !r.u32(hi) || !r.u32(lo) || !r.u32(t.lifetime) ||
      !r.u32(t.age_add) || !r.prefixed16(sni) || !r.prefixed8(alpn) || !r.prefixed24(chain) ||
      !r.copy_prefixed8(t.context) || !r.empty())
    return fail(Alert::decode_error, "malformed session ticket");
  while (!chain.empty()) {
    Bytes c;
    if (!chain.copy_prefixed24(c) || c.empty())
      return fail(Alert::decode_error, "malformed session ticket");
    t.client_chain.push_back(std::move(c));
  }
  t.cipher_suite = static_cast<CipherSuite>(suite);
  t.issued_at = (uint64_t{hi} << 32) | lo;
  t.server_name.assign(sni.begin(), sni.end());
  t.alpn.assign(alpn.begin(), alpn.end());
  return t;
}

}  // namespace vouch
