// The public OCSP calls of vouch/ocsp.h: fetch_ocsp_response() against the
// project's test OCSP responder (tests/tools/ocsp_responder.h, on
// 127.0.0.1), verify_ocsp_response() on what it answers (RFC 6960), with an
// issuer and with a chain and a TrustStore, and on malformed responses.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "support/pki.h"
#include "tools/ocsp_responder.h"
#include "vouch/credential.h"
#include "vouch/ocsp.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using testing::test_pki;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class OcspPublicApi : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = testing::OcspResponder::create(issuer(), f().intermediate.key.get());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    responder = std::move(*r);
    ASSERT_TRUE(responder->start().ok());
  }
  void TearDown() override {
    if (responder) responder->stop();
  }

  static const testing::PkiFamily& f() { return test_pki().ecdsa(); }
  static X509* cert() { return f().server.cert.get(); }
  static X509* issuer() { return f().intermediate.cert.get(); }

  OcspFetchOptions options() const {
    OcspFetchOptions o;
    o.url = responder->url();
    o.timeout = milliseconds(10000);
    o.proxy = "";  // direct, whatever the environment says
    return o;
  }

  Bytes fetch_good() {
    auto r = fetch_ocsp_response(cert(), issuer(), options());
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? r->response : Bytes();
  }

  std::unique_ptr<testing::OcspResponder> responder;
};

TEST_F(OcspPublicApi, FetchesAndVerifiesAGoodStatus) {
  const auto before = std::chrono::system_clock::now();
  auto fetched = fetch_ocsp_response(cert(), issuer(), options());
  ASSERT_TRUE(fetched.ok()) << fetched.error().to_string();
  EXPECT_EQ(fetched->url, responder->url());
  EXPECT_FALSE(fetched->nonce.has_value());
  EXPECT_EQ(responder->requests(), 1u);

  auto st = verify_ocsp_response(fetched->response, cert(), issuer());
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(st->status, OcspCertStatus::good);
  // The test responder's defaults: thisUpdate a minute ago, nextUpdate in a day.
  EXPECT_LT(st->this_update, before);
  ASSERT_TRUE(st->next_update.has_value());
  EXPECT_GT(*st->next_update, before + hours(23));
  EXPECT_EQ(st->revocation_reason, -1);
}

TEST_F(OcspPublicApi, RevokedCarriesTimeAndReason) {
  testing::OcspBehavior b;
  b.status = OcspCertStatus::revoked;
  b.revocation_reason = 1;  // keyCompromise (RFC 5280 §5.3.1)
  responder->set_behavior(b);
  auto st = verify_ocsp_response(fetch_good(), cert(), issuer());
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(st->status, OcspCertStatus::revoked);
  EXPECT_EQ(st->revocation_reason, 1);
  EXPECT_TRUE(st->revocation_time.has_value());
}

TEST_F(OcspPublicApi, VerifiesAgainstATrustStoreForAChain) {
  const Bytes der = fetch_good();
  const std::vector<Bytes> chain = {f().server.der, f().intermediate.der};
  auto st = verify_ocsp_response(der, chain, f().trust());
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(st->status, OcspCertStatus::good);

  // Another PKI's root: the chain itself fails, with the alert a peer gets.
  auto untrusted = verify_ocsp_response(der, chain, test_pki().rsa().trust());
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.error().kind, ErrorKind::protocol);
  EXPECT_EQ(untrusted.error().alert, Alert::unknown_ca) << untrusted.error().to_string();

  auto empty = verify_ocsp_response(der, std::vector<Bytes>{}, f().trust());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::config);
}

TEST_F(OcspPublicApi, AtALaterTimeTheResponseIsStale) {
  const Bytes der = fetch_good();
  OcspVerifyOptions later;
  later.now = std::chrono::system_clock::now() + hours(48);
  auto st = verify_ocsp_response(der, cert(), issuer(), later);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::bad_certificate_status_response);
  EXPECT_EQ(st.error().kind, ErrorKind::protocol);
}

TEST_F(OcspPublicApi, NonceIsSentAndChecked) {
  OcspFetchOptions o = options();
  o.nonce = true;
  auto fetched = fetch_ocsp_response(cert(), issuer(), o);
  ASSERT_TRUE(fetched.ok()) << fetched.error().to_string();
  ASSERT_TRUE(fetched->nonce.has_value());
  EXPECT_EQ(fetched->nonce->size(), 32u);
  OcspVerifyOptions v;
  v.expected_nonce = fetched->nonce;
  EXPECT_TRUE(verify_ocsp_response(fetched->response, cert(), issuer(), v).ok());

  testing::OcspBehavior b;
  b.wrong_nonce = true;
  responder->set_behavior(b);
  auto replayed = fetch_ocsp_response(cert(), issuer(), o);
  ASSERT_TRUE(replayed.ok()) << replayed.error().to_string();
  v.expected_nonce = replayed->nonce;
  auto st = verify_ocsp_response(replayed->response, cert(), issuer(), v);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(contains(st.error().reason, "nonce")) << st.error().reason;

  v.expected_nonce = Bytes{};
  auto empty = verify_ocsp_response(fetched->response, cert(), issuer(), v);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().kind, ErrorKind::config);
}

TEST_F(OcspPublicApi, MalformedResponsesAreRefusedWithTheStatusAlert) {
  const Bytes good = fetch_good();
  ASSERT_FALSE(good.empty());
  auto expect_refused = [&](const Bytes& der, const std::string& what) {
    auto st = verify_ocsp_response(der, cert(), issuer());
    ASSERT_FALSE(st.ok()) << what << " accepted";
    EXPECT_EQ(st.error().kind, ErrorKind::protocol) << what;
    EXPECT_EQ(st.error().alert, Alert::bad_certificate_status_response) << what << ": " << st.error().to_string();
  };
  expect_refused(Bytes{}, "empty");
  expect_refused(Bytes{0x30, 0x03, 0x0a, 0x01, 0x00}, "garbage");
  for (size_t n = 0; n < good.size(); ++n) {
    expect_refused(Bytes(good.begin(), good.begin() + static_cast<long>(n)), "prefix " + std::to_string(n));
  }
  Bytes trailing = good;
  trailing.push_back(0);
  expect_refused(trailing, "trailing byte");
  // The signature is the last thing in a BasicOCSPResponse without certs;
  // with the signer's certificate included, flip a byte of the tbs part
  // instead: either way the signature no longer verifies.
  Bytes flipped = good;
  flipped[good.size() / 3] ^= 0x01;
  expect_refused(flipped, "a flipped byte");
  // A response for this certificate is not one for another.
  auto other = verify_ocsp_response(good, f().client.cert.get(), issuer());
  EXPECT_FALSE(other.ok());
  // Oversized input is refused before parsing.
  expect_refused(Bytes(kMaxOcspResponseBytes + 1, 0x30), "oversized");
}

TEST_F(OcspPublicApi, NullCertificatesAreConfigurationErrors) {
  auto v = verify_ocsp_response(Bytes{1}, nullptr, issuer());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().kind, ErrorKind::config);
  auto fch = fetch_ocsp_response(cert(), nullptr, options());
  ASSERT_FALSE(fch.ok());
  EXPECT_EQ(fch.error().kind, ErrorKind::config);
}

TEST_F(OcspPublicApi, FetchFailuresAreLocalIoOrConfig) {
  // https is refused before anything is sent.
  OcspFetchOptions https = options();
  https.url = "https://127.0.0.1:1/";
  auto a = fetch_ocsp_response(cert(), issuer(), https);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().kind, ErrorKind::config) << a.error().to_string();

  // The test PKI's server certificate names no responder.
  OcspFetchOptions no_url = options();
  no_url.url.clear();
  auto b = fetch_ocsp_response(cert(), issuer(), no_url);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().kind, ErrorKind::config);
  EXPECT_TRUE(contains(b.error().reason, "names no OCSP responder")) << b.error().reason;

  // The responder is down: connection refused, at once.
  testing::OcspBehavior down;
  down.mode = testing::OcspResponderMode::down;
  responder->set_behavior(down);
  const auto start = std::chrono::steady_clock::now();
  auto c = fetch_ocsp_response(cert(), issuer(), options());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, ErrorKind::io) << c.error().to_string();
  EXPECT_TRUE(contains(c.error().reason, responder->url())) << c.error().reason;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  // Slower than the timeout.
  testing::OcspBehavior slow;
  slow.delay = milliseconds(3000);
  responder->set_behavior(slow);
  OcspFetchOptions quick = options();
  quick.timeout = milliseconds(500);
  auto d = fetch_ocsp_response(cert(), issuer(), quick);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::io) << d.error().to_string();
}

}  // namespace
}  // namespace vouch
