// Constant-time comparison of secrets (Finished verify_data, PSK binders,
// the HMAC key a thread's context already holds).
#pragma once

#include <cstddef>
#include <cstdint>

#include "vouch/types.h"

namespace vouch {

/// True if a and b have the same length and contents; the time taken does not
/// depend on the contents or on where they differ (only on the length).
bool constant_time_equal(ByteView a, ByteView b);

/// True if the n bytes at a and at b are equal, in time that depends on n
/// only. Compares eight bytes per step (libcrypto's CRYPTO_memcmp takes one,
/// and HMAC keys are compared on every HMAC of a handshake).
bool constant_time_bytes_equal(const uint8_t* a, const uint8_t* b, size_t n);

}  // namespace vouch
