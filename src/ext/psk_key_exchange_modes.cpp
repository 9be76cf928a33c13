// psk_key_exchange_modes (RFC 8446 §4.2.9).
//
//   enum { psk_ke(0), psk_dhe_ke(1), (255) } PskKeyExchangeMode;
//   struct { PskKeyExchangeMode ke_modes<1..255>; } PskKeyExchangeModes;
//
// Unknown modes are kept: the server ignores what it does not understand.
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_psk_key_exchange_modes(Reader& body, ExtContext, Extensions& out) {
  Bytes modes;
  if (!body.copy_prefixed8(modes)) return fail(Alert::decode_error, "psk_key_exchange_modes: truncated ke_modes");
  if (modes.empty()) return fail(Alert::decode_error, "psk_key_exchange_modes: empty ke_modes");
  out.psk_key_exchange_modes = std::move(modes);
  return {};
}

void write_psk_key_exchange_modes(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.psk_key_exchange_modes)
    put_extension(w, ExtensionType::psk_key_exchange_modes, [&] { w.vec8(*ext.psk_key_exchange_modes); });
}

}  // namespace vouch
