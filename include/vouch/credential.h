// vouch — certificates, keys and trust anchors.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/types.h"

namespace vouch {

class PrivateKeySigner;

/// Asked for the passphrase of an encrypted PEM private key (PKCS#8
/// "ENCRYPTED PRIVATE KEY", RFC 5958 §3, or the traditional
/// "Proc-Type: 4,ENCRYPTED" form). `what` names the key: its file path, or
/// "private key PEM" for text in memory. Return the passphrase, or nullopt
/// to give up. Called at most once per load, on the loading thread; vouch
/// wipes its copy of the answer after use.
using PassphraseCallback = std::function<std::optional<std::string>(std::string_view what)>;

/// A certificate chain (leaf first, then intermediates; the root may be
/// omitted) and the private key of the leaf. Immutable and cheap to copy
/// (shares its state); safe to use from several threads at once.
class VOUCH_EXPORT Credential {
 public:
  /// Loads a PEM chain file (leaf first) and a PEM private key file. The
  /// key may be PKCS#8 or a traditional RSA/EC key; an encrypted one is
  /// refused (use the overload with a PassphraseCallback). Errors, each with
  /// a reason naming the file: a file that cannot be opened or read
  /// (ErrorKind::io); no certificate, an undecodable certificate, a file
  /// that holds no private key or something else than one, an encrypted key
  /// without a passphrase, a key that does not match the leaf certificate
  /// (ErrorKind::invalid_data).
  static Result<Credential> from_pem_files(const std::string& chain_path,
                                           const std::string& key_path);
  /// The same, decrypting an encrypted key with the passphrase `passphrase`
  /// gives (libcrypto does the decryption: PBES2 of PKCS#5 v2.1, RFC 8018,
  /// or the legacy PEM encryption). A wrong passphrase, or a callback that
  /// answers nullopt, is ErrorKind::invalid_data. An unencrypted key loads
  /// without calling the callback.
  static Result<Credential> from_pem_files(const std::string& chain_path,
                                           const std::string& key_path,
                                           const PassphraseCallback& passphrase);
  /// The same from PEM text in memory (errors as from_pem_files, naming
  /// "certificate chain PEM" / "private key PEM").
  static Result<Credential> from_pem(std::string_view chain_pem, std::string_view key_pem);
  static Result<Credential> from_pem(std::string_view chain_pem, std::string_view key_pem,
                                     const PassphraseCallback& passphrase);
  /// From libcrypto objects. The credential takes its own references
  /// (X509_up_ref/EVP_PKEY_up_ref); the caller keeps ownership of the ones it
  /// passed. Errors (ErrorKind::config): an empty chain, a null
  /// certificate or key; (ErrorKind::invalid_data) a key that does not
  /// match the leaf.
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
  /// Signs `message` with the in-process private key under TLS signature
  /// scheme `scheme` (RFC 8446 §4.2.3; read as TLS 1.2 does, where an ECDSA
  /// scheme names only the hash), as a CertificateVerify or a TLS 1.2
  /// ServerKeyExchange carries it. The signing context of each scheme is
  /// prepared on its first use and shared by every copy of the credential;
  /// safe from several threads at once. Errors: ErrorKind::config when an
  /// external signer holds the key (use signer()); Alert internal_error
  /// when the scheme does not fit the key or libcrypto fails.
  Result<Bytes> sign(SignatureScheme scheme, ByteView message) const;
  /// The TLS signature schemes the leaf's key can sign with (whoever holds
  /// the key), in vouch's preference order, worked out once when the
  /// credential is made: for TLS 1.3 CertificateVerify (RFC 8446 §4.2.3: an
  /// ECDSA scheme only with its own curve, no RSASSA-PKCS1-v1_5) or, with
  /// `tls13` false, for TLS 1.2 (any ECDSA hash, PKCS#1 too; RFC 5246
  /// §7.4.1.4.1). Empty for a key no scheme fits.
  const std::vector<SignatureScheme>& signature_schemes(bool tls13 = true) const;
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
  /// Errors (ErrorKind::invalid_data): a staple that is not such a
  /// response, naming the position and the mismatch; more staples than
  /// certificates.
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
  /// Loads every certificate in a PEM file as a trust anchor. Errors:
  /// ErrorKind::io when the file cannot be opened or read (the reason names
  /// the path), ErrorKind::invalid_data when it holds no certificate or an
  /// undecodable one.
  static Result<TrustStore> from_pem_file(const std::string& path);
  static Result<TrustStore> from_pem(std::string_view pem);
  /// The operating system's trust anchors, where libcrypto's
  /// SSL_CTX_set_default_verify_paths finds them: the PEM file named by the
  /// environment variable SSL_CERT_FILE, else libcrypto's default file
  /// (X509_get_default_cert_file(); on Debian it leads to
  /// /etc/ssl/certs/ca-certificates.crt, from the ca-certificates package),
  /// read now; and the directories of SSL_CERT_DIR (':'-separated), else
  /// the default directory (X509_get_default_cert_dir()), in OpenSSL's
  /// hashed layout (<subject hash>.0), searched when a verification needs
  /// an anchor. A missing file or directory is skipped. subject_names()
  /// lists the file's anchors only (a server should not send a whole system
  /// bundle as certificate_authorities anyway). Errors: ErrorKind::io when
  /// neither gives any anchor; ErrorKind::invalid_data when the file holds
  /// an undecodable certificate.
  static Result<TrustStore> system();
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
  /// The hashed directories searched on demand (system()); usually empty.
  const std::vector<std::string>& directories() const;
  /// True when the store has no anchor: none loaded by this class, no
  /// directory to search, none added to the X509_STORE directly (wrap()).
  bool empty() const;

  struct State;

 private:
  std::shared_ptr<State> s_;
};

}  // namespace vouch
