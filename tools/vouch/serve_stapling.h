// `vouch serve --staple auto|off|FILE.der --ocsp-cache DIR --ocsp-url URL
// --ocsp-issuer PEM`: where the server's OCSP staples come from (RFC 6066 §8,
// RFC 6961, RFC 8446 §4.4.2.1).
#pragma once

#include <memory>
#include <string>

#include "vouch/config.h"
#include "vouch/error.h"
#include "vouch/stapler.h"

namespace vouch::cli {

struct StaplingArgs {
  std::string staple = "off";  // auto | off | path of a DER OCSP response
  std::string cache_dir;       // --ocsp-cache (auto only)
  std::string responder_url;   // --ocsp-url (auto only): overrides the certificate's AIA
  std::string issuers;         // --ocsp-issuer (auto only): PEM file of the CA(s) that issued
                               // the chain's last certificate (usually the root)
  unsigned fetch_timeout_seconds = 10;  // --ocsp-fetch-timeout (auto only); a fleet lease lasts 2 × this + 5 s
};

/// Sets up stapling for `config`, whose credentials are loaded:
///  - off: nothing;
///  - FILE: the response is attached to the first credential's leaf (its
///    CertID must name the certificate) and verified once to log its status;
///  - auto: a Stapler manages the credentials — the leaf and every
///    intermediate that names an OCSP responder and whose issuer is known
///    (next in the chain, or for the last one in --ocsp-issuer), so that TLS
///    1.3 clients and TLS 1.2 clients asking with status_request_v2 (RFC
///    6961) get the whole chain's status — logging every state change on
///    stderr; a first fetch is made before returning (bounded by the fetch
///    timeout), so the first clients already get a staple, then it refreshes
///    on its own thread. Keep the returned Stapler alive while serving.
/// With a `store` (--store), auto shares responses with the fleet
/// (StaplerOptions::store: one fetch per certificate for the fleet, every
/// shared response verified before it is served).
/// Errors: internal_error with a reason naming the flag (usage problems) or
/// the file.
Result<std::shared_ptr<Stapler>> setup_stapling(const StaplingArgs& args, ServerConfig& config,
                                                std::shared_ptr<SharedStore> store = nullptr);

}  // namespace vouch::cli
