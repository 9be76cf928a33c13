// Sessions (SSL_get1_session(3), SSL_set_session(3), SSL_session_reused(3)):
// an SSL_SESSION holds a vouch::Session: in TLS 1.3 that of a
// NewSessionTicket (RFC 8446 §4.6.1), which arrives after the handshake, so
// a client has a resumable session only once SSL_read has processed one; in
// TLS 1.2 the session the handshake made (RFC 5246 §7.4.1.2, a ticket or a
// session ID, RFC 5077), there when the handshake completes. A client given
// one with SSL_set_session offers it.
#include "session.h"

#include <chrono>
#include <cstring>
#include <ctime>
#include <iterator>
#include <memory>
#include <string>

#include "errors.h"
#include "session_cache.h"

using vouch::compat::raise;
using vouch::compat::Reason;

namespace vouch::compat {

void note_ticket(SSL* s, std::shared_ptr<const Session> ticket) {
  // libssl makes a new session object for each NewSessionTicket; the newest
  // is the SSL's session from then on. One made from a session that came
  // out of d2i_SSL_SESSION still has no peer chain, as in libssl.
  const bool resumed = s->conn && s->conn->info().resumed;
  SSL_SESSION* offered = s->session_ref.get();
  if (!s->completed && resumed && offered != nullptr && offered->session && ticket &&
      offered->session->ticket == ticket->ticket && offered->session->session_id == ticket->session_id) {
    // A TLS 1.2 resumption without a new ticket: libssl's session stays the
    // same object (time, timeout and all).
    offered->session = std::move(ticket);
    s->session_from_handshake = true;
    return;
  }
  const bool from_der = offered != nullptr && offered->from_der && resumed;
  s->session_ref = new_client_session(s, std::move(ticket));
  s->session_ref->from_der = from_der;
  if (!s->completed) {
    s->session_from_handshake = true;  // TLS 1.2: cached when the handshake completes
  } else {
    update_cache(s, SSL_SESS_CACHE_CLIENT);  // TLS 1.3: each ticket
  }
}

void note_handshake_session(SSL* s) {
  const bool resumed = s->conn->info().resumed;
  const bool tls13 = s->conn->info().version == ProtocolVersion::tls13;
  if (s->role == ssl_st::Role::server) {
    // TLS 1.2: the session put under an ID, or the one found by it;
    // otherwise (tickets) one without ID. TLS 1.3: one per ticket sent.
    if (!s->session_from_handshake) s->session_ref = new_server_session(s, {}, {});
    if (tls13) note_server_tickets(s);
    return;
  }
  // A TLS 1.2 client has its session by now (a ticket or a session ID came
  // with the server's last flight). A resumed client keeps the session it
  // offered; otherwise the handshake established a new one, resumable once
  // a TLS 1.3 ticket for it arrives.
  if (!s->session_from_handshake && !(resumed && s->session_ref)) s->session_ref = new_client_session(s, nullptr);
  if (tls13) {
    // libssl uses a TLS 1.3 ticket once: the one resumed leaves the cache.
    if ((s->session_ctx.ctx->sessions.mode & SSL_SESS_CACHE_CLIENT) != 0)
      remove_session(s->session_ctx.ctx, s->session_ref.get());
  } else if (!resumed) {
    update_cache(s, SSL_SESS_CACHE_CLIENT);
  }
}

void clear_bad_session(SSL* s) {
  if (s->completed && !s->fatal && s->conn && (s->shutdown & SSL_SENT_SHUTDOWN) == 0)
    remove_session(s->session_ctx.ctx, s->session_ref.get());
}

void drop_failed_session(SSL* s) {
  // The session offered for a resumption that failed goes too.
  remove_session(s->session_ctx.ctx, s->session_ref.get());
}

std::shared_ptr<const Session> session_to_offer(const SSL* s) {
  if (!s->session_ref || s->session_ref->not_resumable) return nullptr;
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
  if (session == nullptr || session->not_resumable) return 0;
  // libssl: a session with an ID or a ticket.
  return (session->server ? !session->id().empty() : session->session != nullptr) ? 1 : 0;
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

// ---- SSL_SESSION(3) getters and the DER-like encoding ----------------------
//
// i2d_SSL_SESSION's bytes are vouch-ssl's own (not libssl's ASN.1): they
// round-trip within vouch-ssl only.
//   "VSS1" | flags u8 (1: server, 2: not resumable) | time i64 | timeout i64
//   | id u8-length | payload u32-length (client: Session::serialize; server:
//   vouch's state)
namespace {

constexpr uint8_t kMagic[4] = {'V', 'S', 'S', '1'};
constexpr uint8_t kFlagServer = 1, kFlagNotResumable = 2;

void put_be(vouch::Bytes& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

vouch::Bytes encode(const SSL_SESSION* s) {
  vouch::Bytes out(std::begin(kMagic), std::end(kMagic));
  out.push_back(static_cast<uint8_t>((s->server ? kFlagServer : 0) | (s->not_resumable ? kFlagNotResumable : 0)));
  put_be(out, static_cast<uint64_t>(static_cast<int64_t>(s->time)), 8);
  put_be(out, static_cast<uint64_t>(static_cast<int64_t>(s->timeout)), 8);
  const vouch::Bytes& id = s->id();
  put_be(out, id.size(), 1);
  out.insert(out.end(), id.begin(), id.end());
  vouch::Bytes payload = s->server ? s->state : (s->session ? s->session->serialize() : vouch::Bytes{});
  put_be(out, payload.size(), 4);
  out.insert(out.end(), payload.begin(), payload.end());
  OPENSSL_cleanse(payload.data(), payload.size());
  return out;
}

// A cursor that fails (returns false) rather than read past the end.
struct Cursor {
  const unsigned char* p;
  size_t left;
  bool take(size_t n, const unsigned char*& at) {
    if (n > left) return false;
    at = p;
    p += n;
    left -= n;
    return true;
  }
  bool be(int bytes, uint64_t& v) {
    const unsigned char* at;
    if (!take(static_cast<size_t>(bytes), at)) return false;
    v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | at[i];
    return true;
  }
};

// The session in `in`, or null with the reason in `why`; `used` is how many
// bytes it took.
vouch::compat::SessionPtr decode(const unsigned char* in, size_t len, size_t& used, std::string& why) {
  Cursor c{in, len};
  const unsigned char* at;
  uint64_t flags, time, timeout, id_len, payload_len;
  if (!c.take(sizeof kMagic, at) || std::memcmp(at, kMagic, sizeof kMagic) != 0) {
    why = "not a vouch-ssl session";
    return nullptr;
  }
  if (!c.be(1, flags) || !c.be(8, time) || !c.be(8, timeout) || !c.be(1, id_len)) {
    why = "truncated header";
    return nullptr;
  }
  if ((flags & ~uint64_t{kFlagServer | kFlagNotResumable}) != 0 || id_len > SSL_MAX_SSL_SESSION_ID_LENGTH) {
    why = "bad flags or session ID length";
    return nullptr;
  }
  auto s = std::make_unique<ssl_session_st>();
  s->server = (flags & kFlagServer) != 0;
  s->not_resumable = (flags & kFlagNotResumable) != 0;
  s->time = static_cast<long>(static_cast<int64_t>(time));
  s->timeout = static_cast<long>(static_cast<int64_t>(timeout));
  if (!c.take(id_len, at)) {
    why = "truncated session ID";
    return nullptr;
  }
  s->set_id(vouch::ByteView(at, id_len));
  if (!c.be(4, payload_len) || !c.take(payload_len, at)) {
    why = "truncated session";
    return nullptr;
  }
  if (s->server) {
    s->state.assign(at, at + payload_len);
  } else if (payload_len > 0) {
    auto session = vouch::Session::deserialize(vouch::ByteView(at, payload_len));
    if (!session) {
      why = "session: " + session.error().reason;
      return nullptr;
    }
    s->session = std::make_shared<const vouch::Session>(std::move(session).value());
  }
  s->from_der = true;
  used = len - c.left;
  return vouch::compat::SessionPtr(s.release());
}

}  // namespace

extern "C" {

const char* SSL_SESSION_get0_hostname(const SSL_SESSION* s) {
  // The server name a client's session was made under. libssl 3.0 records
  // it only with a TLS 1.3 ticket (a TLS 1.2 client session has none).
  // NULL too for a server's view of a session, where libssl gives the SNI
  // of the full handshake (docs/libssl-abi.md).
  if (s == nullptr || !s->session || s->session->server_name.empty() ||
      s->session->version != vouch::ProtocolVersion::tls13)
    return nullptr;
  return s->session->server_name.c_str();
}

long SSL_SESSION_get_time(const SSL_SESSION* s) { return s == nullptr ? 0 : s->time; }

long SSL_SESSION_set_time(SSL_SESSION* s, long t) {
  if (s == nullptr) return 0;
  s->time = t;
  if (s->session && s->session->version == vouch::ProtocolVersion::tls13) {
    // A TLS 1.3 client judges a ticket's age from this time (not offered
    // past its lifetime); a TLS 1.2 client offers its session whatever the
    // age, as libssl's.
    auto aged = std::make_shared<vouch::Session>(*s->session);
    aged->received_at = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(t));
    s->session = std::move(aged);
  }
  return t;
}

long SSL_SESSION_get_timeout(const SSL_SESSION* s) { return s == nullptr ? 0 : s->timeout; }

long SSL_SESSION_set_timeout(SSL_SESSION* s, long t) {
  if (s == nullptr || t < 0) return 0;
  s->timeout = t;
  return 1;
}

const unsigned char* SSL_SESSION_get_id(const SSL_SESSION* s, unsigned int* len) {
  const vouch::Bytes& id = s->id();
  if (len != nullptr) *len = static_cast<unsigned int>(id.size());
  return id.data();
}

int i2d_SSL_SESSION(const SSL_SESSION* in, unsigned char** pp) {
  if (in == nullptr) return 0;
  vouch::Bytes der = encode(in);
  const int len = static_cast<int>(der.size());
  if (pp != nullptr) {
    if (*pp == nullptr) {
      // As i2d functions do: a buffer of the right size, for the caller to
      // OPENSSL_free; *pp points at its start.
      *pp = static_cast<unsigned char*>(OPENSSL_malloc(der.size()));
      if (*pp == nullptr) {
        OPENSSL_cleanse(der.data(), der.size());
        return -1;
      }
      std::memcpy(*pp, der.data(), der.size());
    } else {
      std::memcpy(*pp, der.data(), der.size());
      *pp += len;
    }
  }
  OPENSSL_cleanse(der.data(), der.size());
  return len;
}

SSL_SESSION* d2i_SSL_SESSION(SSL_SESSION** a, const unsigned char** pp, long length) {
  if (pp == nullptr || *pp == nullptr || length <= 0) {
    raise(Reason::asn1_lib, "d2i_SSL_SESSION: no input");
    return nullptr;
  }
  size_t used = 0;
  std::string why;
  vouch::compat::SessionPtr s = decode(*pp, static_cast<size_t>(length), used, why);
  if (!s) {
    raise(Reason::asn1_lib, "d2i_SSL_SESSION: " + why);
    return nullptr;
  }
  *pp += used;
  if (a != nullptr) {
    SSL_SESSION_free(*a);
    *a = s.get();
  }
  return s.release();
}

}  // extern "C"
