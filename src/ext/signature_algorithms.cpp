// signature_algorithms and signature_algorithms_cert (RFC 8446 §4.2.3).
//
//   struct { SignatureScheme supported_signature_algorithms<2..2^16-2>; } SignatureSchemeList;
//
// Both extensions carry a SignatureSchemeList, in ClientHello and
// CertificateRequest alike.
#include "ext/extension_codecs.h"

namespace vouch {
namespace {

Status parse_list(Reader& body, const char* name, std::optional<std::vector<SignatureScheme>>& out) {
  Reader list;
  if (!body.prefixed16(list))
    return fail(Alert::decode_error, std::string(name) + ": truncated supported_signature_algorithms");
  if (list.empty()) return fail(Alert::decode_error, std::string(name) + ": empty list");
  if (list.remaining() % 2 != 0) return fail(Alert::decode_error, std::string(name) + ": odd length");
  std::vector<SignatureScheme> schemes;
  schemes.reserve(list.remaining() / 2);  // one allocation, not one per doubling
  uint16_t s = 0;
  while (list.u16(s)) schemes.push_back(static_cast<SignatureScheme>(s));
  out = std::move(schemes);
  return {};
}

void write_list(Writer& w, ExtensionType type, const std::vector<SignatureScheme>& schemes) {
  put_extension(w, type, [&] {
    w.prefixed16([&] {
      for (SignatureScheme s : schemes) w.u16(static_cast<uint16_t>(s));
    });
  });
}

}  // namespace

Status parse_signature_algorithms(Reader& body, ExtContext, Extensions& out) {
  return parse_list(body, "signature_algorithms", out.signature_algorithms);
}

void write_signature_algorithms(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.signature_algorithms) write_list(w, ExtensionType::signature_algorithms, *ext.signature_algorithms);
}

Status parse_signature_algorithms_cert(Reader& body, ExtContext, Extensions& out) {
  return parse_list(body, "signature_algorithms_cert", out.signature_algorithms_cert);
}

void write_signature_algorithms_cert(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.signature_algorithms_cert)
    write_list(w, ExtensionType::signature_algorithms_cert, *ext.signature_algorithms_cert);
}

}  // namespace vouch
