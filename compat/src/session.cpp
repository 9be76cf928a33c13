// Sessions (SSL_get1_session(3), SSL_set_session(3), SSL_session_reused(3)):
// an SSL_SESSION holds a vouch::Session: in TLS 1.3 that of a
// NewSessionTicket (RFC 8446 §4.6.1), which arrives after the handshake, so
// a client has a resumable session only once SSL_read has processed one; in
// TLS 1.2 the session the handshake made (RFC 5246 §7.4.1.2, a ticket or a
// session ID, RFC 5077), there when the handshake completes. A client given
// one with SSL_set_session offers it.
#include "session.h"

#include <memory>
#include <string>

#include "errors.h"

using vouch::compat::raise;
using vouch::compat::Reason;

namespace vouch::compat {

SessionPtr new_session(std::shared_ptr<const Session> session) {
  auto s = std::make_unique<ssl_session_st>();
  s->session = std::move(session);
  return SessionPtr(s.release());
}

void note_ticket(SSL* s, std::shared_ptr<const Session> ticket) {
  // libssl makes a new session object for each NewSessionTicket; the newest
  // is the SSL's session from then on.
  s->session_ref = new_session(std::move(ticket));
  if (!s->completed) s->session_from_handshake = true;
}

void note_handshake_session(SSL* s) {
  // A TLS 1.2 client has its session by now (a ticket or a session ID came
  // with the server's last flight). A resumed client keeps the session it
  // offered; otherwise the handshake established a new one, resumable once
  // a TLS 1.3 ticket for it arrives.
  if (s->role == ssl_st::Role::client && s->session_from_handshake) return;
  if (s->conn->info().resumed && s->role == ssl_st::Role::client && s->session_ref) return;
  s->session_ref = new_session(nullptr);
}

namespace {

void make_unresumable(SSL* s) {
  if (s->session_ref) s->session_ref->session.reset();
}

}  // namespace

void clear_bad_session(SSL* s) {
  if (s->completed && !s->fatal && s->conn && (s->shutdown & SSL_SENT_SHUTDOWN) == 0) make_unresumable(s);
}

void drop_failed_session(SSL* s) {
  // The session offered for a resumption that failed goes too.
  make_unresumable(s);
}

std::shared_ptr<const Session> session_to_offer(const SSL* s) {
  if (!s->session_ref) return nullptr;
  return s->session_ref->session;
}

}  // namespace vouch::compat

extern "C" {

SSL_SESSION* SSL_get_session(const SSL* s) { return s->session_ref.get(); }

SSL_SESSION* SSL_get1_session(SSL* s) {
  SSL_SESSION* session = s->session_ref.get();
  if (session != nullptr) SSL_SESSION_up_ref(session);
  return session;
}

int SSL_set_session(SSL* s, SSL_SESSION* session) {
  // Any previous session is released; NULL just clears it.
  if (session != nullptr) SSL_SESSION_up_ref(session);
  s->session_ref.reset(session);
  return 1;
}

int SSL_SESSION_up_ref(SSL_SESSION* session) {
  if (session == nullptr) return 0;
  session->references.fetch_add(1, std::memory_order_relaxed);
  return 1;
}

void SSL_SESSION_free(SSL_SESSION* session) {
  if (session == nullptr) return;
  if (session->references.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::unique_ptr<ssl_session_st> owned(session);
}

int SSL_SESSION_is_resumable(const SSL_SESSION* session) {
  return session != nullptr && session->session != nullptr ? 1 : 0;
}

int SSL_session_reused(const SSL* s) {
  const vouch::Connection* c = s->session();
  return c != nullptr && c->info().resumed ? 1 : 0;
}

int SSL_CTX_set_session_id_context(SSL_CTX* ctx, const unsigned char* sid_ctx, unsigned int sid_ctx_len) {
  if (sid_ctx_len > SSL_MAX_SID_CTX_LENGTH) {
    raise(Reason::session_id_context_too_long,
          "session id context longer than " + std::to_string(SSL_MAX_SID_CTX_LENGTH));
    return 0;
  }
  // Copied into each SSL made afterwards, as libssl does; a server resumes
  // only sessions made under the same context (config.cpp).
  ctx->settings.session_id_context.assign(reinterpret_cast<const char*>(sid_ctx), sid_ctx_len);
  return 1;
}

int SSL_CTX_set_num_tickets(SSL_CTX* ctx, size_t num_tickets) {
  ctx->settings.num_tickets = num_tickets;
  return 1;
}

size_t SSL_CTX_get_num_tickets(const SSL_CTX* ctx) { return ctx->settings.num_tickets; }

int SSL_set_num_tickets(SSL* s, size_t num_tickets) {
  s->settings.num_tickets = num_tickets;
  return 1;
}

size_t SSL_get_num_tickets(const SSL* s) { return s->settings.num_tickets; }

}  // extern "C"
