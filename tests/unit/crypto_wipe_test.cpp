// wipe_memory: the seam every secret goes through before it is released.
#include "crypto/wipe.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "vouch/types.h"

namespace vouch {
namespace {

TEST(Wipe, ZeroesABufferAndKeepsItsSize) {
  Bytes secret{1, 2, 3, 4, 5};
  wipe_memory(secret);
  EXPECT_EQ(secret, Bytes(5, 0));
}

TEST(Wipe, ZeroesStringsArraysAndRawRanges) {
  std::string text = "passphrase";
  wipe_memory(text);
  EXPECT_EQ(text, std::string(10, '\0'));
  std::array<uint8_t, 4> key{9, 9, 9, 9};
  wipe_memory(key);
  EXPECT_EQ(key, (std::array<uint8_t, 4>{}));
  uint8_t raw[3] = {7, 7, 7};
  wipe_memory(raw + 1, 2);
  EXPECT_EQ(raw[0], 7);
  EXPECT_EQ(raw[1], 0);
  EXPECT_EQ(raw[2], 0);
}

TEST(Wipe, EmptyAndNullAreNoOps) {
  Bytes none;
  wipe_memory(none);
  EXPECT_TRUE(none.empty());
  wipe_memory(nullptr, 0);
  wipe_memory(nullptr, 16);  // a null pointer is never written through
}

}  // namespace
}  // namespace vouch
