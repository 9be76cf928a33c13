// Constant-time comparison of secrets (Finished verify_data, PSK binders).
#pragma once

#include "vouch/types.h"

namespace vouch {

/// True if a and b have the same length and contents; the time taken does not
/// depend on where they differ (CRYPTO_memcmp).
bool constant_time_equal(ByteView a, ByteView b);

}  // namespace vouch
