// certificate_authorities (RFC 8446 §4.2.4).
//
//   opaque DistinguishedName<1..2^16-1>;
//   struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
//
// The names stay DER bytes here; decoding them is the certificate layer's job.
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_certificate_authorities(Reader& body, ExtContext, Extensions& out) {
  Reader list;
  if (!body.prefixed16(list)) return fail(Alert::decode_error, "certificate_authorities: truncated authorities");
  // Any non-empty list of non-empty names is at least 3 bytes long, so the
  // <3..> minimum reduces to "not empty".
  if (list.empty()) return fail(Alert::decode_error, "certificate_authorities: empty authorities");
  std::vector<Bytes> names;
  while (!list.empty()) {
    Bytes dn;
    if (!list.copy_prefixed16(dn))
      return fail(Alert::decode_error, "certificate_authorities: truncated DistinguishedName");
    if (dn.empty()) return fail(Alert::decode_error, "certificate_authorities: empty DistinguishedName");
    names.push_back(std::move(dn));
  }
  out.certificate_authorities = std::move(names);
  return {};
}

void write_certificate_authorities(Writer& w, ExtContext, const Extensions& ext) {
  if (!ext.certificate_authorities) return;
  put_extension(w, ExtensionType::certificate_authorities, [&] {
    w.prefixed16([&] {
      for (const Bytes& dn : *ext.certificate_authorities) w.vec16(dn);
    });
  });
}

}  // namespace vouch
