#include "verify_result.h"

#include <openssl/x509_vfy.h>

#include <string>

#include "internal/compat_seam.h"
#include "errors.h"

namespace vouch::compat {

unsigned verify_depth_of(int depth) { return depth < 0 ? 100u : static_cast<unsigned>(depth); }

long verify_result_of(const TrustStore& trust, const std::vector<Bytes>& chain,
                      bool peer_is_server, int depth, const std::string& host,
                      const X509VerifyCallback& callback) {
  if (chain.empty()) return X509_V_OK;  // nothing was sent, nothing failed
  PeerVerifyOptions opts;
  opts.purpose = peer_is_server ? PeerVerifyOptions::Purpose::server_auth
                                : PeerVerifyOptions::Purpose::client_auth;
  // libssl checks no host name unless SSL_set1_host asked for one.
  opts.host = host;
  opts.max_depth = verify_depth_of(depth);
  opts.verify_callback = callback;
  QuietErrors quiet;
  auto verified = verify_peer_chain(trust, chain, opts);
  if (verified) return verified->accepted_error;
  return x509_verify_error_of(verified.error()).value_or(X509_V_ERR_UNSPECIFIED);
}

}  // namespace vouch::compat
