// Connection: the sans-I/O driver. Turns bytes into records, records into
// handshake messages / alerts / application data, and runs the state machine
// (the "run loop" that maps wait reasons to Wait values, STYLE.md).
#include "vouch/connection.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string>

#include "cert/public_key.h"
#include "crypto/hash.h"
#include "handshake/client12.h"
#include "handshake/client13.h"
#include "handshake/conn_core.h"
#include "handshake/connection_access.h"
#include "handshake/exporter.h"
#include "handshake/key_schedule.h"
#include "handshake/server12.h"
#include "handshake/server13.h"
#include "handshake/trace_emit.h"

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

std::shared_ptr<ServerSessionCache> default_session_cache12() {
  // Likewise one bounded TLS 1.2 session-ID cache per process.
  static std::shared_ptr<ServerSessionCache> cache = std::make_shared<ServerSessionCache>();
  return cache;
}

// RFC 5246 §7.2 leaves warning alerts to the receiver; a peer that sends
// nothing but warnings would keep us busy for free, so a run of more than
// this many without other records is unexpected_message.
constexpr int kMaxConsecutiveWarnings = 4;

// Likewise, records that carry nothing — empty application data (RFC 5246
// §6.2.1 allows them, RFC 8446 §5.4 zero-length content), TLS 1.3's dropped
// change_cipher_spec records (§5) — and KeyUpdates (§4.6.3) with no
// application data between them cost work and deliver nothing: more than
// these many in a row are unexpected_message. (BoringSSL has the same
// bounds.)
constexpr int kMaxEmptyRecords = 32;
constexpr int kMaxKeyUpdates = 32;

// RFC 8446 §4.2.10: a server that does not accept 0-RTT skips the client's
// early data "up to the configured max_early_data_size". vouch never offers
// 0-RTT (no ticket it issues carries early_data), so this is the bound on
// what it skips: 16 KiB of ciphertext, as BoringSSL's kMaxEarlyDataSkipped
// (a client holding another server's ticket may send early data anyway).
constexpr size_t kMaxSkippedEarlyData = 16 * 1024;

}  // namespace

struct Connection::Impl {
  Impl(std::shared_ptr<const ClientConfig> c, std::string name, std::shared_ptr<const Session> s)
      : client_config(std::move(c)), core(true, *client_config) {
    if (!s && client_config->session_cache && !name.empty())
      s = client_config->session_cache->take(name);
    auto h = std::make_unique<ClientHandshake13>(core, client_config, std::move(name),
                                                 std::move(s), sessions);
    client13 = h.get();
    hs = std::move(h);
  }
  explicit Impl(std::shared_ptr<const ServerConfig> c)
      : server_config(std::move(c)), core(false, *server_config) {
    auto h = std::make_unique<ServerHandshake13>(core, server_config, ticket_keys());
    server13 = h.get();
    hs = std::move(h);
    started = true;  // a server waits for the ClientHello
  }

  std::shared_ptr<TicketKeys> ticket_keys() const {
    return server_config->ticket_keys ? server_config->ticket_keys : default_ticket_keys();
  }

  std::shared_ptr<const ClientConfig> client_config;
  std::shared_ptr<const ServerConfig> server_config;
  ConnCore core;
  std::unique_ptr<Handshake> hs;
  // The machine hs holds, by role and version (one of them is set).
  ClientHandshake13* client13 = nullptr;
  ClientHandshake12* client12 = nullptr;
  ServerHandshake13* server13 = nullptr;
  ServerHandshake12* server12 = nullptr;
  std::vector<std::shared_ptr<const Session>> sessions;

  Wait wait = Wait::read;
  std::optional<Error> error;
  bool started = false;
  bool close_sent = false;
  bool peer_closed = false;
  /// Received application data not read yet: records are decrypted
  /// straight into it (no copy), and it is released once read() drained it.
  ByteQueue app_in{kMaxCiphertext12};
  int consecutive_warnings = 0;  // warning alerts (TLS 1.3: user_canceled) since the last other record
  int consecutive_empty = 0;     // records without content since the last one with some
  int key_updates = 0;           // KeyUpdates received since the last application data
  // TLS 1.3: we sent a KeyUpdate and no application data since, so our
  // current write key has protected nothing yet (see on_key_update).
  bool fresh_write_key = false;

  // A fatal error: send its alert once (unless the peer sent it), poison.
  Error fatal(Error e) {
    if (!error) {
      error = e;
      // Handshake messages queued but not written yet are dropped: after a
      // fatal error only the alert goes out (a signer with the wrong key
      // never lets the rest of its flight reach the peer).
      core.hs_out.clear();
      if (!e.from_peer) send_alert(e.alert, kAlertFatal);
      // RFC 8446 §6.1: user_canceled "SHOULD be followed by a close_notify";
      // without it a TLS 1.3 peer, for which user_canceled is a closure
      // alert, would wait for more.
      if (!e.from_peer && e.alert == Alert::user_canceled) send_alert(Alert::close_notify, kAlertWarning);
      wait = Wait::none;
    }
    return *error;
  }

  void send_alert(Alert a, uint8_t level) {
    const uint8_t body[2] = {level, static_cast<uint8_t>(a)};
    emit_trace(core.common, core.trace_id, [&] { return TraceAlert{TraceDirection::sent, a, level == kAlertFatal}; });
    (void)core.flush_handshake();
    (void)core.write_record(ContentType::alert, ByteView(body, 2));
  }

  // The hello chose TLS 1.2 (RFC 8446 §4.2.1): the TLS 1.2 machine of the
  // same role takes over from what the TLS 1.3 one has read or sent.
  void switch_to_tls12() {
    if (client13) {
      auto h = std::make_unique<ClientHandshake12>(core, client_config, core.info.server_name,
                                                   client13->take_tls12_handoff(), sessions);
      client13 = nullptr;
      client12 = h.get();
      hs = std::move(h);
    } else {
      auto cache = server_config->session_cache12 ? server_config->session_cache12 : default_session_cache12();
      auto hello = server13->take_client_hello();
      auto h = std::make_unique<ServerHandshake12>(core, server_config, ticket_keys(), std::move(cache),
                                                   std::move(hello.framed), std::move(hello.parsed));
      server13 = nullptr;
      server12 = h.get();
      hs = std::move(h);
    }
  }

  Status run_handshake() {
    // Bounded: every state either advances or asks for input; a machine
    // that loops without progress is a bug we report, not a hang.
    for (int guard = 0; guard < 64; ++guard) {
      auto r = hs->step();
      if (!r) return std::move(r).error();
      switch (*r) {
        case Hs::ok: continue;
        case Hs::version_switch: switch_to_tls12(); continue;
        case Hs::read_message: wait = Wait::read; return core.flush_handshake();
        case Hs::client_certificate: wait = Wait::client_certificate; return core.flush_handshake();
        case Hs::private_key: wait = Wait::private_key_operation; return core.flush_handshake();
        case Hs::ocsp_staple: wait = Wait::ocsp_staple; return core.flush_handshake();
        case Hs::server_certificate: wait = Wait::server_certificate; return core.flush_handshake();
        case Hs::done:
          trace_handshake_done();
          core.handshake_done = true;
          core.renegotiating = false;
          wait = Wait::none;
          VOUCH_TRY(core.flush_handshake());
          VOUCH_TRY(drain_post_handshake());
          // RFC 5246 §7.4.1.1: a HelloRequest that came in the same record
          // as the last message started a renegotiation
          // (ClientConfig::renegotiation); run it now, not at the next record.
          if (core.renegotiating) continue;
          // Established: keep only what an established connection needs
          // (issue 13, docs/performance.md).
          hs->release_after_handshake();
          return {};
      }
    }
    return fail(Alert::internal_error, "handshake state machine made no progress");
  }

  // The negotiated parameters and, on a client that verified a server
  // chain, what it made of the staple (vouch/trace.h).
  void trace_handshake_done() {
    if (!core.common.trace) return;
    emit_trace(core.common, core.trace_id, [&] {
      const ConnectionInfo& i = core.info;
      return TraceNegotiated{i.version, i.cipher_suite, i.group, i.peer_signature_scheme, i.alpn,
                             i.server_name, i.resumed, i.hello_retry_request};
    });
    if (!core.is_client || core.info.resumed || !client_config || !client_config->verify_peer) return;
    emit_trace(core.common, core.trace_id, [&] {
      TraceStaple st;
      const PeerOcsp& o = core.peer_ocsp;
      const StapleReport* leaf = o.leaf();
      if (!o.requested) {
        st.decision = TraceStaple::Decision::not_asked;
      } else if (leaf && leaf->present) {
        st.decision = TraceStaple::Decision::checked;
        st.detail = o.summary();
      } else {
        st.decision = TraceStaple::Decision::none;
      }
      return st;
    });
  }

  Status drain_post_handshake() {
    while (auto m = core.next_message()) {
      if (core.tls12()) {
        // TLS 1.2: HelloRequest (client) or a renegotiating ClientHello
        // (server). A renegotiation the client starts takes the messages
        // that follow (run by pump()).
        VOUCH_TRY(hs->post_handshake(*m));
        if (core.renegotiating) return {};
        continue;
      }
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
    if (!client13) return {};
    if (close_sent) {
      client13->drop_post_handshake_requests();  // §6.1: nothing follows close_notify
    } else {
      VOUCH_TRY(client13->answer_post_handshake_requests());
    }
    wait = client13->post_handshake_request_waiting() ? Wait::client_certificate : Wait::none;
    return {};
  }

  Bytes& peer_secret() { return core.is_client ? core.server_app_secret : core.client_app_secret; }
  Bytes& own_secret() { return core.is_client ? core.client_app_secret : core.server_app_secret; }

  Status on_key_update(const HandshakeMessage& m) {
    KeyUpdate ku;
    VOUCH_TRY(parse(m.body, ku));
    if (++key_updates > kMaxKeyUpdates)
      return fail(Alert::unexpected_message, "more than " + std::to_string(kMaxKeyUpdates) +
                                                 " KeyUpdates without application data between them");
    // §4.6.3: switch read keys; the message must end its record (§5.1),
    // which install_read_key checks.
    HashAlg h;
    AeadAlg a;
    tls13_suite_params(core.info.cipher_suite, h, a);
    VOUCH_ASSIGN(Bytes next, next_traffic_secret(h, peer_secret()));
    peer_secret() = next;
    VOUCH_TRY(core.install_read_key(next));
    // §4.6.3: the answer goes out before our next application data; "an
    // implementation which receives multiple KeyUpdates while it is silent"
    // responds "with a single update" — none while our key is unused.
    if (ku.update_requested && !close_sent && !fresh_write_key) VOUCH_TRY(send_key_update(false));
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
    core.trace_sent(msg);
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
    fresh_write_key = true;
    return core.write_protection.install(core.info.cipher_suite, next);
  }

  Status on_alert(ByteView body) {
    // RFC 8446 §5.1/§5.4: "Implementations MUST NOT send Handshake and Alert
    // records that have a zero-length TLSInnerPlaintext.content; if such a
    // message is received, the receiving implementation MUST terminate the
    // connection with an "unexpected_message" alert" (OpenSSL does the same
    // in TLS 1.2).
    if (body.empty()) return fail(Alert::unexpected_message, "zero-length alert record (RFC 8446 §5.1)");
    if (body.size() != 2) return fail(Alert::decode_error, "alert record is not two bytes");
    const Alert a = static_cast<Alert>(body[1]);
    emit_trace(core.common, core.trace_id, [&] { return TraceAlert{TraceDirection::received, a, body[0] == kAlertFatal}; });
    if (a == Alert::close_notify) {
      peer_closed = true;
      return {};
    }
    // RFC 8446 §6: user_canceled is followed by close_notify; everything
    // else is fatal in TLS 1.3 whatever its level says. RFC 5246 §7.2: in
    // TLS 1.2 a warning (no_renegotiation, ...) lets the connection go on.
    // RFC 5246 §7.2: in TLS 1.2 "Alert messages with a level of fatal
    // result in the immediate termination of the connection" — a fatal
    // user_canceled too (vouch sends one when a selector aborts).
    //
    // Before the version is negotiated the level is taken at its word too:
    // a TLS 1.2 server may send a warning (typically unrecognized_name,
    // RFC 6066 §3) before its ServerHello, and the client cannot yet know
    // that 1.3's rule does not apply.
    const bool tls12_rules = core.tls12() || core.info.version == ProtocolVersion{};
    const bool warning = a == Alert::user_canceled ? !(tls12_rules && body[0] == kAlertFatal)
                                                   : tls12_rules && body[0] == kAlertWarning;
    if (warning && ++consecutive_warnings > kMaxConsecutiveWarnings)
      return fail(Alert::unexpected_message, "too many warning alerts in a row");
    if (a == Alert::user_canceled && warning) return {};
    if (warning) {
      // RFC 5246 §7.2.2: a server that will not renegotiate answers our
      // ClientHello with no_renegotiation; the connection goes on as it was.
      if (a == Alert::no_renegotiation && client12 && core.renegotiating) {
        client12->abandon_renegotiation();
        if (!core.renegotiating) wait = Wait::none;
      }
      return {};
    }
    return Error{a, "the peer aborted the connection", true, ErrorKind::alert_received};
  }

  // §4.2.10: one record of early data the server does not accept, dropped;
  // more than kMaxSkippedEarlyData is unexpected_message (§4.6.1: "A server
  // receiving more than max_early_data_size bytes of 0-RTT data SHOULD
  // terminate the connection with an "unexpected_message" alert").
  Status skip_early_data(const RawRecord& rec) {
    core.early_data_skipped += rec.fragment.size();
    if (core.early_data_skipped > kMaxSkippedEarlyData)
      return fail(Alert::unexpected_message, "more than " + std::to_string(kMaxSkippedEarlyData) +
                                                 " bytes of early data, which this server does not accept "
                                                 "(RFC 8446 §4.2.10)");
    return {};
  }

  // RFC 8446 §5.1: "Handshake messages MUST NOT be interleaved with other
  // record types. That is, if a handshake message is split over two or more
  // records, there MUST NOT be any other records between them." (TLS 1.2
  // allows interleaving, RFC 5246 §6.2.1; alerts are let through so that a
  // peer's own error is what gets reported.)
  Status check_not_mid_message(const char* record_type) const {
    if (!core.hs_in.mid_message()) return {};
    return fail(Alert::unexpected_message, std::string(record_type) +
                                               " record between the fragments of a handshake message "
                                               "(RFC 8446 §5.1)");
  }

  // Counts a record that carried nothing (see kMaxEmptyRecords).
  Status on_empty_record() {
    if (++consecutive_empty > kMaxEmptyRecords)
      return fail(Alert::unexpected_message, "too many empty records in a row (more than " +
                                                 std::to_string(kMaxEmptyRecords) + ")");
    return {};
  }

  // Application data arrived: the runs of empty records and KeyUpdates end.
  Status on_app_data(std::span<const uint8_t> data) {
    if (data.empty()) return on_empty_record();
    consecutive_empty = 0;
    key_updates = 0;
    if (!caller_out.empty() && data.data() == caller_out.data() + caller_count) {
      caller_count += data.size();  // decrypted into the caller's buffer (open_record)
    } else if (data.data() == app_in.data() + app_in.size()) {
      app_in.commit(data.size());  // decrypted into its room at the back (open_record)
    } else {
      app_in.append(data);
    }
    return {};
  }

  // Opens a protected record. Once the handshake is done, records are
  // decrypted straight behind the application data not read yet: if it is
  // application data on_app_data() only commits it (no copy); anything else
  // (alert, post-handshake message) is taken from there and left
  // uncommitted. Before that, in place in the deframer's buffer.
  Result<std::span<uint8_t>> open_record(const RawRecord& rec, ContentType& type) {
    if (!core.handshake_done) return core.read_protection.open(rec, type);
    // receive(data, out, n): straight into the caller's buffer when the
    // record's plaintext (at most the fragment less the tag) fits, and
    // nothing buffered has to come first.
    const size_t most = rec.fragment.size() >= kAeadTagLength ? rec.fragment.size() - kAeadTagLength : 0;
    if (app_in.empty() && caller_out.size() - caller_count >= most && most > 0)
      return core.read_protection.open(rec, type, caller_out.subspan(caller_count));
    return core.read_protection.open(rec, type, app_in.prepare(rec.fragment.size()));
  }

  // receive(data, out, n): the caller's buffer and what was written to it.
  std::span<uint8_t> caller_out;
  size_t caller_count = 0;

  // Established, nothing buffered: whole application_data records at the
  // front of `data` are opened straight from the caller's bytes (out of
  // place, so nothing writes to them) instead of being copied into the
  // deframer first. Returns the bytes used; anything else (a partial
  // record, another record type, a state in which records need more than
  // opening) is left to the deframer, which also judges bad headers.
  Result<size_t> open_in_place_of_deframer(ByteView data) {
    size_t used = 0;
    while (!error && core.handshake_done && !core.renegotiating && !peer_closed && wait == Wait::none &&
           core.read_protection.active() && core.deframer.buffered() == 0) {
      const ByteView rest = data.subspan(used);
      if (rest.size() < kRecordHeaderLength) break;
      const size_t length = record_fragment_length(rest);
      const size_t limit = core.read_protection.tls12() ? kMaxCiphertext12 : kMaxCiphertext13;
      if (rest[0] != static_cast<uint8_t>(ContentType::application_data) || rest[1] != 0x03 ||
          length > limit || rest.size() < kRecordHeaderLength + length)
        break;
      RawRecord rec;
      rec.type = ContentType::application_data;
      rec.version = static_cast<uint16_t>((uint16_t{rest[1]} << 8) | rest[2]);
      // Opened out of place (open_record, handshake done): read, never written.
      uint8_t* bytes = const_cast<uint8_t*>(rest.data());
      rec.header = std::span<uint8_t>(bytes, kRecordHeaderLength);
      rec.fragment = std::span<uint8_t>(bytes + kRecordHeaderLength, length);
      used += kRecordHeaderLength + length;
      Status s = on_record(rec);
      if (!s) return fatal(std::move(s).error());
    }
    return used;
  }

  Status receive(ByteView data) {
    if (error) return *error;
    if (!started) {
      started = true;
      Status s = pump();
      if (!s) return s;
    }
    // Room for all the plaintext these bytes can carry, at once: records
    // then decrypt into it without the buffer regrowing (and copying) per
    // record.
    if (core.handshake_done && caller_out.empty()) (void)app_in.prepare(core.deframer.buffered() + data.size());
    auto used = open_in_place_of_deframer(data);
    if (!used) {
      release_idle_buffers();
      return std::move(used).error();
    }
    core.deframer.feed(data.subspan(*used));
    return pump();
  }

  Status on_handshake_bytes(ByteView frag) {
    if (frag.empty())
      return fail(Alert::unexpected_message, "zero-length handshake fragment (RFC 8446 §5.1)");
    VOUCH_TRY(core.hs_in.add(frag));
    if (core.handshake_done && !core.renegotiating) return drain_post_handshake();
    return {};
  }

  // TLS 1.2 records (RFC 5246 §6.2): every content type travels under the
  // current read state — plaintext until the peer's ChangeCipherSpec,
  // protected after it (renegotiation messages included).
  Status on_record12(const RawRecord& rec) {
    std::span<uint8_t> body = rec.fragment;
    if (core.read_protection.active()) {
      ContentType type;
      VOUCH_ASSIGN(body, open_record(rec, type));
    }
    if (rec.type != ContentType::alert) consecutive_warnings = 0;
    if (rec.type != ContentType::application_data) consecutive_empty = 0;
    switch (rec.type) {
      case ContentType::change_cipher_spec:
        // RFC 5246 §7.1: one byte of value 1.
        if (body.size() != 1 || body[0] != 1)
          return fail(Alert::decode_error, "malformed change_cipher_spec record");
        if (core.handshake_done && !core.renegotiating)
          return fail(Alert::unexpected_message, "change_cipher_spec after the handshake");
        return hs->on_change_cipher_spec();
      case ContentType::alert: return on_alert(body);
      case ContentType::handshake: return on_handshake_bytes(body);
      case ContentType::application_data:
        // RFC 5246 §6.2.1 allows empty application data records. Data may
        // arrive while a renegotiation runs (the connection is established).
        if (!core.handshake_done)
          return fail(Alert::unexpected_message, "application data before the handshake completed");
        return on_app_data(body);
      default:
        return fail(Alert::unexpected_message, "unknown record type");
    }
  }

  Status on_record(const RawRecord& rec) {
    if (core.tls12()) return on_record12(rec);
    // Runs counted below end with a record of another kind.
    if (rec.type != ContentType::alert && rec.type != ContentType::application_data) consecutive_warnings = 0;
    if (rec.type != ContentType::change_cipher_spec && rec.type != ContentType::application_data)
      consecutive_empty = 0;
    switch (rec.type) {
      case ContentType::change_cipher_spec: {
        // §5: a single 0x01 byte, unencrypted, between the first ClientHello
        // and the peer's Finished, is dropped; anything else is fatal.
        // A client that offered only TLS 1.2 speaks RFC 5246 alone, where a
        // ChangeCipherSpec before the ServerHello is unexpected_message
        // (§7.1, §7.4): nothing is dropped for it.
        VOUCH_TRY(check_not_mid_message("change_cipher_spec"));
        const bool hello_seen = (core.is_client && core.common.max_version == ProtocolVersion::tls13) ||
                                core.transcript.selected();
        if (core.handshake_done || !hello_seen || rec.fragment.size() != 1 || rec.fragment[0] != 1)
          return fail(Alert::unexpected_message, "unexpected change_cipher_spec record");
        core.seen_ccs = true;
        return on_empty_record();
      }
      case ContentType::alert:
        // A peer that has not derived keys yet may still alert in plaintext.
        if (core.handshake_done && core.read_protection.active())
          return fail(Alert::unexpected_message, "plaintext alert after the handshake");
        return on_alert(rec.fragment);
      case ContentType::handshake:
        if (core.read_protection.active())
          return fail(Alert::unexpected_message, "plaintext handshake record after the key change");
        // The deframer's limit is raised while early data is skipped.
        if (rec.fragment.size() > kMaxPlaintext)
          return fail(Alert::record_overflow, "plaintext record longer than 2^14 bytes (RFC 8446 §5.1)");
        return on_handshake_bytes(rec.fragment);
      case ContentType::application_data: {
        if (!core.read_protection.active()) {
          // §4.2.10: after a HelloRetryRequest "the server then ignores
          // early data by skipping all records with an external content
          // type of "application_data"" until the second ClientHello.
          VOUCH_TRY(check_not_mid_message("application_data"));
          if (core.skip_early_data) return skip_early_data(rec);
          return fail(Alert::unexpected_message, "application_data record before keys were set");
        }
        ContentType inner;
        auto opened = open_record(rec, inner);
        // §4.2.10: "The server then skips past early data by attempting to
        // deprotect received records using the handshake traffic key,
        // discarding records which fail deprotection ... Once a record is
        // deprotected successfully, it is treated as the start of the
        // client's second flight".
        if (!opened && core.skip_early_data && opened.error().alert == Alert::bad_record_mac)
          return skip_early_data(rec);
        VOUCH_ASSIGN(std::span<uint8_t> pt, std::move(opened));
        core.skip_early_data = false;
        switch (inner) {
          case ContentType::handshake:
            consecutive_empty = 0;
            consecutive_warnings = 0;
            return on_handshake_bytes(pt);
          case ContentType::alert: return on_alert(pt);
          case ContentType::application_data:
            consecutive_warnings = 0;
            VOUCH_TRY(check_not_mid_message("application_data"));
            if (!core.handshake_done)
              return fail(Alert::unexpected_message, "application data before the handshake completed");
            return on_app_data(pt);
          default:
            return fail(Alert::unexpected_message, "unexpected inner content type");
        }
      }
      default:
        return fail(Alert::unexpected_message, "unknown record type");
    }
  }

  // Buffers with nothing in them are given back (issue 13: an idle
  // connection holds no receive buffer, like SSL_MODE_RELEASE_BUFFERS by
  // default). Called when receive()/resume() return, when no view into
  // them is alive.
  void release_idle_buffers() {
    core.deframer.release_if_empty();
    core.hs_in.release_if_empty();
    app_in.release();
  }

  Status pump() {
    Status s = pump_records();
    release_idle_buffers();
    return s;
  }

  Status pump_records() {
    if (error) return *error;
    // Bounded by the input: every turn consumes one record or returns.
    for (;;) {
      const bool handshaking = !core.handshake_done || core.renegotiating;
      if (handshaking) {
        Status s = run_handshake();
        if (!s) return fatal(std::move(s).error());
        // Suspended on the application: leave later records buffered, they
        // may need keys the suspended state has not installed yet.
        if (wait != Wait::read && (!core.handshake_done || core.renegotiating)) return {};
      }
      if (core.handshake_done && !core.renegotiating) {
        // resume() after the application answered a post-handshake request.
        Status s = answer_post_handshake_requests();
        if (!s) return fatal(std::move(s).error());
      }
      if (peer_closed) return {};
      // §5.2 / RFC 5246 §6.2.3: the largest record the current state accepts.
      // Skipped early data is ciphertext even before any key is installed.
      const size_t unprotected = core.skip_early_data ? kMaxCiphertext13 : kMaxPlaintext;
      const size_t limit = !core.read_protection.active() ? unprotected
                           : core.read_protection.tls12() ? kMaxCiphertext12
                                                          : kMaxCiphertext13;
      auto r = core.deframer.next(limit);
      if (!r) return fatal(std::move(r).error());
      if (!*r) return {};
      Status s = on_record(**r);
      if (!s) return fatal(std::move(s).error());
    }
  }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() {
  // Handles that outlive the connection wake nobody, and a waker running on
  // another thread has returned before the connection goes away.
  if (impl_ && impl_->core.wake) impl_->core.wake->set(nullptr);
}

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
  const HmacWipeScope wipe_hmac_keys_on_return;
  if (impl_->error) return *impl_->error;
  if (impl_->started) return {};
  impl_->started = true;
  return impl_->pump();
}

Status Connection::receive(ByteView data) {
  const HmacWipeScope wipe_hmac_keys_on_return;
  return impl_->receive(data);
}

Status Connection::receive(ByteView data, std::span<uint8_t> out, size_t& read_count) {
  const HmacWipeScope wipe_hmac_keys_on_return;
  Impl& i = *impl_;
  read_count = read(out);
  i.caller_out = out;
  i.caller_count = read_count;
  Status s = i.receive(data);
  read_count = i.caller_count;
  i.caller_out = {};
  i.caller_count = 0;
  // Whatever was buffered meanwhile (a record too big for what was left of
  // out, say) goes to out as far as it fits.
  if (read_count < out.size()) read_count += read(out.subspan(read_count));
  return s;
}

Status Connection::resume() {
  const HmacWipeScope wipe_hmac_keys_on_return;
  return impl_->pump();
}

void Connection::set_waker(std::function<void()> waker) {
  ConnCore& core = impl_->core;
  if (!core.wake) {
    if (!waker) return;
    core.wake = std::make_shared<WakeChannel>();
  }
  core.wake->set(std::move(waker));
}

const char* to_string(Wait w) noexcept {
  switch (w) {
    case Wait::none: return "none";
    case Wait::read: return "read";
    case Wait::client_certificate: return "client_certificate";
    case Wait::private_key_operation: return "private_key_operation";
    case Wait::ocsp_staple: return "ocsp_staple";
    case Wait::server_certificate: return "server_certificate";
  }
  return "unknown";
}

ByteView Connection::pending_output() const {
  const ConnCore& c = impl_->core;
  return ByteView(c.out.data(), c.out.size());
}

void Connection::consume_output(size_t n) {
  ConnCore& c = impl_->core;
  c.out.consume(n);
  c.out.release();  // everything sent: an idle connection holds no send buffer
}

Wait Connection::wait() const { return impl_->wait; }
bool Connection::handshake_complete() const { return impl_->core.handshake_done && !impl_->error; }
bool Connection::renegotiating() const { return impl_->core.renegotiating && !impl_->error; }
bool Connection::failed() const { return impl_->error.has_value(); }
const Error* Connection::error() const { return impl_->error ? &*impl_->error : nullptr; }
bool Connection::peer_closed() const { return impl_->peer_closed; }

size_t Connection::read(std::span<uint8_t> out) {
  Impl& i = *impl_;
  const size_t n = std::min(out.size(), i.app_in.size());
  if (n) std::memcpy(out.data(), i.app_in.data(), n);
  i.app_in.consume(n);
  i.app_in.release();  // drained: an idle connection holds no receive buffer
  return n;
}

size_t Connection::pending_application_data() const { return impl_->app_in.size(); }

size_t Connection::buffer_capacity() const {
  const ConnCore& c = impl_->core;
  return c.deframer.capacity() + c.hs_in.capacity() + impl_->app_in.capacity() + c.out.capacity() +
         c.hs_out.capacity();
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
  i.fresh_write_key = false;
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
  if (i.core.tls12()) return fail(Alert::internal_error, "TLS 1.2 has no KeyUpdate (RFC 8446 §4.6.3)");
  Status s = i.send_key_update(request_peer_update);
  if (!s) return i.fatal(std::move(s).error());
  return {};
}

Result<Bytes> Connection::export_keying_material(std::string_view label, std::optional<ByteView> context,
                                                 size_t length) const {
  if (impl_->error) return *impl_->error;
  return vouch::export_keying_material(impl_->core, label, context, length);
}

const ConnectionInfo& Connection::info() const { return impl_->core.info; }
bool Connection::is_client() const { return impl_->core.is_client; }
const std::vector<Bytes>& Connection::peer_chain() const { return impl_->core.peer_chain.certs(); }

std::string Connection::peer_subject() const {
  const auto& chain = impl_->core.peer_chain;
  return chain.empty() ? std::string() : subject_of(chain.front());
}

const PeerOcsp& Connection::peer_ocsp() const { return impl_->core.peer_ocsp; }

std::vector<std::shared_ptr<const Session>> Connection::take_sessions() {
  auto out = std::exchange(impl_->sessions, {});
  if (impl_->client13) {
    for (auto& s : impl_->client13->take_received_sessions()) out.push_back(std::move(s));
  }
  return out;
}

const std::vector<SelectionNote>& Connection::client_certificate_notes() const {
  static const std::vector<SelectionNote> kNone;
  if (impl_->client13) return impl_->client13->selection_notes();
  if (impl_->client12) return impl_->client12->selection_notes();
  return kNone;
}

const std::optional<Credential>& Connection::client_certificate() const {
  static const std::optional<Credential> kNone;
  if (impl_->client13) return impl_->client13->chosen_credential();
  if (impl_->client12) return impl_->client12->chosen_credential();
  return kNone;
}

const std::vector<Bytes>& Connection::verified_peer_chain() const {
  return impl_->core.verified_peer_chain;
}

Status Connection::request_client_certificate() {
  Impl& i = *impl_;
  if (i.error) return *i.error;
  if (!i.server13 && !i.server12) return fail(Alert::internal_error, "only a server requests client certificates");
  if (!i.server13)
    return fail(Alert::internal_error,
                "TLS 1.2 has no post-handshake authentication (vouch servers never renegotiate)");
  if (i.close_sent) return fail(Alert::internal_error, "connection is closed");
  Status s = i.server13->request_client_certificate();
  if (!s && s.error().alert != Alert::internal_error) return i.fatal(std::move(s).error());
  return s;
}

bool Connection::post_handshake_auth_pending() const {
  return impl_->server13 && impl_->server13->post_handshake_auth_pending();
}

}  // namespace vouch

namespace vouch::detail {

ConnCore& ConnectionAccess::core(Connection& conn) { return conn.impl_->core; }

}  // namespace vouch::detail
