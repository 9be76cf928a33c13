// EncryptedExtensions (RFC 8446 §4.3.1).
//
//   struct { Extension extensions<0..2^16-1>; } EncryptedExtensions;
#include "msg/messages.h"

namespace vouch {

Status parse(ByteView body, EncryptedExtensions& out) {
  out = EncryptedExtensions{};
  Reader r(body);
  VOUCH_TRY(parse_extensions(r, ExtContext::encrypted_extensions, out.ext));
  if (!r.empty()) return fail(Alert::decode_error, "EncryptedExtensions: trailing bytes after extensions");
  return {};
}

void write(Writer& w, const EncryptedExtensions& m) { write_extensions(w, ExtContext::encrypted_extensions, m.ext); }

}  // namespace vouch
