// renegotiation_info (RFC 5746 §3.2).
//
//   struct { opaque renegotiated_connection<0..255>; } RenegotiationInfo;
//
// Whether the contents are right (empty on an initial handshake, §3.4/§3.6)
// is for the TLS 1.2 state machines; here only the encoding is checked.
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_renegotiation_info(Reader& body, ExtContext, Extensions& out) {
  Bytes value;
  if (!body.copy_prefixed8(value))
    return fail(Alert::decode_error, "renegotiation_info: truncated renegotiated_connection");
  out.renegotiation_info = std::move(value);
  return {};
}

void write_renegotiation_info(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.renegotiation_info)
    put_extension(w, ExtensionType::renegotiation_info, [&] { w.vec8(*ext.renegotiation_info); });
}

}  // namespace vouch
