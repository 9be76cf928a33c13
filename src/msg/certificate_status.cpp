// CertificateStatus (RFC 6066 §8), the TLS 1.2 handshake message that
// carries a stapled OCSP response. (In TLS 1.3 the same structure travels in
// the status_request extension of a CertificateEntry, RFC 8446 §4.4.2.1; see
// src/ext/status_request.cpp.)
//
//   enum { ocsp(1), (255) } CertificateStatusType;
//   struct {
//       CertificateStatusType status_type;
//       select (status_type) {
//           case ocsp: OCSPResponse;
//       } response;
//   } CertificateStatus;
//   opaque OCSPResponse<1..2^24-1>;
//
// The response is kept as DER bytes; judging it is src/cert's job.
#include "msg/messages12.h"

namespace vouch {
namespace {

constexpr uint8_t kStatusTypeOcsp = 1;         // CertificateStatusType ocsp(1)
constexpr size_t kMinOcspResponseLength = 1;   // OCSPResponse<1..2^24-1>

}  // namespace

Status parse(ByteView body, CertificateStatus& out) {
  out = CertificateStatus{};
  Reader r(body);
  uint8_t status_type = 0;
  if (!r.u8(status_type)) return fail(Alert::decode_error, "CertificateStatus: truncated status_type");
  // vouch only ever sends a status_request of type ocsp (RFC 6066 §8), so an
  // answer of any other type is a value the server was not allowed to choose;
  // its body has no structure we could decode anyway.
  if (status_type != kStatusTypeOcsp)
    return fail(Alert::illegal_parameter,
                "CertificateStatus: status_type " + std::to_string(status_type) + " is not ocsp(1)");
  if (!r.copy_prefixed24(out.ocsp_response))
    return fail(Alert::decode_error, "CertificateStatus: truncated OCSPResponse");
  if (out.ocsp_response.size() < kMinOcspResponseLength)
    return fail(Alert::decode_error, "CertificateStatus: empty OCSPResponse");
  if (!r.empty()) return fail(Alert::decode_error, "CertificateStatus: trailing bytes after OCSPResponse");
  return {};
}

void write(Writer& w, const CertificateStatus& m) {
  w.u8(kStatusTypeOcsp);
  w.vec24(m.ocsp_response);
}

}  // namespace vouch
