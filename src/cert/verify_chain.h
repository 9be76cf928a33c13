// Verifying the certificate chain a peer sent (RFC 8446 §4.4.2.4, RFC 5280 §6)
// against a TrustStore, with the failure mapped to the alert RFC 8446 §6.2
// asks for.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ossl.h"
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
};

struct VerifiedChain {
  /// Leaf first, up to and including the trust anchor.
  std::vector<ossl::X509Ptr> chain;
  /// The leaf's public key (for CertificateVerify, RFC 8446 §4.4.3).
  ossl::EvpPkey leaf_key;
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
///    RFC 8446 §4.4.3).
/// Reasons carry OpenSSL's text, and the depth and subject of the failing
/// certificate. Thread-safe; the store is only read.
Result<VerifiedChain> verify_peer_chain(const TrustStore& trust, const std::vector<Bytes>& der_chain,
                                        const PeerVerifyOptions& opts);

/// The alert for an X509_V_ERR_* code, as verify_peer_chain maps it.
Alert alert_for_verify_error(int x509_v_err);

}  // namespace vouch
