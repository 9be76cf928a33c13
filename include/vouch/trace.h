// vouch — the handshake trace hook: structured events describing what a
// connection sends, receives and decides, for debugging and logs (what
// `vouch connect --trace` and `vouch serve --trace` print).
//
// Set CommonConfig::trace (on a ClientConfig or a ServerConfig) to a
// TraceHook; every connection made from that config calls it, on the thread
// that drives the connection (inside start(), receive(), resume(), write(),
// close()), synchronously, once per event, in the order things happen.
// Events are plain values; the hook may copy them. The hook must not call
// into the connection and should be quick (it runs inside the handshake). An
// exception thrown from it is caught and ignored. Null (the default) costs
// one test per event and produces nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "vouch/alert.h"
#include "vouch/client_auth.h"
#include "vouch/export.h"
#include "vouch/types.h"

namespace vouch {

/// Which way a message or an alert went, seen from this connection.
enum class TraceDirection : uint8_t { sent, received };

/// One handshake message (RFC 8446 §4, RFC 5246 §7.4), during the handshake
/// or after it (NewSessionTicket, KeyUpdate, a post-handshake
/// CertificateRequest, a TLS 1.2 HelloRequest). Sent: when it is queued for
/// the wire (after it entered the transcript). Received: when the handshake
/// takes it, i.e. in the order it is processed. A HelloRetryRequest is
/// reported as server_hello (type 2), as it is on the wire (§4.1.4).
struct TraceMessage {
  TraceDirection direction = TraceDirection::sent;
  /// The HandshakeType code point (1 client_hello, 2 server_hello, ...).
  uint8_t type = 0;
  /// The body length in bytes (without the 4-byte handshake header).
  size_t length = 0;
};

/// What the handshake settled on; once per completed handshake (a TLS 1.2
/// renegotiation reports again), when it completes: after a TLS 1.3
/// server's NewSessionTickets (its handshake's last step), before any
/// message received after the handshake.
struct TraceNegotiated {
  ProtocolVersion version{};
  CipherSuite cipher_suite{};
  /// Zero value when a resumption used no (EC)DHE.
  NamedGroup group{};
  /// The scheme of the peer's signature (see
  /// ConnectionInfo::peer_signature_scheme); zero value without one.
  SignatureScheme peer_signature_scheme{};
  /// Empty when no ALPN protocol was negotiated.
  std::string alpn;
  /// The server name (SNI) sent (client) or received (server).
  std::string server_name;
  bool resumed = false;
  bool hello_retry_request = false;
};

/// Client: the answer to one CertificateRequest (RFC 8446 §4.3.2, §4.6.2;
/// RFC 5246 §7.4.4), once the answer is known.
struct TraceClientCertificate {
  bool post_handshake = false;
  /// How many certificate_authorities names the request carried.
  size_t acceptable_cas = 0;
  /// ClientConfig::client_certificate_selector answered (then `notes` is
  /// empty), rather than the built-in rule over client_credentials.
  bool custom_selector = false;
  /// A certificate is sent (false: an empty Certificate message).
  bool sent = false;
  /// The leaf subject of what is sent (empty when nothing is).
  std::string subject;
  /// The built-in rule's verdict on each candidate, in order: why it was
  /// taken or skipped.
  std::vector<SelectionNote> notes;
};

/// OCSP stapling decisions. Server: whether and what it staples (once per
/// full handshake). Client: what it made of the server's staple (once per
/// handshake in which it verified a server chain).
struct TraceStaple {
  enum class Decision : uint8_t {
    not_requested,  // server: the client did not ask (no status_request)
    none,           // server: asked, nothing to staple; client: asked, none came
    stapled,        // server: sending `count` responses
    checked,        // client: a staple came and was judged (see `detail`)
    not_asked,      // client: status was not requested (OcspPolicy::ignore)
  };
  Decision decision = Decision::none;
  /// Server: where the staples came from: "hook" (ocsp_staple_hook or its
  /// async form) or "credential" (Credential::ocsp_staples, e.g. a Stapler).
  std::string source;
  /// Server: the number of non-empty responses sent (leaf and
  /// intermediates).
  size_t count = 0;
  /// Client: PeerOcsp::summary() of the leaf ("good (produced ...)",
  /// "invalid (reason)", ...).
  std::string detail;
};

/// An alert (RFC 8446 §6, RFC 5246 §7.2) sent or received, close_notify
/// included.
struct TraceAlert {
  TraceDirection direction = TraceDirection::sent;
  Alert alert = Alert::close_notify;
  /// The level byte says fatal (TLS 1.3 treats every alert but close_notify
  /// and user_canceled as fatal whatever the level, §6).
  bool fatal = false;
};

/// One event.
using TraceEvent = std::variant<TraceMessage, TraceNegotiated, TraceClientCertificate, TraceStaple, TraceAlert>;

/// The hook type of CommonConfig::trace. `connection` tells connections
/// apart: a number unique within the process, the same for every event of
/// one Connection (connections sharing a config share the hook, and may run
/// on several threads at once).
using TraceHook = std::function<void(uint64_t connection, const TraceEvent& event)>;

/// One line (no newline) describing an event, e.g.
///   "sent ClientHello (512 bytes)"
///   "received alert handshake_failure (fatal)"
///   "negotiated TLSv1.3 TLS_AES_128_GCM_SHA256 group=x25519 peer-sig=ecdsa_secp256r1_sha256 alpn=h2 full"
///   "client-cert: sent 'CN=client' (built-in rule; 2 acceptable CAs) [CN=client: chosen]"
///   "staple: stapled 2 responses (from credential)"
VOUCH_EXPORT std::string to_string(const TraceEvent& event);

}  // namespace vouch
