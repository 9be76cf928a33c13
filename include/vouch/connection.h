// vouch — the sans-I/O TLS connection.
//
// A Connection never touches a socket. The application (or vouch::Stream, or
// the OpenSSL-compatible layer) moves bytes:
//
//   auto conn = vouch::Connection::client(config, "example.com");
//   conn->start();                                   // ClientHello queued
//   while (!conn->handshake_complete()) {
//     send(conn->pending_output()); conn->consume_output(n);
//     conn->receive(bytes_from_network);             // may queue more output
//   }
//
// All functions are non-blocking. A Connection is not thread-safe: use it
// from one thread at a time.
#pragma once

#include <functional>
#include <optional>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include "vouch/client_auth.h"
#include "vouch/config.h"
#include "vouch/export.h"
#include "vouch/revocation.h"
#include "vouch/error.h"
#include "vouch/session.h"
#include "vouch/types.h"

namespace vouch {

namespace detail {
// Opened only by the library's own sources; not part of the API.
struct ConnectionAccess;
}  // namespace detail

/// Why the connection cannot make progress (the "wait reason").
enum class Wait : uint8_t {
  /// Nothing pending: handshake complete or idle.
  none,
  /// Needs more bytes from the peer: call receive().
  read,
  /// Needs the application to supply a client certificate: the
  /// ClientConfig::client_certificate_selector answered
  /// ClientCertificateChoice::pending(). Complete the handle it was given
  /// (which calls the waker, see set_waker()), then call resume().
  ///
  /// During the handshake nothing else happens meanwhile. After it, for a
  /// post-handshake CertificateRequest (RFC 8446 §4.6.2), the connection
  /// stays established (handshake_complete() remains true): receive() keeps
  /// reading records — application data, NewSessionTickets, KeyUpdates and
  /// further CertificateRequests (at most 8 may wait; one more fails the
  /// connection with internal_error) — and write() keeps sending. Answers go
  /// out in the order the requests arrived, each once its handle is
  /// completed and resume() or receive() runs; wait() stays
  /// client_certificate while the oldest one is unanswered. close() drops
  /// the requests still waiting (nothing may follow close_notify).
  client_certificate,
  /// An external signer (PrivateKeySigner, vouch/client_auth.h) returned
  /// nullopt and has not completed its PendingSignature yet; nothing of the
  /// flight that carries the signature has been sent.
  private_key_operation,
  /// Server: an asynchronous OCSP staple hook (ServerConfig::
  /// ocsp_staple_hook_async) has not answered yet.
  ocsp_staple,
  /// Server: an asynchronous credential source (ServerConfig::
  /// credential_source_async) has not answered yet; nothing of the server's
  /// answer to the ClientHello has been sent.
  server_certificate,
};

/// The enumerator's name ("none", "read", "client_certificate",
/// "private_key_operation", "ocsp_staple", "server_certificate"), for logs.
/// Never null; "unknown" for a value outside the enumeration.
VOUCH_EXPORT const char* to_string(Wait w) noexcept;

/// True for the waits that only the application ends, by completing a
/// pending handle (client_certificate, private_key_operation, ocsp_staple,
/// server_certificate): the connection's waker is called then.
constexpr bool waits_for_application(Wait w) noexcept {
  return w == Wait::client_certificate || w == Wait::private_key_operation || w == Wait::ocsp_staple ||
         w == Wait::server_certificate;
}

/// Negotiated parameters, valid once the handshake completed.
struct ConnectionInfo {
  ProtocolVersion version{};
  CipherSuite cipher_suite{};
  NamedGroup group{};            // zero value if resumed without (EC)DHE
  /// The scheme of the peer's signature: the server's CertificateVerify
  /// (TLS 1.3) or ServerKeyExchange (TLS 1.2) on a client; the client's
  /// CertificateVerify on a server. Zero value without one (resumption, no
  /// client certificate).
  SignatureScheme peer_signature_scheme{};
  std::string alpn;              // empty if none
  std::string server_name;       // SNI sent (client) or received (server)
  bool resumed = false;
  bool hello_retry_request = false;
};

class VOUCH_EXPORT Connection {
 public:
  /// A client connection. server_name is sent as SNI and checked against the
  /// server certificate (hostname or IP literal); may be empty only when
  /// config->verify_peer is false. `session`, if given, is offered for
  /// resumption; otherwise config->session_cache is consulted.
  static std::unique_ptr<Connection> client(std::shared_ptr<const ClientConfig> config,
                                            std::string server_name = {},
                                            std::shared_ptr<const Session> session = nullptr);
  /// A server connection.
  static std::unique_ptr<Connection> server(std::shared_ptr<const ServerConfig> config);

  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Client: queues the ClientHello. Server: no-op. Safe to call twice.
  Status start();

  /// Feeds bytes received from the peer and advances the handshake as far as
  /// they allow. Application data that arrives is buffered for read().
  /// On a fatal error the alert is queued in pending_output(), the connection
  /// is poisoned (every later call returns the same error) and the error is
  /// returned.
  Status receive(ByteView data);
  /// receive() and read() in one call, for a caller that holds both the
  /// bytes from the network and the buffer the application data should go
  /// to: application data already buffered is copied to `out` first, then
  /// each record whose plaintext fits in what is left of `out` is decrypted
  /// straight into it (no copy through the connection's buffer); the rest
  /// is buffered for read() as with receive(). `read_count` is set to the
  /// bytes of application data written to `out`, also when an error is
  /// returned (records before a bad one were authentic). Bytes of `out`
  /// past read_count may have been overwritten. Errors as receive().
  Status receive(ByteView data, std::span<uint8_t> out, size_t& read_count);

  /// Re-runs the state machine without new bytes (after a Wait other than
  /// read was resolved).
  Status resume();

  /// Sets the function to call when the application completes a pending
  /// handle this connection handed out (vouch/pending.h: the client
  /// certificate selector's, an external signer's, the asynchronous staple
  /// hook's or credential source's), so that an event loop learns when to
  /// resume() without polling. Replaces the previous waker; an empty
  /// function removes it.
  ///
  /// Called exactly once per completed handle (the first answer; later
  /// ones are ignored), from the completing thread, after the answer is
  /// stored: a resume() that runs after the call starts finds it. A handle
  /// completed before its hook returned calls it too, then on the thread
  /// driving the connection, from inside receive() or resume(). A handle
  /// completed while no waker is set wakes nobody (the next resume() still
  /// finds the answer).
  ///
  /// Thread-safety: set_waker() may be called on the driving thread while
  /// other threads complete handles. Once set_waker() (or ~Connection)
  /// returned, the previous waker is not running and will not be called
  /// again, so it may capture objects that die with the connection. In
  /// return the waker runs under the connection's wake lock: it must be
  /// short (post to the event loop, signal a condition variable) and must
  /// not call into the connection — set_waker() included — nor complete
  /// another handle of the same connection (either would deadlock).
  void set_waker(std::function<void()> waker);

  /// Bytes to send to the peer. The view is valid until the next non-const call.
  ByteView pending_output() const;
  /// Marks n bytes of pending_output() as sent.
  void consume_output(size_t n);

  Wait wait() const;
  bool handshake_complete() const;
  /// TLS 1.2: a renegotiation (RFC 5746) is under way on the established
  /// connection (handshake_complete() stays true meanwhile).
  bool renegotiating() const;
  /// True once a fatal error happened (sent or received).
  bool failed() const;
  /// The first fatal error, or null.
  const Error* error() const;
  /// True once the peer sent close_notify.
  bool peer_closed() const;

  /// Copies up to out.size() bytes of received application data; returns the
  /// count (0 when nothing is buffered).
  size_t read(std::span<uint8_t> out);
  /// Application bytes buffered and not yet read.
  size_t pending_application_data() const;
  /// Bytes allocated for the connection's buffers right now (their
  /// capacity, not what they hold): records received but not processed, a
  /// partial handshake message, application data not read yet, output not
  /// taken by consume_output(). Each buffer is given back once it drains, so
  /// an established connection with nothing in flight answers 0; what it
  /// still holds otherwise (keys, secrets, the peer's chain) is listed in
  /// docs/performance.md.
  size_t buffer_capacity() const;
  /// Encrypts and queues application data (fragmented into ≤ 2^14 records).
  /// Error if the handshake is not complete or the connection failed/closed.
  Status write(ByteView data);
  /// Queues close_notify (RFC 8446 §6.1). Further write() calls fail.
  Status close();
  /// Sends a KeyUpdate (RFC 8446 §4.6.3) and switches to the next write key.
  Status key_update(bool request_peer_update);

  /// Keying material exporter (RFC 5705 in TLS 1.2, RFC 8446 §7.5 in TLS
  /// 1.3; what SSL_export_keying_material computes): `length` bytes bound to
  /// this connection's secrets, for an application-chosen `label` (RFC 5705
  /// §4 lists labels registered with IANA) and an optional `context`. In TLS
  /// 1.2 no context and an empty one give different outputs (RFC 5705 §4);
  /// in TLS 1.3 they are the same (§7.5). Both peers get the same bytes.
  /// After a TLS 1.2 renegotiation the new master secret is used. Errors
  /// (internal_error): the handshake has not completed, length 0, a context
  /// longer than 2^16-1 bytes (TLS 1.2).
  Result<Bytes> export_keying_material(std::string_view label, std::optional<ByteView> context,
                                       size_t length) const;

  const ConnectionInfo& info() const;
  bool is_client() const;
  /// The peer's certificate chain as received, leaf first (DER). Empty when
  /// the peer sent none.
  const std::vector<Bytes>& peer_chain() const;
  /// The peer leaf's subject as one line, or "" without one.
  std::string peer_subject() const;
  /// The OCSP staples the peer sent and what vouch made of them (RFC 8446
  /// §4.4.2.1): client — the server's, if status was requested; server — the
  /// client's, if ServerConfig::request_client_ocsp. On a resumed connection
  /// the client reports the status established by the full handshake
  /// (from_session). Empty (requested == false) before the peer's
  /// Certificate.
  const PeerOcsp& peer_ocsp() const;
  /// Client: sessions received from NewSessionTickets since the last call,
  /// oldest first. Without ClientConfig::session_cache a TLS 1.3 ticket is
  /// kept in its compact form until this call makes its Session (so an idle
  /// connection holds no copy of the server chain per ticket), and at most
  /// the 16 newest wait: a server that sends more between two calls loses
  /// the oldest. With a session cache each session was made on arrival and
  /// put there too.
  std::vector<std::shared_ptr<const Session>> take_sessions();

  // ---- mutual TLS ----------------------------------------------------
  /// Client: why each configured credential was taken or skipped by the
  /// built-in selector at the last CertificateRequest (empty if a custom
  /// selector answered or no certificate was requested).
  const std::vector<SelectionNote>& client_certificate_notes() const;
  /// Client: the credential sent at the last CertificateRequest, if any.
  const std::optional<Credential>& client_certificate() const;
  /// Server: the client's chain as verified (leaf first, up to the anchor),
  /// empty if the client sent no certificate or none was requested.
  const std::vector<Bytes>& verified_peer_chain() const;
  /// Server, TLS 1.3: asks the client for a certificate after the handshake
  /// (RFC 8446 §4.6.2). Fails unless the handshake completed and the client
  /// offered post_handshake_auth. The answer arrives through receive(); the
  /// client's chain then shows in verified_peer_chain(), and
  /// post_handshake_auth_pending() turns false.
  ///
  /// The client may take its time (its selector can answer later, see
  /// Wait::client_certificate): until the answer arrives application data
  /// keeps flowing both ways and verified_peer_chain() keeps what it held.
  Status request_client_certificate();
  /// Server: a post-handshake CertificateRequest was sent and the client's
  /// answer (Certificate ... Finished) has not been received completely yet.
  bool post_handshake_auth_pending() const;

  struct Impl;

 private:
  friend struct detail::ConnectionAccess;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vouch
