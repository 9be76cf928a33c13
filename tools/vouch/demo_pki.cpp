#include "demo_pki.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <utility>

#include "crypto/ossl.h"

namespace vouch::cli {
namespace {

using X509Extension = ossl::Ptr<X509_EXTENSION, X509_EXTENSION_free>;
using Asn1Integer = ossl::Ptr<ASN1_INTEGER, ASN1_INTEGER_free>;

Error crypto_error(const std::string& what) {
  return fail(Alert::internal_error, "demo PKI: " + what + ": " + ossl::last_error());
}

Result<ossl::EvpPkey> p256_key() {
  ossl::EvpPkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return crypto_error("P-256 key generation");
  return key;
}

// One X.509v3 extension in OpenSSL's config syntax ("critical,CA:TRUE").
// `issuer` supplies the authorityKeyIdentifier; for a root it is the
// certificate itself.
Status add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return crypto_error(std::string("extension ") + OBJ_nid2sn(nid) + "=" + value);
  }
  return {};
}

struct Extension {
  int nid;
  const char* value;
};

// RFC 5280 §4.2: a CA (basicConstraints cA, keyCertSign) for the root, and
// for the leaf an end entity usable for TLS server authentication whose names
// are in subjectAltName (§4.2.1.6) — the CN is not used for name checks.
constexpr Extension kRootExtensions[] = {
    {NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
    {NID_key_usage, "critical,keyCertSign,cRLSign"},
    {NID_subject_key_identifier, "hash"},
};
constexpr Extension kLeafExtensions[] = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature"},
    {NID_ext_key_usage, "serverAuth"},
    {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};

// A client leaf (RFC 5280 §4.2.1.12 id-kp-clientAuth); a client is
// identified by its subject, so it needs no subjectAltName.
constexpr Extension kClientExtensions[] = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature"},
    {NID_ext_key_usage, "clientAuth"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};

// A certificate for `key`, signed by issuer_key; a self-signed root when
// issuer is null.
template <size_t N>
Result<ossl::X509Ptr> make_certificate(const char* common_name, EVP_PKEY* key, X509* issuer,
                                       EVP_PKEY* issuer_key, const Extension (&extensions)[N]) {
  ossl::X509Ptr cert(X509_new());
  if (!cert) return crypto_error("X509_new");
  // RFC 5280 §4.1.2.2: a positive serial of up to 20 octets, unique per CA;
  // 63 random bits are plenty for a throw-away CA.
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1) {
    return crypto_error("serial number");
  }
  serial = (serial >> 1) | 1;
  Asn1Integer serial_asn1(ASN1_INTEGER_new());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (!serial_asn1 || ASN1_INTEGER_set_uint64(serial_asn1.get(), serial) != 1 ||
      X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(cert.get(), serial_asn1.get()) != 1 ||
      // Valid from an hour ago (tolerates clock skew) for one day.
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) == nullptr ||
      X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>("vouch demo"), -1, -1,
                                 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                 reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                                 0) != 1 ||
      X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return crypto_error(std::string("certificate fields for ") + common_name);
  }
  for (const Extension& e : extensions) {
    VOUCH_TRY(add_extension(cert.get(), issuer ? issuer : cert.get(), e.nid, e.value));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return crypto_error(std::string("signing ") + common_name);
  }
  return cert;
}

Result<std::string> pem_of(X509* cert) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return crypto_error("PEM certificate");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Result<std::string> pem_of(EVP_PKEY* key) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  // PKCS#8, unencrypted: the key is thrown away with the directory.
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return crypto_error("PEM private key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Status write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return io_error("demo PKI: cannot write " + path);
  return {};
}

}  // namespace

Result<DemoPki> DemoPki::create() {
  const char* tmp = getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/vouch-demo-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    return io_error("demo PKI: cannot create a temporary directory");
  }
  DemoPki pki(std::move(dir));  // from here on, the destructor cleans up

  VOUCH_ASSIGN(ossl::EvpPkey root_key, p256_key());
  VOUCH_ASSIGN(ossl::X509Ptr root, make_certificate("vouch demo root", root_key.get(), nullptr,
                                                    root_key.get(), kRootExtensions));
  VOUCH_ASSIGN(ossl::EvpPkey leaf_key, p256_key());
  VOUCH_ASSIGN(ossl::X509Ptr leaf, make_certificate("localhost", leaf_key.get(), root.get(),
                                                    root_key.get(), kLeafExtensions));

  VOUCH_ASSIGN(const std::string root_pem, pem_of(root.get()));
  VOUCH_ASSIGN(const std::string leaf_pem, pem_of(leaf.get()));
  VOUCH_ASSIGN(const std::string key_pem, pem_of(leaf_key.get()));
  VOUCH_TRY(write_file(pki.root_path(), root_pem));
  VOUCH_TRY(write_file(pki.chain_path(), leaf_pem));
  VOUCH_TRY(write_file(pki.key_path(), key_pem));

  // Two independent client CAs, each with one client (mutual TLS demo).
  for (const char ca : {'A', 'B'}) {
    const std::string ca_name = std::string("vouch demo client CA ") + ca;
    const std::string client_name = std::string("demo client ") + ca;
    VOUCH_ASSIGN(ossl::EvpPkey ca_key, p256_key());
    VOUCH_ASSIGN(ossl::X509Ptr ca_cert, make_certificate(ca_name.c_str(), ca_key.get(), nullptr,
                                                         ca_key.get(), kRootExtensions));
    VOUCH_ASSIGN(ossl::EvpPkey client_key, p256_key());
    VOUCH_ASSIGN(ossl::X509Ptr client,
                 make_certificate(client_name.c_str(), client_key.get(), ca_cert.get(),
                                  ca_key.get(), kClientExtensions));
    VOUCH_ASSIGN(const std::string ca_pem, pem_of(ca_cert.get()));
    VOUCH_ASSIGN(const std::string client_pem, pem_of(client.get()));
    VOUCH_ASSIGN(const std::string client_key_pem, pem_of(client_key.get()));
    VOUCH_TRY(write_file(pki.client_ca_path(ca), ca_pem));
    VOUCH_TRY(write_file(pki.client_chain_path(ca), client_pem));
    VOUCH_TRY(write_file(pki.client_key_path(ca), client_key_pem));
  }
  return pki;
}

DemoPki::DemoPki(DemoPki&& other) noexcept : dir_(std::exchange(other.dir_, {})) {}

DemoPki::~DemoPki() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

}  // namespace vouch::cli
