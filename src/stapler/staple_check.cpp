#include "stapler/staple_check.h"

#include "ocsp/ocsp.h"
#include "ocsp/ocsp_time.h"

namespace vouch {

StapleCheck check_staple(ByteView der, X509* cert, X509* issuer, std::chrono::system_clock::time_point now,
                         std::chrono::seconds skew, const std::optional<Bytes>& expected_nonce) {
  StapleCheck out;
  OcspVerifyOptions opts;
  opts.now = now;
  opts.skew = skew;
  opts.require_next_update = true;  // a staple must say how long it is good for
  opts.expected_nonce = expected_nonce;
  auto verified = verify_ocsp_response(der, cert, issuer, {}, opts);
  if (!verified) {
    out.reason = verified.error().reason;
    return out;
  }
  out.status = std::move(*verified);
  if (out.status.status != OcspCertStatus::good) {
    // RFC 6960 §2.2: "unknown" is no assurance either; neither is stapled.
    out.verdict = StapleVerdict::revoked;
    out.reason = describe(out.status);
    return out;
  }
  if (!out.status.next_update || *out.status.next_update <= now) {
    out.reason = "the response expired at " +
                 (out.status.next_update ? iso8601(*out.status.next_update) : std::string("(no nextUpdate)"));
    return out;
  }
  out.verdict = StapleVerdict::good;
  return out;
}

}  // namespace vouch
