// The OCSP staple policy's names (for configuration files and the CLI) and
// the one-line summary of a peer's OCSP picture (for logs and the CLI).
#include <string>
#include <string_view>

#include "ocsp/ocsp.h"
#include "vouch/revocation.h"

namespace vouch {

const char* to_string(OcspPolicy p) {
  switch (p) {
    case OcspPolicy::ignore: return "ignore";
    case OcspPolicy::report: return "report";
    case OcspPolicy::soft: return "soft";
    case OcspPolicy::require: return "require";
  }
  return "unknown";
}

std::optional<OcspPolicy> parse_ocsp_policy(std::string_view s) {
  // Exact, lower-case names only: a misspelt policy is a configuration
  // error, not a silent fallback to some default.
  for (OcspPolicy p : {OcspPolicy::ignore, OcspPolicy::report, OcspPolicy::soft, OcspPolicy::require})
    if (s == to_string(p)) return p;
  return std::nullopt;
}

std::string PeerOcsp::summary() const { return summary_at(0); }

std::string PeerOcsp::summary_at(size_t position) const {
  std::string out;
  const StapleReport* entry = nullptr;
  for (const StapleReport& r : staples)
    if (r.position == position) entry = &r;
  if (!requested) {
    out = "not requested";
  } else if (entry == nullptr || !entry->present) {
    out = "none (not stapled)";
  } else if (entry->status) {
    out = describe(*entry->status);
  } else {
    out = "invalid (" + (entry->problem.empty() ? std::string("no reason recorded") : entry->problem) + ")";
  }
  // On resumption no Certificate (hence no staple) was exchanged: say the
  // picture is the original handshake's (RFC 8446 §2.2).
  if (from_session) out += " [from the resumed session]";
  return out;
}

}  // namespace vouch
