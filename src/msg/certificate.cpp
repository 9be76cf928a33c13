// Certificate (RFC 8446 §4.4.2), X.509 form only (vouch does not negotiate
// raw public keys, RFC 7250).
//
//   struct {
//       opaque cert_data<1..2^24-1>;
//       Extension extensions<0..2^16-1>;
//   } CertificateEntry;
//   struct {
//       opaque certificate_request_context<0..2^8-1>;
//       CertificateEntry certificate_list<0..2^24-1>;
//   } Certificate;
//
// Each entry's extensions are parsed with the CT column of the §4.2 table.
// §4.4.2: "Extensions in the Certificate message from the server MUST
// correspond to ones from the ClientHello message", so an unknown one is an
// unrequested response → unsupported_extension (the table's rule).
#include "msg/messages.h"

namespace vouch {

Status parse(ByteView body, Certificate& out) {
  out = Certificate{};
  Reader r(body);
  if (!r.copy_prefixed8(out.certificate_request_context))
    return fail(Alert::decode_error, "Certificate: truncated certificate_request_context");
  Reader list;
  if (!r.prefixed24(list)) return fail(Alert::decode_error, "Certificate: truncated certificate_list");
  if (!r.empty()) return fail(Alert::decode_error, "Certificate: trailing bytes after certificate_list");
  while (!list.empty()) {
    CertificateEntry entry;
    if (!list.copy_prefixed24(entry.cert_data)) return fail(Alert::decode_error, "Certificate: truncated cert_data");
    if (entry.cert_data.empty()) return fail(Alert::decode_error, "Certificate: empty cert_data");
    VOUCH_TRY(parse_extensions(list, ExtContext::certificate, entry.ext));
    out.certificate_list.push_back(std::move(entry));
  }
  return {};
}

void write(Writer& w, const Certificate& m) {
  w.vec8(m.certificate_request_context);
  w.prefixed24([&] {
    for (const CertificateEntry& e : m.certificate_list) {
      w.vec24(e.cert_data);
      write_extensions(w, ExtContext::certificate, e.ext);
    }
  });
}

}  // namespace vouch
