// pre_shared_key (RFC 8446 §4.2.11).
//
//   struct { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } PskIdentity;
//   opaque PskBinderEntry<32..255>;
//   struct { PskIdentity identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; } OfferedPsks;
//   ClientHello: OfferedPsks;  ServerHello: uint16 selected_identity;
//
// That it is the last extension of a ClientHello is checked by the block
// parser, which sees the order.
#include "ext/extension_codecs.h"

namespace vouch {
namespace {

constexpr size_t kMinBinderLength = 32;  // PskBinderEntry<32..255>

Status parse_offered(Reader& body, Extensions& out) {
  Reader ids;
  if (!body.prefixed16(ids)) return fail(Alert::decode_error, "pre_shared_key: truncated identities");
  if (ids.empty()) return fail(Alert::decode_error, "pre_shared_key: empty identities");
  std::vector<PskIdentity> identities;
  while (!ids.empty()) {
    PskIdentity id;
    if (!ids.copy_prefixed16(id.identity) || !ids.u32(id.obfuscated_ticket_age))
      return fail(Alert::decode_error, "pre_shared_key: truncated PskIdentity");
    if (id.identity.empty()) return fail(Alert::decode_error, "pre_shared_key: empty identity");
    identities.push_back(std::move(id));
  }
  Reader list;
  if (!body.prefixed16(list)) return fail(Alert::decode_error, "pre_shared_key: truncated binders");
  if (list.empty()) return fail(Alert::decode_error, "pre_shared_key: empty binders");
  std::vector<Bytes> binders;
  while (!list.empty()) {
    Bytes binder;
    if (!list.copy_prefixed8(binder)) return fail(Alert::decode_error, "pre_shared_key: truncated PskBinderEntry");
    if (binder.size() < kMinBinderLength)
      return fail(Alert::decode_error, "pre_shared_key: PskBinderEntry shorter than 32 bytes");
    binders.push_back(std::move(binder));
  }
  // "binders: A series of HMAC values, one for each value in the identities
  // list and in the same order." Both vectors decode; what is wrong is that
  // one field is inconsistent with another — RFC 8446 §6.2's definition of
  // illegal_parameter, not of decode_error.
  if (binders.size() != identities.size())
    return fail(Alert::illegal_parameter, "pre_shared_key: number of binders differs from number of identities");
  out.psk_identities = std::move(identities);
  out.psk_binders = std::move(binders);
  return {};
}

}  // namespace

Status parse_pre_shared_key(Reader& body, ExtContext ctx, Extensions& out) {
  if (ctx == ExtContext::client_hello) return parse_offered(body, out);
  uint16_t selected = 0;
  if (!body.u16(selected)) return fail(Alert::decode_error, "pre_shared_key: truncated selected_identity");
  out.psk_selected_identity = selected;
  return {};
}

void write_pre_shared_key(Writer& w, ExtContext ctx, const Extensions& ext, size_t* binders_offset) {
  if (ctx != ExtContext::client_hello) {
    if (ext.psk_selected_identity)
      put_extension(w, ExtensionType::pre_shared_key, [&] { w.u16(*ext.psk_selected_identity); });
    return;
  }
  if (!ext.psk_identities) return;
  put_extension(w, ExtensionType::pre_shared_key, [&] {
    w.prefixed16([&] {
      for (const PskIdentity& id : *ext.psk_identities) {
        w.vec16(id.identity);
        w.u32(id.obfuscated_ticket_age);
      }
    });
    if (binders_offset) *binders_offset = w.size();
    w.prefixed16([&] {
      for (const Bytes& b : ext.psk_binders) w.vec8(b);
    });
  });
}

}  // namespace vouch
