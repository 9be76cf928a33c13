// post_handshake_auth (RFC 8446 §4.2.6): "The 'extension_data' field of the
// 'post_handshake_auth' extension is zero length."
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_post_handshake_auth(Reader& body, ExtContext, Extensions& out) {
  if (!body.empty()) return fail(Alert::decode_error, "post_handshake_auth: body must be empty");
  out.post_handshake_auth = true;
  return {};
}

void write_post_handshake_auth(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.post_handshake_auth) put_extension(w, ExtensionType::post_handshake_auth, [] {});
}

}  // namespace vouch
