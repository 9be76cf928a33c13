// Certificates, private keys and trust anchors: SSL_CTX_use_certificate and
// friends, SSL_CTX_add_extra_chain_cert's counterpart getters,
// SSL_CTX_load_verify_locations. Objects passed in are referenced, never
// copied; the getters hand out no new reference (libssl's rules).
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <string>

#include "errors.h"
#include "files.h"
#include "objects.h"

using vouch::compat::CertSet;
using vouch::compat::CertSlot;
using vouch::compat::slot_for;
using vouch::compat::raise;
using vouch::compat::Reason;
namespace ossl = vouch::ossl;

namespace {

}  // namespace

namespace vouch::compat {

ossl::Bio open_file(const char* file) {
  if (file == nullptr) return nullptr;
  // As libssl opens them, so that a file that does not open leaves the same
  // errors (the system's, then BIO's "system lib").
  ossl::Bio bio(BIO_new(BIO_s_file()));
  if (!bio || BIO_read_filename(bio.get(), file) <= 0) return nullptr;
  return bio;
}

}  // namespace vouch::compat

namespace {

using vouch::compat::open_file;

// The certificate of `file` (PEM or DER), or null with an error pushed. PEM
// is read with the context's password callback, as libssl reads it.
ossl::X509Ptr read_certificate(const SSL_CTX* ctx, const char* file, int type) {
  ossl::Bio bio = open_file(file);
  ossl::X509Ptr cert;
  if (bio && type == SSL_FILETYPE_PEM) {
    cert.reset(PEM_read_bio_X509(bio.get(), nullptr, ctx->passwd_cb, ctx->passwd_userdata));
  } else if (bio && type == SSL_FILETYPE_ASN1) {
    cert.reset(d2i_X509_bio(bio.get(), nullptr));
  }
  if (!cert)
    raise(vouch::compat::file_load_failure(bio != nullptr, type),
          std::string("certificate ") + (file ? file : "(null)"));
  return cert;
}

// The private key of `file`; an encrypted PEM key is decrypted with what
// the context's password callback gives.
ossl::EvpPkey read_private_key(const SSL_CTX* ctx, const char* file, int type) {
  ossl::Bio bio = open_file(file);
  ossl::EvpPkey key;
  if (bio && type == SSL_FILETYPE_PEM) {
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, ctx->passwd_cb, ctx->passwd_userdata));
  } else if (bio && type == SSL_FILETYPE_ASN1) {
    key.reset(d2i_PrivateKey_bio(bio.get(), nullptr));
  }
  if (!key)
    raise(vouch::compat::file_load_failure(bio != nullptr, type),
          std::string("private key ") + (file ? file : "(null)"));
  return key;
}

bool key_matches(X509* cert, EVP_PKEY* key) {
  ERR_set_mark();
  const bool ok = X509_check_private_key(cert, key) == 1;
  ERR_pop_to_mark();
  return ok;
}

int use_certificate(CertSet& set, X509* x) {
  if (x == nullptr) {
    raise(Reason::null_argument, "no certificate");
    return 0;
  }
  EVP_PKEY* pub = X509_get0_pubkey(x);
  const int index = pub ? slot_for(pub) : -1;
  if (index < 0) {
    raise(Reason::unknown_certificate_type, "the certificate's key type has no certificate slot");
    return 0;
  }
  CertSlot& slot = set.slots[static_cast<size_t>(index)];
  // A key that belonged to the slot's previous certificate goes with it
  // (libssl drops it silently too); the chain stays.
  if (slot.key && !key_matches(x, slot.key.get())) slot.key.reset();
  slot.cert = ossl::up_ref(x);
  set.current = index;
  return 1;
}

int use_private_key(CertSet& set, EVP_PKEY* key) {
  if (key == nullptr) {
    raise(Reason::null_argument, "no private key");
    return 0;
  }
  const int index = slot_for(key);
  if (index < 0) {
    raise(Reason::unknown_certificate_type, "the key type has no certificate slot");
    return 0;
  }
  CertSlot& slot = set.slots[static_cast<size_t>(index)];
  if (slot.cert && !key_matches(slot.cert.get(), key)) {
    raise(Reason::key_values_mismatch, "the private key does not belong to the certificate");
    return 0;
  }
  slot.key = ossl::up_ref(key);
  set.current = index;
  return 1;
}

int check_private_key(const CertSet& set) {
  const CertSlot* slot = set.current_slot();
  if (slot == nullptr || !slot->cert) {
    raise(Reason::no_certificate_assigned);
    return 0;
  }
  if (!slot->key) {
    raise(Reason::no_private_key_assigned);
    return 0;
  }
  if (!key_matches(slot->cert.get(), slot->key.get())) {
    raise(Reason::key_values_mismatch, "the private key does not belong to the certificate");
    return 0;
  }
  return 1;
}

}  // namespace

extern "C" {

int SSL_CTX_use_certificate(SSL_CTX* ctx, X509* x) {
  return use_certificate(ctx->settings.certs, x);
}

int SSL_CTX_use_certificate_file(SSL_CTX* ctx, const char* file, int type) {
  ossl::X509Ptr cert = read_certificate(ctx, file, type);
  return cert ? use_certificate(ctx->settings.certs, cert.get()) : 0;
}

int SSL_CTX_use_certificate_chain_file(SSL_CTX* ctx, const char* file) {
  // The first PEM certificate is the leaf, the ones after it its chain
  // (replacing any chain loaded before).
  ossl::Bio bio = open_file(file);
  ossl::X509Ptr leaf;
  if (bio) leaf.reset(PEM_read_bio_X509_AUX(bio.get(), nullptr, ctx->passwd_cb, ctx->passwd_userdata));
  if (!leaf) {
    raise(bio ? Reason::pem_lib : Reason::sys_lib, std::string("certificate chain ") + (file ? file : "(null)"));
    return 0;
  }
  std::vector<ossl::X509Ptr> chain;
  for (;;) {
    ossl::X509Ptr next(PEM_read_bio_X509(bio.get(), nullptr, ctx->passwd_cb, ctx->passwd_userdata));
    if (!next) break;
    chain.push_back(std::move(next));
  }
  // The loop ends at the end of the file (no start line) or at a broken block.
  const unsigned long last = ERR_peek_last_error();
  if (last != 0 && !(ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE)) {
    raise(Reason::pem_lib, std::string("certificate chain ") + file);
    return 0;
  }
  ERR_clear_error();
  if (use_certificate(ctx->settings.certs, leaf.get()) != 1) return 0;
  ctx->settings.certs.current_slot()->chain = std::move(chain);
  return 1;
}

int SSL_CTX_use_PrivateKey(SSL_CTX* ctx, EVP_PKEY* pkey) {
  return use_private_key(ctx->settings.certs, pkey);
}

int SSL_CTX_use_PrivateKey_file(SSL_CTX* ctx, const char* file, int type) {
  ossl::EvpPkey key = read_private_key(ctx, file, type);
  return key ? use_private_key(ctx->settings.certs, key.get()) : 0;
}

int SSL_CTX_check_private_key(const SSL_CTX* ctx) { return check_private_key(ctx->settings.certs); }

int SSL_use_certificate(SSL* ssl, X509* x) { return use_certificate(ssl->settings.certs, x); }

int SSL_use_PrivateKey(SSL* ssl, EVP_PKEY* pkey) { return use_private_key(ssl->settings.certs, pkey); }

int SSL_check_private_key(const SSL* ssl) { return check_private_key(ssl->settings.certs); }

X509* SSL_get_certificate(const SSL* ssl) {
  const CertSlot* slot = ssl->settings.certs.current_slot();
  return slot ? slot->cert.get() : nullptr;
}

EVP_PKEY* SSL_get_privatekey(const SSL* ssl) {
  const CertSlot* slot = ssl->settings.certs.current_slot();
  return slot ? slot->key.get() : nullptr;
}

int SSL_CTX_load_verify_locations(SSL_CTX* ctx, const char* CAfile, const char* CApath) {
  if (CAfile == nullptr && CApath == nullptr) {
    raise(Reason::null_argument, "SSL_CTX_load_verify_locations: no file and no directory");
    return 0;
  }
  if (CAfile != nullptr) {
    vouch::Status s = [&] {
      vouch::compat::QuietErrors quiet;
      return ctx->trust.add_pem_file(CAfile);
    }();
    if (!s) {
      // libssl loads the file with X509_STORE_load_file: its errors are
      // libcrypto's, which loading it the same way leaves on the queue.
      ossl::X509Store scratch(X509_STORE_new());
      if (scratch && X509_STORE_load_file(scratch.get(), CAfile) == 1) {
        raise(Reason::cannot_load_file, s.error().reason);  // libcrypto took it, vouch did not
      }
      return 0;
    }
  }
  if (CApath != nullptr && X509_STORE_load_path(ctx->trust.native(), CApath) != 1) {
    raise(Reason::cannot_load_file, std::string("CA directory ") + CApath);
    return 0;
  }
  return 1;
}

void SSL_CTX_set_default_passwd_cb(SSL_CTX* ctx, pem_password_cb* cb) { ctx->passwd_cb = cb; }

void SSL_CTX_set_default_passwd_cb_userdata(SSL_CTX* ctx, void* u) { ctx->passwd_userdata = u; }

pem_password_cb* SSL_CTX_get_default_passwd_cb(SSL_CTX* ctx) { return ctx->passwd_cb; }

void* SSL_CTX_get_default_passwd_cb_userdata(SSL_CTX* ctx) { return ctx->passwd_userdata; }

X509_STORE* SSL_CTX_get_cert_store(const SSL_CTX* ctx) {
  // The store vouch verifies peers against: anchors a caller adds to it
  // (curl's X509_STORE_load_file, nginx's CRLs) take part in verification.
  return ctx == nullptr ? nullptr : ctx->trust.native();
}

void SSL_CTX_set_cert_store(SSL_CTX* ctx, X509_STORE* store) {
  // Takes over the caller's reference, as libssl does (curl hands a cached
  // store to each new context).
  if (ctx == nullptr) return;
  ctx->trust = vouch::TrustStore::wrap(store);
  X509_STORE_free(store);  // wrap() took its own reference
}

int SSL_CTX_set_default_verify_paths(SSL_CTX* ctx) {
  // libcrypto's default locations (X509_get_default_cert_file / _dir), or
  // what SSL_CERT_FILE / SSL_CERT_DIR name. The file's anchors go through
  // vouch's trust store like SSL_CTX_load_verify_locations' (libcrypto loads
  // what vouch's reader refuses); the directory is a hashed-directory lookup.
  // As in libssl, a location that is missing or unreadable is no error.
  const char* file = std::getenv(X509_get_default_cert_file_env());
  if (file == nullptr) file = X509_get_default_cert_file();
  const char* dir = std::getenv(X509_get_default_cert_dir_env());
  if (dir == nullptr) dir = X509_get_default_cert_dir();
  vouch::compat::QuietErrors quiet;  // nothing of this stays on the queue
  if (!ctx->trust.add_pem_file(file)) (void)X509_STORE_load_file(ctx->trust.native(), file);
  (void)X509_STORE_load_path(ctx->trust.native(), dir);
  return 1;
}

}  // extern "C"
