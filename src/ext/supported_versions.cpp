// supported_versions (RFC 8446 §4.2.1).
//
//   struct { select (Handshake.msg_type) {
//       case client_hello: ProtocolVersion versions<2..254>;
//       case server_hello: /* and HelloRetryRequest */ ProtocolVersion selected_version;
//   }; } SupportedVersions;
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_supported_versions(Reader& body, ExtContext ctx, Extensions& out) {
  if (ctx != ExtContext::client_hello) {
    uint16_t v = 0;
    if (!body.u16(v)) return fail(Alert::decode_error, "supported_versions: truncated selected_version");
    out.selected_version = static_cast<ProtocolVersion>(v);
    return {};
  }
  Reader list;
  if (!body.prefixed8(list)) return fail(Alert::decode_error, "supported_versions: truncated versions");
  if (list.empty()) return fail(Alert::decode_error, "supported_versions: empty versions");
  // <2..254>: 255 bytes cannot be a whole number of versions either.
  if (list.remaining() % 2 != 0 || list.remaining() > 254)
    return fail(Alert::decode_error, "supported_versions: odd length");
  std::vector<ProtocolVersion> versions;
  versions.reserve(list.remaining() / 2);
  uint16_t v = 0;
  while (list.u16(v)) versions.push_back(static_cast<ProtocolVersion>(v));
  out.supported_versions = std::move(versions);
  return {};
}

void write_supported_versions(Writer& w, ExtContext ctx, const Extensions& ext) {
  if (ctx == ExtContext::client_hello) {
    if (!ext.supported_versions) return;
    put_extension(w, ExtensionType::supported_versions, [&] {
      w.prefixed8([&] {
        for (ProtocolVersion v : *ext.supported_versions) w.u16(static_cast<uint16_t>(v));
      });
    });
    return;
  }
  if (ext.selected_version)
    put_extension(w, ExtensionType::supported_versions, [&] { w.u16(static_cast<uint16_t>(*ext.selected_version)); });
}

}  // namespace vouch
