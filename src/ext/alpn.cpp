// application_layer_protocol_negotiation (RFC 7301 §3.1).
//
//   opaque ProtocolName<1..2^8-1>;
//   struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
//
// ClientHello: the offered list. EncryptedExtensions / TLS 1.2 ServerHello:
// "The 'ProtocolNameList' MUST contain exactly one 'ProtocolName'."
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_alpn(Reader& body, ExtContext ctx, Extensions& out) {
  Reader list;
  if (!body.prefixed16(list)) return fail(Alert::decode_error, "alpn: truncated protocol_name_list");
  if (list.empty()) return fail(Alert::decode_error, "alpn: empty protocol_name_list");
  std::vector<std::string> names;
  while (!list.empty()) {
    ByteView name;
    if (!list.prefixed8(name)) return fail(Alert::decode_error, "alpn: truncated ProtocolName");
    if (name.empty()) return fail(Alert::decode_error, "alpn: empty ProtocolName");
    names.emplace_back(name.begin(), name.end());
  }
  if (ctx != ExtContext::client_hello && names.size() != 1)
    return fail(Alert::decode_error, "alpn: the server must select exactly one protocol");
  out.alpn = std::move(names);
  return {};
}

void write_alpn(Writer& w, ExtContext, const Extensions& ext) {
  if (!ext.alpn) return;
  put_extension(w, ExtensionType::application_layer_protocol_negotiation, [&] {
    w.prefixed16([&] {
      for (const std::string& name : *ext.alpn) {
        w.prefixed8([&] {
          for (char c : name) w.u8(static_cast<uint8_t>(c));
        });
      }
    });
  });
}

}  // namespace vouch
