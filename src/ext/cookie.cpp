// cookie (RFC 8446 §4.2.2).
//
//   struct { opaque cookie<1..2^16-1>; } Cookie;
//
// Same form in HelloRetryRequest and the second ClientHello.
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_cookie(Reader& body, ExtContext, Extensions& out) {
  Bytes cookie;
  if (!body.copy_prefixed16(cookie)) return fail(Alert::decode_error, "cookie: truncated");
  if (cookie.empty()) return fail(Alert::decode_error, "cookie: empty");
  out.cookie = std::move(cookie);
  return {};
}

void write_cookie(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.cookie) put_extension(w, ExtensionType::cookie, [&] { w.vec16(*ext.cookie); });
}

}  // namespace vouch
