// ClientHello (RFC 8446 §4.1.2; RFC 5246 §7.4.1.2 for the TLS 1.2 form).
//
//   struct {
//       ProtocolVersion legacy_version = 0x0303;
//       Random random;
//       opaque legacy_session_id<0..32>;
//       CipherSuite cipher_suites<2..2^16-2>;
//       opaque legacy_compression_methods<1..2^8-1>;
//       Extension extensions<8..2^16-1>;
//   } ClientHello;
//
// The extensions block may be absent altogether in a TLS 1.2 ClientHello
// (RFC 5246 §7.4.1.2: "the presence of extensions can be detected by
// determining whether there are bytes following the compression_methods"),
// and a TLS 1.2 client may send fewer than 8 bytes of them, so neither is an
// error here; a TLS 1.3 offer without its mandatory extensions is rejected by
// the server state machine (missing_extension).
#include <algorithm>

#include "msg/messages.h"

namespace vouch {
namespace {

Error bad(const char* what) { return fail(Alert::decode_error, std::string("ClientHello: ") + what); }

}  // namespace

Status parse(ByteView body, ClientHello& out) {
  out = ClientHello{};
  Reader r(body);
  ByteView random;
  if (!r.u16(out.legacy_version)) return bad("truncated legacy_version");
  if (!r.bytes(out.random.size(), random)) return bad("truncated random");
  std::copy(random.begin(), random.end(), out.random.begin());
  if (!r.copy_prefixed8(out.legacy_session_id)) return bad("truncated legacy_session_id");
  if (out.legacy_session_id.size() > kMaxSessionIdLength) return bad("legacy_session_id longer than 32 bytes");

  Reader suites;
  if (!r.prefixed16(suites)) return bad("truncated cipher_suites");
  if (suites.empty()) return bad("empty cipher_suites");
  if (suites.remaining() % 2 != 0) return bad("cipher_suites has odd length");
  out.cipher_suites.reserve(suites.remaining() / 2);
  uint16_t s = 0;
  while (suites.u16(s)) out.cipher_suites.push_back(static_cast<CipherSuite>(s));

  if (!r.copy_prefixed8(out.legacy_compression_methods)) return bad("truncated legacy_compression_methods");
  if (out.legacy_compression_methods.empty()) return bad("empty legacy_compression_methods");

  if (!r.empty()) VOUCH_TRY(parse_extensions(r, ExtContext::client_hello, out.ext, &out.binders_length));
  if (!r.empty()) return bad("trailing bytes after extensions");
  return {};
}

void write(Writer& w, const ClientHello& m, size_t* binders_offset) {
  w.u16(m.legacy_version);
  w.bytes(m.random);
  w.vec8(m.legacy_session_id);
  w.prefixed16([&] {
    for (CipherSuite s : m.cipher_suites) w.u16(static_cast<uint16_t>(s));
  });
  w.vec8(m.legacy_compression_methods);
  const size_t mark = w.size();
  write_extensions(w, ExtContext::client_hello, m.ext, binders_offset);
  // No extensions at all: omit the block, as a TLS 1.2 client without
  // extensions does, so such a ClientHello re-serialises unchanged.
  if (w.size() == mark + 2) w.buffer().resize(mark);
}

}  // namespace vouch
