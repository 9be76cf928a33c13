// Randomness from libcrypto's CSPRNG: ClientHello/ServerHello random
// (RFC 8446 §4.1.2), session ids, ticket nonces, and keys.
#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "crypto/ossl.h"

namespace vouch {

Status random_bytes(std::span<uint8_t> out) {
  // RAND_bytes takes an int length; split (hypothetical) huge requests.
  while (!out.empty()) {
    const size_t n = std::min(out.size(), static_cast<size_t>(INT_MAX));
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
      return fail(Alert::internal_error, "random generator failed: " + ossl::last_error());
    }
    out = out.subspan(n);
  }
  return {};
}

}  // namespace vouch
