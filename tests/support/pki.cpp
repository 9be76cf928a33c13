#include "support/pki.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

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

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("test PKI: cannot write " + path);
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
// RSA key generation dominates the start-up time of every test process.
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

// The directory name lives in static storage that is never destroyed, so the
// exit handler can still read it after other statics are gone.
char g_pki_dir[4096];
pid_t g_pki_owner = 0;

void remove_pki_dir() {
  // A forked child that exits (rather than exec'ing) must not delete the
  // parent's files.
  if (g_pki_dir[0] == '\0' || getpid() != g_pki_owner) return;
  std::error_code ec;
  std::filesystem::remove_all(g_pki_dir, ec);
}

std::string make_pki_dir() {
  std::error_code ec;
  std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  if (ec) tmp = "/tmp";
  const std::string pattern = (tmp / "vouch-pki-XXXXXX").string();
  if (pattern.size() >= sizeof g_pki_dir) throw std::runtime_error("test PKI: temp path too long");
  std::memcpy(g_pki_dir, pattern.c_str(), pattern.size() + 1);
  if (mkdtemp(g_pki_dir) == nullptr) {
    const std::string err = std::strerror(errno);
    g_pki_dir[0] = '\0';
    throw std::runtime_error("test PKI: mkdtemp " + pattern + ": " + err);
  }
  g_pki_owner = getpid();
  if (std::getenv("VOUCH_KEEP_PKI") == nullptr) {
    std::atexit(remove_pki_dir);
  } else {
    std::fprintf(stderr, "test PKI kept in %s\n", g_pki_dir);
  }
  return g_pki_dir;
}

}  // namespace

const PkiFamily& Pki::ecdsa() const {
  std::call_once(ecdsa_once_, [this] { ecdsa_ = make_family(dir, "ecdsa", KeyType::ecdsa_p256); });
  return *ecdsa_;
}

const PkiFamily& Pki::rsa() const {
  std::call_once(rsa_once_, [this] { rsa_ = make_family(dir, "rsa", KeyType::rsa2048); });
  return *rsa_;
}

const std::string& Pki::all_roots_path() const {
  std::call_once(roots_once_, [this] {
    const std::string path = dir + "/roots.pem";
    write_file(path, ecdsa().root.cert_pem + rsa().root.cert_pem);
    roots_path_ = path;
  });
  return roots_path_;
}

const Pki& test_pki() {
  static const Pki pki(make_pki_dir());
  return pki;
}

}  // namespace vouch::testing
