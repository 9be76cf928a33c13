// A throw-away test PKI: key and certificate generation, and a ready-made set
// of CAs and leaves written as PEM files, for unit, loopback and interop tests
// (the interop tests hand these files to openssl and gnutls).
//
// File layout of test_pki().dir, one folder per key family ("ecdsa": P-256
// everywhere; "rsa": RSA-2048, certificates signed with PKCS#1 v1.5 SHA-256):
//
//   <family>/root.pem                  root CA (the trust anchor)
//   <family>/root-key.pem
//   <family>/intermediate.pem          intermediate CA (pathlen 0), signed by root
//   <family>/intermediate-key.pem
//   <family>/server.pem                CN=localhost, DNS localhost, IPs 127.0.0.1 and ::1,
//                                      EKU serverAuth, signed by the intermediate
//   <family>/server-chain.pem          server.pem + intermediate.pem (what a server sends)
//   <family>/server-key.pem
//   <family>/server-expired{,-chain,-key}.pem     as server, but expired a day ago
//                                                 (same key as server)
//   <family>/server-wrong-host{,-chain,-key}.pem  as server, but only DNS wrong.example
//                                                 (same key as server)
//   <family>/client{,-chain,-key}.pem  CN=client-<family>, EKU clientAuth
//   <family>/client-noauth{,-chain,-key}.pem
//                                      CN=client-noauth-<family>, EKU serverAuth only
//                                      (a leaf a server must refuse as a client;
//                                      same key as client)
//   <family>/untrusted-root{,-key}.pem a root nobody trusts
//   <family>/untrusted-server{,-chain,-key}.pem
//                                      like server (same key), issued directly by the
//                                      untrusted root; its chain file holds the leaf only
//   roots.pem                          both families' roots (written when
//                                      all_roots_path() is first called)
//
// Every leaf's "-chain" file is the leaf then its intermediate (never the root).
// Keys are unencrypted PKCS#8. Certificates are valid from an hour ago for 30 days.
//
// The directory is created once per process on first use (thread-safe), each
// family on first access (RSA key generation is the slow part), and it is
// removed at process exit unless the environment variable VOUCH_KEEP_PKI is
// set. Generation failures throw std::runtime_error (gtest reports them).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/ossl.h"
#include "vouch/credential.h"
#include "vouch/types.h"

namespace vouch::testing {

enum class KeyType { ecdsa_p256, ecdsa_p384, rsa2048, rsa_pss2048, ed25519 };

/// What to put in a certificate. Offsets are seconds relative to now.
struct CertSpec {
  std::string cn;
  KeyType key = KeyType::ecdsa_p256;
  std::vector<std::string> dns;  // subjectAltName dNSName entries
  std::vector<std::string> ips;  // subjectAltName iPAddress entries ("127.0.0.1", "::1")
  bool ca = false;               // basicConstraints cA (and keyCertSign)
  int path_len = -1;             // pathLenConstraint for a CA; -1 = none
  /// extendedKeyUsage of a leaf (CAs never get one).
  enum class Eku { none, server, client, both } eku = Eku::both;
  long not_before_offset_s = -3600;
  long not_after_offset_s = 30 * 86400;
  bool must_staple = false;  // RFC 7633 TLS feature extension: status_request
  std::string ocsp_url;      // authorityInfoAccess OCSP responder (RFC 5280 §4.2.2.1); empty = none
  /// Reuse this key instead of generating one (the key type is then ignored).
  EVP_PKEY* reuse_key = nullptr;
};

/// A certificate with its private key, in every form a test may want.
struct Issued {
  ossl::X509Ptr cert;
  ossl::EvpPkey key;
  std::string cert_pem;
  std::string key_pem;  // unencrypted PKCS#8
  Bytes der;
};

/// A fresh private key of the given type.
ossl::EvpPkey generate_key(KeyType type);
/// A self-signed certificate (a root CA when spec.ca).
Issued make_self_signed(const CertSpec& spec);
/// A certificate signed by `issuer` (SHA-256; PKCS#1 v1.5 for RSA issuers,
/// PSS for RSA-PSS issuers, pure Ed25519 for Ed25519 issuers).
Issued issue(const CertSpec& spec, const Issued& issuer);

std::string to_pem(const X509* cert);
std::string to_pem(const EVP_PKEY* key);  // unencrypted PKCS#8
/// Writes `text` to `path` (replacing it); throws on failure.
void write_file(const std::string& path, const std::string& text);

/// A Credential of `leaf` followed by `chain` (the certificates sent after the
/// leaf, usually the intermediate). Throws on failure.
Credential credential_from(const Issued& leaf, const std::vector<const Issued*>& chain = {});
/// A TrustStore holding `root` only. Throws on failure.
TrustStore trust_from(const Issued& root);

/// One certificate of the ready-made PKI and its files.
struct PkiCert : Issued {
  std::string cert_path;   // this certificate alone
  std::string chain_path;  // leaves: the leaf then its intermediate; CAs: = cert_path
  std::string key_path;
};

/// One key family of the ready-made PKI (see the layout above).
struct PkiFamily {
  std::string name;  // "ecdsa" or "rsa"
  std::string dir;   // <pki dir>/<name>
  PkiCert root;
  PkiCert intermediate;
  PkiCert server;
  PkiCert server_expired;
  PkiCert server_wrong_host;
  PkiCert client;
  PkiCert client_noauth;
  PkiCert untrusted_root;
  PkiCert untrusted_server;

  /// server (+ intermediate), client (+ intermediate) as credentials.
  Credential server_credential() const;
  Credential client_credential() const;
  /// A store trusting this family's root.
  TrustStore trust() const;
};

class Pki {
 public:
  std::string dir;  // e.g. /tmp/vouch-pki-AbC123

  const PkiFamily& ecdsa() const;
  const PkiFamily& rsa() const;
  /// <dir>/roots.pem with the ecdsa root then the rsa root.
  const std::string& all_roots_path() const;

  explicit Pki(std::string directory) : dir(std::move(directory)) {}

 private:
  mutable std::once_flag ecdsa_once_, rsa_once_, roots_once_;
  mutable std::unique_ptr<PkiFamily> ecdsa_, rsa_;
  mutable std::string roots_path_;
};

/// The process-wide PKI (created on first call; thread-safe).
const Pki& test_pki();

}  // namespace vouch::testing
