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
//   <family>/server-{p384,p521,ed25519,rsa-pss}{,-chain,-key}.pem
//                                      as server, but with an ECDSA P-384, ECDSA P-521,
//                                      Ed25519 or RSASSA-PSS (RFC 4055) key, for the
//                                      signature schemes those keys sign with
//   <family>/client-{p384,p521,ed25519,rsa-pss}{,-chain,-key}.pem
//                                      as client, with the key of the server variant of
//                                      the same name
//   <family>/untrusted-root{,-key}.pem a root nobody trusts
//   <family>/untrusted-server{,-chain,-key}.pem
//                                      like server (same key), issued directly by the
//                                      untrusted root; its chain file holds the leaf only
//   roots.pem                          both families' roots
//   MANIFEST                           the completion marker (see below), written last
//
// Every leaf's "-chain" file is the leaf then its intermediate (never the root).
// Keys are unencrypted PKCS#8. Certificates are valid from an hour ago for 30 days.
//
// The PKI is generated once per build and shared by every test process:
// ctest runs each gtest case as its own process, and regenerating the RSA
// keys in each of them dominated the suite's run time. It lives in
// $VOUCH_TEST_PKI_DIR if set, else <build dir>/test-pki, and is never removed
// (VOUCH_KEEP_PKI, once needed to keep the old per-process directory, now only
// makes test_pki() print where the PKI is).
//
// Sharing protocol, all under flock(2) on "<dir>.lock" (waits are bounded):
//  - A process takes the lock shared, and if <dir>/MANIFEST is complete, of
//    this generator's version, younger than a day, and every file loads and
//    matches its key and chain, it loads the PKI and keeps the shared lock for
//    as long as the Pki object lives, so nobody replaces files in use.
//  - Otherwise it takes the lock exclusive, checks again, generates into
//    "<dir>.tmp-XXXXXX" with MANIFEST written last, and renames that directory
//    into place (discarding the old one and any leftovers of crashed
//    generators). A directory without a valid MANIFEST is never loaded.
// Generation and load failures throw std::runtime_error (gtest reports them).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ossl.h"
#include "vouch/credential.h"
#include "vouch/types.h"

namespace vouch::testing {

enum class KeyType { ecdsa_p256, ecdsa_p384, ecdsa_p521, rsa2048, rsa_pss2048, ed25519 };

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
/// Writes `text` (or raw bytes) to `path`, replacing it; throws on failure.
void write_file(const std::string& path, const std::string& text);
void write_file(const std::string& path, ByteView data);

/// A Credential of `leaf` followed by `chain` (the certificates sent after the
/// leaf, usually the intermediate). Throws on failure.
Credential credential_from(const Issued& leaf, const std::vector<const Issued*>& chain = {});
/// A TrustStore holding `root` only. Throws on failure.
TrustStore trust_from(const Issued& root);

/// A CRL (v2) signed by `issuer`, revoking `revoked`, valid from an hour ago
/// for a day.
ossl::Ptr<X509_CRL, X509_CRL_free> make_crl(const Issued& issuer,
                                            const std::vector<const Issued*>& revoked);
std::string to_pem(const X509_CRL* crl);

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
  // Leaves whose keys sign with other schemes (RFC 8446 §4.2.3).
  PkiCert server_p384, server_p521, server_ed25519, server_rsa_pss;
  PkiCert client_p384, client_p521, client_ed25519, client_rsa_pss;
  PkiCert untrusted_root;
  PkiCert untrusted_server;

  /// server (+ intermediate), client (+ intermediate) as credentials.
  Credential server_credential() const;
  Credential client_credential() const;
  /// A store trusting this family's root.
  TrustStore trust() const;
};

class Pki;
class PkiLock;

/// Bumped whenever the set of files or what goes into them changes, so that
/// PKIs written by an older generator are regenerated rather than loaded.
inline constexpr int kPkiGeneratorVersion = 2;

struct PkiStoreOptions {
  /// A stored PKI at least this old is regenerated (its leaves' validity is
  /// relative to when they were made; 30 days leaves ample margin).
  std::chrono::seconds max_age{24 * 3600};
  /// How long to wait for <dir>.lock before failing.
  std::chrono::milliseconds lock_timeout{120'000};
};

/// Loads the PKI stored in `dir`, or (re)generates it there first when it is
/// absent, incomplete, stale, of another generator version or damaged (see the
/// protocol above). Safe to call from many processes at once. The returned
/// Pki holds a shared lock on "<dir>.lock": destroy it before asking for the
/// same directory to be regenerated from the same process. Throws
/// std::runtime_error on failure or when the lock is not had in time.
std::unique_ptr<Pki> load_or_create_pki(const std::string& dir, const PkiStoreOptions& options = {});

/// Why the PKI stored in `dir` would be regenerated rather than loaded (no
/// manifest, wrong version, too old, a file that does not load or match...),
/// or "" if it would be loaded. Only reads; takes no lock.
std::string stored_pki_problem(const std::string& dir, const PkiStoreOptions& options = {});

/// $VOUCH_TEST_PKI_DIR if set and non-empty, else <VOUCH_BINARY_DIR>/test-pki.
std::string default_pki_dir();

class Pki {
  // Only load_or_create_pki() can name a Token, and so make a Pki.
  struct Token {
    explicit Token() = default;
  };
  friend std::unique_ptr<Pki> load_or_create_pki(const std::string&, const PkiStoreOptions&);

 public:
  std::string dir;  // e.g. <build dir>/test-pki

  const PkiFamily& ecdsa() const { return ecdsa_; }
  const PkiFamily& rsa() const { return rsa_; }
  /// <dir>/roots.pem with the ecdsa root then the rsa root.
  const std::string& all_roots_path() const { return roots_path_; }

  explicit Pki(Token);
  Pki(const Pki&) = delete;
  Pki& operator=(const Pki&) = delete;
  ~Pki();  // releases the shared lock on <dir>.lock

 private:
  PkiFamily ecdsa_, rsa_;
  std::string roots_path_;
  std::unique_ptr<PkiLock> lock_;
};

/// The process-wide PKI, loaded (or generated) on first call from
/// default_pki_dir(); thread-safe.
const Pki& test_pki();

/// The completion marker <dir>/MANIFEST:
///
///   vouch test PKI
///   version <kPkiGeneratorVersion>
///   created <unix seconds>
///   file <path relative to dir>        (one line per file, the manifest excepted)
///   end
struct PkiManifest {
  int version = 0;
  int64_t created = 0;
  std::vector<std::string> files;

  bool operator==(const PkiManifest&) const = default;
};
inline constexpr const char* kPkiManifestName = "MANIFEST";

/// The text of a manifest (ends with "end\n").
std::string format_pki_manifest(const PkiManifest& manifest);
/// Parses a manifest; nullopt if it is malformed or truncated (no "end" line),
/// has anything after "end", or names a path that is absolute, empty, or
/// contains "." or ".." segments.
std::optional<PkiManifest> parse_pki_manifest(std::string_view text);
/// Every file a PKI of this generator version holds, relative to its dir, in
/// the order its manifest lists them.
std::vector<std::string> expected_pki_files();

}  // namespace vouch::testing
