#include <gtest/gtest.h>

#include "base/reader.h"
#include "base/writer.h"

namespace vouch {
namespace {

TEST(Reader, ReadsIntegersBigEndian) {
  const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
  Reader r(data);
  uint8_t a;
  uint16_t b;
  uint32_t c, d;
  ASSERT_TRUE(r.u8(a));
  ASSERT_TRUE(r.u16(b));
  ASSERT_TRUE(r.u24(c));
  ASSERT_TRUE(r.u32(d));
  EXPECT_EQ(a, 0x01);
  EXPECT_EQ(b, 0x0203);
  EXPECT_EQ(c, 0x040506u);
  EXPECT_EQ(d, 0x0708090au);
  EXPECT_TRUE(r.empty());
  EXPECT_FALSE(r.u8(a));
}

TEST(Reader, FailedReadDoesNotAdvance) {
  const uint8_t data[] = {0x00, 0x05, 0xaa, 0xbb};  // claims 5 bytes, has 2
  Reader r(data);
  ByteView v;
  EXPECT_FALSE(r.prefixed16(v));
  EXPECT_EQ(r.offset(), 0u);
  uint32_t x;
  EXPECT_TRUE(r.u32(x));
  EXPECT_FALSE(r.u8(reinterpret_cast<uint8_t&>(x)));
}

TEST(Reader, PrefixedChildren) {
  const uint8_t data[] = {0x02, 0xaa, 0xbb, 0x00, 0x00, 0x01, 0xcc};
  Reader r(data);
  Reader child;
  ASSERT_TRUE(r.prefixed8(child));
  EXPECT_EQ(child.remaining(), 2u);
  Bytes b;
  ASSERT_TRUE(r.copy_prefixed24(b));
  EXPECT_EQ(b, Bytes{0xcc});
  EXPECT_TRUE(r.empty());
}

TEST(Reader, TruncatedLengthPrefix) {
  const uint8_t data[] = {0x00, 0x00};
  Reader r(data);
  ByteView v;
  EXPECT_FALSE(r.prefixed24(v));
  EXPECT_EQ(r.remaining(), 2u);
}

TEST(Writer, PatchesNestedLengths) {
  Bytes out;
  Writer w(out);
  w.u16(0x0303);
  w.prefixed16([&] {
    w.u8(7);
    w.prefixed8([&] { w.bytes(Bytes{1, 2, 3}); });
  });
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(out, (Bytes{0x03, 0x03, 0x00, 0x05, 0x07, 0x03, 1, 2, 3}));
}

TEST(Writer, OverflowIsReported) {
  Bytes out;
  Writer w(out);
  w.prefixed8([&] { w.zeros(256); });
  EXPECT_FALSE(w.ok());
}

TEST(Writer, RoundTripsThroughReader) {
  Bytes out;
  Writer w(out);
  w.vec24(Bytes(70000, 0x5a));
  ASSERT_TRUE(w.ok());
  Reader r(out);
  ByteView v;
  ASSERT_TRUE(r.prefixed24(v));
  EXPECT_EQ(v.size(), 70000u);
  EXPECT_TRUE(r.empty());
}

}  // namespace
}  // namespace vouch
