// OPENSSL_init_ssl: libcrypto's initialisation plus vouch-ssl's error strings.
#include <openssl/crypto.h>

#include "errors.h"
#include "objects.h"

extern "C" int OPENSSL_init_ssl(uint64_t opts, const OPENSSL_INIT_SETTINGS* settings) {
  // The SSL string flags are libssl's; libcrypto gets the rest.
  const uint64_t crypto_opts = opts & ~static_cast<uint64_t>(OPENSSL_INIT_NO_LOAD_SSL_STRINGS |
                                                            OPENSSL_INIT_LOAD_SSL_STRINGS);
  if (OPENSSL_init_crypto(crypto_opts, settings) != 1) return 0;
  (void)vouch::compat::error_library();
  return 1;
}
