// NewSessionTicket in TLS 1.2 (RFC 5077 §3.3).
//
//   struct {
//       uint32 ticket_lifetime_hint;
//       opaque ticket<0..2^16-1>;
//   } NewSessionTicket;
//
// A zero-length ticket is well-formed: §3.3 "If the server determines that
// it does not want to include a ticket after it has included the
// SessionTicket extension in the ServerHello, then it sends a zero-length
// ticket in the NewSessionTicket handshake message." A lifetime hint of 0
// means "unspecified"; any value is allowed (it is only a hint).
#include "msg/messages12.h"

namespace vouch {

Status parse(ByteView body, NewSessionTicket12& out) {
  out = NewSessionTicket12{};
  Reader r(body);
  if (!r.u32(out.ticket_lifetime_hint))
    return fail(Alert::decode_error, "NewSessionTicket: truncated ticket_lifetime_hint");
  if (!r.copy_prefixed16(out.ticket)) return fail(Alert::decode_error, "NewSessionTicket: truncated ticket");
  if (!r.empty()) return fail(Alert::decode_error, "NewSessionTicket: trailing bytes after ticket");
  return {};
}

void write(Writer& w, const NewSessionTicket12& m) {
  w.u32(m.ticket_lifetime_hint);
  w.vec16(m.ticket);
}

}  // namespace vouch
