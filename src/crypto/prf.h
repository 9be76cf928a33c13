// The TLS 1.2 pseudorandom function (RFC 5246 §5): P_hash over HMAC with the
// cipher suite's PRF hash (SHA-256 for every suite vouch implements except
// the *_SHA384 ones). Computed by libcrypto's "TLS1-PRF" KDF, fetched once.
#pragma once

#include <string_view>

#include "crypto/hash.h"

namespace vouch {

/// PRF(secret, label, seed) = P_<hash>(secret, label + seed), `length`
/// bytes. Errors (libcrypto failure, length 0) → internal_error.
Result<Bytes> tls12_prf(HashAlg hash, ByteView secret, std::string_view label, ByteView seed,
                        size_t length);

}  // namespace vouch
