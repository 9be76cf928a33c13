// CertificateVerify (RFC 8446 §4.4.3).
//
//   struct {
//       SignatureScheme algorithm;
//       opaque signature<0..2^16-1>;
//   } CertificateVerify;
#include <string_view>

#include "msg/messages.h"

namespace vouch {

Status parse(ByteView body, CertificateVerify& out) {
  out = CertificateVerify{};
  Reader r(body);
  uint16_t algorithm = 0;
  if (!r.u16(algorithm)) return fail(Alert::decode_error, "CertificateVerify: truncated algorithm");
  out.algorithm = static_cast<SignatureScheme>(algorithm);
  if (!r.copy_prefixed16(out.signature)) return fail(Alert::decode_error, "CertificateVerify: truncated signature");
  if (!r.empty()) return fail(Alert::decode_error, "CertificateVerify: trailing bytes after signature");
  return {};
}

void write(Writer& w, const CertificateVerify& m) {
  w.u16(static_cast<uint16_t>(m.algorithm));
  w.vec16(m.signature);
}

// §4.4.3: "The digital signature is then computed over the concatenation of:
//  - A string that consists of octet 32 (0x20) repeated 64 times
//  - The context string
//  - A single 0 byte which serves as the separator
//  - The content to be signed" (the transcript hash).
// The context strings are "TLS 1.3, server CertificateVerify" and
// "TLS 1.3, client CertificateVerify".
Bytes certificate_verify_input(bool server, ByteView transcript_hash) {
  constexpr size_t kPadLength = 64;
  const std::string_view context = server ? "TLS 1.3, server CertificateVerify" : "TLS 1.3, client CertificateVerify";
  Bytes out(kPadLength, 0x20);
  out.insert(out.end(), context.begin(), context.end());
  out.push_back(0x00);
  out.insert(out.end(), transcript_hash.begin(), transcript_hash.end());
  return out;
}

}  // namespace vouch
