// Who signs the test OCSP responder's answers: the certificate's issuer, a
// delegated responder (RFC 6960 §4.2.2.2), or someone with no authority at
// all — and a small certificate minter to make the latter two.
#pragma once

#include <chrono>
#include <string>

#include "crypto/ossl.h"
#include "vouch/error.h"

namespace vouch::testing {

struct MintedCert {
  ossl::X509Ptr cert;
  ossl::EvpPkey key;
};

struct MintOptions {
  std::string cn = "vouch test OCSP responder";
  /// extendedKeyUsage id-kp-OCSPSigning (RFC 6960 §4.2.2.2).
  bool ocsp_signing = true;
  /// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1), as delegated responders carry.
  bool ocsp_nocheck = true;
  std::chrono::seconds not_before_offset{-3600};
  std::chrono::seconds not_after_offset{30 * 86400};
};

/// A fresh P-256 key and a leaf certificate for it, issued by `issuer` with
/// `issuer_key` (both null: self-signed). SHA-256 signatures (none for
/// Ed25519 issuers).
Result<MintedCert> mint_responder_cert(X509* issuer, EVP_PKEY* issuer_key, const MintOptions& opts = {});

/// The signing identities of a test responder. The delegate is the one
/// configured, or one minted from the issuer key (with id-kp-OCSPSigning);
/// the no-EKU delegate and the unrelated signer (self-signed, nothing to do
/// with the issuer) are always minted.
struct OcspSigners {
  MintedCert issuer;
  MintedCert delegate;
  MintedCert delegate_no_eku;
  MintedCert unrelated;
};

/// Up-references the given handles. delegate/delegate_key may be null.
Result<OcspSigners> make_ocsp_signers(X509* issuer, EVP_PKEY* issuer_key, X509* delegate = nullptr,
                                      EVP_PKEY* delegate_key = nullptr);

}  // namespace vouch::testing
