// Signature schemes (RFC 8446 §4.2.3) over libcrypto keys.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <atomic>
#include <vector>

#include "crypto/ossl.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// True if `scheme` can be used with `key` for a TLS 1.3 CertificateVerify:
/// ECDSA curve must match the scheme, RSA keys take rsa_pss_rsae_* (rsaEncryption
/// keys) or rsa_pss_pss_* (RSASSA-PSS keys), Ed25519 keys take ed25519.
/// rsa_pkcs1_* and SHA-1 schemes are never allowed for CertificateVerify in
/// TLS 1.3 (§4.2.3) — pass tls13=false for TLS 1.2 ServerKeyExchange rules.
bool scheme_matches_key(SignatureScheme scheme, EVP_PKEY* key, bool tls13 = true);

/// The schemes of a configured list that vouch implements, in its order:
/// SHA-1, MD5 and unknown values dropped. A list sent in
/// signature_algorithms names only schemes whose signatures we can check
/// (RFC 8446 §4.2.3), so a configured scheme vouch cannot verify is never
/// offered to the peer.
std::vector<SignatureScheme> implemented_schemes(const std::vector<SignatureScheme>& configured);

/// Signature schemes vouch can verify and produce, in preference order.
const std::vector<SignatureScheme>& default_signature_schemes();
/// For signature_algorithms_cert: the above plus rsa_pkcs1_sha256/384/512.
const std::vector<SignatureScheme>& default_certificate_signature_schemes();
/// For TLS 1.2 handshake signatures (RFC 5246 §7.4.1.4.1, RFC 8422 §5.1.3):
/// the same list — PKCS#1 v1.5 is allowed there, SHA-1 and MD5 never are.
/// Also what a client offers in signature_algorithms when TLS 1.2 may be
/// negotiated (TLS 1.3 then refuses PKCS#1 in CertificateVerify).
inline const std::vector<SignatureScheme>& default_signature_schemes12() {
  return default_certificate_signature_schemes();
}

Result<Bytes> sign_message(SignatureScheme scheme, EVP_PKEY* key, ByteView message);

/// Signs with one private key, keeping per scheme a signing context that has
/// been through EVP_DigestSignInit (the algorithm fetches and the provider
/// name-table walk EVP_PKEY_CTX_new_from_pkey does, about 2.5 µs of a P-256
/// signature's 22 here); each signature signs on a copy of it. A context is
/// prepared on the scheme's first use. Copies only read the prepared context
/// (EVP_MD_CTX_copy_ex takes it const: openssl-threads(7) allows that from
/// several threads), so one PreparedSigner serves all threads at once.
/// Ed25519, and any scheme whose context libcrypto cannot copy, sign as
/// sign_message does. Errors as sign_message's.
class PreparedSigner {
 public:
  /// Takes its own reference to `key` (a private key).
  explicit PreparedSigner(EVP_PKEY* key);
  /// Frees the prepared contexts.
  ~PreparedSigner();
  PreparedSigner(const PreparedSigner&) = delete;
  PreparedSigner& operator=(const PreparedSigner&) = delete;

  Result<Bytes> sign(SignatureScheme scheme, ByteView message) const;

  /// Slots for prepared contexts, one per implemented scheme.
  static constexpr size_t kSlots = 16;

 private:
  ossl::EvpPkey key_;
  // Owned (freed by the destructor); atomic because the first signature
  // with a scheme may come from several threads at once.
  mutable std::array<std::atomic<EVP_MD_CTX*>, kSlots> prepared_{};
};

/// A wrong signature is decrypt_error (RFC 8446 §4.4.3); a scheme that does
/// not fit the key is illegal_parameter.
Status verify_message(SignatureScheme scheme, EVP_PKEY* key, ByteView message,
                      ByteView signature);

}  // namespace vouch
