#pragma once

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// Fills out from libcrypto's CSPRNG (RAND_bytes); internal_error on failure.
Status random_bytes(std::span<uint8_t> out);

}  // namespace vouch
