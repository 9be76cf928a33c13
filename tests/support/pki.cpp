#include "support/pki.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <thread>

namespace vouch::testing {
namespace {

using BigNum = ossl::Ptr<BIGNUM, BN_free>;

[[noreturn]] void die(const std::string& what) {
  throw std::runtime_error("test PKI: " + what + ": " + ossl::last_error());
}

const char* key_type_name(KeyType t) {
  switch (t) {
    case KeyType::ecdsa_p256: return "ecdsa_p256";
    case KeyType::ecdsa_p384: return "ecdsa_p384";
    case KeyType::ecdsa_p521: return "ecdsa_p521";
    case KeyType::rsa2048: return "rsa2048";
    case KeyType::rsa_pss2048: return "rsa_pss2048";
    case KeyType::ed25519: return "ed25519";
  }
  return "?";
}

bool is_rsa(const EVP_PKEY* k) { return EVP_PKEY_is_a(k, "RSA") == 1; }
bool is_ed25519(const EVP_PKEY* k) { return EVP_PKEY_is_a(k, "ED25519") == 1; }

// A random positive 127-bit serial: unique enough that OCSP CertIDs
// (issuer + serial, RFC 6960 §4.1.1) never collide between test certificates.
void set_random_serial(X509* x) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) die("RAND_bytes");
  raw[0] = static_cast<unsigned char>((raw[0] & 0x7f) | 0x40);
  BigNum bn(BN_bin2bn(raw, sizeof raw, nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr) die("serial");
}

// Adds one extension written in OpenSSL's config syntax (x509v3_config(5)).
void add_ext(X509* subject, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) die(std::string("extension ") + OBJ_nid2sn(nid) + " = " + value);
  const int ok = X509_add_ext(subject, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) die(std::string("adding extension ") + OBJ_nid2sn(nid));
}

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1) {
    die(std::string("name entry ") + field);
  }
}

std::string join_san(const CertSpec& spec) {
  std::string san;
  for (const auto& d : spec.dns) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : spec.ips) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  return san;
}

std::string key_usage(const CertSpec& spec, const EVP_PKEY* key) {
  if (spec.ca) return "critical,keyCertSign,cRLSign,digitalSignature";
  // keyEncipherment only where the key can encrypt (rsaEncryption keys).
  if (is_rsa(key)) return "critical,digitalSignature,keyEncipherment";
  return "critical,digitalSignature";
}

// Builds and signs a certificate for `subject_key`. A null issuer means
// self-signed.
Issued build(const CertSpec& spec, ossl::EvpPkey subject_key, X509* issuer_cert,
             EVP_PKEY* issuer_key) {
  ERR_clear_error();
  ossl::X509Ptr x(X509_new());
  if (!x) die("X509_new");
  if (X509_set_version(x.get(), X509_VERSION_3) != 1) die("version");
  set_random_serial(x.get());
  if (X509_gmtime_adj(X509_getm_notBefore(x.get()), spec.not_before_offset_s) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x.get()), spec.not_after_offset_s) == nullptr) {
    die("validity");
  }
  X509_NAME* name = X509_get_subject_name(x.get());
  add_name_entry(name, "O", "vouch-test");
  add_name_entry(name, "CN", spec.cn);
  const X509_NAME* issuer_name =
      issuer_cert ? X509_get_subject_name(issuer_cert) : X509_get_subject_name(x.get());
  if (X509_set_issuer_name(x.get(), issuer_name) != 1) die("issuer name");
  if (X509_set_pubkey(x.get(), subject_key.get()) != 1) die("public key");

  X509* ext_issuer = issuer_cert ? issuer_cert : x.get();
  if (spec.ca) {
    std::string bc = "critical,CA:TRUE";
    if (spec.path_len >= 0) bc += ",pathlen:" + std::to_string(spec.path_len);
    add_ext(x.get(), ext_issuer, NID_basic_constraints, bc);
  } else {
    add_ext(x.get(), ext_issuer, NID_basic_constraints, "critical,CA:FALSE");
  }
  add_ext(x.get(), ext_issuer, NID_key_usage, key_usage(spec, subject_key.get()));
  if (!spec.ca) {
    switch (spec.eku) {
      case CertSpec::Eku::none: break;
      case CertSpec::Eku::server: add_ext(x.get(), ext_issuer, NID_ext_key_usage, "serverAuth"); break;
      case CertSpec::Eku::client: add_ext(x.get(), ext_issuer, NID_ext_key_usage, "clientAuth"); break;
      case CertSpec::Eku::both:
        add_ext(x.get(), ext_issuer, NID_ext_key_usage, "serverAuth,clientAuth");
        break;
    }
  }
  add_ext(x.get(), ext_issuer, NID_subject_key_identifier, "hash");
  add_ext(x.get(), ext_issuer, NID_authority_key_identifier, "keyid:always");
  if (const std::string san = join_san(spec); !san.empty()) {
    add_ext(x.get(), ext_issuer, NID_subject_alt_name, san);
  }
  if (!spec.ocsp_url.empty()) add_ext(x.get(), ext_issuer, NID_info_access, "OCSP;URI:" + spec.ocsp_url);
  if (spec.must_staple) add_ext(x.get(), ext_issuer, NID_tlsfeature, "status_request");

  EVP_PKEY* signer = issuer_key ? issuer_key : subject_key.get();
  // Ed25519 signs the message itself (RFC 8410 §6): no digest. RSA keys sign
  // with PKCS#1 v1.5 and RSA-PSS keys with PSS, both over SHA-256.
  const EVP_MD* md = is_ed25519(signer) ? nullptr : EVP_sha256();
  if (X509_sign(x.get(), signer, md) <= 0) die("signing " + spec.cn);

  Issued out;
  out.cert_pem = to_pem(x.get());
  out.key_pem = to_pem(subject_key.get());
  const int len = i2d_X509(x.get(), nullptr);
  if (len <= 0) die("DER of " + spec.cn);
  out.der.resize(static_cast<size_t>(len));
  unsigned char* p = out.der.data();
  if (i2d_X509(x.get(), &p) != len) die("DER of " + spec.cn);
  out.cert = std::move(x);
  out.key = std::move(subject_key);
  return out;
}

ossl::EvpPkey key_for(const CertSpec& spec) {
  return spec.reuse_key ? ossl::up_ref(spec.reuse_key) : generate_key(spec.key);
}

}  // namespace

ossl::EvpPkey generate_key(KeyType type) {
  ERR_clear_error();
  EVP_PKEY* k = nullptr;
  switch (type) {
    case KeyType::ecdsa_p256: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::ecdsa_p384: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case KeyType::ecdsa_p521: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"); break;
    case KeyType::rsa2048: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}); break;
    case KeyType::rsa_pss2048: {
      // EVP_PKEY_Q_keygen takes a size only for "RSA"; RSA-PSS (RFC 4055
      // id-RSASSA-PSS keys) needs the long way.
      ossl::EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr));
      if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
          EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) != 1 ||
          EVP_PKEY_generate(ctx.get(), &k) != 1) {
        k = nullptr;
      }
      break;
    }
    case KeyType::ed25519: k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  if (k == nullptr) die(std::string("generating a ") + key_type_name(type) + " key");
  return ossl::EvpPkey(k);
}

Issued make_self_signed(const CertSpec& spec) { return build(spec, key_for(spec), nullptr, nullptr); }

Issued issue(const CertSpec& spec, const Issued& issuer) {
  if (!issuer.cert || !issuer.key) throw std::runtime_error("test PKI: issuer without cert or key");
  return build(spec, key_for(spec), issuer.cert.get(), issuer.key.get());
}

std::string to_pem(const X509* cert) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) die("PEM of a certificate");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string to_pem(const EVP_PKEY* key) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    die("PEM of a private key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

ossl::Ptr<X509_CRL, X509_CRL_free> make_crl(const Issued& issuer,
                                            const std::vector<const Issued*>& revoked) {
  ossl::Ptr<X509_CRL, X509_CRL_free> crl(X509_CRL_new());
  ossl::Ptr<ASN1_TIME, ASN1_TIME_free> last(X509_gmtime_adj(nullptr, -3600));
  ossl::Ptr<ASN1_TIME, ASN1_TIME_free> next(X509_gmtime_adj(nullptr, 86400));
  if (!crl || !last || !next || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.get())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1)
    die("building a CRL");
  for (const Issued* r : revoked) {
    ossl::Ptr<X509_REVOKED, X509_REVOKED_free> entry(X509_REVOKED_new());
    if (!entry ||
        X509_REVOKED_set_serialNumber(entry.get(), X509_get_serialNumber(r->cert.get())) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), last.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry.get()) != 1)
      die("adding a CRL entry");
    (void)entry.release();  // owned by the CRL now
  }
  if (X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), issuer.key.get(), EVP_sha256()) <= 0)
    die("signing a CRL");
  return crl;
}

std::string to_pem(const X509_CRL* crl) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), const_cast<X509_CRL*>(crl)) != 1) die("PEM of a CRL");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("test PKI: cannot write " + path);
}

void write_file(const std::string& path, ByteView data) {
  write_file(path, std::string(data.begin(), data.end()));
}

Credential credential_from(const Issued& leaf, const std::vector<const Issued*>& chain) {
  std::vector<X509*> certs{leaf.cert.get()};
  for (const Issued* c : chain) certs.push_back(c->cert.get());
  auto cred = Credential::from_x509(certs, leaf.key.get());
  if (!cred) throw std::runtime_error("test PKI: credential: " + cred.error().to_string());
  return std::move(cred).value();
}

TrustStore trust_from(const Issued& root) {
  auto trust = TrustStore::from_pem(root.cert_pem);
  if (!trust) throw std::runtime_error("test PKI: trust store: " + trust.error().to_string());
  return std::move(trust).value();
}

Credential PkiFamily::server_credential() const { return credential_from(server, {&intermediate}); }
Credential PkiFamily::client_credential() const { return credential_from(client, {&intermediate}); }
TrustStore PkiFamily::trust() const { return trust_from(root); }

namespace {

// Writes the files of one certificate; `chain_tail` is what follows a leaf in
// its -chain file (null for CAs and for leaves sent alone).
PkiCert save(Issued issued, const std::string& dir, const std::string& name, const Issued* chain_tail,
             bool leaf) {
  PkiCert c;
  static_cast<Issued&>(c) = std::move(issued);
  c.cert_path = dir + "/" + name + ".pem";
  c.key_path = dir + "/" + name + "-key.pem";
  write_file(c.cert_path, c.cert_pem);
  write_file(c.key_path, c.key_pem);
  if (leaf) {
    c.chain_path = dir + "/" + name + "-chain.pem";
    write_file(c.chain_path, c.cert_pem + (chain_tail ? chain_tail->cert_pem : std::string()));
  } else {
    c.chain_path = c.cert_path;
  }
  return c;
}

// Variants of a certificate reuse its key, as a re-issued certificate would:
// RSA key generation is the slow part of making the PKI.
std::unique_ptr<PkiFamily> make_family(const std::string& pki_dir, const std::string& name,
                                       KeyType type) {
  auto f = std::make_unique<PkiFamily>();
  f->name = name;
  f->dir = pki_dir + "/" + name;
  std::error_code ec;
  std::filesystem::create_directories(f->dir, ec);
  if (ec) throw std::runtime_error("test PKI: cannot create " + f->dir + ": " + ec.message());

  CertSpec ca;
  ca.key = type;
  ca.ca = true;
  ca.cn = "vouch test root " + name;
  f->root = save(make_self_signed(ca), f->dir, "root", nullptr, false);
  ca.cn = "vouch test intermediate " + name;
  ca.path_len = 0;
  f->intermediate = save(issue(ca, f->root), f->dir, "intermediate", nullptr, false);

  CertSpec server;
  server.key = type;
  server.cn = "localhost";
  server.dns = {"localhost"};
  server.ips = {"127.0.0.1", "::1"};
  server.eku = CertSpec::Eku::server;
  f->server = save(issue(server, f->intermediate), f->dir, "server", &f->intermediate, true);

  CertSpec expired = server;
  expired.reuse_key = f->server.key.get();
  expired.not_before_offset_s = -2 * 86400;
  expired.not_after_offset_s = -86400;
  f->server_expired =
      save(issue(expired, f->intermediate), f->dir, "server-expired", &f->intermediate, true);

  CertSpec wrong = server;
  wrong.reuse_key = f->server.key.get();
  wrong.cn = "wrong.example";
  wrong.dns = {"wrong.example"};
  wrong.ips = {};
  f->server_wrong_host =
      save(issue(wrong, f->intermediate), f->dir, "server-wrong-host", &f->intermediate, true);

  CertSpec client;
  client.key = type;
  client.cn = "client-" + name;
  client.eku = CertSpec::Eku::client;
  f->client = save(issue(client, f->intermediate), f->dir, "client", &f->intermediate, true);

  CertSpec noauth = client;
  noauth.reuse_key = f->client.key.get();
  noauth.cn = "client-noauth-" + name;
  noauth.eku = CertSpec::Eku::server;
  f->client_noauth =
      save(issue(noauth, f->intermediate), f->dir, "client-noauth", &f->intermediate, true);

  // The same server and client with keys of the other signature schemes; a
  // client variant reuses its server variant's key.
  struct Variant {
    const char* suffix;
    KeyType key;
    PkiCert PkiFamily::*server;
    PkiCert PkiFamily::*client;
  };
  const Variant variants[] = {
      {"p384", KeyType::ecdsa_p384, &PkiFamily::server_p384, &PkiFamily::client_p384},
      {"p521", KeyType::ecdsa_p521, &PkiFamily::server_p521, &PkiFamily::client_p521},
      {"ed25519", KeyType::ed25519, &PkiFamily::server_ed25519, &PkiFamily::client_ed25519},
      {"rsa-pss", KeyType::rsa_pss2048, &PkiFamily::server_rsa_pss, &PkiFamily::client_rsa_pss},
  };
  for (const Variant& v : variants) {
    CertSpec s = server;
    s.key = v.key;
    PkiCert& issued_server = (*f).*(v.server);
    issued_server = save(issue(s, f->intermediate), f->dir, std::string("server-") + v.suffix, &f->intermediate, true);
    CertSpec c = client;
    c.cn = "client-" + name + "-" + v.suffix;
    c.reuse_key = issued_server.key.get();
    (*f).*(v.client) = save(issue(c, f->intermediate), f->dir, std::string("client-") + v.suffix, &f->intermediate, true);
  }

  CertSpec untrusted = ca;
  untrusted.cn = "vouch untrusted root " + name;
  untrusted.path_len = -1;
  f->untrusted_root = save(make_self_signed(untrusted), f->dir, "untrusted-root", nullptr, false);
  CertSpec untrusted_leaf = server;
  untrusted_leaf.reuse_key = f->server.key.get();
  f->untrusted_server =
      save(issue(untrusted_leaf, f->untrusted_root), f->dir, "untrusted-server", nullptr, true);
  return f;
}

// ---- The stored PKI ------------------------------------------------------

namespace fs = std::filesystem;

// How a stored certificate's -chain file is made.
enum class ChainFile { none, with_intermediate, leaf_alone };

// One certificate of a family as stored: its file stem, where it goes in
// PkiFamily, and its chain file. Issuers come before what they issue.
struct Slot {
  const char* name;
  PkiCert PkiFamily::*member;
  ChainFile chain;
};

constexpr Slot kSlots[] = {
    {"root", &PkiFamily::root, ChainFile::none},
    {"intermediate", &PkiFamily::intermediate, ChainFile::none},
    {"server", &PkiFamily::server, ChainFile::with_intermediate},
    {"server-expired", &PkiFamily::server_expired, ChainFile::with_intermediate},
    {"server-wrong-host", &PkiFamily::server_wrong_host, ChainFile::with_intermediate},
    {"client", &PkiFamily::client, ChainFile::with_intermediate},
    {"client-noauth", &PkiFamily::client_noauth, ChainFile::with_intermediate},
    {"server-p384", &PkiFamily::server_p384, ChainFile::with_intermediate},
    {"server-p521", &PkiFamily::server_p521, ChainFile::with_intermediate},
    {"server-ed25519", &PkiFamily::server_ed25519, ChainFile::with_intermediate},
    {"server-rsa-pss", &PkiFamily::server_rsa_pss, ChainFile::with_intermediate},
    {"client-p384", &PkiFamily::client_p384, ChainFile::with_intermediate},
    {"client-p521", &PkiFamily::client_p521, ChainFile::with_intermediate},
    {"client-ed25519", &PkiFamily::client_ed25519, ChainFile::with_intermediate},
    {"client-rsa-pss", &PkiFamily::client_rsa_pss, ChainFile::with_intermediate},
    {"untrusted-root", &PkiFamily::untrusted_root, ChainFile::none},
    {"untrusted-server", &PkiFamily::untrusted_server, ChainFile::leaf_alone},
};

struct FamilySpec {
  const char* name;
  KeyType key;
};
constexpr FamilySpec kFamilies[] = {{"ecdsa", KeyType::ecdsa_p256}, {"rsa", KeyType::rsa2048}};

constexpr const char* kRootsName = "roots.pem";
constexpr const char* kManifestHeader = "vouch test PKI";
// A manifest created this far in the future means the clock moved back:
// regenerate rather than trust the validity periods.
constexpr int64_t kClockSkewS = 300;

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return text;
}

// Stored keys are unencrypted: refuse any password prompt instead of letting
// OpenSSL's default callback ask the terminal.
int no_password(char*, int, int, void*) { return -1; }

// Loads `name` of a family from `fam_dir` into `out`. `intermediate` is the
// already loaded intermediate (for the -chain check of leaves). Returns why
// the files cannot be used, or "" when they can.
std::string load_cert(const std::string& fam_dir, const Slot& slot, const PkiCert* intermediate,
                      PkiCert& out) {
  const std::string stem = fam_dir + "/" + slot.name;
  out.cert_path = stem + ".pem";
  out.key_path = stem + "-key.pem";
  out.chain_path = slot.chain == ChainFile::none ? out.cert_path : stem + "-chain.pem";

  const auto cert_text = read_text(out.cert_path);
  const auto key_text = read_text(out.key_path);
  if (!cert_text || !key_text) return "cannot read " + stem + "{,-key}.pem";

  ossl::Bio cert_bio(BIO_new_mem_buf(cert_text->data(), static_cast<int>(cert_text->size())));
  ossl::Bio key_bio(BIO_new_mem_buf(key_text->data(), static_cast<int>(key_text->size())));
  if (!cert_bio || !key_bio) die("BIO_new_mem_buf");
  out.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  out.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_password, nullptr));
  ERR_clear_error();
  if (!out.cert) return out.cert_path + " holds no certificate";
  if (!out.key) return out.key_path + " holds no private key";
  if (X509_check_private_key(out.cert.get(), out.key.get()) != 1) {
    ERR_clear_error();
    return out.key_path + " is not the key of " + out.cert_path;
  }

  // Re-encoding must give back the files byte for byte: that rules out
  // trailing data (a second certificate, a truncated write's leftovers).
  out.cert_pem = to_pem(out.cert.get());
  out.key_pem = to_pem(out.key.get());
  if (out.cert_pem != *cert_text) return out.cert_path + " holds more than the certificate";
  if (out.key_pem != *key_text) return out.key_path + " holds more than the key";
  const int len = i2d_X509(out.cert.get(), nullptr);
  if (len <= 0) die("DER of " + out.cert_path);
  out.der.resize(static_cast<size_t>(len));
  unsigned char* p = out.der.data();
  if (i2d_X509(out.cert.get(), &p) != len) die("DER of " + out.cert_path);

  if (slot.chain != ChainFile::none) {
    const std::string want =
        out.cert_pem + (slot.chain == ChainFile::with_intermediate ? intermediate->cert_pem : "");
    if (read_text(out.chain_path) != want) return out.chain_path + " is not the expected chain";
  }
  return "";
}

std::string load_family(const std::string& pki_dir, const char* name, PkiFamily& f) {
  f.name = name;
  f.dir = pki_dir + "/" + name;
  for (const Slot& slot : kSlots) {
    if (std::string why = load_cert(f.dir, slot, &f.intermediate, f.*slot.member); !why.empty()) {
      return why;
    }
  }
  return "";
}

// The files written by make_family() and the generator below, as listed by
// the manifest (and so the files every process trusts to be there).
std::vector<std::string> stored_files() {
  std::vector<std::string> files;
  for (const FamilySpec& fam : kFamilies) {
    for (const Slot& slot : kSlots) {
      const std::string stem = std::string(fam.name) + "/" + slot.name;
      files.push_back(stem + ".pem");
      files.push_back(stem + "-key.pem");
      if (slot.chain != ChainFile::none) files.push_back(stem + "-chain.pem");
    }
  }
  files.push_back(kRootsName);
  return files;
}

bool parse_int(std::string_view text, int64_t& out) {
  if (text.empty() || text.front() == '-' || text.front() == '+') return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// A manifest path is relative and names a file inside the PKI directory.
bool safe_relative_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    const std::string_view seg = path.substr(start, slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    start = slash + 1;
  }
  return path.find('\0') == std::string_view::npos;
}

}  // namespace

// The lock on "<dir>.lock": an flock(2) lock on an open file description.
class PkiLock {
 public:
  explicit PkiLock(std::string path) : path_(std::move(path)) {
    // O_CLOEXEC: peers the tests exec must not inherit (and so prolong) it.
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw std::runtime_error("test PKI: cannot open " + path_ + ": " + std::strerror(errno));
    }
  }
  PkiLock(const PkiLock&) = delete;
  PkiLock& operator=(const PkiLock&) = delete;
  // Only close, never LOCK_UN: a forked child that exits shares the open file
  // description, and unlocking it would drop its parent's lock too.
  ~PkiLock() { ::close(fd_); }

  // Takes the lock shared or exclusive (converting a held one), polling so
  // the wait can be bounded; flock itself has no timeout.
  void acquire(bool exclusive, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(2);
    for (;;) {
      if (::flock(fd_, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) return;
      if (errno == EINTR) continue;
      if (errno != EWOULDBLOCK) {
        throw std::runtime_error("test PKI: flock " + path_ + ": " + std::strerror(errno));
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        throw std::runtime_error(
            "test PKI: no " + std::string(exclusive ? "exclusive" : "shared") + " lock on " +
            path_ + " after " + std::to_string(timeout.count()) +
            " ms: another process holds it (generating the PKI, or still using one that "
            "must be regenerated); set VOUCH_TEST_PKI_DIR to use another directory");
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(100));
    }
  }

  void release() { ::flock(fd_, LOCK_UN); }

 private:
  std::string path_;
  int fd_ = -1;
};

namespace {

std::string normalize_dir(const std::string& dir) {
  if (dir.empty()) throw std::runtime_error("test PKI: empty directory name");
  fs::path p = fs::absolute(dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "a/b/" -> "a/b"
  if (p == p.root_path()) throw std::runtime_error("test PKI: refusing to use " + p.string());
  return p.string();
}

// Why the PKI stored in `dir` cannot be used as it is ("" if it can); on
// success fills `ecdsa`, `rsa` and `roots_path`. `check_age` is off only
// right after generating, so that a max_age of 0 still loads what it made.
std::string try_load(const std::string& dir, const PkiStoreOptions& options, bool check_age,
                     PkiFamily& ecdsa, PkiFamily& rsa, std::string& roots_path) {
  const auto text = read_text(dir + "/" + kPkiManifestName);
  if (!text) return "no manifest";
  const auto manifest = parse_pki_manifest(*text);
  if (!manifest) return "malformed manifest";
  if (manifest->version != kPkiGeneratorVersion) {
    return "generator version " + std::to_string(manifest->version) + ", want " +
           std::to_string(kPkiGeneratorVersion);
  }
  if (manifest->files != expected_pki_files()) return "manifest lists other files";
  const int64_t age = unix_now() - manifest->created;
  if (check_age && (age < -kClockSkewS || age >= options.max_age.count())) {
    return "made " + std::to_string(age) + " s ago, max " + std::to_string(options.max_age.count());
  }
  static_assert(std::size(kFamilies) == 2);
  PkiFamily* const families[] = {&ecdsa, &rsa};
  for (size_t i = 0; i < std::size(kFamilies); ++i) {
    if (std::string why = load_family(dir, kFamilies[i].name, *families[i]); !why.empty()) return why;
  }
  roots_path = dir + "/" + kRootsName;
  if (read_text(roots_path) != ecdsa.root.cert_pem + rsa.root.cert_pem) {
    return roots_path + " does not hold the two roots";
  }
  return "";
}

// Removes what crashed generators left next to `dir` ("<dir>.tmp-*",
// "<dir>.old-*"). Called only under the exclusive lock, when no generator runs.
void remove_leftovers(const std::string& dir) {
  const fs::path p(dir);
  const std::string base = p.filename().string();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(p.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(base + ".tmp-") || name.starts_with(base + ".old-")) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
    }
  }
}

std::string make_temp_dir(const std::string& prefix) {
  std::string pattern = prefix + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("test PKI: mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  return pattern;
}

void rename_or_throw(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    throw std::runtime_error("test PKI: rename " + from + " -> " + to + ": " + std::strerror(errno));
  }
}

// Generates a whole PKI next to `dir` and renames it into place. Called under
// the exclusive lock.
void generate(const std::string& dir, const std::string& reason) {
  std::fprintf(stderr, "test PKI: generating %s (%s)\n", dir.c_str(), reason.c_str());
  remove_leftovers(dir);
  const std::string tmp = make_temp_dir(dir + ".tmp-");
  try {
    std::string roots;
    for (const FamilySpec& fam : kFamilies) {
      roots += make_family(tmp, fam.name, fam.key)->root.cert_pem;
    }
    write_file(tmp + "/" + kRootsName, roots);

    PkiManifest manifest;
    manifest.version = kPkiGeneratorVersion;
    manifest.created = unix_now();
    manifest.files = expected_pki_files();
    for (const std::string& f : manifest.files) {
      // The file table and make_family() must agree, or every load would fail.
      if (!fs::is_regular_file(tmp + "/" + f)) {
        throw std::runtime_error("test PKI: generator wrote no " + f);
      }
    }
    // Written last: its presence says every other file is complete.
    write_file(tmp + "/" + kPkiManifestName, format_pki_manifest(manifest));

    // rename(2) replaces only an empty directory, so move the old PKI aside
    // first. A crash in between leaves no <dir>, which the next process
    // regenerates.
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(dir, ec);
    if (fs::is_directory(st)) {
      const std::string old = make_temp_dir(dir + ".old-");
      rename_or_throw(dir, old);
      fs::remove_all(old, ec);
    } else if (fs::exists(st)) {
      fs::remove(dir, ec);
    }
    rename_or_throw(tmp, dir);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    throw;
  }
}

}  // namespace

Pki::Pki(Token) {}
Pki::~Pki() = default;

std::unique_ptr<Pki> load_or_create_pki(const std::string& dir, const PkiStoreOptions& options) {
  const std::string d = normalize_dir(dir);
  std::error_code ec;
  fs::create_directories(fs::path(d).parent_path(), ec);
  if (ec) throw std::runtime_error("test PKI: cannot create the parent of " + d + ": " + ec.message());

  auto lock = std::make_unique<PkiLock>(d + ".lock");
  auto load = [&](std::unique_ptr<Pki>& out, bool check_age) {
    out = std::make_unique<Pki>(Pki::Token{});
    out->dir = d;
    return try_load(d, options, check_age, out->ecdsa_, out->rsa_, out->roots_path_);
  };

  std::unique_ptr<Pki> pki;
  lock->acquire(false, options.lock_timeout);
  if (std::string why = load(pki, true); !why.empty()) {
    // Drop the shared lock before waiting for the exclusive one: two
    // processes converting at once must not wait on each other.
    lock->release();
    lock->acquire(true, options.lock_timeout);
    // Another process may have regenerated it while we waited.
    why = load(pki, true);
    if (!why.empty()) {
      generate(d, why);
      if (why = load(pki, false); !why.empty()) {
        throw std::runtime_error("test PKI: " + d + " does not load right after generating it: " +
                                 why);
      }
    }
    lock->acquire(false, options.lock_timeout);
  }
  pki->lock_ = std::move(lock);
  return pki;
}

std::string stored_pki_problem(const std::string& dir, const PkiStoreOptions& options) {
  PkiFamily ecdsa, rsa;
  std::string roots_path;
  return try_load(normalize_dir(dir), options, true, ecdsa, rsa, roots_path);
}

std::string default_pki_dir() {
  const char* env = std::getenv("VOUCH_TEST_PKI_DIR");
  if (env != nullptr && env[0] != '\0') return env;
  return VOUCH_BINARY_DIR "/test-pki";
}

const Pki& test_pki() {
  static const std::unique_ptr<Pki> pki = [] {
    auto p = load_or_create_pki(default_pki_dir());
    if (std::getenv("VOUCH_KEEP_PKI") != nullptr) {
      std::fprintf(stderr, "test PKI in %s\n", p->dir.c_str());
    }
    return p;
  }();
  return *pki;
}

std::vector<std::string> expected_pki_files() { return stored_files(); }

std::string format_pki_manifest(const PkiManifest& manifest) {
  std::string out = std::string(kManifestHeader) + "\n";
  out += "version " + std::to_string(manifest.version) + "\n";
  out += "created " + std::to_string(manifest.created) + "\n";
  for (const std::string& f : manifest.files) out += "file " + f + "\n";
  out += "end\n";
  return out;
}

std::optional<PkiManifest> parse_pki_manifest(std::string_view text) {
  // Every line, "end" included, ends with '\n': a write cut short anywhere
  // fails here.
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  if (lines.size() < 4 || lines.front() != kManifestHeader || lines.back() != "end") {
    return std::nullopt;
  }

  PkiManifest m;
  int64_t version = 0;
  if (!lines[1].starts_with("version ") || !parse_int(lines[1].substr(8), version) ||
      version > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  m.version = static_cast<int>(version);
  if (!lines[2].starts_with("created ") || !parse_int(lines[2].substr(8), m.created)) {
    return std::nullopt;
  }
  for (size_t i = 3; i + 1 < lines.size(); ++i) {
    if (!lines[i].starts_with("file ")) return std::nullopt;
    const std::string_view path = lines[i].substr(5);
    if (!safe_relative_path(path)) return std::nullopt;
    m.files.emplace_back(path);
  }
  return m;
}

}  // namespace vouch::testing
