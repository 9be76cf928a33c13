// session_ticket (RFC 5077 §3.2).
//
// ClientHello: the ticket itself, opaque, no inner length (empty = "I can
// take a ticket"). TLS 1.2 ServerHello: "The server uses a zero-length
// SessionTicket extension to indicate to the client that it will send a new
// session ticket", so anything else there is malformed.
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_session_ticket(Reader& body, ExtContext ctx, Extensions& out) {
  if (ctx != ExtContext::client_hello && !body.empty())
    return fail(Alert::decode_error, "session_ticket: must be empty in a ServerHello");
  Bytes ticket;
  if (!body.copy(body.remaining(), ticket)) return fail(Alert::internal_error, "session_ticket: read failed");
  out.session_ticket = std::move(ticket);
  return {};
}

void write_session_ticket(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.session_ticket) put_extension(w, ExtensionType::session_ticket, [&] { w.bytes(*ext.session_ticket); });
}

}  // namespace vouch
