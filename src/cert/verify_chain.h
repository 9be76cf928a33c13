// Verifying the certificate chain a peer sent (RFC 8446 §4.4.2.4, RFC 5280 §6)
// against a TrustStore, with the failure mapped to the alert RFC 8446 §6.2
// asks for.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ossl.h"
#include "vouch/config.h"
#include "vouch/credential.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

struct PeerVerifyOptions {
  /// What the leaf must be good for: a client verifying a server asks for
  /// server_auth, a server verifying a client for client_auth (the
  /// extendedKeyUsage check of RFC 5280 §4.2.1.12, OpenSSL's sslserver /
  /// sslclient purposes).
  enum class Purpose { server_auth, client_auth } purpose = Purpose::server_auth;
  /// DNS name or IP literal (IPv4, or IPv6 with or without brackets) the leaf
  /// must be issued for (RFC 6125); empty = no name check. Wildcards match a
  /// whole left-most label only.
  std::string host;
  /// Verification time override for tests; nullopt = the system clock.
  std::optional<time_t> now;
  /// The longest accepted chain, as OpenSSL's verify depth: the number of
  /// intermediate CA certificates allowed between the leaf and the anchor.
  unsigned max_depth = 10;
  /// Called by libcrypto for each certificate as the path is checked, as
  /// OpenSSL's verify callback (see X509VerifyCallback in vouch/config.h);
  /// null = libcrypto's verdict stands. With a callback the result cache is
  /// bypassed, so that it runs on every verification.
  X509VerifyCallback verify_callback;
};

struct VerifiedChain {
  /// Leaf first, up to and including the trust anchor.
  std::vector<ossl::X509Ptr> chain;
  /// The leaf's public key (for CertificateVerify, RFC 8446 §4.4.3).
  ossl::EvpPkey leaf_key;
  /// X509_V_OK, or the X509_V_ERR_* code libcrypto was left with when a
  /// verify callback accepted a failure (what libssl's
  /// SSL_get_verify_result reports then).
  int accepted_error = X509_V_OK;
};

/// Parses `der_chain` (leaf first; the rest are untrusted intermediates, in
/// any order, extra ones ignored) and builds and verifies a path from the leaf
/// to an anchor of `trust`. The result holds the built path and the leaf key.
///
/// Alerts (RFC 8446 §6.2):
///  - an entry that is not exactly one DER certificate → decode_error;
///  - an empty chain → decode_error (callers decide first what an empty
///    Certificate means: certificate_required on a server, RFC 8446 §4.4.2.4);
///  - expired or not yet valid → certificate_expired;
///  - no path to an anchor → unknown_ca;
///  - name mismatch → bad_certificate;
///  - wrong extendedKeyUsage/purpose → unsupported_certificate;
///  - revoked (when the store has CRLs) → certificate_revoked;
///  - anything else, including a bad signature on a certificate →
///    bad_certificate (decrypt_error is reserved for handshake signatures,
///    RFC 8446 §4.4.3);
///  - a certificate the verify callback refused: the alert of the error
///    libcrypto or the callback set for it (X509_STORE_CTX_set_error), and
///    bad_certificate when none was set (libcrypto then reports
///    X509_V_ERR_UNSPECIFIED) or the callback said
///    X509_V_ERR_APPLICATION_VERIFICATION; the reason says the callback
///    refused.
/// A failure the verify callback accepted does not fail the verification;
/// VerifiedChain::accepted_error then says what it was.
/// Reasons carry OpenSSL's text, and the depth and subject of the failing
/// certificate. Thread-safe; the store is only read.
Result<VerifiedChain> verify_peer_chain(const TrustStore& trust, const std::vector<Bytes>& der_chain,
                                        const PeerVerifyOptions& opts);

/// A client's verification of the server's chain, in either version:
/// purpose serverAuth, the name ClientConfig::verify_name or else the SNI
/// `server_name` (empty: no name check), the config's callback and depth.
/// Same errors as verify_peer_chain.
Result<VerifiedChain> verify_server_chain(const ClientConfig& config, const std::string& server_name,
                                          const std::vector<Bytes>& der_chain);

/// DER encodings of a verified path, leaf first (what connections expose as
/// verified_peer_chain()).
Result<std::vector<Bytes>> der_chain(const VerifiedChain& chain);

/// The X509_V_ERR_* code a verify_peer_chain failure carries (its reason
/// ends with "(X509_V_ERR <n>)"), or nullopt for any other error.
std::optional<int> x509_verify_error_of(const Error& error);

/// The alert for an X509_V_ERR_* code, as verify_peer_chain maps it.
Alert alert_for_verify_error(int x509_v_err);

// --- Caching (src/cert/cert_cache.h, src/cert/verify_cache.h) --------------
//
// verify_peer_chain parses each distinct certificate once (a bounded cache
// keyed by the SHA-256 of its DER, holding the X509 and its public key) and
// remembers successful verifications (keyed by the chain, the trust store's
// identity, the purpose, the host and the depth). A remembered result is
// used only while the verification time lies within every certificate's
// validity on the built path; failures are never remembered. Stores with CRLs
// or CRL flags, store-level time flags, or verification callbacks, and
// verifications with PeerVerifyOptions::verify_callback, bypass the result
// cache (every chain against them is verified afresh; parsing is still
// shared). Results are the same objects an uncached verification builds.
// The first cached verification against a store records a process-unique id
// in the store's ex_data (X509_STORE_set_ex_data, under a lock of vouch's).

/// Turns both caches (and the staple cache of verify_ocsp_response_cached)
/// on (the default) or off for the whole process. Off, verify_peer_chain
/// parses and verifies every chain afresh, as without caches. Thread-safe;
/// for tests and benchmarks.
void set_verify_caching(bool enabled);
bool verify_caching_enabled();

/// Empties both caches (and the staple cache) and zeroes their counters.
/// Thread-safe.
void clear_verify_caches();

/// Bounds of the process-wide caches (entries; 0 = store nothing). Shrinking
/// evicts the least recently used entries. Defaults: 1024 and 1024.
void set_verify_cache_capacity(size_t certificates, size_t chains);

/// What the caches have done since the process started or since
/// clear_verify_caches().
struct VerifyCacheStats {
  /// Verified-chain cache: answered from the cache; found an entry outside
  /// its validity window (verified afresh); found nothing; skipped because
  /// the store is not cacheable or a verify callback was given.
  uint64_t chain_hits = 0;
  uint64_t chain_stale = 0;
  uint64_t chain_misses = 0;
  uint64_t chain_bypassed = 0;
  uint64_t chain_evictions = 0;
  size_t chain_entries = 0;
  /// Parsed-certificate cache.
  uint64_t cert_hits = 0;
  uint64_t cert_misses = 0;
  uint64_t cert_evictions = 0;
  size_t cert_entries = 0;
};
VerifyCacheStats verify_cache_stats();

}  // namespace vouch
