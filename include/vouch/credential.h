// vouch — certificates, keys and trust anchors.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/types.h"

namespace vouch {

class PrivateKeySigner;

/// A certificate chain (leaf first, then intermediates; the root may be
/// omitted) and the private key of the leaf. Immutable and cheap to copy
/// (shares its state); safe to use from several threads at once.
class VOUCH_EXPORT Credential {
 public:
  /// Loads a PEM chain file (leaf first) and a PEM private key file.
  /// Errors: unreadable file, no certificate, undecodable key, or a key that
  /// does not match the leaf certificate (all internal_error with a reason
  /// naming the file).
  static Result<Credential> from_pem_files(const std::string& chain_path,
                                           const std::string& key_path);
  /// The same from PEM text in memory.
  static Result<Credential> from_pem(std::string_view chain_pem, std::string_view key_pem);
  /// From libcrypto objects. The credential takes its own references
  /// (X509_up_ref/EVP_PKEY_up_ref); the caller keeps ownership of the ones it
  /// passed.
  static Result<Credential> from_x509(const std::vector<X509*>& chain, EVP_PKEY* key);
  /// A chain whose private key lives outside the process: signatures come
  /// from `signer` (see vouch/client_auth.h). Each signature is checked
  /// against the leaf's public key before it is sent.
  static Result<Credential> from_signer(const std::vector<X509*>& chain,
                                        std::shared_ptr<PrivateKeySigner> signer);
  static Result<Credential> from_pem_and_signer(std::string_view chain_pem,
                                                std::shared_ptr<PrivateKeySigner> signer);

  /// DER encodings, leaf first, as sent in a Certificate message.
  const std::vector<Bytes>& chain_der() const;
  /// The parsed chain, leaf first (owned by the credential; do not free).
  const std::vector<X509*>& chain() const;
  X509* leaf() const;
  /// The leaf's private key (owned by the credential; do not free), or null
  /// when an external signer holds it.
  EVP_PKEY* private_key() const;
  /// The leaf's public key (owned by the certificate; do not free).
  EVP_PKEY* public_key() const;
  /// The external signer, or null for an in-process key.
  PrivateKeySigner* signer() const;
  /// The leaf subject as one line (RFC 2253 style, e.g. "CN=server,O=vouch").
  std::string subject() const;

  /// A copy of this credential that staples the given DER OCSP responses
  /// (RFC 8446 §4.4.2.1): staples[i] goes with chain certificate i (0 = the
  /// leaf); an empty entry, or a vector shorter than the chain, means no
  /// staple for that certificate. Each staple is checked to be one
  /// successful BasicOCSPResponse of at most kMaxOcspResponseBytes whose
  /// CertID names that certificate (its serial, issuer name hash and — when
  /// the issuer is in the chain — issuer key hash); its signature and time
  /// window are not checked here (the Stapler does that, and peers do).
  /// Errors: internal_error naming the position and the mismatch; more
  /// staples than certificates.
  Result<Credential> with_ocsp_staples(std::vector<Bytes> staples) const;
  /// The stapled responses, one per chain position (empty = none); an empty
  /// vector when nothing is stapled.
  const std::vector<Bytes>& ocsp_staples() const;

  struct State;

 private:
  explicit Credential(std::shared_ptr<const State> s) : s_(std::move(s)) {}
  std::shared_ptr<const State> s_;
};

/// A set of trust anchors (and optionally CRLs) for verifying peer chains.
/// Cheap to copy (shares one X509_STORE); thread-safe for verification.
class VOUCH_EXPORT TrustStore {
 public:
  /// An empty store: nothing verifies against it.
  TrustStore();
  /// Loads every certificate in a PEM file as a trust anchor. Errors when the
  /// file cannot be read or holds no certificate.
  static Result<TrustStore> from_pem_file(const std::string& path);
  static Result<TrustStore> from_pem(std::string_view pem);
  /// A store over an existing X509_STORE (one reference taken; null gives an
  /// empty store): anchors added to it later with libcrypto calls
  /// (X509_STORE_load_file, X509_STORE_add_cert) count too, though they are
  /// not in subject_names(). For the libssl ABI, whose callers fill the
  /// store SSL_CTX_get_cert_store returns, or hand one over.
  static TrustStore wrap(X509_STORE* store);
  /// Adds the certificates of another PEM file.
  Status add_pem_file(const std::string& path);
  /// Loads the CRLs of a PEM file and turns on revocation checking of the
  /// leaf (X509_V_FLAG_CRL_CHECK): from then on a leaf whose issuer has no
  /// CRL in the store fails verification ("unable to get certificate CRL"),
  /// and a revoked leaf fails with certificate_revoked. Errors: unreadable
  /// file, no CRL in it, or an undecodable CRL. Not thread-safe with
  /// concurrent verification: load CRLs before sharing the store.
  Status add_crl_file(const std::string& path);
  Status add_crl_pem(std::string_view pem);

  /// The underlying store (owned by the TrustStore; do not free).
  X509_STORE* native() const;
  /// DER subject names of the anchors, in load order (the default
  /// certificate_authorities list a server sends, RFC 8446 §4.2.4).
  const std::vector<Bytes>& subject_names() const;
  /// No anchor: none loaded by this class and none in the X509_STORE.
  bool empty() const;

  struct State;

 private:
  std::shared_ptr<State> s_;
};

}  // namespace vouch
