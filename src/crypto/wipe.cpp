#include "crypto/wipe.h"

#include <openssl/crypto.h>

namespace vouch {

void wipe_memory(void* p, size_t n) {
  if (p != nullptr && n > 0) OPENSSL_cleanse(p, n);
}

}  // namespace vouch
