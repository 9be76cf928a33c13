// One credential under the Stapler's care: which of its certificates get a
// staple, who issued each (the issuer is what a response is verified
// against), where their responses are fetched and cached, and the
// credential with the currently served staples attached.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crypto/ossl.h"
#include "stapler/staple_cache.h"
#include "stapler/staple_slot.h"
#include "vouch/credential.h"
#include "vouch/error.h"
#include "vouch/stapler.h"

namespace vouch {

/// One certificate of a managed chain.
struct ManagedCert {
  /// Unique within the Stapler: a fetch started for a certificate that was
  /// replaced meanwhile finds its id gone and is discarded.
  uint64_t id = 0;
  ossl::X509Ptr cert;
  ossl::X509Ptr issuer;  // chain[position + 1], or for the chain's last certificate one of StaplerOptions::issuers
  std::string cache_name;
  StapleSlot slot;
};

struct ManagedCredential {
  /// The credential as given (its own staples are replaced by the served ones).
  Credential base;
  std::vector<ManagedCert> certs;  // by chain position

  /// `base` stapling the served responses. If attaching fails (it should
  /// not: they were verified for these very certificates) the credential is
  /// returned without staples and the reason is appended to `errors`.
  Credential stapled(std::vector<std::string>& errors) const;
};

/// What setting up a credential needs from the Stapler.
struct ManageContext {
  const StaplerOptions& options;  // refresh_fraction, skew, responder_url, staple_intermediates
  const StapleCache& cache;
  SysTime now;
  std::function<uint64_t()> next_id;
};

/// Takes charge of `credential` as slot `slot`: the leaf — and, with
/// staple_intermediates, every intermediate that has an OCSP responder URL
/// and its issuer next in the chain (for the chain's last certificate: among
/// StaplerOptions::issuers) — gets a StapleSlot whose served
/// response comes from the credential's attached staples and the cache
/// (each verified at ctx.now; the later thisUpdate wins), and whose first
/// fetch is scheduled (at once when nothing is served). Events (loaded,
/// cache_ignored, revoked, failed) are appended to `events`; nothing is
/// fetched. Errors: internal_error when the leaf's issuer is not the next
/// certificate of the chain, or an entry of StaplerOptions::issuers is not
/// a DER certificate.
Result<ManagedCredential> manage_credential(const Credential& credential, size_t slot, const ManageContext& ctx,
                                            std::vector<StaplerEvent>& events);

}  // namespace vouch
