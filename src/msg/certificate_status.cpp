// CertificateStatus (RFC 6066 §8, extended by RFC 6961 §2.2), the TLS 1.2
// handshake message that carries stapled OCSP responses. (In TLS 1.3 the
// same structure travels in the status_request extension of each
// CertificateEntry, RFC 8446 §4.4.2.1; see src/ext/status_request.cpp.)
//
//   enum { ocsp(1), ocsp_multi(2), (255) } CertificateStatusType;
//   struct {
//       CertificateStatusType status_type;
//       select (status_type) {
//           case ocsp: OCSPResponse;
//           case ocsp_multi: OCSPResponseList;
//       } response;
//   } CertificateStatus;
//   opaque OCSPResponse<0..2^24-1>;
//   struct { OCSPResponse ocsp_response_list<1..2^24-1>; } OCSPResponseList;
//
// RFC 6961 §2.2: "Only one OCSP response, with a length of at least one
// byte, may be sent for status_type "ocsp"" (RFC 6066 §8's
// OCSPResponse<1..2^24-1>); the entries of an ocsp_response_list may be
// empty ("if the server does not have the OCSP response for that particular
// certificate").
//
// The responses are kept as DER bytes; judging them is src/cert's job.
#include "msg/messages12.h"

namespace vouch {
namespace {

constexpr size_t kMinOcspResponseLength = 1;  // for status_type ocsp
constexpr size_t kLength24 = 3;               // a uint24 length prefix

Status parse_single(Reader& r, CertificateStatus& out) {
  if (!r.copy_prefixed24(out.ocsp_response))
    return fail(Alert::decode_error, "CertificateStatus: truncated OCSPResponse");
  if (out.ocsp_response.size() < kMinOcspResponseLength)
    return fail(Alert::decode_error, "CertificateStatus: empty OCSPResponse");
  return {};
}

Status parse_list(Reader& r, CertificateStatus& out) {
  Reader list;
  if (!r.prefixed24(list)) return fail(Alert::decode_error, "CertificateStatus: truncated ocsp_response_list");
  // ocsp_response_list<1..2^24-1>: at least one (possibly empty) entry.
  if (list.empty()) return fail(Alert::decode_error, "CertificateStatus: empty ocsp_response_list");
  // Every entry takes at least its three length bytes, so the loop ends.
  while (!list.empty()) {
    Bytes entry;
    if (!list.copy_prefixed24(entry))
      return fail(Alert::decode_error, "CertificateStatus: an OCSPResponse runs past the ocsp_response_list");
    out.ocsp_response_list.push_back(std::move(entry));
  }
  return {};
}

}  // namespace

Status parse(ByteView body, CertificateStatus& out) {
  out = CertificateStatus{};
  Reader r(body);
  uint8_t status_type = 0;
  if (!r.u8(status_type)) return fail(Alert::decode_error, "CertificateStatus: truncated status_type");
  if (status_type == static_cast<uint8_t>(CertificateStatusType::ocsp)) {
    out.status_type = CertificateStatusType::ocsp;
    VOUCH_TRY(parse_single(r, out));
  } else if (status_type == static_cast<uint8_t>(CertificateStatusType::ocsp_multi)) {
    out.status_type = CertificateStatusType::ocsp_multi;
    VOUCH_TRY(parse_list(r, out));
  } else {
    // vouch only ever asks for ocsp and ocsp_multi (RFC 6066 §8, RFC 6961
    // §2.2), so any other type is a value the server was not allowed to
    // choose; its body has no structure we could decode anyway.
    return fail(Alert::illegal_parameter, "CertificateStatus: status_type " + std::to_string(status_type) +
                                              " is neither ocsp(1) nor ocsp_multi(2)");
  }
  if (!r.empty()) return fail(Alert::decode_error, "CertificateStatus: trailing bytes after the response");
  return {};
}

void write(Writer& w, const CertificateStatus& m) {
  w.u8(static_cast<uint8_t>(m.status_type));
  if (m.status_type == CertificateStatusType::ocsp) {
    w.vec24(m.ocsp_response);
    return;
  }
  w.prefixed24([&] {
    for (const Bytes& entry : m.ocsp_response_list) w.vec24(entry);
  });
}

size_t certificate_status_body_size(const CertificateStatus& m) {
  size_t n = 1 + kLength24;
  if (m.status_type == CertificateStatusType::ocsp) return n + m.ocsp_response.size();
  for (const Bytes& entry : m.ocsp_response_list) n += kLength24 + entry.size();
  return n;
}

}  // namespace vouch
