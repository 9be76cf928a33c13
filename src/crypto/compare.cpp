// Constant-time comparison. The differences are OR-ed together and tested
// once at the end: no branch or early exit depends on the bytes. The empty
// asm makes the accumulator opaque to the optimiser at every step, so it
// cannot turn the loop back into one that stops at the first difference.
#include "crypto/compare.h"

#include <cstring>

namespace vouch {
namespace {

inline uint64_t opaque(uint64_t v) {
  __asm__("" : "+r"(v));
  return v;
}

}  // namespace

bool constant_time_bytes_equal(const uint8_t* a, const uint8_t* b, size_t n) {
  uint64_t diff = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    uint64_t y;
    std::memcpy(&x, a + i, 8);  // unaligned loads, no aliasing questions
    std::memcpy(&y, b + i, 8);
    diff = opaque(diff | (x ^ y));
  }
  for (; i < n; ++i) diff = opaque(diff | static_cast<uint64_t>(a[i] ^ b[i]));
  return diff == 0;
}

bool constant_time_equal(ByteView a, ByteView b) {
  return a.size() == b.size() && constant_time_bytes_equal(a.data(), b.data(), a.size());
}

}  // namespace vouch
