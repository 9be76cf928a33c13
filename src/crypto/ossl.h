// RAII owners for libcrypto handles. Every libcrypto object vouch holds lives
// in one of these; no naked *_free calls elsewhere.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <string>

namespace vouch::ossl {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};

template <class T, void (*Free)(T*)>
using Ptr = std::unique_ptr<T, Deleter<T, Free>>;

inline void free_x509_stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }

using EvpPkey = Ptr<EVP_PKEY, EVP_PKEY_free>;
using EvpPkeyCtx = Ptr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpCipherCtx = Ptr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using EvpMdCtx = Ptr<EVP_MD_CTX, EVP_MD_CTX_free>;
using EvpMacCtx = Ptr<EVP_MAC_CTX, EVP_MAC_CTX_free>;
using EvpKdfCtx = Ptr<EVP_KDF_CTX, EVP_KDF_CTX_free>;
using X509Ptr = Ptr<X509, X509_free>;
using X509Name = Ptr<X509_NAME, X509_NAME_free>;
using X509Store = Ptr<X509_STORE, X509_STORE_free>;
using X509StoreCtx = Ptr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509Stack = Ptr<STACK_OF(X509), free_x509_stack>;
using Bio = Ptr<BIO, BIO_free_all>;

/// Up-references and wraps: for sharing a handle another owner also holds.
inline EvpPkey up_ref(EVP_PKEY* k) {
  if (k) EVP_PKEY_up_ref(k);
  return EvpPkey(k);
}
inline X509Ptr up_ref(X509* x) {
  if (x) X509_up_ref(x);
  return X509Ptr(x);
}

/// Drains libcrypto's error queue into one line ("" if empty), for reasons.
std::string last_error();

/// Leaves this thread's libcrypto error queue empty, whichever way a scope
/// is left: lookups that fail on purpose (a CertID hash that is not the one
/// used, a CRL that does not verify) must not leak stale errors into
/// someone else's last_error().
struct ClearErrorsOnExit {
  ClearErrorsOnExit() = default;
  ClearErrorsOnExit(const ClearErrorsOnExit&) = delete;
  ClearErrorsOnExit& operator=(const ClearErrorsOnExit&) = delete;
  ~ClearErrorsOnExit() { ERR_clear_error(); }
};

}  // namespace vouch::ossl
