// TrustStore: the trust anchors peer chains are verified against
// (RFC 5280 §6.1.1 (d)) and the names a peer is told about
// (certificate_authorities, RFC 8446 §4.2.4).
#include "vouch/credential.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "cert/pem.h"
#include "cert/x509_name.h"
#include "crypto/ossl.h"

namespace vouch {

// Shared by every copy of a TrustStore. X509_STORE does its own locking, so
// concurrent verifications are safe; adding anchors (add_pem_file) while
// another thread verifies or reads subject_names() is not.
struct TrustStore::State {
  ossl::X509Store store;
  std::vector<Bytes> subject_names;
  // Hashed directories added as lookups (system()): their anchors are read
  // when a verification needs them, so they are not in subject_names.
  std::vector<std::string> directories;
};

namespace {

std::shared_ptr<TrustStore::State> new_state() {
  auto s = std::make_shared<TrustStore::State>();
  s->store.reset(X509_STORE_new());
  return s;
}

Status add_anchors(TrustStore::State& s, std::vector<ossl::X509Ptr> certs, std::string_view what) {
  if (!s.store) return fail(Alert::internal_error, "trust store could not be allocated");
  if (certs.empty()) return data_error(std::string(what) + ": no certificate found");
  for (auto& cert : certs) {
    ERR_clear_error();
    // X509_STORE_add_cert takes its own reference; a duplicate is ignored.
    if (X509_STORE_add_cert(s.store.get(), cert.get()) != 1) {
      return data_error(std::string(what) + ": cannot add " + subject_line(cert.get()) + ": " +
                        ossl::last_error());
    }
    // Two anchors with one subject (a key rollover) need the name only once
    // in certificate_authorities.
    Bytes name = name_der(X509_get_subject_name(cert.get()));
    if (name.empty()) {
      return data_error(std::string(what) + ": cannot encode the subject of " + subject_line(cert.get()));
    }
    if (std::find(s.subject_names.begin(), s.subject_names.end(), name) == s.subject_names.end()) {
      s.subject_names.push_back(std::move(name));
    }
  }
  return {};
}

}  // namespace

TrustStore::TrustStore() : s_(new_state()) {}

Result<TrustStore> TrustStore::from_pem_file(const std::string& path) {
  TrustStore t;
  VOUCH_TRY(t.add_pem_file(path));
  return t;
}

Result<TrustStore> TrustStore::from_pem(std::string_view pem) {
  VOUCH_ASSIGN(auto certs, read_pem_certificates(pem, "trust anchors PEM", true));
  TrustStore t;
  VOUCH_TRY(add_anchors(*t.s_, std::move(certs), "trust anchors PEM"));
  return t;
}

Status TrustStore::add_pem_file(const std::string& path) {
  VOUCH_ASSIGN(std::string pem, read_text_file(path));
  VOUCH_ASSIGN(auto certs, read_pem_certificates(pem, path, true));
  return add_anchors(*s_, std::move(certs), path);
}

namespace {

// The value of an environment variable, or `fallback` when it is unset. An
// empty value counts as set (it names nothing), as in libcrypto.
std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  if (v != nullptr) return v;
  return fallback != nullptr ? fallback : "";
}

}  // namespace

Result<TrustStore> TrustStore::system() {
  // Where SSL_CTX_set_default_verify_paths looks: the file and directory
  // named by SSL_CERT_FILE / SSL_CERT_DIR (X509_get_default_cert_file_env(),
  // X509_get_default_cert_dir_env()), or libcrypto's compiled-in defaults
  // (Debian: /usr/lib/ssl/cert.pem -> /etc/ssl/certs/ca-certificates.crt,
  // and /usr/lib/ssl/certs -> /etc/ssl/certs).
  const std::string file = env_or(X509_get_default_cert_file_env(), X509_get_default_cert_file());
  const std::string dirs = env_or(X509_get_default_cert_dir_env(), X509_get_default_cert_dir());
  TrustStore t;
  if (!t.s_->store) return fail(Alert::internal_error, "trust store could not be allocated");
  std::error_code ec;
  if (!file.empty() && std::filesystem::is_regular_file(file, ec)) {
    VOUCH_TRY(t.add_pem_file(file));
  }
  // SSL_CERT_DIR is a list, separated as PATH is (':' on POSIX). Each
  // directory holding certificates under their subject hash (<hash>.0, as
  // c_rehash / update-ca-certificates make) is searched when needed.
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = dirs.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || !std::filesystem::is_directory(dir, ec)) continue;
    X509_LOOKUP* lookup = X509_STORE_add_lookup(t.s_->store.get(), X509_LOOKUP_hash_dir());
    if (lookup == nullptr ||
        X509_LOOKUP_add_dir(lookup, dir.c_str(), X509_FILETYPE_PEM) != 1) {
      return fail(Alert::internal_error, "trust store: cannot search " + dir + ": " + ossl::last_error());
    }
    t.s_->directories.push_back(dir);
  }
  ERR_clear_error();
  if (t.s_->subject_names.empty() && t.s_->directories.empty()) {
    return io_error("no system trust anchors: neither the file '" + file + "' (" +
                    X509_get_default_cert_file_env() + ") nor a directory of '" + dirs + "' (" +
                    X509_get_default_cert_dir_env() + ") holds any (Debian: install ca-certificates)");
  }
  return t;
}


const std::vector<std::string>& TrustStore::directories() const { return s_->directories; }

Status TrustStore::add_crl_pem(std::string_view pem) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) return data_error("CRL PEM text too large");
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return fail(Alert::internal_error, "out of memory");
  int added = 0;
  for (;;) {
    ossl::Ptr<X509_CRL, X509_CRL_free> crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    if (!crl) break;
    if (X509_STORE_add_crl(s_->store.get(), crl.get()) != 1)
      return fail(Alert::internal_error, "cannot add CRL: " + ossl::last_error());
    ++added;
  }
  // The loop ends at the first non-CRL block or at the end; anything but a
  // clean end of input is a broken CRL.
  const unsigned long e = ERR_peek_last_error();
  if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE))
    return data_error("CRL cannot be decoded: " + ossl::last_error());
  ERR_clear_error();
  if (added == 0) return data_error("no CRL found in PEM input");
  // Check the leaf's revocation status from now on (RFC 5280 §6.3).
  X509_STORE_set_flags(s_->store.get(), X509_V_FLAG_CRL_CHECK);
  return {};
}

Status TrustStore::add_crl_file(const std::string& path) {
  VOUCH_ASSIGN(std::string pem, read_text_file(path));
  Status s = add_crl_pem(pem);
  if (!s) {
    Error e = std::move(s).error();
    e.reason = path + ": " + e.reason;
    return e;
  }
  return {};
}

X509_STORE* TrustStore::native() const { return s_->store.get(); }

const std::vector<Bytes>& TrustStore::subject_names() const { return s_->subject_names; }

bool TrustStore::empty() const {
  if (!s_->subject_names.empty() || !s_->directories.empty()) return false;
  // Anchors a caller put straight into the X509_STORE (wrap(), native()).
  return !s_->store || sk_X509_OBJECT_num(X509_STORE_get0_objects(s_->store.get())) <= 0;
}

TrustStore TrustStore::wrap(X509_STORE* store) {
  TrustStore t;
  if (store != nullptr && X509_STORE_up_ref(store) == 1) t.s_->store.reset(store);
  return t;
}

}  // namespace vouch
