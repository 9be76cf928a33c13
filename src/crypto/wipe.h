// Wiping secrets from memory. A secret that is no longer needed (a key, a
// PSK, a master secret, a decrypted session) is overwritten before its
// memory is released or reused, so that a later heap disclosure or core
// dump does not carry it. The one seam for OPENSSL_cleanse, which the
// compiler may not optimise away as it may a plain memset before free.
#pragma once

#include <cstddef>

namespace vouch {

/// Overwrites `n` bytes at `p`.
void wipe_memory(void* p, size_t n);

/// Overwrites the elements of a contiguous container (a Bytes, a
/// std::string, a std::array): its size, not its capacity. Its size is
/// unchanged.
template <class Container>
void wipe_memory(Container& c) {
  if (!c.empty()) wipe_memory(c.data(), c.size() * sizeof(*c.data()));
}

/// wipe_memory for each of several containers (an owner's secrets, in its
/// destructor).
template <class... Containers>
void wipe_each(Containers&... c) {
  (wipe_memory(c), ...);
}

}  // namespace vouch
