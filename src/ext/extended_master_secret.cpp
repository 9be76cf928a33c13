// extended_master_secret (RFC 7627 §5.1): "The 'extension_data' field of
// this extension is empty", in ClientHello and ServerHello alike.
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_extended_master_secret(Reader& body, ExtContext, Extensions& out) {
  if (!body.empty()) return fail(Alert::decode_error, "extended_master_secret: body must be empty");
  out.extended_master_secret = true;
  return {};
}

void write_extended_master_secret(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.extended_master_secret) put_extension(w, ExtensionType::extended_master_secret, [] {});
}

}  // namespace vouch
