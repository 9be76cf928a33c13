// libssl's session cache over vouch (SSL_CTX_set_session_cache_mode(3),
// SSL_CTX_sess_set_new_cb(3), SSL_CTX_set_timeout(3)): which sessions go
// into a context's internal cache and to its callbacks, when they leave, and
// the server's lookups — a vouch::ServerSessionCache per server SSL that the
// native TLS 1.2 server asks for session IDs. Policy of the cache only: the
// protocol (whether a session found fits the handshake) stays vouch's.
#pragma once

#include <memory>

#include "objects.h"

namespace vouch::compat {

/// A new SSL_SESSION of a client holding `session` (may be null), stamped
/// with the time, the session context's timeout and libssl's session ID.
SessionPtr new_client_session(const SSL* s, std::shared_ptr<const Session> session);

/// A new server SSL_SESSION: session ID `id` (may be empty), vouch's state.
SessionPtr new_server_session(const SSL* s, ByteView id, Bytes state);

/// libssl's ssl_update_cache for s's current session (SSL_get_session):
/// `mode` is SSL_SESS_CACHE_CLIENT or SSL_SESS_CACHE_SERVER. Under that
/// mode, the session goes into the internal cache (unless
/// SSL_SESS_CACHE_NO_INTERNAL_STORE; a TLS 1.3 server's ticket sessions only
/// with a remove callback or SSL_OP_NO_TICKET, as in libssl) and to the new
/// session callback.
void update_cache(SSL* s, long mode);

/// SSL_CTX_remove_session: out of the internal cache, not resumable any
/// more, and to the remove callback (a session without ID: nothing).
void remove_session(SSL_CTX* ctx, SSL_SESSION* session);

/// Drops every session of the internal cache whose time + timeout is before
/// `now` (every session for now = 0), calling the remove callback for each.
void flush_sessions(SSL_CTX* ctx, long now);

/// The server's session ID cache for s's handshake: the internal cache and
/// the get callback (lookups), new sessions through update_cache.
std::shared_ptr<ServerSessionCache> server_session_cache(SSL* s);

/// A TLS 1.3 server completed a handshake: one session per ticket it sent
/// (libssl calls the new session callback for each).
void note_server_tickets(SSL* s);

/// Counters (SSL_CTX_sess_connect, _accept, ...): a handshake starts /
/// completes.
void count_handshake_start(SSL* s);
void count_handshake_done(SSL* s);

}  // namespace vouch::compat
