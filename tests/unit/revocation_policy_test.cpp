// OCSP policy names and PeerOcsp::summary() (src/revocation/ocsp_policy.cpp).
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "ocsp/ocsp.h"
#include "vouch/revocation.h"

namespace vouch {
namespace {

using namespace std::chrono;

OcspStatus good_status() {
  OcspStatus s;
  s.status = OcspCertStatus::good;
  s.produced_at = sys_days{2026y / November / 23} + hours(10);
  s.this_update = s.produced_at;
  s.next_update = s.produced_at + hours(24);
  s.responder = "CN=ocsp";
  return s;
}

OcspStatus revoked_status() {
  OcspStatus s = good_status();
  s.status = OcspCertStatus::revoked;
  s.revocation_time = sys_days{2026y / November / 1};
  s.revocation_reason = 1;  // keyCompromise (RFC 5280 §5.3.1)
  return s;
}

PeerOcsp requested_with(StapleReport leaf) {
  PeerOcsp o;
  o.requested = true;
  o.staples.push_back(std::move(leaf));
  return o;
}

TEST(OcspPolicyNames, RoundTrip) {
  for (OcspPolicy p : {OcspPolicy::ignore, OcspPolicy::report, OcspPolicy::soft, OcspPolicy::require}) {
    const auto parsed = parse_ocsp_policy(to_string(p));
    ASSERT_TRUE(parsed.has_value()) << to_string(p);
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_STREQ(to_string(OcspPolicy::ignore), "ignore");
  EXPECT_STREQ(to_string(OcspPolicy::report), "report");
  EXPECT_STREQ(to_string(OcspPolicy::soft), "soft");
  EXPECT_STREQ(to_string(OcspPolicy::require), "require");
}

TEST(OcspPolicyNames, RejectsAnythingElse) {
  for (const char* s : {"Soft", "", "SOFT", " soft", "soft ", "required", "hard", "none"})
    EXPECT_FALSE(parse_ocsp_policy(s).has_value()) << '"' << s << '"';
}

TEST(PeerOcspSummary, NotRequested) {
  PeerOcsp o;
  EXPECT_EQ(o.summary(), "not requested");
  // Whatever was (oddly) recorded, not asking is what counts.
  o.staples.push_back(StapleReport{.position = 0, .present = true, .status = good_status()});
  EXPECT_EQ(o.summary(), "not requested");
}

TEST(PeerOcspSummary, NoneStapled) {
  PeerOcsp no_certificate;
  no_certificate.requested = true;
  EXPECT_EQ(no_certificate.summary(), "none (not stapled)");
  EXPECT_EQ(requested_with(StapleReport{}).summary(), "none (not stapled)");
}

TEST(PeerOcspSummary, VerifiedStapleIsDescribed) {
  EXPECT_EQ(requested_with(StapleReport{.present = true, .status = good_status()}).summary(),
            "good (produced 2026-11-23T10:00:00Z, next update 2026-11-24T10:00:00Z, responder CN=ocsp)");
  const OcspStatus revoked = revoked_status();
  const std::string summary = requested_with(StapleReport{.present = true, .status = revoked}).summary();
  EXPECT_EQ(summary, describe(revoked));
  EXPECT_EQ(summary.rfind("revoked (", 0), 0u) << summary;
}

TEST(PeerOcspSummary, InvalidStaple) {
  EXPECT_EQ(requested_with(StapleReport{.present = true, .problem = "OCSP response signature does not verify"})
                .summary(),
            "invalid (OCSP response signature does not verify)");
}

TEST(PeerOcspSummary, OnlyTheLeafCounts) {
  // An intermediate's staple does not stand in for the leaf's.
  PeerOcsp o = requested_with(StapleReport{.position = 0});
  o.staples.push_back(StapleReport{.position = 1, .present = true, .status = good_status()});
  EXPECT_EQ(o.summary(), "none (not stapled)");
}

TEST(PeerOcspSummary, FromResumedSession) {
  PeerOcsp o = requested_with(StapleReport{.present = true, .status = good_status()});
  o.from_session = true;
  EXPECT_EQ(o.summary(),
            "good (produced 2026-11-23T10:00:00Z, next update 2026-11-24T10:00:00Z, responder CN=ocsp)"
            " [from the resumed session]");
  PeerOcsp none;
  none.requested = true;
  none.from_session = true;
  EXPECT_EQ(none.summary(), "none (not stapled) [from the resumed session]");
  PeerOcsp not_requested;
  not_requested.from_session = true;
  EXPECT_EQ(not_requested.summary(), "not requested [from the resumed session]");
}

// The reason a refused staple gives reads as one sentence (it once said
// "the server's the leaf certificate is revoked").
TEST(StapleProviderReason, NamesTheCertificateOnce) {
  const std::vector<X509*> chain;
  auto reason = [&](bool peer_is_server, StapleReport r) {
    const PeerOcsp o = requested_with(std::move(r));
    const RevocationContext ctx{.peer_is_server = peer_is_server, .chain = chain, .ocsp = o};
    const Status s = ocsp_staple_provider(OcspPolicy::soft)->check(ctx);
    EXPECT_FALSE(s);
    return s ? std::string() : s.error().reason;
  };
  const OcspStatus revoked = revoked_status();
  EXPECT_EQ(reason(true, StapleReport{.present = true, .status = revoked}),
            "the server's leaf certificate is revoked: " + describe(revoked));
  EXPECT_EQ(reason(false, StapleReport{.position = 1, .present = true, .status = revoked}),
            "the client's chain certificate 1 is revoked: " + describe(revoked));
  EXPECT_EQ(reason(true, StapleReport{.present = true, .problem = "bad signature"}),
            "the server's OCSP staple for the leaf certificate is invalid: bad signature");
  OcspStatus unknown = good_status();
  unknown.status = OcspCertStatus::unknown;
  EXPECT_EQ(reason(true, StapleReport{.position = 2, .present = true, .status = unknown}),
            "the server's OCSP staple for chain certificate 2 says unknown: " + describe(unknown));
}

}  // namespace
}  // namespace vouch
