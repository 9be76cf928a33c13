// Revocation checking of a peer's verified chain, as the handshake runs it:
// first the staples the peer sent are verified one by one (RFC 8446
// §4.4.2.1: each CertificateEntry may carry an OCSP response for its
// certificate), then the staple policy and the application's providers
// judge the result (include/vouch/revocation.h).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <openssl/x509.h>

#include "vouch/error.h"
#include "vouch/revocation.h"
#include "vouch/types.h"

namespace vouch {

struct PeerRevocationInput {
  bool peer_is_server = true;
  /// We asked for status; staples can only be present if we did.
  bool requested = false;
  OcspPolicy policy = OcspPolicy::soft;
  /// The certificates as received (DER, leaf first) and the staple of each
  /// entry (same length; nullopt = none).
  const std::vector<Bytes>* received = nullptr;
  const std::vector<std::optional<Bytes>>* staples = nullptr;
  /// The verified path, leaf first, ending with the anchor; empty when the
  /// chain was not verified (verify_peer off): issuers are then taken from
  /// the received order.
  std::vector<X509*> path;
  const std::vector<std::shared_ptr<const RevocationProvider>>* providers = nullptr;
  std::chrono::system_clock::time_point now{};
  /// Client: the server sent a CertificateRequest (RevocationContext).
  bool certificate_requested = false;
};

/// Verifies every staple present (against the issuer on the verified path,
/// with the received certificates as candidates for a delegated responder)
/// and builds the report. Never fails: a staple that does not verify is
/// reported with its problem.
PeerOcsp verify_peer_staples(const PeerRevocationInput& in);

/// Runs the staple provider for `in.policy` (unless `judge_staples` is
/// false: an unverified peer's staples are reported, not judged), then
/// `in.providers`, on the report; the first error wins. The report is
/// returned on success.
Result<PeerOcsp> check_peer_revocation(const PeerRevocationInput& in, bool judge_staples = true);

}  // namespace vouch
