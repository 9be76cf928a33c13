// The part of a connection the handshake state machines share: record I/O,
// the transcript, negotiated parameters. Connection::Impl owns one; the
// client13/server13 machines work on it. No sockets here (sans-I/O).
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "handshake/pending_access.h"
#include "msg/messages.h"
#include "record/record.h"
#include "vouch/cert_chain.h"
#include "vouch/config.h"
#include "vouch/connection.h"

namespace vouch {

/// What a state function asks of the run loop (STYLE.md's "wait reasons").
enum class Hs : uint8_t {
  ok,                  // advance: run the next state now
  read_message,        // needs another handshake message from the peer
  client_certificate,  // suspended: the application must pick a certificate
  private_key,         // suspended: an external signer is busy
  ocsp_staple,         // suspended: an asynchronous staple hook has not answered
  server_certificate,  // suspended: an asynchronous credential source has not answered
  version_switch,      // the peer's hello chose TLS 1.2: hand over to the 1.2 machine
  done,                // handshake complete
};

struct ConnCore {
  ConnCore(bool client, const CommonConfig& cfg);
  ConnCore(const ConnCore&) = delete;
  ConnCore& operator=(const ConnCore&) = delete;
  /// Wipes the secrets the connection kept (traffic, exporter, resumption,
  /// TLS 1.2 master secret) before their memory goes back to the heap.
  ~ConnCore();

  bool is_client;
  const CommonConfig& common;
  /// This connection's number in trace events (vouch/trace.h).
  const uint64_t trace_id;

  // ---- records -------------------------------------------------------
  Deframer deframer;
  HandshakeAssembler hs_in;
  // Each direction keys only the AEAD context it uses (half the key
  // schedules of keying both).
  RecordProtection read_protection{AeadUse::open};
  RecordProtection write_protection{AeadUse::seal};
  /// Bytes for the network; records are sealed straight into it. Released
  /// once the application took everything (Connection::consume_output).
  ByteQueue out{kRecordHeaderLength + kMaxCiphertext12};
  Bytes hs_out;        // handshake messages queued for the next flush

  // ---- handshake state shared by both roles -----------------------------
  Transcript transcript;
  ConnectionInfo info;
  CertChain peer_chain;                    // as the peer sent it (sessions share it)
  std::vector<Bytes> verified_peer_chain;  // as verified, up to the anchor
  PeerOcsp peer_ocsp;                      // the peer's staples, as verified
  bool handshake_done = false;
  bool sent_ccs = false;
  bool seen_ccs = false;
  /// Server, RFC 8446 §4.2.10: the first ClientHello offered 0-RTT, which
  /// vouch never accepts, so the client's early data is skipped — records
  /// that do not open under the client's handshake key, or, after a
  /// HelloRetryRequest, every application_data record before the second
  /// ClientHello. Cleared by the first record that opens and by the second
  /// ClientHello (Connection::Impl::on_record).
  bool skip_early_data = false;
  /// Ciphertext bytes skipped so far (bounded: kMaxSkippedEarlyData).
  size_t early_data_skipped = 0;
  Bytes client_app_secret, server_app_secret;
  Bytes resumption_master_secret;
  Bytes exporter_master_secret;

  /// Both hellos' randoms, once known (key logging, TLS 1.2 exporters).
  std::array<uint8_t, 32> client_random{};
  std::array<uint8_t, 32> server_random{};
  /// Passes one NSS key log line for `secret` to CommonConfig::keylog.
  void log_secret(const char* label, ByteView secret) const;

  // ---- TLS 1.2 ------------------------------------------------------------
  /// The session's master secret (RFC 5246 §8.1), for exporters (RFC 5705).
  Bytes master_secret12;
  HashAlg prf_hash12 = HashAlg::sha256;
  /// The verify_data of the last handshake's Finished messages, for secure
  /// renegotiation (RFC 5746 §3.1).
  Bytes client_verify_data, server_verify_data;
  /// The peer supports secure renegotiation (RFC 5746 §3.1).
  bool secure_renegotiation = false;
  /// A TLS 1.2 renegotiation runs on the established connection (client
  /// only; RFC 5246 §7.4.1.1): the run loop drives the handshake again
  /// while application data keeps flowing.
  bool renegotiating = false;
  bool tls12() const { return info.version == ProtocolVersion::tls12; }

  // ---- waking the application (vouch/pending.h) --------------------------
  /// The connection's waker, shared with the handles it hands out; made on
  /// first use (a connection that never waits for the application has none).
  std::shared_ptr<WakeChannel> wake;
  /// A fresh pending handle of type H bound to this connection's waker.
  template <class H>
  std::shared_ptr<H> make_pending() {
    if (!wake) wake = std::make_shared<WakeChannel>();
    return PendingAccess::make<H>(wake);
  }

  /// Test seam (tests/ only, never set in production): rewrites each
  /// outgoing handshake message after it entered our transcript, so tests
  /// can corrupt, duplicate, drop or reorder what the peer receives.
  std::function<std::vector<Bytes>(const Bytes& message)> outgoing_hook;

  /// Frames a handshake message, adds it to the transcript and queues it.
  template <class M>
  Status send_message(HandshakeType type, const M& m) {
    VOUCH_ASSIGN(Bytes msg, encode_message(type, m));
    return send_raw(msg);
  }
  /// A handshake message with its header (write_framed), in room reserved
  /// for a typical message so the buffer is not regrown byte by byte; a
  /// length overflow is internal_error.
  template <class M>
  static Result<Bytes> encode_message(HandshakeType type, const M& m) {
    Bytes msg;
    msg.reserve(kMessageReserve);
    if (!write_framed(type, m, msg)) {
      return fail(Alert::internal_error,
                  std::string("cannot encode ") + handshake_type_name(static_cast<uint8_t>(type)));
    }
    return msg;
  }
  /// What send_message reserves: most handshake messages fit (a
  /// Certificate with its chain grows it a few times).
  static constexpr size_t kMessageReserve = 512;
  Status send_framed(HandshakeType type, ByteView body);
  /// Queues an already framed message (header included), adding it to the
  /// transcript.
  Status send_raw(ByteView message);
  /// Writes queued handshake bytes as records under the current write keys.
  Status flush_handshake();
  /// The dummy change_cipher_spec of RFC 8446 §D.4 (once per connection).
  void send_ccs();
  /// Seals one record of any type with the current write state.
  Status write_record(ContentType type, ByteView data);
  /// Queues a warning-level alert (TLS 1.2's no_renegotiation, RFC 5246
  /// §7.2), after what is queued so far.
  Status send_warning(Alert alert);

  /// Switches read keys. §5.1: "Handshake messages MUST NOT span key
  /// changes" — anything still buffered is unexpected_message.
  Status install_read_key(ByteView secret);
  /// Flushes what was queued under the old keys, then switches write keys.
  Status install_write_key(ByteView secret);
  /// TLS 1.2: the same with a key and IV from the key block (RFC 5246 §6.3),
  /// at the peer's / our ChangeCipherSpec (§7.1).
  Status install_read_key12(ByteView key, ByteView iv);
  Status install_write_key12(ByteView key, ByteView iv);

  /// After a completed handshake: frees the handshake output buffer and,
  /// unless `keep_transcript` (TLS 1.3 post-handshake authentication
  /// continues it, RFC 8446 §4.4.1), the transcript hash.
  void release_after_handshake(bool keep_transcript);

  /// Takes the next complete handshake message, if any (views valid until
  /// the next call).
  /// Each message taken is traced (CommonConfig::trace) as received.
  std::optional<HandshakeMessage> next_message();
  /// Traces a framed handshake message as sent, for the post-handshake
  /// messages written without send_raw() (tickets, KeyUpdate, post-handshake
  /// authentication).
  void trace_sent(ByteView message) const;
};

/// A handshake state machine (client13, server13, client12 or server12).
class Handshake {
 public:
  virtual ~Handshake() = default;
  /// Runs the current state once.
  virtual Result<Hs> step() = 0;
  /// Handles a post-handshake message (TLS 1.3: NewSessionTicket,
  /// KeyUpdate, CertificateRequest; TLS 1.2: HelloRequest, a renegotiating
  /// ClientHello); default: unexpected_message.
  virtual Status post_handshake(const HandshakeMessage& m);
  /// TLS 1.2: the peer's ChangeCipherSpec arrived (RFC 5246 §7.1), on a
  /// handshake message boundary; default: unexpected_message.
  virtual Status on_change_cipher_spec();
  /// The handshake completed (and no renegotiation follows at once): frees
  /// what only the handshake needed, keeping what post-handshake messages,
  /// accessors and a later renegotiation still use (docs/performance.md
  /// lists what stays). Default: nothing.
  virtual void release_after_handshake() {}
};

/// A message of the wrong type for the state: unexpected_message (§6.2).
Error unexpected(const HandshakeMessage& m, const char* expected);

}  // namespace vouch
