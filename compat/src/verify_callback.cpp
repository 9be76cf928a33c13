#include "verify_callback.h"

#include <openssl/x509_vfy.h>

#include "errors.h"

namespace vouch::compat {

X509VerifyCallback verify_callback_for(SSL* s) {
  if (s->settings.verify_callback == nullptr) return nullptr;
  return [s](bool preverify_ok, X509_STORE_CTX* ctx) {
    // Cleared since the config was made (SSL_set_verify with NULL, e.g. in
    // the certificate callback): libcrypto's verdict stands.
    SSL_verify_cb callback = s->settings.verify_callback;
    if (callback == nullptr) return preverify_ok;
    const int index = SSL_get_ex_data_X509_STORE_CTX_idx();
    if (index < 0 || X509_STORE_CTX_set_ex_data(ctx, index, s) != 1) return false;
    int verdict;
    {
      CallbackErrors keep;
      verdict = callback(preverify_ok ? 1 : 0, ctx);
    }
    // libssl copies the store context's error into the SSL once
    // X509_verify_cert returns; the call that ends the verification is the
    // last one, so recording after every call gives the same value. A
    // verification that fails is recorded again from vouch's error
    // (fail_connection), since libcrypto may still change the code then.
    s->verify_result = X509_STORE_CTX_get_error(ctx);
    return verdict != 0;
  };
}

}  // namespace vouch::compat

extern "C" {

int SSL_get_ex_data_X509_STORE_CTX_idx(void) {
  // One slot for the whole process, as in libssl (thread-safe: a
  // function-local static).
  static const int index = X509_STORE_CTX_get_ex_new_index(0, const_cast<char*>("SSL for verify callback"),
                                                           nullptr, nullptr, nullptr);
  return index;
}

}  // extern "C"
