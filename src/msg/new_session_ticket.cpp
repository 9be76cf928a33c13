// NewSessionTicket (RFC 8446 §4.6.1).
//
//   struct {
//       uint32 ticket_lifetime;
//       uint32 ticket_age_add;
//       opaque ticket_nonce<0..255>;
//       opaque ticket<1..2^16-1>;
//       Extension extensions<0..2^16-2>;
//   } NewSessionTicket;
#include "msg/messages.h"

namespace vouch {
namespace {

// §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds
// (7 days)."
constexpr uint32_t kMaxTicketLifetime = 604800;
constexpr uint16_t kMaxExtensionsLength = 0xFFFE;  // extensions<0..2^16-2>

Error bad(const char* what) { return fail(Alert::decode_error, std::string("NewSessionTicket: ") + what); }

}  // namespace

Status parse(ByteView body, NewSessionTicket& out) {
  out = NewSessionTicket{};
  Reader r(body);
  if (!r.u32(out.ticket_lifetime)) return bad("truncated ticket_lifetime");
  if (!r.u32(out.ticket_age_add)) return bad("truncated ticket_age_add");
  if (!r.copy_prefixed8(out.ticket_nonce)) return bad("truncated ticket_nonce");
  if (!r.copy_prefixed16(out.ticket)) return bad("truncated ticket");
  if (out.ticket.empty()) return bad("empty ticket");
  Reader peek = r;
  uint16_t ext_len = 0;
  if (peek.u16(ext_len) && ext_len > kMaxExtensionsLength) return bad("extensions longer than 2^16-2 bytes");
  VOUCH_TRY(parse_extensions(r, ExtContext::new_session_ticket, out.ext));
  if (!r.empty()) return bad("trailing bytes after extensions");
  // Checked after decoding so that a malformed message reports decode_error.
  // "Servers MUST NOT use any value greater than 604800 seconds" — a value
  // the sender was not allowed to choose → illegal_parameter.
  if (out.ticket_lifetime > kMaxTicketLifetime)
    return fail(Alert::illegal_parameter, "NewSessionTicket: ticket_lifetime exceeds 604800 seconds");
  return {};
}

void write(Writer& w, const NewSessionTicket& m) {
  w.u32(m.ticket_lifetime);
  w.u32(m.ticket_age_add);
  w.vec8(m.ticket_nonce);
  w.vec16(m.ticket);
  write_extensions(w, ExtContext::new_session_ticket, m.ext);
}

}  // namespace vouch
