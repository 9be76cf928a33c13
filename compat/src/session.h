// Sessions of an SSL: the SSL_SESSION objects of its tickets and handshakes,
// and the one a client offers for resumption.
#pragma once

#include <memory>

#include "objects.h"

namespace vouch::compat {

/// Client: a NewSessionTicket arrived; it becomes the SSL's session.
void note_ticket(SSL* s, std::shared_ptr<const Session> ticket);

/// The handshake of s->conn completed: the SSL's session is the one it
/// resumed or a new one.
void note_handshake_session(SSL* s);

/// libssl's ssl_clear_bad_session, at SSL_clear and SSL_free: the session
/// of an established connection that was not closed with SSL_shutdown (nor
/// failed) cannot be resumed any more — not by this SSL after SSL_clear,
/// nor by another given it with SSL_set_session; it leaves the session
/// cache (remove callback).
void clear_bad_session(SSL* s);

/// A fatal alert was sent or received: libssl removes the connection's
/// session, which cannot be resumed any more.
void drop_failed_session(SSL* s);

/// Client: the session SSL_set_session gave (or the last ticket), if it can
/// be resumed.
std::shared_ptr<const Session> session_to_offer(const SSL* s);

}  // namespace vouch::compat
