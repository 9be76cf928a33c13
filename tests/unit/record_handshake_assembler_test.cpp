// Handshake message reassembly across and within records (RFC 8446 §5.1, §4).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "record/record.h"

namespace vouch {
namespace {

Bytes bytes_of(std::span<const uint8_t> v) { return Bytes(v.begin(), v.end()); }

// Handshake { msg_type, uint24 length, body } (§4).
Bytes message(uint8_t type, size_t body_len, uint8_t seed = 0) {
  Bytes m = {type, static_cast<uint8_t>(body_len >> 16), static_cast<uint8_t>(body_len >> 8),
             static_cast<uint8_t>(body_len)};
  for (size_t i = 0; i < body_len; ++i) m.push_back(static_cast<uint8_t>(seed + i * 13));
  return m;
}

void expect_message(HandshakeAssembler& a, const Bytes& want) {
  auto m = a.next();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, want[0]);
  EXPECT_EQ(bytes_of(m->message), want);
  EXPECT_EQ(bytes_of(m->body), Bytes(want.begin() + 4, want.end()));
}

TEST(HandshakeAssembler, MessageSplitOverThreeFragments) {
  HandshakeAssembler a;
  const Bytes m = message(11, 500, 1);  // Certificate
  const size_t cut1 = 2, cut2 = 300;      // the first cut splits the header itself
  ASSERT_TRUE(a.add(ByteView(m.data(), cut1)).ok());
  EXPECT_FALSE(a.next().has_value());
  EXPECT_FALSE(a.empty());
  ASSERT_TRUE(a.add(ByteView(m.data() + cut1, cut2 - cut1)).ok());
  EXPECT_FALSE(a.next().has_value());
  EXPECT_FALSE(a.empty());
  ASSERT_TRUE(a.add(ByteView(m.data() + cut2, m.size() - cut2)).ok());
  expect_message(a, m);
  EXPECT_TRUE(a.empty());
  EXPECT_FALSE(a.next().has_value());
}

TEST(HandshakeAssembler, ThreeMessagesInOneFragment) {
  HandshakeAssembler a;
  const Bytes m1 = message(8, 10, 1), m2 = message(11, 0), m3 = message(20, 32, 3);
  Bytes frag = m1;
  frag.insert(frag.end(), m2.begin(), m2.end());
  frag.insert(frag.end(), m3.begin(), m3.end());
  ASSERT_TRUE(a.add(frag).ok());
  expect_message(a, m1);
  EXPECT_FALSE(a.empty());
  expect_message(a, m2);  // an empty body is a valid message
  expect_message(a, m3);
  EXPECT_TRUE(a.empty());
  EXPECT_FALSE(a.next().has_value());
}

TEST(HandshakeAssembler, MessagesStraddlingRecords) {
  // Record 1: m1 + first half of m2. Record 2: rest of m2 + m3 + start of m4.
  HandshakeAssembler a;
  const Bytes m1 = message(2, 90), m2 = message(8, 40, 2), m3 = message(15, 70, 3),
              m4 = message(20, 32, 4);
  Bytes r1 = m1;
  r1.insert(r1.end(), m2.begin(), m2.begin() + 20);
  Bytes r2(m2.begin() + 20, m2.end());
  r2.insert(r2.end(), m3.begin(), m3.end());
  r2.insert(r2.end(), m4.begin(), m4.begin() + 3);
  Bytes r3(m4.begin() + 3, m4.end());

  ASSERT_TRUE(a.add(r1).ok());
  expect_message(a, m1);
  EXPECT_FALSE(a.next().has_value());
  EXPECT_FALSE(a.empty());
  ASSERT_TRUE(a.add(r2).ok());
  expect_message(a, m2);
  expect_message(a, m3);
  EXPECT_FALSE(a.next().has_value());
  EXPECT_FALSE(a.empty());  // a key change here would be a violation (§5.1)
  ASSERT_TRUE(a.add(r3).ok());
  expect_message(a, m4);
  EXPECT_TRUE(a.empty());
}

TEST(HandshakeAssembler, EmptyReportsPartialDataForKeyChanges) {
  HandshakeAssembler a;
  EXPECT_TRUE(a.empty());
  const Bytes fin = message(20, 32);
  ASSERT_TRUE(a.add(ByteView(fin.data(), 1)).ok());  // one byte of header
  EXPECT_FALSE(a.empty());
  ASSERT_TRUE(a.add(ByteView(fin.data() + 1, fin.size() - 1)).ok());
  EXPECT_FALSE(a.empty());  // complete, but not yet taken
  auto m = a.next();
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(a.empty());   // the key change may happen now
  EXPECT_EQ(bytes_of(m->message), fin);  // and the view is still intact
}

// mid_message(): part of a message has arrived and the rest has not — a
// header cut short, a body cut short, or either after complete messages.
// Complete messages not yet taken are not "mid message".
TEST(HandshakeAssembler, MidMessageMeansAMessageIsCutShort) {
  const Bytes m1 = message(8, 10, 1), m2 = message(20, 32, 2);
  for (size_t cut : {size_t{1}, size_t{3}, size_t{4}, size_t{20}}) {
    HandshakeAssembler a;
    EXPECT_FALSE(a.mid_message());
    Bytes both = m1;
    both.insert(both.end(), m2.begin(), m2.begin() + static_cast<std::ptrdiff_t>(cut));
    ASSERT_TRUE(a.add(both).ok());
    EXPECT_TRUE(a.mid_message()) << cut;
    ASSERT_TRUE(a.add(ByteView(m2).subspan(cut)).ok());
    EXPECT_FALSE(a.mid_message()) << cut << ": two complete messages, not taken";
    ASSERT_TRUE(a.next().has_value());
    ASSERT_TRUE(a.next().has_value());
    EXPECT_FALSE(a.mid_message());
  }
}

TEST(HandshakeAssembler, LengthAboveLimitIsIllegalParameter) {
  HandshakeAssembler a(1000);
  // Only the header: the oversized length is refused before any body.
  const Bytes hdr = {11, 0x00, 0x03, 0xe9};  // 1001
  auto st = a.add(hdr);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::illegal_parameter);
}

TEST(HandshakeAssembler, OversizedSecondMessageInSameRecordIsRefused) {
  HandshakeAssembler a(100);
  Bytes frag = message(8, 10);
  const Bytes big = {11, 0xff, 0xff, 0xff};  // 2^24 - 1
  frag.insert(frag.end(), big.begin(), big.end());
  auto st = a.add(frag);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::illegal_parameter);
}

TEST(HandshakeAssembler, OversizedHeaderSplitAcrossRecordsIsRefused) {
  HandshakeAssembler a(100);
  const Bytes hdr = {11, 0x00, 0x00, 0x65};  // 101
  ASSERT_TRUE(a.add(ByteView(hdr.data(), 3)).ok());  // length not known yet
  auto st = a.add(ByteView(hdr.data() + 3, 1));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::illegal_parameter);
}

TEST(HandshakeAssembler, LengthAtLimitIsAccepted) {
  HandshakeAssembler a(1000);
  const Bytes m = message(11, 1000);
  ASSERT_TRUE(a.add(m).ok());
  expect_message(a, m);

  a.set_max_body(999);
  auto st = a.add(m);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::illegal_parameter);
}

TEST(HandshakeAssembler, EmptyFragmentIsUnexpectedMessage) {
  HandshakeAssembler a;
  auto st = a.add({});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::unexpected_message);
}

TEST(HandshakeAssembler, LargeMessageAcrossMaximumSizeRecords) {
  // A 100 KB Certificate over 2^14-byte records (buffer growth), then more
  // messages after it (buffer reuse).
  HandshakeAssembler a;
  const Bytes big = message(11, 100000, 7);
  for (size_t pos = 0; pos < big.size(); pos += kMaxPlaintext) {
    EXPECT_FALSE(a.next().has_value());
    const size_t n = std::min(kMaxPlaintext, big.size() - pos);
    ASSERT_TRUE(a.add(ByteView(big.data() + pos, n)).ok());
  }
  expect_message(a, big);
  EXPECT_TRUE(a.empty());
  for (int i = 0; i < 20; ++i) {
    const Bytes m = message(static_cast<uint8_t>(i), static_cast<size_t>(i) * 100,
                            static_cast<uint8_t>(i));
    ASSERT_TRUE(a.add(ByteView(m.data(), m.size() / 2 + 1)).ok());
    ASSERT_TRUE(a.add(ByteView(m.data() + m.size() / 2 + 1, m.size() / 2 - 1)).ok());
    expect_message(a, m);
  }
  EXPECT_TRUE(a.empty());
}

TEST(HandshakeAssembler, ByteAtATime) {
  HandshakeAssembler a;
  const Bytes m1 = message(1, 7), m2 = message(2, 0), m3 = message(13, 5);
  Bytes all = m1;
  all.insert(all.end(), m2.begin(), m2.end());
  all.insert(all.end(), m3.begin(), m3.end());
  std::vector<Bytes> got;
  for (uint8_t b : all) {
    ASSERT_TRUE(a.add(ByteView(&b, 1)).ok());
    while (auto m = a.next()) got.push_back(bytes_of(m->message));
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], m1);
  EXPECT_EQ(got[1], m2);
  EXPECT_EQ(got[2], m3);
  EXPECT_TRUE(a.empty());
}

}  // namespace
}  // namespace vouch
