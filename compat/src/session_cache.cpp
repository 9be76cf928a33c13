// The session cache of a context, as libssl keeps it (ssl_sess.c's model in
// vouch's words): a map of sessions by ID holding one reference each, fed by
// ssl_update_cache (client: a new session, server: a session given an ID or
// a TLS 1.3 ticket), searched by a TLS 1.2 server for the session ID a
// ClientHello offers, emptied by SSL_CTX_free. The application's callbacks
// see each session at the same moments as libssl's.
#include "session_cache.h"


#include <algorithm>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "internal/compat_seam.h"
#include "errors.h"

namespace vouch::compat {
namespace {

// The internal cache's key for a session ID.
std::string key_of(ByteView id) { return std::string(reinterpret_cast<const char*>(id.data()), id.size()); }

long now_seconds() { return static_cast<long>(std::time(nullptr)); }

bool expired(const SSL_SESSION* session, long now) {
  // libssl: timed out once now is past time + timeout.
  return now > session->time + session->timeout;
}

bool is_tls13(const SSL* s) {
  return s->conn != nullptr && s->conn->info().version == ProtocolVersion::tls13;
}

// libssl's session ID of a client session: the server's session ID, or —
// when a ticket came — SHA-256 of the ticket (RFC 5077 §3.4 lets a client
// choose one; libssl does this in both versions).
Bytes client_session_id(const Session& session) {
  if (session.ticket.empty()) return session.session_id;
  auto id = digest(HashAlg::sha256, session.ticket);
  return id.ok() ? std::move(*id) : Bytes{};
}

// Called with state.mu held: the entry out of both maps, its reference
// handed back.
SessionPtr erase_locked(SessionCacheState& c, std::map<std::string, std::pair<SessionPtr, uint64_t>>::iterator it) {
  SessionPtr held = std::move(it->second.first);
  c.by_order.erase(it->second.second);
  c.by_id.erase(it);
  return held;
}

void call_remove_cb(SSL_CTX* ctx, SSL_SESSION* session) {
  if (ctx->sessions.remove_cb == nullptr) return;
  CallbackErrors keep;
  ctx->sessions.remove_cb(ctx, session);
}

// SSL_CTX_add_session: one reference into the internal cache; the oldest
// entry goes (with the remove callback) when the cache is full. A session
// already there stays; another one under its ID is replaced.
void add_session(SSL_CTX* ctx, SSL_SESSION* session) {
  SessionCacheState& c = ctx->sessions;
  std::vector<SessionPtr> evicted;
  {
    std::lock_guard lock(c.mu);
    auto it = c.by_id.find(key_of(session->id()));
    if (it != c.by_id.end()) {
      if (it->second.first.get() == session) return;
      (void)erase_locked(c, it);  // libssl replaces it without the callback
    }
    while (c.size > 0 && c.by_id.size() >= static_cast<size_t>(c.size) && !c.by_order.empty()) {
      evicted.push_back(erase_locked(c, c.by_id.find(c.by_order.begin()->second)));
      c.cache_full.add();
    }
    SSL_SESSION_up_ref(session);
    const uint64_t order = c.next_order++;
    c.by_order.emplace(order, key_of(session->id()));
    c.by_id.emplace(key_of(session->id()), std::make_pair(SessionPtr(session), order));
  }
  for (auto& old : evicted) {
    old->not_resumable = true;
    call_remove_cb(ctx, old.get());
  }
}

// The server side of the cache for one SSL: what vouch's TLS 1.2 server
// asks when it gives a session an ID (stores_sessions), has made one (put)
// and meets a session ID in a ClientHello (get).
class CompatServerCache final : public ServerSessionCache {
 public:
  explicit CompatServerCache(SSL* s) : ServerSessionCache(0), s_(s) {}

  bool stores_sessions() const override {
    // libssl gives a TLS 1.2 session an ID whenever the context's mode
    // has SSL_SESS_CACHE_SERVER, whether or not anything stores it.
    return (s_->session_ctx.ctx->sessions.mode & SSL_SESS_CACHE_SERVER) != 0;
  }

  void put(ByteView id, Bytes state, std::chrono::system_clock::time_point) override {
    // The session's own time and timeout decide when it expires.
    s_->session_ref = new_server_session(s_, id, std::move(state));
    if (s_->conn) s_->session_ref->peer_chain = s_->conn->peer_chain();
    s_->session_from_handshake = true;
    update_cache(s_, SSL_SESS_CACHE_SERVER);
  }

  std::optional<Bytes> get(ByteView id) const override {
    SSL_CTX* ctx = s_->session_ctx.ctx;
    SessionCacheState& c = ctx->sessions;
    SessionPtr found;
    if ((c.mode & SSL_SESS_CACHE_NO_INTERNAL_LOOKUP) == 0) {
      std::lock_guard lock(c.mu);
      auto it = c.by_id.find(key_of(id));
      if (it != c.by_id.end()) {
        SSL_SESSION_up_ref(it->second.first.get());
        found.reset(it->second.first.get());
      }
    }
    if (!found && (c.mode & SSL_SESS_CACHE_NO_INTERNAL_LOOKUP) == 0) c.misses.add();
    if (!found && c.get_cb != nullptr) {
      // *copy starts at 1: the library takes a reference of its own; a
      // callback that sets 0 hands over the reference it returns.
      int copy = 1;
      SSL_SESSION* got = nullptr;
      {
        CallbackErrors keep;
        got = c.get_cb(s_, id.data(), static_cast<int>(id.size()), &copy);
      }
      if (got != nullptr) {
        c.cb_hits.add();
        if (copy) SSL_SESSION_up_ref(got);
        found.reset(got);
        if ((c.mode & SSL_SESS_CACHE_NO_INTERNAL_STORE) == 0) add_session(ctx, got);
      }
    }
    if (!found || !found->server || found->not_resumable) return std::nullopt;
    if (expired(found.get(), now_seconds())) {
      c.timeouts.add();
      remove_session(ctx, found.get());
      return std::nullopt;
    }
    // The server's session from now on (SSL_get_session), if vouch resumes
    // it; otherwise the full handshake makes a new one.
    Bytes state = found->state;
    s_->session_ref = std::move(found);
    s_->session_from_handshake = true;
    return state;
  }

  void remove(ByteView id) override {
    SSL_CTX* ctx = s_->session_ctx.ctx;
    SessionPtr held;
    {
      std::lock_guard lock(ctx->sessions.mu);
      auto it = ctx->sessions.by_id.find(key_of(id));
      if (it == ctx->sessions.by_id.end()) return;
      SSL_SESSION_up_ref(it->second.first.get());
      held.reset(it->second.first.get());
    }
    remove_session(ctx, held.get());
  }

 private:
  SSL* s_;
};

}  // namespace

}  // namespace vouch::compat

const vouch::Bytes& ssl_session_st::id() const {
  // A client session's ID is derived from what the server sent, which the
  // session holds from its creation; a server's, or one decoded, was given.
  std::call_once(id_once_, [this] {
    if (id_random_) {
      vouch::Bytes id(SSL_MAX_SSL_SESSION_ID_LENGTH);
      if (vouch::random_bytes(id).ok()) id_ = std::move(id);
    } else if (!id_given_ && !server && session) {
      id_ = vouch::compat::client_session_id(*session);
    }
  });
  return id_;
}

void ssl_session_st::set_random_id() { id_random_ = true; }

void ssl_session_st::set_id(vouch::ByteView id) {
  id_.assign(id.begin(), id.end());
  id_given_ = true;
}

namespace vouch::compat {

SessionPtr new_client_session(const SSL* s, std::shared_ptr<const Session> session) {
  auto out = std::make_unique<ssl_session_st>();
  out->session = std::move(session);
  out->time = now_seconds();
  out->timeout = s->session_ctx.ctx->sessions.timeout;
  return SessionPtr(out.release());
}

SessionPtr new_server_session(const SSL* s, ByteView id, Bytes state) {
  auto out = std::make_unique<ssl_session_st>();
  out->server = true;
  out->set_id(id);
  out->state = std::move(state);
  out->time = now_seconds();
  out->timeout = s->session_ctx.ctx->sessions.timeout;
  return SessionPtr(out.release());
}

void update_cache(SSL* s, long mode) {
  SSL_SESSION* session = s->session_ref.get();
  if (session == nullptr) return;
  // libssl does not cache a server session without a session id context
  // when it verifies clients: resuming it would fail the handshake.
  if (mode == SSL_SESS_CACHE_SERVER && s->settings.session_id_context.empty() &&
      (s->settings.verify_mode & SSL_VERIFY_PEER) != 0)
    return;
  SSL_CTX* ctx = s->session_ctx.ctx;
  SessionCacheState& c = ctx->sessions;
  const long m = c.mode;
  // The mode first: with it off the session's ID is never needed (and a
  // lazily drawn one never drawn).
  if ((m & mode) == 0 || session->id().empty()) return;
  // A TLS 1.3 server's ticket carries its session: libssl keeps it only
  // for a remove callback to hear of, or for stateful tickets.
  const bool stateless13 = mode == SSL_SESS_CACHE_SERVER && is_tls13(s) && c.remove_cb == nullptr &&
                           (s->settings.options & SSL_OP_NO_TICKET) == 0;
  if ((m & SSL_SESS_CACHE_NO_INTERNAL_STORE) == 0 && !stateless13) add_session(ctx, session);
  if (c.new_cb != nullptr) {
    // The callback's 1 keeps the reference taken here; 0 gives it back.
    SSL_SESSION_up_ref(session);
    int kept;
    {
      CallbackErrors keep;
      kept = c.new_cb(s, session);
    }
    if (!kept) SSL_SESSION_free(session);
  }
  // libssl drops the expired sessions every 255 completed handshakes.
  if ((m & SSL_SESS_CACHE_NO_AUTO_CLEAR) == 0 && (m & mode) == mode) {
    const long done = mode == SSL_SESS_CACHE_CLIENT ? c.connect_good.get() : c.accept_good.get();
    if ((done & 0xff) == 0xff) flush_sessions(ctx, now_seconds());
  }
}

void remove_session(SSL_CTX* ctx, SSL_SESSION* session) {
  if (session == nullptr) return;
  session->not_resumable = true;
  if (session->id().empty()) return;
  SessionPtr held;
  {
    std::lock_guard lock(ctx->sessions.mu);
    auto it = ctx->sessions.by_id.find(key_of(session->id()));
    if (it != ctx->sessions.by_id.end() && it->second.first.get() == session) held = erase_locked(ctx->sessions, it);
  }
  // libssl calls it whether or not the internal cache held the session.
  call_remove_cb(ctx, session);
}

void flush_sessions(SSL_CTX* ctx, long now) {
  std::vector<SessionPtr> gone;
  {
    std::lock_guard lock(ctx->sessions.mu);
    SessionCacheState& c = ctx->sessions;
    for (auto it = c.by_order.begin(); it != c.by_order.end();) {
      auto entry = c.by_id.find(it->second);
      ++it;
      if (now == 0 || expired(entry->second.first.get(), now)) gone.push_back(erase_locked(c, entry));
    }
  }
  for (auto& session : gone) {
    session->not_resumable = true;
    call_remove_cb(ctx, session.get());
  }
}

std::shared_ptr<ServerSessionCache> server_session_cache(SSL* s) { return std::make_shared<CompatServerCache>(s); }

void note_server_tickets(SSL* s) {
  // As many as vouch sent (config.cpp: num_tickets, one after a resumption).
  size_t n = s->settings.num_tickets;
  if (s->conn->info().resumed) n = std::min<size_t>(n, 1);
  for (size_t i = 0; i < n; ++i) {
    // libssl gives each ticket's session a random ID of its own, drawn
    // when first needed (a DRBG call costs about 7,000 instructions, and
    // without a session cache or callback nothing ever reads it).
    s->session_ref = new_server_session(s, {}, {});
    s->session_ref->set_random_id();
    update_cache(s, SSL_SESS_CACHE_SERVER);
  }
}

void count_handshake_start(SSL* s) {
  SessionCacheState& c = s->session_ctx.ctx->sessions;
  (s->role == ssl_st::Role::client ? c.connect : c.accept).add();
}

void count_handshake_done(SSL* s) {
  SessionCacheState& c = s->session_ctx.ctx->sessions;
  if (s->conn->info().resumed) c.hits.add();
  // libssl counts a server's good handshakes on the SSL's current context.
  if (s->role == ssl_st::Role::client)
    c.connect_good.add();
  else
    s->ctx.ctx->sessions.accept_good.add();
}

}  // namespace vouch::compat

extern "C" {

int SSL_CTX_remove_session(SSL_CTX* ctx, SSL_SESSION* session) {
  // 1 when the internal cache held it (libssl's answer); either way the
  // session is no longer resumable and the remove callback hears of it.
  if (ctx == nullptr || session == nullptr) return 0;
  bool held = false;
  if (!session->id().empty()) {
    std::lock_guard lock(ctx->sessions.mu);
    auto it = ctx->sessions.by_id.find(std::string(reinterpret_cast<const char*>(session->id().data()), session->id().size()));
    held = it != ctx->sessions.by_id.end() && it->second.first.get() == session;
  }
  vouch::compat::remove_session(ctx, session);
  return held ? 1 : 0;
}

long SSL_CTX_set_timeout(SSL_CTX* ctx, long t) {
  if (ctx == nullptr) return 0;
  const long previous = ctx->sessions.timeout;
  ctx->sessions.timeout = t;
  return previous;
}

long SSL_CTX_get_timeout(const SSL_CTX* ctx) { return ctx == nullptr ? 0 : ctx->sessions.timeout; }

void SSL_CTX_sess_set_new_cb(SSL_CTX* ctx, int (*new_session_cb)(SSL*, SSL_SESSION*)) {
  ctx->sessions.new_cb = new_session_cb;
}

int (*SSL_CTX_sess_get_new_cb(SSL_CTX* ctx))(SSL*, SSL_SESSION*) { return ctx->sessions.new_cb; }

void SSL_CTX_sess_set_remove_cb(SSL_CTX* ctx, void (*remove_session_cb)(SSL_CTX*, SSL_SESSION*)) {
  ctx->sessions.remove_cb = remove_session_cb;
}

void (*SSL_CTX_sess_get_remove_cb(SSL_CTX* ctx))(SSL_CTX*, SSL_SESSION*) { return ctx->sessions.remove_cb; }

void SSL_CTX_sess_set_get_cb(SSL_CTX* ctx, SSL_SESSION* (*get_session_cb)(SSL*, const unsigned char*, int, int*)) {
  ctx->sessions.get_cb = get_session_cb;
}

SSL_SESSION* (*SSL_CTX_sess_get_get_cb(SSL_CTX* ctx))(SSL*, const unsigned char*, int, int*) {
  return ctx->sessions.get_cb;
}

}  // extern "C"
