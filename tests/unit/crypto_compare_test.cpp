// constant_time_equal / constant_time_bytes_equal (src/crypto/compare.h):
// equal and unequal inputs of every length around the 8-byte steps, a
// difference in every position and every bit, and the length rule.
#include <gtest/gtest.h>

#include <vector>

#include "crypto/compare.h"

namespace vouch {
namespace {

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i * 37 + 11);
  return v;
}

TEST(ConstantTimeCompare, EqualInputsOfEveryLength) {
  for (size_t n = 0; n <= 80; ++n) {
    const std::vector<uint8_t> a = pattern(n);
    const std::vector<uint8_t> b = a;  // another buffer, same bytes
    EXPECT_TRUE(constant_time_bytes_equal(a.data(), b.data(), n)) << n;
    EXPECT_TRUE(constant_time_equal(a, b)) << n;
  }
}

TEST(ConstantTimeCompare, EveryBitOfEveryPositionCounts) {
  for (size_t n = 1; n <= 72; ++n) {
    const std::vector<uint8_t> a = pattern(n);
    for (size_t pos = 0; pos < n; ++pos) {
      for (int bit = 0; bit < 8; ++bit) {
        std::vector<uint8_t> b = a;
        b[pos] ^= static_cast<uint8_t>(1u << bit);
        EXPECT_FALSE(constant_time_bytes_equal(a.data(), b.data(), n)) << n << " " << pos << " " << bit;
        EXPECT_FALSE(constant_time_equal(a, b)) << n << " " << pos << " " << bit;
      }
    }
  }
}

TEST(ConstantTimeCompare, UnalignedStarts) {
  const std::vector<uint8_t> a = pattern(100);
  std::vector<uint8_t> b(a);
  for (size_t off = 0; off < 8; ++off) {
    EXPECT_TRUE(constant_time_bytes_equal(a.data() + off, b.data() + off, 48)) << off;
    b[off + 47] ^= 0x80;  // the last byte of this window
    EXPECT_FALSE(constant_time_bytes_equal(a.data() + off, b.data() + off, 48)) << off;
    b[off + 47] ^= 0x80;
  }
}

TEST(ConstantTimeCompare, DifferentLengthsAreUnequal) {
  const std::vector<uint8_t> a = pattern(32);
  const std::vector<uint8_t> prefix(a.begin(), a.begin() + 31);
  EXPECT_FALSE(constant_time_equal(a, prefix));
  EXPECT_FALSE(constant_time_equal(prefix, a));
  EXPECT_TRUE(constant_time_equal(ByteView(), ByteView()));
  EXPECT_FALSE(constant_time_equal(ByteView(), a));
}

}  // namespace
}  // namespace vouch
