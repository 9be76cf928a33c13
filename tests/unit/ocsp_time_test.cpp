// OCSP times (src/ocsp/ocsp_time.cpp): GeneralizedTime/UTCTime to chrono and back.
#include "ocsp/ocsp_time.h"

#include <gtest/gtest.h>

#include <cstring>

#include "crypto/ossl.h"

namespace vouch {
namespace {

using Asn1Time = ossl::Ptr<ASN1_TIME, ASN1_TIME_free>;

std::optional<SysTime> parse(const char* text) {
  Asn1Time t(ASN1_TIME_new());
  if (!t || ASN1_TIME_set_string(t.get(), text) != 1) return std::nullopt;
  return from_asn1_time(t.get());
}

TEST(OcspTime, GeneralizedAndUtcTime) {
  auto g = parse("20261123100000Z");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(iso8601(*g), "2026-11-23T10:00:00Z");
  auto u = parse("261123100000Z");  // UTCTime, RFC 5280 §4.1.2.5.1: 20YY
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(*u, *g);
  auto leap = parse("20280229235959Z");
  ASSERT_TRUE(leap.has_value());
  EXPECT_EQ(iso8601(*leap), "2028-02-29T23:59:59Z");
  auto epoch = parse("19700101000000Z");
  ASSERT_TRUE(epoch.has_value());
  EXPECT_EQ(epoch->time_since_epoch().count(), 0);
}

TEST(OcspTime, MatchesTimeT) {
  const time_t when = 1'900'000'000;  // 2030-03-17T17:46:40Z
  Asn1Time t(ASN1_GENERALIZEDTIME_set(nullptr, when));
  ASSERT_TRUE(t);
  auto v = from_asn1_time(t.get());
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*v), when);
  EXPECT_EQ(iso8601(*v), "2030-03-17T17:46:40Z");
}

// GeneralizedTime reaches year 9999; system_clock (64-bit nanoseconds) ends
// in 2262. Far dates are clamped instead of overflowing (UBSan would abort).
TEST(OcspTime, FarDatesAreClampedNotOverflowed) {
  auto far = parse("25740101000000Z");
  ASSERT_TRUE(far.has_value());
  EXPECT_EQ(iso8601(*far), "2262-01-01T00:00:00Z");
  auto never = parse("99991231235959Z");
  ASSERT_TRUE(never.has_value());
  EXPECT_EQ(*never, *far);
  EXPECT_GT(*never, std::chrono::system_clock::now());
  auto ancient = parse("15000101000000Z");
  ASSERT_TRUE(ancient.has_value());
  EXPECT_EQ(iso8601(*ancient), "1678-01-01T00:00:00Z");
  auto edge = parse("22611231235959Z");
  ASSERT_TRUE(edge.has_value());
  EXPECT_EQ(iso8601(*edge), "2261-12-31T23:59:59Z");
}

TEST(OcspTime, MalformedIsNullopt) {
  EXPECT_EQ(from_asn1_time(nullptr), std::nullopt);
  for (const char* bad : {"2026112310000Z", "20261323100000Z", "20261123250000Z", "garbage", ""}) {
    Asn1Time t(ASN1_GENERALIZEDTIME_new());
    ASSERT_TRUE(t);
    // Set the raw bytes, bypassing the syntax check of ASN1_TIME_set_string.
    ASSERT_EQ(ASN1_STRING_set(t.get(), bad, static_cast<int>(std::strlen(bad))), 1);
    EXPECT_EQ(from_asn1_time(t.get()), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace vouch
