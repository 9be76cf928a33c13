// ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4), and the TLS
// 1.2 ServerHello (RFC 5246 §7.4.1.3).
//
//   struct {
//       ProtocolVersion legacy_version = 0x0303;
//       Random random;
//       opaque legacy_session_id_echo<0..32>;
//       CipherSuite cipher_suite;
//       uint8 legacy_compression_method = 0;
//       Extension extensions<6..2^16-1>;
//   } ServerHello;
//
// A TLS 1.2 ServerHello may omit the extensions block (RFC 5246 §7.4.1.3),
// so the <6..> minimum is not enforced; a TLS 1.3 one always carries
// supported_versions and so meets it.
#include <algorithm>

#include "msg/messages.h"

namespace vouch {

// §4.1.3: "For reasons of backward compatibility with middleboxes ... the
// HelloRetryRequest message uses the same structure as the ServerHello, but
// with Random set to the special value of the SHA-256 of 'HelloRetryRequest'".
const std::array<uint8_t, 32> kHelloRetryRequestRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

// §4.1.3: the last 8 bytes of ServerHello.random when a TLS 1.3 server
// negotiates TLS 1.2 ("44 4F 57 4E 47 52 44 01") or below ("... 00").
const std::array<uint8_t, 8> kDowngradeTls12 = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01};
const std::array<uint8_t, 8> kDowngradeTls11 = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x00};
const std::array<uint8_t, 8> kDowngradeJdk11Draft = {0xed, 0xbf, 0xb4, 0xa8, 0xc2, 0x47, 0x10, 0xff};

namespace {

Error bad(const char* what) { return fail(Alert::decode_error, std::string("ServerHello: ") + what); }

// True if the extensions block at the front of r holds supported_versions.
// A malformed block answers false; the real parse then reports it.
bool block_has_supported_versions(Reader r) {
  Reader block;
  if (!r.prefixed16(block)) return false;
  while (!block.empty()) {
    uint16_t type = 0;
    ByteView body;
    if (!block.u16(type) || !block.prefixed16(body)) return false;
    if (type == static_cast<uint16_t>(ExtensionType::supported_versions)) return true;
  }
  return false;
}

ExtContext context_for(const ServerHello& m, bool tls13) {
  if (m.is_hello_retry_request()) return ExtContext::hello_retry_request;
  return tls13 ? ExtContext::server_hello : ExtContext::server_hello12;
}

}  // namespace

Status parse(ByteView body, ServerHello& out) {
  out = ServerHello{};
  Reader r(body);
  ByteView random;
  uint16_t suite = 0;
  if (!r.u16(out.legacy_version)) return bad("truncated legacy_version");
  if (!r.bytes(out.random.size(), random)) return bad("truncated random");
  std::copy(random.begin(), random.end(), out.random.begin());
  if (!r.copy_prefixed8(out.legacy_session_id_echo)) return bad("truncated legacy_session_id_echo");
  if (out.legacy_session_id_echo.size() > kMaxSessionIdLength)
    return bad("legacy_session_id_echo longer than 32 bytes");
  if (!r.u16(suite)) return bad("truncated cipher_suite");
  out.cipher_suite = static_cast<CipherSuite>(suite);
  if (!r.u8(out.legacy_compression_method)) return bad("truncated legacy_compression_method");

  if (!r.empty()) {
    // §4.1.3/§4.2.1: supported_versions is what makes a ServerHello TLS 1.3;
    // the table that applies depends on it, so look before parsing.
    const ExtContext ctx = context_for(out, block_has_supported_versions(r));
    VOUCH_TRY(parse_extensions(r, ctx, out.ext));
  }
  if (!r.empty()) return bad("trailing bytes after extensions");
  return {};
}

void write(Writer& w, const ServerHello& m) {
  w.u16(m.legacy_version);
  w.bytes(m.random);
  w.vec8(m.legacy_session_id_echo);
  w.u16(static_cast<uint16_t>(m.cipher_suite));
  w.u8(m.legacy_compression_method);
  const size_t mark = w.size();
  write_extensions(w, context_for(m, m.ext.selected_version.has_value()), m.ext);
  // A TLS 1.2 ServerHello without extensions omits the block.
  if (w.size() == mark + 2) w.buffer().resize(mark);
}

}  // namespace vouch
