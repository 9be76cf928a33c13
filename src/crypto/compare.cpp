#include "crypto/compare.h"

#include <openssl/crypto.h>

namespace vouch {

bool constant_time_equal(ByteView a, ByteView b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace vouch
