// key_share (RFC 8446 §4.2.8).
//
//   struct { NamedGroup group; opaque key_exchange<1..2^16-1>; } KeyShareEntry;
//   ClientHello:       KeyShareEntry client_shares<0..2^16-1>;
//   HelloRetryRequest: NamedGroup selected_group;
//   ServerHello:       KeyShareEntry server_share;
#include <algorithm>

#include "ext/extension_codecs.h"

namespace vouch {
namespace {

Status parse_entry(Reader& r, KeyShareEntry& out) {
  uint16_t group = 0;
  if (!r.u16(group) || !r.copy_prefixed16(out.key_exchange))
    return fail(Alert::decode_error, "key_share: truncated KeyShareEntry");
  if (out.key_exchange.empty()) return fail(Alert::decode_error, "key_share: empty key_exchange");
  out.group = static_cast<NamedGroup>(group);
  return {};
}

void write_entry(Writer& w, const KeyShareEntry& e) {
  w.u16(static_cast<uint16_t>(e.group));
  w.vec16(e.key_exchange);
}

}  // namespace

Status parse_key_share(Reader& body, ExtContext ctx, Extensions& out) {
  switch (ctx) {
    case ExtContext::hello_retry_request: {
      uint16_t group = 0;
      if (!body.u16(group)) return fail(Alert::decode_error, "key_share: truncated selected_group");
      out.key_share_selected_group = static_cast<NamedGroup>(group);
      return {};
    }
    case ExtContext::server_hello: {
      KeyShareEntry e;
      VOUCH_TRY(parse_entry(body, e));
      out.key_share = std::move(e);
      return {};
    }
    default: {  // client_hello
      Reader list;
      if (!body.prefixed16(list)) return fail(Alert::decode_error, "key_share: truncated client_shares");
      std::vector<KeyShareEntry> shares;
      while (!list.empty()) {
        KeyShareEntry e;
        VOUCH_TRY(parse_entry(list, e));
        // "Clients MUST NOT offer multiple KeyShareEntry values for the same
        // group ... Servers MAY check for violations of these rules and abort
        // the handshake with an illegal_parameter alert."
        const bool dup =
            std::any_of(shares.begin(), shares.end(), [&](const KeyShareEntry& s) { return s.group == e.group; });
        if (dup) return fail(Alert::illegal_parameter, "key_share: two shares for the same group");
        shares.push_back(std::move(e));
      }
      out.key_shares = std::move(shares);
      return {};
    }
  }
}

void write_key_share(Writer& w, ExtContext ctx, const Extensions& ext) {
  switch (ctx) {
    case ExtContext::hello_retry_request:
      if (ext.key_share_selected_group)
        put_extension(w, ExtensionType::key_share,
                      [&] { w.u16(static_cast<uint16_t>(*ext.key_share_selected_group)); });
      return;
    case ExtContext::server_hello:
      if (ext.key_share) put_extension(w, ExtensionType::key_share, [&] { write_entry(w, *ext.key_share); });
      return;
    default:
      if (!ext.key_shares) return;
      put_extension(w, ExtensionType::key_share, [&] {
        w.prefixed16([&] {
          for (const KeyShareEntry& e : *ext.key_shares) write_entry(w, e);
        });
      });
      return;
  }
}

}  // namespace vouch
