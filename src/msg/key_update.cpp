// KeyUpdate (RFC 8446 §4.6.3).
//
//   enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
//   struct { KeyUpdateRequest request_update; } KeyUpdate;
#include "msg/messages.h"

namespace vouch {

Status parse(ByteView body, KeyUpdate& out) {
  out = KeyUpdate{};
  Reader r(body);
  uint8_t value = 0;
  if (!r.u8(value)) return fail(Alert::decode_error, "KeyUpdate: missing request_update");
  if (!r.empty()) return fail(Alert::decode_error, "KeyUpdate: trailing bytes");
  // §4.6.3: "If an implementation receives any other value, it MUST
  // terminate the connection with an 'illegal_parameter' alert."
  if (value > 1) return fail(Alert::illegal_parameter, "KeyUpdate: request_update is neither 0 nor 1");
  out.update_requested = value == 1;
  return {};
}

void write(Writer& w, const KeyUpdate& m) { w.u8(m.update_requested ? 1 : 0); }

}  // namespace vouch
