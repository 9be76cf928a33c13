#include <gtest/gtest.h>

#include "base/hex.h"

namespace vouch {
namespace {

TEST(Hex, EncodesLowerCase) {
  EXPECT_EQ(to_hex(Bytes{0x00, 0x0f, 0xa5, 0xff}), "000fa5ff");
  EXPECT_EQ(to_hex(Bytes{}), "");
}

TEST(Hex, DecodesEitherCaseAndRoundTrips) {
  Bytes out;
  ASSERT_TRUE(from_hex("000FA5ff", out));
  EXPECT_EQ(out, (Bytes{0x00, 0x0f, 0xa5, 0xff}));
  Bytes all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  ASSERT_TRUE(from_hex(to_hex(all), out));
  EXPECT_EQ(out, all);
  ASSERT_TRUE(from_hex("", out));
  EXPECT_TRUE(out.empty());
}

TEST(Hex, RejectsMalformedText) {
  Bytes out;
  EXPECT_FALSE(from_hex("abc", out));      // odd length
  EXPECT_FALSE(from_hex("0g", out));       // not a digit
  EXPECT_FALSE(from_hex("00 11", out));    // separators are not hex
  EXPECT_FALSE(from_hex("-1", out));
  EXPECT_FALSE(from_hex(std::string_view("0\0", 2), out));
  EXPECT_EQ(hex_digit_value('x'), -1);
  EXPECT_EQ(hex_digit_value('F'), 15);
}

}  // namespace
}  // namespace vouch
