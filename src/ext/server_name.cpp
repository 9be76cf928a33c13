// server_name (RFC 6066 §3).
//
//   struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
//   opaque HostName<1..2^16-1>;
//   struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
//
// ClientHello: a ServerNameList. EncryptedExtensions / TLS 1.2 ServerHello:
// "the 'extension_data' field of this extension SHALL be empty".
#include <algorithm>

#include "ext/extension_codecs.h"

namespace vouch {

Status parse_server_name(Reader& body, ExtContext ctx, Extensions& out) {
  if (ctx != ExtContext::client_hello) {
    if (!body.empty()) return fail(Alert::decode_error, "server_name: the server's acknowledgement must be empty");
    out.server_name_ack = true;
    return {};
  }
  Reader list;
  if (!body.prefixed16(list)) return fail(Alert::decode_error, "server_name: truncated server_name_list");
  if (list.empty()) return fail(Alert::decode_error, "server_name: empty server_name_list");
  while (!list.empty()) {
    uint8_t name_type = 0;
    ByteView name;
    // Every NameType's data begins with a 16-bit length ("all future data
    // structures associated with new NameTypes MUST begin with a 16-bit
    // length field"), so an unknown type can be stepped over.
    if (!list.u8(name_type) || !list.prefixed16(name))
      return fail(Alert::decode_error, "server_name: truncated ServerName");
    if (name_type != 0) continue;  // not host_name: not ours to interpret
    if (name.empty()) return fail(Alert::decode_error, "server_name: empty HostName");
    if (out.server_name)
      return fail(Alert::illegal_parameter, "server_name: more than one host_name (RFC 6066 §3 forbids it)");
    // An embedded NUL would make the name differ between this std::string and
    // the C string handed out by the compat layer (SSL_get_servername).
    if (std::find(name.begin(), name.end(), uint8_t{0}) != name.end())
      return fail(Alert::illegal_parameter, "server_name: host_name contains a NUL byte");
    out.server_name = std::string(name.begin(), name.end());
  }
  return {};
}

void write_server_name(Writer& w, ExtContext ctx, const Extensions& ext) {
  if (ctx == ExtContext::client_hello) {
    if (!ext.server_name) return;
    put_extension(w, ExtensionType::server_name, [&] {
      w.prefixed16([&] {
        w.u8(0);  // host_name
        w.prefixed16([&] {
          for (char c : *ext.server_name) w.u8(static_cast<uint8_t>(c));
        });
      });
    });
    return;
  }
  if (ext.server_name_ack) put_extension(w, ExtensionType::server_name, [] {});
}

}  // namespace vouch
