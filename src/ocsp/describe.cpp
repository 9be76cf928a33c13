// One-line descriptions of verified OCSP statuses, for logs and tools.
#include <openssl/ocsp.h>

#include "ocsp/ocsp.h"
#include "ocsp/ocsp_time.h"

namespace vouch {

const char* to_string(OcspCertStatus s) {
  switch (s) {
    case OcspCertStatus::good: return "good";
    case OcspCertStatus::revoked: return "revoked";
    case OcspCertStatus::unknown: return "unknown";
  }
  return "unknown";
}

std::string describe(const OcspStatus& s) {
  std::string out = to_string(s.status);
  out += " (";
  if (s.status == OcspCertStatus::revoked) {
    out += "revoked ";
    out += s.revocation_time ? iso8601(*s.revocation_time) : std::string("at an unknown time");
    // CRLReason names of RFC 5280 §5.3.1 ("keyCompromise", ...).
    out += s.revocation_reason >= 0 ? std::string(", reason ") + OCSP_crl_reason_str(s.revocation_reason)
                                    : std::string(", no reason given");
    out += ", ";
  }
  out += "produced " + iso8601(s.produced_at);
  out += s.next_update ? ", next update " + iso8601(*s.next_update) : std::string(", no next update");
  out += ", responder " + (s.responder.empty() ? std::string("?") : s.responder);
  if (s.delegated) out += " (delegated)";
  out += ")";
  return out;
}

}  // namespace vouch
