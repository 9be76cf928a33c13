// early_data (RFC 8446 §4.2.10).
//
//   struct {} Empty;
//   struct { select (Handshake.msg_type) {
//       case new_session_ticket:   uint32 max_early_data_size;
//       case client_hello:         Empty;
//       case encrypted_extensions: Empty;
//   }; } EarlyDataIndication;
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_early_data(Reader& body, ExtContext ctx, Extensions& out) {
  if (ctx == ExtContext::new_session_ticket) {
    uint32_t size = 0;
    if (!body.u32(size)) return fail(Alert::decode_error, "early_data: truncated max_early_data_size");
    out.max_early_data_size = size;
    return {};
  }
  if (!body.empty()) return fail(Alert::decode_error, "early_data: body must be empty");
  out.early_data = true;
  return {};
}

void write_early_data(Writer& w, ExtContext ctx, const Extensions& ext) {
  if (ctx == ExtContext::new_session_ticket) {
    if (ext.max_early_data_size) put_extension(w, ExtensionType::early_data, [&] { w.u32(*ext.max_early_data_size); });
    return;
  }
  if (ext.early_data) put_extension(w, ExtensionType::early_data, [] {});
}

}  // namespace vouch
