// Whether an OCSP response may be stapled: one decision for every source
// (fetched from the responder, read from the cache, attached to a
// credential), so that a response the Stapler would not fetch-and-serve is
// not served from anywhere else either.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <optional>
#include <string>

#include "vouch/ocsp.h"
#include "vouch/types.h"

namespace vouch {

enum class StapleVerdict {
  good,      // verified, status good, not expired: may be served
  revoked,   // verified, but the responder says revoked or unknown: never served
  rejected,  // not acceptable (see reason): never served
};

struct StapleCheck {
  StapleVerdict verdict = StapleVerdict::rejected;
  /// The verified content (good and revoked only).
  OcspStatus status;
  /// rejected: why; revoked: describe(status).
  std::string reason;
};

/// Verifies `der` for `cert` issued by `issuer` at `now` with `skew`
/// (verify_ocsp_response: signature by the issuer or its delegated
/// responder, CertID, thisUpdate <= now + skew, nextUpdate present and
/// > now - skew, the nonce if one is expected), then applies the serving
/// rule: a good response is usable only while now < nextUpdate (a staple is
/// never served past its nextUpdate, whatever the skew allows a verifier).
StapleCheck check_staple(ByteView der, X509* cert, X509* issuer, std::chrono::system_clock::time_point now,
                         std::chrono::seconds skew, const std::optional<Bytes>& expected_nonce = std::nullopt);

}  // namespace vouch
