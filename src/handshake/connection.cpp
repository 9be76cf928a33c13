// Connection: the sans-I/O driver. Turns bytes into records, records into
// handshake messages / alerts / application data, and runs the state machine
// (the "run loop" that maps wait reasons to Wait values, STYLE.md).
#include "vouch/connection.h"

#include <algorithm>
#include <cstring>

#include "cert/public_key.h"
#include "handshake/client13.h"
#include "handshake/conn_core.h"
#include "handshake/key_schedule.h"
#include "handshake/server13.h"

namespace vouch {

namespace {

constexpr uint8_t kAlertWarning = 1;
constexpr uint8_t kAlertFatal = 2;

std::shared_ptr<TicketKeys> default_ticket_keys() {
  // One keyring for every server config that brings none: tickets issued by
  // one connection can be redeemed by another in the same process.
  static std::shared_ptr<TicketKeys> keys = std::make_shared<TicketKeys>();
  return keys;
}

}  // namespace

struct Connection::Impl {
  Impl(std::shared_ptr<const ClientConfig> c, std::string name, std::shared_ptr<const Session> s)
      : client_config(std::move(c)), core(true, *client_config) {
    if (!s && client_config->session_cache && !name.empty())
      s = client_config->session_cache->take(name);
    auto h = std::make_unique<ClientHandshake13>(core, client_config, std::move(name),
                                                 std::move(s), sessions);
    client_hs = h.get();
    hs = std::move(h);
  }
  explicit Impl(std::shared_ptr<const ServerConfig> c)
      : server_config(std::move(c)), core(false, *server_config) {
    auto keys = server_config->ticket_keys ? server_config->ticket_keys : default_ticket_keys();
    auto h = std::make_unique<ServerHandshake13>(core, server_config, std::move(keys));
    server_hs = h.get();
    hs = std::move(h);
    started = true;  // a server waits for the ClientHello
  }

  std::shared_ptr<const ClientConfig> client_config;
  std::shared_ptr<const ServerConfig> server_config;
  ConnCore core;
  std::unique_ptr<Handshake13> hs;
  ClientHandshake13* client_hs = nullptr;  // = hs.get() for a client
  ServerHandshake13* server_hs = nullptr;  // = hs.get() for a server
  std::vector<std::shared_ptr<const Session>> sessions;

  Wait wait = Wait::read;
  std::optional<Error> error;
  bool started = false;
  bool close_sent = false;
  bool peer_closed = false;
  Bytes app_in;
  size_t app_pos = 0;

  // A fatal error: send its alert once (unless the peer sent it), poison.
  Error fatal(Error e) {
    if (!error) {
      error = e;
      if (!e.from_peer) send_alert(e.alert, kAlertFatal);
      wait = Wait::none;
    }
    return *error;
  }

  void send_alert(Alert a, uint8_t level) {
    const uint8_t body[2] = {level, static_cast<uint8_t>(a)};
    (void)core.flush_handshake();
    (void)core.write_record(ContentType::alert, ByteView(body, 2));
  }

  Status run_handshake() {
    // Bounded: every state either advances or asks for input; a machine
    // that loops without progress is a bug we report, not a hang.
    for (int guard = 0; guard < 64; ++guard) {
      auto r = hs->step();
      if (!r) return std::move(r).error();
      switch (*r) {
        case Hs::ok: continue;
        case Hs::read_message: wait = Wait::read; return core.flush_handshake();
        case Hs::client_certificate: wait = Wait::client_certificate; return core.flush_handshake();
        case Hs::private_key: wait = Wait::private_key_operation; return core.flush_handshake();
        case Hs::certificate_verify: wait = Wait::certificate_verify; return core.flush_handshake();
        case Hs::ocsp_staple: wait = Wait::ocsp_staple; return core.flush_handshake();
        case Hs::server_certificate: wait = Wait::server_certificate; return core.flush_handshake();
        case Hs::done:
          core.handshake_done = true;
          wait = Wait::none;
          VOUCH_TRY(core.flush_handshake());
          return drain_post_handshake();
      }
    }
    return fail(Alert::internal_error, "handshake state machine made no progress");
  }

  Status drain_post_handshake() {
    while (auto m = core.next_message()) {
      if (m->type == static_cast<uint8_t>(HandshakeType::key_update)) {
        VOUCH_TRY(on_key_update(*m));
      } else {
        VOUCH_TRY(hs->post_handshake(*m));
      }
      // An answer ready now goes out before what the next message makes us
      // send, in the order the messages came.
      VOUCH_TRY(answer_post_handshake_requests());
    }
    return {};
  }

  // Client, RFC 8446 §4.6.2: sends the answers to post-handshake
  // CertificateRequests that are ready, oldest first. While the oldest one
  // waits for the application the connection reports
  // Wait::client_certificate; it stays established meanwhile (records keep
  // being read, application data flows both ways).
  Status answer_post_handshake_requests() {
    if (!client_hs) return {};
    if (close_sent) {
      client_hs->drop_post_handshake_requests();  // §6.1: nothing follows close_notify
    } else {
      VOUCH_TRY(client_hs->answer_post_handshake_requests());
    }
    wait = client_hs->post_handshake_request_waiting() ? Wait::client_certificate : Wait::none;
    return {};
  }

  Bytes& peer_secret() { return core.is_client ? core.server_app_secret : core.client_app_secret; }
  Bytes& own_secret() { return core.is_client ? core.client_app_secret : core.server_app_secret; }

  Status on_key_update(const HandshakeMessage& m) {
    KeyUpdate ku;
    VOUCH_TRY(parse(m.body, ku));
    // §4.6.3: switch read keys; the message must end its record (§5.1),
    // which install_read_key checks.
    HashAlg h;
    AeadAlg a;
    tls13_suite_params(core.info.cipher_suite, h, a);
    VOUCH_ASSIGN(Bytes next, next_traffic_secret(h, peer_secret()));
    peer_secret() = next;
    VOUCH_TRY(core.install_read_key(next));
    if (ku.update_requested && !close_sent) VOUCH_TRY(send_key_update(false));
    return {};
  }

  Status send_key_update(bool request) {
    KeyUpdate ku;
    ku.update_requested = request;
    Bytes body;
    Writer w(body);
    vouch::write(w, ku);
    Bytes msg;
    frame_handshake(HandshakeType::key_update, body, msg);
    if (core.outgoing_hook) {
      // The test seam of ConnCore::send_raw covers this message too: tests
      // put other post-handshake messages in front of it.
      Bytes rewritten;
      for (const Bytes& m : core.outgoing_hook(msg)) rewritten.insert(rewritten.end(), m.begin(), m.end());
      msg = std::move(rewritten);
    }
    VOUCH_TRY(core.write_record(ContentType::handshake, msg));
    HashAlg h;
    AeadAlg a;
    tls13_suite_params(core.info.cipher_suite, h, a);
    VOUCH_ASSIGN(Bytes next, next_traffic_secret(h, own_secret()));
    own_secret() = next;
    return core.write_protection.install(core.info.cipher_suite, next);
  }

  Status on_alert(ByteView body) {
    if (body.size() != 2) return fail(Alert::decode_error, "alert record is not two bytes");
    const Alert a = static_cast<Alert>(body[1]);
    if (a == Alert::close_notify) {
      peer_closed = true;
      return {};
    }
    // §6: user_canceled is followed by close_notify; everything else is
    // fatal in TLS 1.3 whatever its level says.
    if (a == Alert::user_canceled) return {};
    Error e{a, std::string("peer sent alert ") + alert_name(a), true};
    e.reason = "the peer aborted the connection";
    return e;
  }

  Status on_handshake_bytes(ByteView frag) {
    if (frag.empty())
      return fail(Alert::unexpected_message, "zero-length handshake fragment (RFC 8446 §5.1)");
    VOUCH_TRY(core.hs_in.add(frag));
    if (core.handshake_done) return drain_post_handshake();
    return {};
  }

  Status on_record(const RawRecord& rec) {
    switch (rec.type) {
      case ContentType::change_cipher_spec: {
        // §5: a single 0x01 byte, unencrypted, between the first ClientHello
        // and the peer's Finished, is dropped; anything else is fatal.
        const bool hello_seen = core.is_client || core.transcript.selected();
        if (core.handshake_done || !hello_seen || rec.fragment.size() != 1 || rec.fragment[0] != 1)
          return fail(Alert::unexpected_message, "unexpected change_cipher_spec record");
        core.seen_ccs = true;
        return {};
      }
      case ContentType::alert:
        // A peer that has not derived keys yet may still alert in plaintext.
        if (core.handshake_done && core.read_protection.active())
          return fail(Alert::unexpected_message, "plaintext alert after the handshake");
        return on_alert(rec.fragment);
      case ContentType::handshake:
        if (core.read_protection.active())
          return fail(Alert::unexpected_message, "plaintext handshake record after the key change");
        return on_handshake_bytes(rec.fragment);
      case ContentType::application_data: {
        if (!core.read_protection.active())
          return fail(Alert::unexpected_message, "application_data record before keys were set");
        ContentType inner;
        VOUCH_ASSIGN(std::span<uint8_t> pt, core.read_protection.open(rec, inner));
        switch (inner) {
          case ContentType::handshake: return on_handshake_bytes(pt);
          case ContentType::alert: return on_alert(pt);
          case ContentType::application_data:
            if (!core.handshake_done)
              return fail(Alert::unexpected_message, "application data before the handshake completed");
            app_in.insert(app_in.end(), pt.begin(), pt.end());
            return {};
          default:
            return fail(Alert::unexpected_message, "unexpected inner content type");
        }
      }
      default:
        return fail(Alert::unexpected_message, "unknown record type");
    }
  }

  Status pump() {
    if (error) return *error;
    for (;;) {
      if (!core.handshake_done) {
        Status s = run_handshake();
        if (!s) return fatal(std::move(s).error());
        // Suspended on the application: leave later records buffered, they
        // may need keys the suspended state has not installed yet.
        if (wait != Wait::read && !core.handshake_done) return {};
      }
      if (core.handshake_done) {
        // resume() after the application answered a post-handshake request.
        Status s = answer_post_handshake_requests();
        if (!s) return fatal(std::move(s).error());
      }
      if (peer_closed) return {};
      const size_t limit = core.read_protection.active() ? kMaxCiphertext13 : kMaxPlaintext;
      auto r = core.deframer.next(limit);
      if (!r) return fatal(std::move(r).error());
      if (!*r) return {};
      Status s = on_record(**r);
      if (!s) return fatal(std::move(s).error());
    }
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

std::unique_ptr<Connection> Connection::client(std::shared_ptr<const ClientConfig> config,
                                               std::string server_name,
                                               std::shared_ptr<const Session> session) {
  return std::unique_ptr<Connection>(new Connection(
      std::make_unique<Impl>(std::move(config), std::move(server_name), std::move(session))));
}

std::unique_ptr<Connection> Connection::server(std::shared_ptr<const ServerConfig> config) {
  return std::unique_ptr<Connection>(new Connection(std::make_unique<Impl>(std::move(config))));
}

Status Connection::start() {
  if (impl_->error) return *impl_->error;
  if (impl_->started) return {};
  impl_->started = true;
  return impl_->pump();
}

Status Connection::receive(ByteView data) {
  if (impl_->error) return *impl_->error;
  if (!impl_->started) VOUCH_TRY(start());
  impl_->core.deframer.feed(data);
  return impl_->pump();
}

Status Connection::resume() { return impl_->pump(); }

ByteView Connection::pending_output() const {
  const ConnCore& c = impl_->core;
  return ByteView(c.out.data() + c.out_pos, c.out.size() - c.out_pos);
}

void Connection::consume_output(size_t n) {
  ConnCore& c = impl_->core;
  c.out_pos = std::min(c.out.size(), c.out_pos + n);
  if (c.out_pos == c.out.size()) {
    c.out.clear();
    c.out_pos = 0;
  }
}

Wait Connection::wait() const { return impl_->wait; }
bool Connection::handshake_complete() const { return impl_->core.handshake_done && !impl_->error; }
bool Connection::failed() const { return impl_->error.has_value(); }
const Error* Connection::error() const { return impl_->error ? &*impl_->error : nullptr; }
bool Connection::peer_closed() const { return impl_->peer_closed; }

size_t Connection::read(std::span<uint8_t> out) {
  Impl& i = *impl_;
  const size_t n = std::min(out.size(), i.app_in.size() - i.app_pos);
  if (n) std::memcpy(out.data(), i.app_in.data() + i.app_pos, n);
  i.app_pos += n;
  if (i.app_pos == i.app_in.size()) {
    i.app_in.clear();
    i.app_pos = 0;
  }
  return n;
}

size_t Connection::pending_application_data() const {
  return impl_->app_in.size() - impl_->app_pos;
}

Status Connection::write(ByteView data) {
  Impl& i = *impl_;
  if (i.error) return *i.error;
  if (!i.core.handshake_done)
    return fail(Alert::internal_error, "write before the handshake completed");
  if (i.close_sent) return fail(Alert::internal_error, "write after close");
  if (data.empty()) return {};
  Status s = i.core.write_record(ContentType::application_data, data);
  if (!s) return i.fatal(std::move(s).error());
  return {};
}

Status Connection::close() {
  Impl& i = *impl_;
  if (i.error) return *i.error;
  if (!i.close_sent) {
    i.close_sent = true;
    i.send_alert(Alert::close_notify, kAlertWarning);
    // Unanswered post-handshake requests are dropped: no answer may follow.
    if (i.core.handshake_done) (void)i.answer_post_handshake_requests();
  }
  return {};
}

Status Connection::key_update(bool request_peer_update) {
  Impl& i = *impl_;
  if (i.error) return *i.error;
  if (!i.core.handshake_done || i.close_sent)
    return fail(Alert::internal_error, "key_update needs an open, established connection");
  Status s = i.send_key_update(request_peer_update);
  if (!s) return i.fatal(std::move(s).error());
  return {};
}

const ConnectionInfo& Connection::info() const { return impl_->core.info; }
bool Connection::is_client() const { return impl_->core.is_client; }
const std::vector<Bytes>& Connection::peer_chain() const { return impl_->core.peer_chain; }

std::string Connection::peer_subject() const {
  const auto& chain = impl_->core.peer_chain;
  return chain.empty() ? std::string() : subject_of(chain.front());
}

const PeerOcsp& Connection::peer_ocsp() const { return impl_->core.peer_ocsp; }

std::vector<std::shared_ptr<const Session>> Connection::take_sessions() {
  return std::exchange(impl_->sessions, {});
}

const std::vector<SelectionNote>& Connection::client_certificate_notes() const {
  static const std::vector<SelectionNote> kNone;
  return impl_->client_hs ? impl_->client_hs->selection_notes() : kNone;
}

const std::optional<Credential>& Connection::client_certificate() const {
  static const std::optional<Credential> kNone;
  return impl_->client_hs ? impl_->client_hs->chosen_credential() : kNone;
}

const std::vector<Bytes>& Connection::verified_peer_chain() const {
  return impl_->core.verified_peer_chain;
}

Status Connection::request_client_certificate() {
  Impl& i = *impl_;
  if (i.error) return *i.error;
  if (!i.server_hs) return fail(Alert::internal_error, "only a server requests client certificates");
  if (i.close_sent) return fail(Alert::internal_error, "connection is closed");
  Status s = i.server_hs->request_client_certificate();
  if (!s && s.error().alert != Alert::internal_error) return i.fatal(std::move(s).error());
  return s;
}

bool Connection::post_handshake_auth_pending() const {
  return impl_->server_hs && impl_->server_hs->post_handshake_auth_pending();
}

}  // namespace vouch

#include "handshake/test_hooks.h"

namespace vouch::test_hooks {

void set_outgoing_message_hook(Connection& conn, MessageHook hook) {
  conn.impl_->core.outgoing_hook = std::move(hook);
}

}  // namespace vouch::test_hooks
