#include "handshake/client_verification.h"

#include <algorithm>
#include <chrono>

#include "base/clock.h"
#include "cert/public_key.h"
#include "cert/verify_chain.h"
#include "crypto/signature.h"
#include "revocation/peer_check.h"

namespace vouch {

Result<VerifiedClient> verify_client_chain(const ServerConfig& config, std::vector<Bytes> chain,
                                           const std::vector<std::optional<Bytes>>& staples, bool requested) {
  // The client signs its CertificateVerify with the leaf's key; checked
  // before the chain, so that the reason names the key usage rather than
  // libcrypto's purpose check ("unsuitable certificate purpose").
  if (!chain.empty()) VOUCH_TRY(check_leaf_allows_signing(chain.front(), "client certificate"));
  PeerVerifyOptions opts;
  opts.purpose = PeerVerifyOptions::Purpose::client_auth;
  opts.verify_callback = config.client_verify_callback;
  opts.max_depth = config.client_verify_depth;
  VOUCH_ASSIGN(VerifiedChain verified, verify_peer_chain(config.client_trust, chain, opts));

  PeerRevocationInput rev;
  rev.peer_is_server = false;
  rev.requested = requested;
  rev.policy = config.client_ocsp_policy;
  rev.received = &chain;
  rev.staples = &staples;
  for (const auto& c : verified.chain) rev.path.push_back(c.get());
  rev.providers = &config.client_revocation_providers;
  rev.now = wall_clock_now();
  VerifiedClient out;
  VOUCH_ASSIGN(out.ocsp, check_peer_revocation(rev));
  out.key = std::move(verified.leaf_key);
  VOUCH_ASSIGN(out.verified_chain, der_chain(verified));
  out.chain = std::move(chain);
  return out;
}

Status check_client_certificate_verify(const ServerConfig& config, const std::vector<SignatureScheme>& offered,
                                       bool tls13, const VerifiedClient& client, const CertificateVerify& cv,
                                       ByteView content, bool post_handshake) {
  // RFC 8446 §4.4.3 / RFC 5246 §7.4.8: a scheme the server offered, fitting
  // the certificate's key.
  if (std::find(offered.begin(), offered.end(), cv.algorithm) == offered.end())
    return fail(Alert::illegal_parameter,
                "client CertificateVerify: scheme " + to_string(cv.algorithm) + " was not offered");
  if (!scheme_matches_key(cv.algorithm, client.key.get(), tls13))
    return fail(Alert::illegal_parameter,
                "client CertificateVerify: scheme " + to_string(cv.algorithm) + " does not fit the certificate key");
  if (!verify_message(cv.algorithm, client.key.get(), content, cv.signature))
    return fail(Alert::decrypt_error, "client CertificateVerify: bad signature");
  if (config.client_certificate_check) {
    PeerCertificateInfo info;
    info.chain = client.verified_chain;
    info.post_handshake = post_handshake;
    info.subject = subject_of(client.chain.front());
    info.issuer = issuer_of(client.chain.front());
    Status s = config.client_certificate_check(info);
    if (!s) return s.error();
  }
  return {};
}

}  // namespace vouch
