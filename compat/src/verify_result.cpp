#include "verify_result.h"

#include <openssl/x509_vfy.h>

#include <cstdlib>
#include <string>

#include "cert/verify_chain.h"
#include "errors.h"

namespace vouch::compat {

std::optional<long> x509_error_in(const Error& error) {
  // verify_peer_chain (src/cert/verify_chain.cpp) ends its reasons with
  // "(X509_V_ERR <n>)". A structured field on vouch::Error would be better;
  // until vouch has one, this is the only place that reads the text.
  static constexpr std::string_view kTag = "(X509_V_ERR ";
  const size_t at = error.reason.rfind(kTag);
  if (at == std::string::npos) return std::nullopt;
  const char* digits = error.reason.c_str() + at + kTag.size();
  char* end = nullptr;
  const long code = std::strtol(digits, &end, 10);
  if (end == digits || *end != ')' || code <= 0) return std::nullopt;
  return code;
}

long verify_result_of(const TrustStore& trust, const std::vector<Bytes>& chain,
                      bool peer_is_server, int depth) {
  if (chain.empty()) return X509_V_OK;  // nothing was sent, nothing failed
  PeerVerifyOptions opts;
  opts.purpose = peer_is_server ? PeerVerifyOptions::Purpose::server_auth
                                : PeerVerifyOptions::Purpose::client_auth;
  // libssl checks no host name unless SSL_set1_host asked for one.
  opts.host.clear();
  opts.max_depth = depth < 0 ? 100u : static_cast<unsigned>(depth);
  QuietErrors quiet;
  auto verified = verify_peer_chain(trust, chain, opts);
  if (verified) return X509_V_OK;
  return x509_error_in(verified.error()).value_or(X509_V_ERR_UNSPECIFIED);
}

}  // namespace vouch::compat
