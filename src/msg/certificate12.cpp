// Certificate in TLS 1.2 (RFC 5246 §7.4.2 from the server, §7.4.6 from the
// client).
//
//   opaque ASN.1Cert<1..2^24-1>;
//   struct {
//       ASN.1Cert certificate_list<0..2^24-1>;
//   } Certificate;
//
// Unlike TLS 1.3 (RFC 8446 §4.4.2) there is no certificate_request_context
// and no per-certificate extensions: the list is a plain sequence of DER
// certificates, sender's certificate first (§7.4.2).
#include "msg/messages12.h"

namespace vouch {
namespace {

constexpr size_t kMinAsn1CertLength = 1;  // ASN.1Cert<1..2^24-1>

}  // namespace

Status parse(ByteView body, Certificate12& out) {
  out = Certificate12{};
  Reader r(body);
  Reader list;
  if (!r.prefixed24(list)) return fail(Alert::decode_error, "Certificate: truncated certificate_list");
  if (!r.empty()) return fail(Alert::decode_error, "Certificate: trailing bytes after certificate_list");
  // An empty list is well-formed: §7.4.6 "If no suitable certificate is
  // available, the client MUST send a certificate message containing no
  // certificates." Whether that is acceptable is the state machine's call.
  while (!list.empty()) {
    Bytes cert;
    if (!list.copy_prefixed24(cert))
      return fail(Alert::decode_error, "Certificate: ASN.1Cert length overruns certificate_list");
    if (cert.size() < kMinAsn1CertLength) return fail(Alert::decode_error, "Certificate: empty ASN.1Cert");
    out.certificate_list.push_back(std::move(cert));
  }
  return {};
}

void write(Writer& w, const Certificate12& m) {
  w.prefixed24([&] {
    for (const Bytes& cert : m.certificate_list) w.vec24(cert);
  });
}

}  // namespace vouch
