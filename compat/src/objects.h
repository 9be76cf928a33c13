// The objects behind the opaque C handles: SSL_METHOD, SSL_CTX, SSL and
// SSL_CIPHER. An SSL drives one vouch::Connection (sans-I/O) and moves its
// bytes through libcrypto BIOs; everything the protocol decides is vouch's.
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "internal/compat_seam.h"
#include "credential_cache.h"
#include "errors.h"
#include "settings.h"
#include "vouch/client_auth.h"
#include "vouch/connection.h"
#include "vouch/credential.h"
#include "vouch/credential_source.h"
#include "vouch/session.h"

struct ssl_method_st {
  /// Role the method fixes (libssl: TLS_client_method / TLS_server_method
  /// start in that role; TLS_method leaves it to SSL_set_*_state).
  enum class Role { either, client, server } role;
};

/// SSL_SESSION: what SSL_get1_session hands out and SSL_set_session takes.
/// Reference counted like libssl's; `session` is the ticket vouch resumes
/// from, null for a session that cannot be resumed (none arrived yet, or a
/// server's view).
struct ssl_session_st {
  std::atomic<int> references{1};
  std::shared_ptr<const vouch::Session> session;
  /// A server's view of a session (new / get / remove callbacks): `state` is
  /// what vouch's TLS 1.2 server keeps under the session ID (empty for a
  /// TLS 1.3 ticket's session, which the ticket itself carries).
  bool server = false;
  vouch::Bytes state;
  /// Server, TLS 1.2 by session ID: the client's chain as it came in the
  /// full handshake, what a connection resuming the session reports.
  std::vector<vouch::Bytes> peer_chain;
  /// SSL_SESSION_get_id: a server's session ID; a client's, the server's
  /// session ID or, as libssl makes it, SHA-256 of the ticket. Empty: the
  /// session cannot be cached (libssl's session_id_length 0). A client's is
  /// derived when first asked for: few programs ask, and hashing every
  /// ticket (kilobytes with a client chain inside) cost a client handshake
  /// more than 2 %. Thread-safe, as sessions are shared between threads.
  const vouch::Bytes& id() const;
  /// Sets the ID (of a server's session, or one read by d2i_SSL_SESSION)
  /// before the session is shared; no client ID is derived then.
  void set_id(vouch::ByteView id);
  /// A server's TLS 1.3 ticket session: libssl gives each a random ID of
  /// its own, drawn here when first asked for (the session cache, the new
  /// session callback, SSL_SESSION_get_id) rather than for every ticket.
  void set_random_id();
  /// libssl's not_resumable: removed from a cache (SSL_free without
  /// shutdown, a fatal alert, expired, a TLS 1.3 ticket used once).
  bool not_resumable = false;
  /// SSL_SESSION_get_time / _get_timeout: made at (unix seconds), lives for
  /// (seconds, the session context's SSL_CTX_set_timeout when made).
  long time = 0;
  long timeout = 0;
  /// Made by d2i_SSL_SESSION: as in libssl, a connection resumed from it
  /// reports no peer chain (SSL_get_peer_cert_chain), only the certificate.
  bool from_der = false;

 private:
  mutable std::once_flag id_once_;
  mutable vouch::Bytes id_;
  bool id_given_ = false;
  bool id_random_ = false;
};

namespace vouch::compat {

inline void free_name_stack(STACK_OF(X509_NAME) * s) { sk_X509_NAME_pop_free(s, X509_NAME_free); }
/// An owned STACK_OF(X509_NAME) with its names (libssl's CA name lists).
using NameStack = ossl::Ptr<STACK_OF(X509_NAME), free_name_stack>;
/// An owned SSL_SESSION reference.
using SessionPtr = ossl::Ptr<SSL_SESSION, SSL_SESSION_free>;

/// libssl's session cache of a context (SSL_CTX_set_session_cache_mode(3)):
/// the mode, lifetime and callbacks, the internal cache (sessions by ID,
/// each holding one reference) and the SSL_CTX_sess_* counters.
struct SessionCacheState {
  long mode = SSL_SESS_CACHE_SERVER;
  long timeout = 7200;  // libssl 3.0's default for TLS_method
  long size = 1024 * 20;  // SSL_SESSION_CACHE_MAX_SIZE_DEFAULT; 0 unbounded
  int (*new_cb)(SSL*, SSL_SESSION*) = nullptr;
  SSL_SESSION* (*get_cb)(SSL*, const unsigned char*, int, int*) = nullptr;
  void (*remove_cb)(SSL_CTX*, SSL_SESSION*) = nullptr;

  std::mutex mu;
  /// Guarded by mu: the internal cache and its insertion order (eviction of
  /// the oldest when full).
  std::map<std::string, std::pair<SessionPtr, uint64_t>> by_id;  // key: the ID's bytes
  std::map<uint64_t, std::string> by_order;
  uint64_t next_order = 0;

  struct Counter {
    std::atomic<long> n{0};
    void add() { n.fetch_add(1, std::memory_order_relaxed); }
    long get() const { return n.load(std::memory_order_relaxed); }
  };
  Counter connect, connect_good, accept, accept_good, hits, cb_hits, misses, timeouts, cache_full;
};

}  // namespace vouch::compat

/// One suite as libssl describes it (SSL_CIPHER_get_name(3),
/// SSL_CIPHER_description). Static: SSL_get_current_cipher hands out
/// pointers into a constant table.
struct ssl_cipher_st {
  vouch::CipherSuite suite;
  const char* name;           // libssl's: the IANA name of a TLS 1.3 suite, OpenSSL's of a TLS 1.2 one
  const char* standard_name;  // the IANA (RFC) name
  int bits;                   // secret and algorithm bits (equal for these suites)
  const char* version;        // the first version that has it: "TLSv1.3", "TLSv1.2"
  const char* kx;             // SSL_CIPHER_description's Kx=, Au=, Enc=
  const char* au;
  const char* enc;
};

struct ssl_ctx_st {
  ssl_ctx_st() = default;
  ssl_ctx_st(const ssl_ctx_st&) = delete;
  ssl_ctx_st& operator=(const ssl_ctx_st&) = delete;

  std::atomic<int> references{1};
  const SSL_METHOD* method = nullptr;
  CRYPTO_EX_DATA ex_data{};
  /// Copied into each SSL at SSL_new.
  vouch::compat::Settings settings;
  /// SSL_CTX_add_extra_chain_cert: sent after the leaf when the certificate
  /// has no chain of its own. Shared by every SSL of the context.
  std::vector<vouch::ossl::X509Ptr> extra_certs;
  /// What SSL_CTX_get_extra_chain_certs handed out last (the context keeps
  /// it; remade at each call).
  vouch::ossl::X509Stack chain_view;
  /// SSL_CTX_set_msg_callback / _arg (libssl ABI): kept for the getters;
  /// vouch does not call it (docs/libssl-abi.md).
  void (*msg_callback)(int, int, int, const void*, size_t, SSL*, void*) = nullptr;
  void* msg_callback_arg = nullptr;
  /// SSL_CTX_set_read_ahead: kept, not used (vouch reads record by record).
  int read_ahead = 0;
  /// SSL_CTX_set_max_early_data: only 0 is accepted (no 0-RTT in vouch).
  uint32_t max_early_data = 0;
  /// The vouch credentials of `settings.certs` (with extra_certs), made at
  /// the first handshake that uses them and shared by every SSL of the
  /// context whose slots still hold those objects (credential_cache.h).
  mutable vouch::compat::CredentialCache credentials;
  /// SSL_CTX_load_verify_locations. Shared by every SSL of the context, as
  /// libssl shares the context's X509_STORE.
  vouch::TrustStore trust;
  /// SSL_CTX_set_client_cert_cb: read when a server asks for a certificate
  /// (libssl reads it from the context at that moment, not at SSL_new).
  int (*client_cert_cb)(SSL*, X509**, EVP_PKEY**) = nullptr;
  /// VOUCH_SSL_CTX_set_client_chain_cb: asked before client_cert_cb.
  VOUCH_client_chain_cb client_chain_cb = nullptr;
  void* client_chain_arg = nullptr;
  /// SSL_CTX_set_tlsext_status_cb / _arg: one callback for both roles.
  int (*status_cb)(SSL*, void*) = nullptr;
  void* status_arg = nullptr;
  /// SSL_CTX_set_tlsext_status_type: copied into each SSL at SSL_new.
  int status_type = -1;
  /// SSL_CTX_set_cert_cb / its argument: read at the moment of the call.
  int (*cert_cb)(SSL*, void*) = nullptr;
  void* cert_cb_arg = nullptr;
  /// SSL_CTX_set_client_CA_list: the names a server's CertificateRequest
  /// carries (certificate_authorities); null = none sent.
  vouch::compat::NameStack client_ca_names;
  /// SSL_CTX_set_session_cache_mode, SSL_CTX_set_timeout, the session
  /// callbacks and the internal cache (session_cache.h).
  vouch::compat::SessionCacheState sessions;
  /// SSL_CTX_set_quiet_shutdown: copied into each SSL at SSL_new.
  int quiet_shutdown = 0;
  /// SSL_CTX_set_default_passwd_cb / _userdata: what PEM files are read with
  /// (SSL_CTX_use_PrivateKey_file and the certificate file calls).
  pem_password_cb* passwd_cb = nullptr;
  void* passwd_userdata = nullptr;
  /// SSL_CTX_set_tlsext_servername_callback / _arg: called for each
  /// ClientHello a server of the context answers.
  int (*servername_cb)(SSL*, int*, void*) = nullptr;
  void* servername_arg = nullptr;
  /// SSL_CTX_set_alpn_select_cb / its argument: a server's ALPN choice, read
  /// when a ClientHello offers ALPN.
  SSL_CTX_alpn_select_cb_func alpn_select_cb = nullptr;
  void* alpn_select_arg = nullptr;
  /// SSL_CTX_set_info_callback: called for the events of every SSL of the
  /// context that has no callback of its own (info.h).
  void (*info_cb)(const SSL*, int, int) = nullptr;
  /// SSL_CTX_set_keylog_callback: read when a secret is logged.
  void (*keylog_cb)(const SSL*, const char*) = nullptr;
  /// The keys that seal this context's tickets, shared by its SSL objects so
  /// that any of them resumes a ticket another issued (libssl: the
  /// context's ticket keys).
  std::shared_ptr<vouch::TicketKeys> ticket_keys;
};

namespace vouch::compat {

/// What the last I/O call is waiting for (libssl's rwstate).
enum class Want { nothing, read, write, x509_lookup };

/// Reads TLS records from the read BIO one at a time, without read-ahead,
/// as libssl does by default: bytes after the current record stay in the
/// BIO (a program may select() on the socket, or use it after shutdown).
struct RecordReader {
  static constexpr size_t kHeader = kRecordHeaderLength;  // RFC 8446 §5.1
  std::array<uint8_t, kHeader> header{};
  size_t header_have = 0;
  /// Header + fragment (kHeader + body_len bytes), filled up to body_have;
  /// allocated per record, without zero-filling what BIO_read overwrites,
  /// and released once the record went to the connection.
  std::unique_ptr<uint8_t[]> record;
  size_t body_len = 0;
  size_t body_have = 0;

  /// Ready for the next record; no buffer is kept.
  void reset() {
    header_have = 0;
    record.reset();
    body_len = 0;
    body_have = 0;
  }
  bool partial() const { return header_have > 0; }
};

/// The peer's certificates as libcrypto objects, for the getters (owned by
/// the SSL: they hand out no new reference). Taken from vouch's parse cache
/// (cert/cert_cache.h), where verifying the chain already put them, rather
/// than decoded again with d2i_X509 — slow in libcrypto 3.0 — on every
/// connection; the X509 objects are therefore shared with other
/// connections that received the same certificate, read-only, as libssl
/// shares a session's certificate between the connections resuming it.
struct PeerCerts {
  /// The peer's chain, leaf first: the leaf alone until the whole chain is
  /// asked for (SSL_get_peer_cert_chain). Each holds its DER, compared with
  /// vouch's chain on every use: a renegotiation or a post-handshake
  /// certificate brings another chain.
  std::vector<CertificateHandle> parsed;
  /// Made with the whole chain, null before.
  ossl::X509Stack all;           // leaf first, as sent
  ossl::X509Stack without_leaf;  // what a server's SSL_get_peer_cert_chain gives
  /// SSL_get0_verified_chain: leaf to anchor, built at its first call.
  ossl::X509Stack verified;
  /// A server that asked for a certificate and got none: libssl keeps an
  /// empty list then (NULL only when it never asked).
  ossl::X509Stack none;
};

/// An OCSP response held by an SSL (libssl's ext.ocsp.resp): memory from
/// OPENSSL_malloc, owned, freed with OPENSSL_free.
struct OcspResponse {
  unsigned char* data = nullptr;
  long len = 0;

  OcspResponse() = default;
  ~OcspResponse() { reset(); }
  OcspResponse(const OcspResponse&) = delete;
  OcspResponse& operator=(const OcspResponse&) = delete;
  /// Takes ownership of `d` (may be null), freeing what was held.
  void reset(unsigned char* d = nullptr, long l = 0);
};

/// Holds one reference on an SSL_CTX.
struct CtxRef {
  SSL_CTX* ctx = nullptr;
  explicit CtxRef(SSL_CTX* c);
  ~CtxRef();
  /// Holds `c` instead (one reference taken, the old one released).
  void reset(SSL_CTX* c);
  CtxRef(const CtxRef&) = delete;
  CtxRef& operator=(const CtxRef&) = delete;
};

}  // namespace vouch::compat

struct ssl_st {
  explicit ssl_st(SSL_CTX* c) : ctx(c), session_ctx(c) {}
  ssl_st(const ssl_st&) = delete;
  ssl_st& operator=(const ssl_st&) = delete;

  /// The context: the one SSL_new was given, or the one SSL_set_SSL_CTX
  /// switched to (its certificates and callbacks).
  vouch::compat::CtxRef ctx;
  /// The context SSL_new was given, whatever SSL_set_SSL_CTX does: its
  /// sessions, tickets and session callbacks stay the SSL's (libssl's
  /// session_ctx).
  vouch::compat::CtxRef session_ctx;
  CRYPTO_EX_DATA ex_data{};
  vouch::compat::Settings settings;
  /// The credentials of certificates set on this SSL alone (SSL_use_*, a
  /// callback's, another context's after SSL_set_SSL_CTX); those of its
  /// context's certificates are in the context's cache.
  mutable vouch::compat::CredentialCache credentials;
  std::string host_name;  // SSL_set_tlsext_host_name
  /// SSL_set_tlsext_status_type: TLSEXT_STATUSTYPE_ocsp, or -1 (nothing).
  int status_type = -1;
  /// SSL_set_quiet_shutdown (from the context at SSL_new): SSL_shutdown sends
  /// nothing and sets both flags. Kept by SSL_clear, as in libssl.
  int quiet_shutdown = 0;
  /// SSL_set_info_callback: takes precedence over the context's.
  void (*info_cb)(const SSL*, int, int) = nullptr;
  /// Server: what SSL_set_tlsext_status_ocsp_resp set, stapled when the
  /// status callback says SSL_TLSEXT_ERR_OK. Client: the leaf's staple from
  /// the last handshake that asked for one (SSL_get_tlsext_status_ocsp_resp).
  vouch::compat::OcspResponse ocsp_response;
  /// The client certificate callback asked to be called again
  /// (SSL_ERROR_WANT_X509_LOOKUP): the handshake waits on this handle.
  std::shared_ptr<vouch::PendingClientCertificate> pending_client_cert;
  /// Server: the status callback answered VOUCH_SSL_TLSEXT_ERR_RETRY_LATER
  /// (SSL_ERROR_WANT_X509_LOOKUP): the handshake waits on this handle.
  std::shared_ptr<vouch::PendingOcspStaple> pending_staple;
  /// Server: the certificate callback (SSL_CTX_set_cert_cb) returned a
  /// negative value (SSL_ERROR_WANT_X509_LOOKUP): the handshake waits on
  /// this handle, answered by the next handshake call's call of the callback.
  std::shared_ptr<vouch::PendingCredentials> pending_server_credentials;
  /// The pending answer waits on the certificate callback
  /// (SSL_CTX_set_cert_cb) rather than the client certificate callback.
  bool client_cert_retry_cert_cb = false;
  enum class Role { unset, client, server } role = Role::unset;
  /// SSL_set_session, or the session the last handshake established
  /// (SSL_get_session): a client offers it for resumption.
  vouch::compat::SessionPtr session_ref;
  /// Client: the CA names of the server's last CertificateRequest (DER),
  /// and whether it had a list (a TLS 1.2 request always has one, perhaps
  /// empty; a TLS 1.3 one only with certificate_authorities).
  std::vector<vouch::Bytes> peer_ca_der;
  bool peer_ca_listed = false;
  /// Those names as SSL_get_client_CA_list gives them (null when no list
  /// came), decoded at its first call: most programs never ask, and
  /// decoding them cost each mutual-TLS client handshake about 1 %.
  mutable vouch::compat::NameStack peer_ca_names;
  mutable bool peer_ca_decoded = false;

  // The transport: each slot holds one reference (libssl's rule: the same
  // BIO in both slots is held twice).
  BIO* rbio = nullptr;
  BIO* wbio = nullptr;

  // ---- per connection; SSL_clear resets these ----
  std::unique_ptr<vouch::Connection> conn;
  vouch::compat::RecordReader reader;
  vouch::compat::Want want = vouch::compat::Want::nothing;
  int shutdown = 0;  // SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN
  /// SSL_shutdown queued our close_notify; the info callback hears of it
  /// once it is written.
  bool close_notify_unreported = false;
  long verify_result = X509_V_OK;
  /// The handshake completed (SSL_is_init_finished).
  bool completed = false;
  /// Client: the status callback is still to be called, after the client
  /// certificate callbacks (the server asked for a certificate): libssl
  /// calls it once the server's flight is read, after choosing ours.
  bool client_status_due = false;
  /// Client: a session arrived during this handshake (a TLS 1.2 ticket or
  /// session ID comes before its end): it is the SSL's session.
  bool session_from_handshake = false;
  /// libssl's error state: vouch reported a fatal error (already pushed on
  /// the error queue once) or the peer vanished mid-record; later calls fail
  /// at once.
  bool fatal = false;
  /// An SSL_write whose records are queued but not all written (retried
  /// after SSL_ERROR_WANT_WRITE): its length, or -1.
  int write_in_progress = -1;
  /// The buffer that write was called with.
  const void* write_buffer = nullptr;
  /// The last established connection, kept by SSL_clear until the next
  /// handshake starts: libssl keeps the session, and with it the cipher,
  /// the peer's certificates and the server name.
  std::unique_ptr<vouch::Connection> last;
  /// Server: SSL_verify_client_post_handshake queued a request on this
  /// connection (it goes out with the next SSL_write / SSL_read /
  /// SSL_do_handshake, as in libssl). Never reset by the answer: a client
  /// that answered with no certificate then shows an empty peer chain.
  bool pha_request_queued = false;
  /// The reason libssl raises when an application callback failed the
  /// handshake (fail_connection reports it instead of the alert's): a
  /// server's certificate callback returning 0 (cert cb error), a client's
  /// (callback failed), a client status callback returning a negative
  /// value (ocsp callback failure), a server status callback answering
  /// SSL_TLSEXT_ERR_ALERT_FATAL (clienthello tlsext).
  std::optional<vouch::compat::Reason> callback_failure;
  mutable vouch::compat::PeerCerts peer;

  /// Resets the per-connection state (SSL_clear), keeping an established
  /// connection as `last`.
  void reset_connection();
  /// Starts over for a new handshake: `last` goes too.
  void forget_last();
  /// The established connection whose session the getters report (cipher,
  /// version): this one once complete, else the one kept by SSL_clear.
  const vouch::Connection* session() const;
  /// The connection whose peer certificates the getters report: this one
  /// (also during its handshake), else the one kept by SSL_clear.
  const vouch::Connection* peer_source() const;
};
