// vouch — configuration for clients and servers.
//
// A config is plain data with safe defaults. Build one, wrap it in a
// std::shared_ptr<const ...>, and share it between any number of connections
// and threads; a config must not be modified while connections use it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vouch/client_auth.h"
#include "vouch/credential.h"
#include "vouch/credential_source.h"
#include "vouch/ocsp.h"
#include "vouch/revocation.h"
#include "vouch/trace.h"
#include "vouch/types.h"

namespace vouch {

class TicketKeys;
class SessionCache;
class ServerSessionCache;

/// A hook into certificate path validation, exactly as OpenSSL's verify
/// callback (SSL_CTX_set_verify(3), X509_STORE_CTX_set_verify_cb(3)):
/// libcrypto calls it for each certificate as the path is checked — from
/// the anchor down to the leaf, and again whenever it finds a problem
/// (preverify_ok false, X509_STORE_CTX_get_error saying which, at
/// X509_STORE_CTX_get_error_depth / get_current_cert). Return the verdict:
/// preverify_ok to change nothing, false to refuse a certificate libcrypto
/// accepted (the handshake fails with bad_certificate, or the alert of an
/// error the callback set with X509_STORE_CTX_set_error), true to accept a
/// failure — verification then goes on, and the callback takes
/// responsibility for what it accepted. Called on the handshake's thread,
/// during the call that processes the peer's Certificate (connections
/// sharing a config on several threads call it concurrently); `ctx` is
/// valid during the call only. An exception thrown from it fails the
/// verification (internal_error) rather than crossing libcrypto. It
/// replaces any callback of the trust store (X509_STORE_set_verify_cb).
/// With a callback set, the process-wide verify cache is not used for that
/// verification: the callback runs on every handshake, as in libssl.
using X509VerifyCallback = std::function<bool(bool preverify_ok, X509_STORE_CTX* ctx)>;

/// Settings shared by both roles.
struct CommonConfig {
  /// The protocol versions spoken, an inclusive range (RFC 8446 §4.2.1).
  /// Default: TLS 1.2 and TLS 1.3, the highest both sides support wins. A
  /// client offers every version in the range in one ClientHello; a server
  /// refuses a client outside it with protocol_version. TLS 1.1 and older
  /// are never spoken whatever the range says. Errors: min_version above
  /// max_version fails the first handshake with internal_error.
  ProtocolVersion min_version = ProtocolVersion::tls12;
  ProtocolVersion max_version = ProtocolVersion::tls13;
  /// TLS 1.3 cipher suites in preference order (the server's order wins).
  std::vector<CipherSuite> cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256,
                                            CipherSuite::TLS_AES_256_GCM_SHA384,
                                            CipherSuite::TLS_CHACHA20_POLY1305_SHA256};
  /// TLS 1.2 cipher suites in preference order (the server's order wins).
  /// Only ECDHE with AEAD is implemented (RFC 5289, RFC 7905): no CBC, no
  /// static RSA or DHE key exchange, no NULL or export suites; other values
  /// are ignored. A server picks the first suite whose authentication (ECDSA
  /// or RSA) one of its credentials can provide.
  std::vector<CipherSuite> cipher_suites12 = {
      CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
      CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
      CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256};
  /// TLS 1.2: require the extended master secret (RFC 7627), which binds the
  /// master secret to the whole handshake (the triple-handshake attack's
  /// fix). vouch always offers it; with this on (the default) a peer that
  /// does not use it is refused with handshake_failure. Off: such peers are
  /// accepted for full handshakes only — a session without it is never
  /// resumed (RFC 7627 §5.3).
  bool require_extended_master_secret = true;
  /// Key exchange groups in preference order.
  std::vector<NamedGroup> groups = {NamedGroup::x25519, NamedGroup::secp256r1,
                                    NamedGroup::secp384r1};
  /// Signature schemes accepted for the peer's CertificateVerify (and a TLS
  /// 1.2 server's ServerKeyExchange), in preference order: the list sent in
  /// signature_algorithms (RFC 8446 §4.2.3). Also the schemes this side signs
  /// with, unless signing_schemes is set. Empty means vouch's defaults
  /// (ECDSA, RSA-PSS, Ed25519).
  std::vector<SignatureScheme> signature_schemes;
  /// The schemes this side signs with (its CertificateVerify, a TLS 1.2
  /// server's ServerKeyExchange), in preference order; the first one the
  /// peer offered and the key fits is used. Empty (the default): the list of
  /// signature_schemes. Set it to sign with fewer schemes than are accepted
  /// (e.g. RSA-PSS only while still accepting ECDSA), or with a scheme not
  /// accepted from the peer. Schemes vouch does not implement (SHA-1, MD5)
  /// are never used.
  std::vector<SignatureScheme> signing_schemes;
  /// ALPN protocol names in preference order (RFC 7301); empty = no ALPN.
  std::vector<std::string> alpn;
  /// Key logging for debugging with Wireshark and similar tools: called with
  /// one line of the NSS key log format (what SSLKEYLOGFILE files hold, no
  /// newline) per secret as the handshake derives it — TLS 1.2:
  /// "CLIENT_RANDOM <client random> <master secret>"; TLS 1.3:
  /// CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET,
  /// CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0 and EXPORTER_SECRET,
  /// each with the client random; hex in lower case. Whoever sees these
  /// lines can decrypt the connection: never set it in production. Called
  /// on the handshake's thread; null (the default) logs nothing.
  std::function<void(const std::string& line)> keylog;
  /// The handshake trace hook (see vouch/trace.h): called with a structured
  /// event per handshake message sent or received, the negotiated
  /// parameters, the client-certificate choice and its reasons, stapling
  /// decisions and alerts. Null (the default) traces nothing.
  TraceHook trace;
  /// Largest handshake message accepted (bytes of body). Certificate chains
  /// are the big ones; 128 KiB is generous and bounds memory per connection.
  size_t max_handshake_message = 128 * 1024;
};

/// Whether a TLS 1.2 client renegotiates when the server asks (see
/// ClientConfig::renegotiation). `once` is like Go's RenegotiateOnceAsClient
/// and BoringSSL's ssl_renegotiate_once; `freely` answers every HelloRequest,
/// as libssl's clients do by default (what the OpenSSL-compatible layer
/// uses unless SSL_OP_NO_RENEGOTIATION is set).
enum class Renegotiation { never, once, freely };

/// Client settings.
struct ClientConfig : CommonConfig {
  /// Anchors for the server's chain. Required when verify_peer is true.
  TrustStore trust;
  /// Verify the server's chain, validity, purpose (serverAuth) and name.
  /// Turning this off is for tests only.
  bool verify_peer = true;
  /// Called by libcrypto while the server's chain is verified (see
  /// X509VerifyCallback); null = libcrypto's verdict stands. Only when
  /// verify_peer is true.
  X509VerifyCallback verify_callback;
  /// The name the server certificate must match (a DNS name, wildcards for
  /// one whole label, or an IP literal; RFC 9525). Unset (the default): the
  /// server_name given to Connection::client, which is also sent as SNI —
  /// right almost always. Another name: when the SNI and the identity to
  /// check differ. An empty string: the chain is verified without checking
  /// any name — only when the identity is established otherwise (a pinned
  /// key, a private CA issuing one certificate per peer), or for OpenSSL
  /// compatibility (libssl checks a name only after SSL_set1_host).
  std::optional<std::string> verify_name;
  /// The longest server chain accepted, as OpenSSL's verify depth: how many
  /// intermediate CA certificates may stand between the leaf and the anchor
  /// (X509_V_ERR_CERT_CHAIN_TOO_LONG beyond; RFC 5280 §6.1 leaves the bound
  /// to the relying party).
  unsigned verify_depth = 10;
  /// Groups for which the first ClientHello carries a key share. A server
  /// preferring another group answers with a HelloRetryRequest.
  std::vector<NamedGroup> key_share_groups = {NamedGroup::x25519};
  /// Send a dummy session id and ChangeCipherSpec (RFC 8446 §D.4).
  bool middlebox_compat = true;
  /// Where tickets received from servers are kept, keyed by server name; a
  /// connection to the same name resumes from it. Null = no resumption unless
  /// a session is passed explicitly to Connection::client().
  std::shared_ptr<SessionCache> session_cache;

  // ---- mutual TLS (client certificates) --------------------------------
  /// Credentials to answer a CertificateRequest with. The built-in selector
  /// (select_client_credential) picks the first that meets the request; if
  /// none does, no certificate is sent. Ignored when `client_certificate_selector` is set.
  std::vector<Credential> client_credentials;
  /// Custom selection, called once per CertificateRequest with the parsed
  /// request; may answer later (pending). Takes precedence over
  /// client_credentials.
  ClientCertificateSelector client_certificate_selector;
  /// Offer TLS 1.3 post-handshake authentication (RFC 8446 §4.2.6).
  bool post_handshake_auth = false;
  /// TLS 1.2: what to do when the server asks to renegotiate (a
  /// HelloRequest, RFC 5246 §7.4.1.1) — how servers such as Apache httpd and
  /// IIS ask for a client certificate for one path. `never` (the default)
  /// answers with a no_renegotiation warning and the connection goes on;
  /// `once` runs one secure renegotiation (RFC 5746) in which the server may
  /// ask for a certificate (the client certificate selection runs as in any
  /// handshake) — a second HelloRequest gets the warning. The server's
  /// certificate must stay the same (illegal_parameter otherwise). A server
  /// that declines with a no_renegotiation warning leaves the connection as
  /// it was.
  Renegotiation renegotiation = Renegotiation::never;

  // ---- certificate status (OCSP stapling) and revocation -----------------
  /// Send status_request (RFC 6066 §8) in the ClientHello. Ignored (nothing
  /// is requested) when ocsp_policy is ignore.
  bool request_ocsp_status = true;
  /// TLS 1.2: when status is requested (request_ocsp_status, ocsp_policy not
  /// ignore), also send status_request_v2 (RFC 6961) listing ocsp_multi and
  /// ocsp, so that a TLS 1.2 server can staple its intermediates too (TLS 1.3
  /// does that with status_request alone, RFC 8446 §4.4.2.1). Every response
  /// is verified against its certificate's issuer and judged by ocsp_policy
  /// (a revoked intermediate is certificate_revoked); peer_ocsp() reports
  /// each. Servers without RFC 6961 ignore it and answer status_request.
  /// False sends status_request only.
  bool request_ocsp_multi = true;
  /// What to do with the server's staples; see OcspPolicy. A must-staple
  /// leaf (RFC 7633) upgrades soft to require.
  OcspPolicy ocsp_policy = OcspPolicy::soft;
  /// More revocation checks of the server's chain, run in order after the
  /// staple check (e.g. crl_provider()).
  std::vector<std::shared_ptr<const RevocationProvider>> revocation_providers;
};

/// Whether and how a server asks for client certificates.
enum class ClientAuth {
  none,      // never send a CertificateRequest
  optional,  // ask; an empty Certificate is accepted (anonymous client)
  required,  // ask; an empty Certificate is certificate_required (§4.4.2.4)
};

/// Server settings.
struct ServerConfig : CommonConfig {
  /// Certificates to offer. The first whose name matches the SNI (if any) and
  /// whose key fits a signature scheme the client offered is used.
  std::vector<Credential> credentials;
  /// Send NewSessionTickets after the handshake (RFC 8446 §4.6.1).
  unsigned num_tickets = 2;
  /// TLS 1.3: how many of them after a resumed handshake (the client already
  /// holds tickets); unset: num_tickets. OpenSSL sends at most one then.
  std::optional<unsigned> num_tickets_resumed;
  /// The number of TLS 1.3 tickets a handshake sends: num_tickets, or
  /// num_tickets_resumed (capped by num_tickets) when it resumed.
  unsigned tickets_for(bool resumed) const {
    return resumed && num_tickets_resumed ? std::min(*num_tickets_resumed, num_tickets) : num_tickets;
  }
  /// TLS 1.2: send a session ticket (RFC 5077) to clients that ask for one;
  /// false keeps the session under a session ID instead. Unset: tickets
  /// while num_tickets > 0. (OpenSSL counts num_tickets for TLS 1.3 only
  /// and turns TLS 1.2 tickets off with SSL_OP_NO_TICKET.)
  std::optional<bool> tickets12;
  bool sends_tickets12() const { return tickets12.value_or(num_tickets > 0); }
  uint32_t ticket_lifetime_seconds = 7200;
  /// Keys that encrypt tickets; rotated automatically. Null = a fresh
  /// keyring per config, created on first use.
  std::shared_ptr<TicketKeys> ticket_keys;
  /// Which side's cipher suite order wins (RFC 8446 §4.1.1 and RFC 5246
  /// §7.4.1.3 leave it to the server): true (the default) takes the first
  /// suite of the server's list that the client offered; false the first of
  /// the client's list that the server allows (OpenSSL without
  /// SSL_OP_CIPHER_SERVER_PREFERENCE).
  bool prefer_server_cipher_order = true;
  /// With prefer_server_cipher_order: when the first suite a client offers
  /// is a ChaCha20-Poly1305 one (typically a device without AES
  /// instructions), the server's ChaCha20 suites go first for that
  /// connection, in both versions. Off by default (OpenSSL's
  /// SSL_OP_PRIORITIZE_CHACHA).
  bool prioritize_chacha = false;
  /// Sessions are resumed only by a server with the same context (OpenSSL's
  /// SSL_CTX_set_session_id_context): servers sharing ticket keys or a
  /// session cache but serving different applications set different values
  /// so that a session of one is never resumed by the other. At most 32
  /// bytes; empty (the default) is a context of its own.
  Bytes session_id_context;
  /// Accept resumption: TLS 1.3 PSKs, TLS 1.2 session tickets (RFC 5077,
  /// sealed with ticket_keys) and TLS 1.2 session IDs (session_cache12).
  bool allow_resumption = true;
  /// TLS 1.2 sessions resumable by session ID (RFC 5246 §7.4.1.2), kept in
  /// memory by the server. Null = one bounded cache per process shared by
  /// every config that brings none. Clients that offer a session ticket get
  /// a ticket instead and nothing is cached for them.
  std::shared_ptr<ServerSessionCache> session_cache12;
  /// Always answer the first ClientHello with a HelloRetryRequest carrying a
  /// cookie (RFC 8446 §4.2.2), e.g. to check that the client's address is
  /// live. Off by default.
  bool require_cookie = false;

  // ---- hooks into the ClientHello's answer ----------------------------------
  /// When set, called once per ClientHello the server answers (after a
  /// HelloRetryRequest, for the second one too), whether or not it carries
  /// server_name (RFC 6066 §3) and whether or not a session will be resumed,
  /// before the ALPN protocol and the certificate are chosen — what
  /// OpenSSL's servername callback is. `server_name` is the client's
  /// host_name, empty without one. Return true to go on (a name the client
  /// sent is acknowledged with an empty server_name extension, except when a
  /// session is resumed), false to go on without acknowledging it, or an
  /// Error to fail the handshake with its alert (unrecognized_name, RFC 6066
  /// §3, is the usual one). It may change what later hooks of the same
  /// handshake answer (alpn_selector, credential_source_async): e.g. pick the
  /// certificate for that name. Called on the handshake's thread, inside
  /// receive(); it must not call into the connection.
  std::function<Result<bool>(const std::string& server_name)> server_name_hook;
  /// When set, chooses the ALPN protocol (RFC 7301 §3.2) instead of the
  /// first of `alpn` the client offered — what OpenSSL's ALPN select
  /// callback is. Called once per ClientHello that carries
  /// application_layer_protocol_negotiation (a resumed handshake's too; after
  /// a HelloRetryRequest for both), after server_name_hook and before the
  /// certificate is chosen, with the client's protocols in its order. Return
  /// one of them to select it, nullopt to negotiate none (no ALPN in the
  /// answer, the handshake goes on), or an Error to fail the handshake with
  /// its alert (no_application_protocol, RFC 7301 §3.2). A protocol the
  /// client did not offer fails the handshake with internal_error (§3.2:
  /// the server's choice "MUST be one of the protocols advertised by the
  /// client"). Takes precedence over `alpn`. Called on the handshake's
  /// thread, inside receive(); it must not call into the connection.
  std::function<Result<std::optional<std::string>>(const std::vector<std::string>& offered)> alpn_selector;

  // ---- mutual TLS (client certificates) --------------------------------
  ClientAuth client_auth = ClientAuth::none;
  /// TLS 1.2 only: ask like this instead of client_auth. Unset: client_auth.
  /// (A server that authenticates clients after the handshake in TLS 1.3,
  /// as OpenSSL's SSL_VERIFY_POST_HANDSHAKE does, asks during the handshake
  /// in TLS 1.2, which has no post-handshake authentication.)
  std::optional<ClientAuth> client_auth12;
  ClientAuth client_auth_tls12() const { return client_auth12.value_or(client_auth); }
  /// Anchors for client chains (purpose clientAuth). CRLs loaded into the
  /// store are checked.
  TrustStore client_trust;
  /// Called by libcrypto while a client's chain is verified against
  /// client_trust (see X509VerifyCallback); null = libcrypto's verdict
  /// stands. A client it lets through still has its CertificateVerify
  /// checked and client_certificate_check called.
  X509VerifyCallback client_verify_callback;
  /// The longest client chain accepted (see ClientConfig::verify_depth).
  unsigned client_verify_depth = 10;
  /// The certificate_authorities sent in CertificateRequest (DER names).
  /// nullopt: the subjects of client_trust's anchors; an empty vector: the
  /// extension is omitted.
  std::optional<std::vector<Bytes>> client_ca_names;
  /// Called after a client chain and its CertificateVerify verified; an
  /// Error refuses the client with its alert.
  ClientCertificateCheck client_certificate_check;
  /// Ask the client to staple (empty status_request in the
  /// CertificateRequest, RFC 8446 §4.4.2.1) and check what it sends with
  /// client_ocsp_policy.
  bool request_client_ocsp = false;
  OcspPolicy client_ocsp_policy = OcspPolicy::soft;
  /// More revocation checks of client chains, run after the staple check.
  std::vector<std::shared_ptr<const RevocationProvider>> client_revocation_providers;

  // ---- where credentials and staples come from ----------------------------
  /// When set, called once per handshake for the credentials to choose from,
  /// instead of `credentials` (a Stapler sets it, see Stapler::attach; a
  /// certificate can then be swapped at run time). Must be thread-safe and
  /// fast; an empty or null answer fails the handshake (internal_error).
  std::function<std::shared_ptr<const std::vector<Credential>>()> credential_source;
  /// The same, told about the ClientHello and able to answer later (see
  /// vouch/credential_source.h): called once per full handshake, after the
  /// ClientHello is parsed and negotiated (suite, group, ALPN) and before
  /// anything of the answer is sent; never on PSK resumption (RFC 8446
  /// §2.2: no Certificate is sent then); after a HelloRetryRequest, once, for
  /// the second ClientHello (the first is only answered with the retry,
  /// §4.1.4). Return the snapshot to answer now, or nullopt to answer
  /// through `pending`: the connection then waits (Wait::server_certificate)
  /// until pending->provide()/fail() and resume(). An empty or null snapshot
  /// fails the handshake with internal_error, fail(error) with the error's
  /// alert. Takes precedence over credential_source and `credentials`.
  AsyncCredentialSource credential_source_async;
  /// When set, called once per handshake in which the client asked for
  /// status (status_request in its ClientHello), with the chosen credential
  /// and the SNI (empty without one). Returns the DER OCSP responses to
  /// staple, one per chain position (see Credential::with_ocsp_staples; an
  /// empty vector: no staple), or an Error to fail the handshake with its
  /// alert. Without a hook, the credential's own staples are sent. The bytes
  /// are sent as given: vouch does not verify what the hook returns.
  std::function<Result<std::vector<Bytes>>(const Credential& credential, const std::string& server_name)>
      ocsp_staple_hook;
  /// The same, able to answer later (e.g. after fetching a staple on another
  /// thread): return a value to answer now, or nullopt to answer through
  /// `pending` — the connection then waits (Wait::ocsp_staple) before
  /// sending anything of its flight, until pending->provide()/fail() and
  /// resume(). Called at most once per handshake. Takes precedence over
  /// ocsp_staple_hook.
  std::function<std::optional<Result<std::vector<Bytes>>>(
      const Credential& credential, const std::string& server_name, std::shared_ptr<PendingOcspStaple> pending)>
      ocsp_staple_hook_async;
};

}  // namespace vouch
