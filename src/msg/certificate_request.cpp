// CertificateRequest (RFC 8446 §4.3.2).
//
//   struct {
//       opaque certificate_request_context<0..2^8-1>;
//       Extension extensions<2..2^16-1>;
//   } CertificateRequest;
#include "msg/messages.h"

namespace vouch {
namespace {

constexpr size_t kMinExtensionsLength = 2;  // extensions<2..2^16-1>

}  // namespace

Status parse(ByteView body, CertificateRequest& out) {
  out = CertificateRequest{};
  Reader r(body);
  if (!r.copy_prefixed8(out.certificate_request_context))
    return fail(Alert::decode_error, "CertificateRequest: truncated certificate_request_context");
  Reader peek = r;  // Reader is a cursor by value: look at the block length
  uint16_t ext_len = 0;
  if (peek.u16(ext_len) && ext_len < kMinExtensionsLength)
    return fail(Alert::decode_error, "CertificateRequest: extensions shorter than 2 bytes");
  VOUCH_TRY(parse_extensions(r, ExtContext::certificate_request, out.ext));
  if (!r.empty()) return fail(Alert::decode_error, "CertificateRequest: trailing bytes after extensions");
  // §4.3.2: "The 'signature_algorithms' extension MUST be specified"; §4.2:
  // a mandatory extension that is missing → missing_extension.
  if (!out.ext.signature_algorithms)
    return fail(Alert::missing_extension, "CertificateRequest: no signature_algorithms extension");
  return {};
}

void write(Writer& w, const CertificateRequest& m) {
  w.vec8(m.certificate_request_context);
  write_extensions(w, ExtContext::certificate_request, m.ext);
}

}  // namespace vouch
