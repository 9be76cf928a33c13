// How a server judges a client certificate, the same in TLS 1.3 (RFC 8446
// §4.4.2.4, §4.4.3, post-handshake too) and TLS 1.2 (RFC 5246 §7.4.6,
// §7.4.8): the chain against client_trust (purpose clientAuth), the
// revocation checks, then the CertificateVerify and the application's
// accept hook.
#pragma once

#include <optional>
#include <vector>

#include "crypto/ossl.h"
#include "msg/messages.h"
#include "vouch/config.h"

namespace vouch {

/// A client whose chain verified; its CertificateVerify is still to check.
struct VerifiedClient {
  std::vector<Bytes> chain;           // as received, leaf first
  std::vector<Bytes> verified_chain;  // as verified, up to the anchor
  ossl::EvpPkey key;                  // the leaf's public key
  PeerOcsp ocsp;                      // its staples, as checked
};

/// Verifies a non-empty client chain and runs the revocation providers
/// (ServerConfig::client_ocsp_policy first). `staples` has one entry per
/// certificate (TLS 1.2 has no client staples: all empty); `requested`
/// says whether the server asked for them. Errors: the chain's alert
/// (unknown_ca, certificate_expired, ...) or a provider's.
Result<VerifiedClient> verify_client_chain(const ServerConfig& config, std::vector<Bytes> chain,
                                           const std::vector<std::optional<Bytes>>& staples, bool requested);

/// Checks a client's CertificateVerify: its scheme is one of `offered` and
/// fits the key (TLS 1.3 rules when `tls13`), the signature over `content`
/// verifies (decrypt_error otherwise), then ServerConfig::
/// client_certificate_check accepts the client (its error otherwise).
Status check_client_certificate_verify(const ServerConfig& config, const std::vector<SignatureScheme>& offered,
                                       bool tls13, const VerifiedClient& client, const CertificateVerify& cv,
                                       ByteView content, bool post_handshake);

}  // namespace vouch
