// OCSP response verification (src/ocsp/verify.cpp): every way a
// response can be unacceptable (RFC 6960 §3.2, §4.2.2), and the statuses it
// reports when it is acceptable. Responses come from the test responder's
// builder (tests/tools), without any network.
#include <gtest/gtest.h>
#include <openssl/err.h>

#include <chrono>

#include "base/hex.h"
#include "ocsp/ocsp.h"
#include "cert/verify_chain.h"
#include "cert/x509_name.h"
#include "support/ocsp_fixture.h"
#include "support/pki.h"
#include "tools/ocsp_response_builder.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::system_clock;
using testing::CertSpec;
using testing::Issued;
using testing::MintedCert;
using testing::MintOptions;
using testing::OcspBehavior;
using testing::OcspResponderMode;
using testing::OcspSignerChoice;
using testing::OcspSigners;
using testing::sha1_key_hex;
using testing::test_pki;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The shared OCSP set-up (support/ocsp_fixture.h) plus verification options
// on the same fixed clock.
class OcspVerify : public testing::OcspResponseTest {
 protected:
  void SetUp() override {
    OcspResponseTest::SetUp();
    opts.now = t0;
  }

  Result<OcspStatus> verify(ByteView der, const std::vector<X509*>& extra = {}) {
    return verify_ocsp_response(der, cert(), issuer(), extra, opts);
  }
  // Expects a rejection whose reason contains `part`.
  void expect_rejected(const Result<OcspStatus>& r, const std::string& part) {
    ASSERT_FALSE(r.ok()) << describe(*r);
    EXPECT_EQ(r.error().alert, Alert::bad_certificate_status_response);
    EXPECT_TRUE(contains(r.error().reason, part)) << r.error().reason;
  }

  OcspVerifyOptions opts;
};

// --- acceptable responses ----------------------------------------------------

TEST_F(OcspVerify, GoodSignedByIssuer) {
  auto r = verify(respond());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, OcspCertStatus::good);
  EXPECT_FALSE(r->delegated);
  EXPECT_EQ(r->this_update, t0 - seconds(60));
  ASSERT_TRUE(r->next_update.has_value());
  EXPECT_EQ(*r->next_update, t0 + hours(24));
  EXPECT_FALSE(r->revocation_time.has_value());
  EXPECT_EQ(r->revocation_reason, -1);
  EXPECT_TRUE(contains(r->responder, "CN=")) << r->responder;
  EXPECT_EQ(r->responder, subject_line(issuer()));
  // producedAt is stamped by the signer with the real clock.
  EXPECT_LE(std::chrono::abs(r->produced_at - system_clock::now()), hours(1));
}

TEST_F(OcspVerify, GoodSignedByIssuerWithoutCertificates) {
  behavior.include_signer_cert = false;
  auto r = verify(respond());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->delegated);
}

TEST_F(OcspVerify, ResponderIdByKey) {
  behavior.responder_id_by_key = true;
  behavior.include_signer_cert = false;
  auto r = verify(respond());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->responder, "key:" + sha1_key_hex(issuer()));
  EXPECT_FALSE(r->delegated);
}

TEST_F(OcspVerify, GoodSignedByRsaIssuer) {
  const auto& rsa = test_pki().rsa();
  auto s = testing::make_ocsp_signers(rsa.intermediate.cert.get(), rsa.intermediate.key.get());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  auto req = make_ocsp_request(rsa.server.cert.get(), rsa.intermediate.cert.get(), false, nullptr);
  ASSERT_TRUE(req.ok());
  auto der = testing::build_ocsp_response(*s, behavior, *req);
  ASSERT_TRUE(der.ok()) << der.error().to_string();
  auto r = verify_ocsp_response(*der, rsa.server.cert.get(), rsa.intermediate.cert.get(), {}, opts);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, OcspCertStatus::good);
  // For the ECDSA certificate and issuer, the RSA CA is nobody.
  expect_rejected(verify(*der), "is not issued by");
}

TEST_F(OcspVerify, GoodSignedByDelegatedResponder) {
  behavior.signer = OcspSignerChoice::delegate;
  auto r = verify(respond());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, OcspCertStatus::good);
  EXPECT_TRUE(r->delegated);
  EXPECT_TRUE(contains(r->responder, "vouch test OCSP delegate")) << r->responder;
}

TEST_F(OcspVerify, DelegatedResponderByKey) {
  behavior.signer = OcspSignerChoice::delegate;
  behavior.responder_id_by_key = true;
  auto r = verify(respond());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(r->delegated);
  EXPECT_EQ(r->responder, "key:" + sha1_key_hex(signers.delegate.cert.get()));
}

TEST_F(OcspVerify, DelegateCertificateFromExtraCerts) {
  behavior.signer = OcspSignerChoice::delegate;
  behavior.include_signer_cert = false;
  const Bytes der = respond();
  auto found = verify(der, {f().root.cert.get(), signers.delegate.cert.get()});
  ASSERT_TRUE(found.ok()) << found.error().to_string();
  EXPECT_TRUE(found->delegated);
  expect_rejected(verify(der), "signer certificate not found");
}

TEST_F(OcspVerify, RevokedIsReportedNotRejected) {
  behavior.status = OcspCertStatus::revoked;
  behavior.revocation_offset = -hours(48);
  behavior.revocation_reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
  auto r = verify(respond());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, OcspCertStatus::revoked);
  ASSERT_TRUE(r->revocation_time.has_value());
  EXPECT_EQ(*r->revocation_time, t0 - hours(48));
  EXPECT_EQ(r->revocation_reason, 1);  // keyCompromise (RFC 5280 §5.3.1)
}

TEST_F(OcspVerify, RevokedWithoutReason) {
  behavior.status = OcspCertStatus::revoked;
  behavior.revocation_reason = OCSP_REVOKED_STATUS_NOSTATUS;
  auto r = verify(respond());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, OcspCertStatus::revoked);
  EXPECT_TRUE(r->revocation_time.has_value());
  EXPECT_EQ(r->revocation_reason, -1);
}

TEST_F(OcspVerify, UnknownIsReportedNotRejected) {
  behavior.status = OcspCertStatus::unknown;
  auto r = verify(respond());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, OcspCertStatus::unknown);
  EXPECT_FALSE(r->revocation_time.has_value());
}

TEST_F(OcspVerify, Sha256CertIdIsMatched) {
  // A request whose CertID hashes with SHA-256 (RFC 6960 §4.1.1 allows any).
  ossl::OcspRequest req(OCSP_REQUEST_new());
  ASSERT_TRUE(req);
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha256(), cert(), issuer());
  ASSERT_NE(id, nullptr);
  ASSERT_NE(OCSP_request_add0_id(req.get(), id), nullptr);
  const int len = i2d_OCSP_REQUEST(req.get(), nullptr);
  ASSERT_GT(len, 0);
  Bytes der(static_cast<size_t>(len));
  unsigned char* p = der.data();
  ASSERT_EQ(i2d_OCSP_REQUEST(req.get(), &p), len);
  auto r = verify(respond(behavior, der));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, OcspCertStatus::good);
}

// --- who signed --------------------------------------------------------------

TEST_F(OcspVerify, DelegateWithoutOcspSigningIsRejected) {
  behavior.signer = OcspSignerChoice::delegate_no_eku;
  expect_rejected(verify(respond()), "lacks id-kp-OCSPSigning");
}

TEST_F(OcspVerify, DelegateIssuedByAnotherCaIsRejected) {
  // Correct EKU, but issued by the root (a CA, just not this certificate's).
  auto by_root = testing::mint_responder_cert(f().root.cert.get(), f().root.key.get());
  ASSERT_TRUE(by_root.ok()) << by_root.error().to_string();
  signers.delegate = std::move(*by_root);
  behavior.signer = OcspSignerChoice::delegate;
  // Even handing over every certificate of the hierarchy does not help.
  expect_rejected(verify(respond(), {f().root.cert.get(), f().intermediate.cert.get()}), "is not issued by");

  // Issued by a root nobody trusts.
  auto by_untrusted =
      testing::mint_responder_cert(f().untrusted_root.cert.get(), f().untrusted_root.key.get());
  ASSERT_TRUE(by_untrusted.ok());
  signers.delegate = std::move(*by_untrusted);
  expect_rejected(verify(respond()), "is not issued by");
}

TEST_F(OcspVerify, DelegateOfASubordinateCaIsRejected) {
  // cert = the intermediate, issuer = the root. The responder is issued by a
  // sibling CA that the root issued: it chains to the root, but RFC 6960
  // §4.2.2.2 wants it issued directly by the root.
  Issued sibling = testing::issue({.cn = "sibling CA", .ca = true, .path_len = 0}, f().root);
  auto delegate = testing::mint_responder_cert(sibling.cert.get(), sibling.key.get());
  ASSERT_TRUE(delegate.ok());
  auto root_signers = testing::make_ocsp_signers(f().root.cert.get(), f().root.key.get(),
                                                 delegate->cert.get(), delegate->key.get());
  ASSERT_TRUE(root_signers.ok()) << root_signers.error().to_string();
  auto req = make_ocsp_request(f().intermediate.cert.get(), f().root.cert.get(), false, nullptr);
  ASSERT_TRUE(req.ok());
  behavior.signer = OcspSignerChoice::delegate;
  auto der = testing::build_ocsp_response(*root_signers, behavior, *req);
  ASSERT_TRUE(der.ok());
  auto r = verify_ocsp_response(*der, f().intermediate.cert.get(), f().root.cert.get(), {sibling.cert.get()},
                                opts);
  expect_rejected(r, "is not issued by");

  // The same responder issued by the root itself is fine.
  auto direct = testing::make_ocsp_signers(f().root.cert.get(), f().root.key.get());
  ASSERT_TRUE(direct.ok());
  auto good = testing::build_ocsp_response(*direct, behavior, *req);
  ASSERT_TRUE(good.ok());
  auto ok = verify_ocsp_response(*good, f().intermediate.cert.get(), f().root.cert.get(), {}, opts);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_TRUE(ok->delegated);
}

TEST_F(OcspVerify, SignedByUnrelatedKeyIsRejected) {
  behavior.signer = OcspSignerChoice::unrelated;
  expect_rejected(verify(respond()), "is not issued by");
  behavior.include_signer_cert = false;
  expect_rejected(verify(respond()), "signer certificate not found");
}

// A forged certificate: the issuer's names, someone else's key.
MintedCert forge_issuer(X509* issuer) {
  MintedCert out;
  out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  out.cert.reset(X509_dup(issuer));
  if (!out.key || !out.cert || X509_set_pubkey(out.cert.get(), out.key.get()) != 1 ||
      X509_sign(out.cert.get(), out.key.get(), EVP_sha256()) <= 0) {
    return MintedCert{};
  }
  return out;
}

TEST_F(OcspVerify, ImpostorWithTheIssuersNameIsRejected) {
  MintedCert forged = forge_issuer(issuer());
  ASSERT_TRUE(forged.cert);
  signers.unrelated = std::move(forged);
  behavior.signer = OcspSignerChoice::unrelated;
  // byName points at the issuer: the issuer's key must have signed.
  expect_rejected(verify(respond()), "signature by the issuer does not verify");
  // byKey points at the impostor's own key, whose certificate is in the response.
  behavior.responder_id_by_key = true;
  expect_rejected(verify(respond()), "bears the name of the issuer");
}

TEST_F(OcspVerify, DelegateOutsideItsValidityIsRejected) {
  for (bool expired : {true, false}) {
    MintOptions o;
    o.not_before_offset = expired ? -hours(48) : hours(24);
    o.not_after_offset = expired ? -hours(24) : hours(48);
    auto d = testing::mint_responder_cert(issuer(), f().intermediate.key.get(), o);
    ASSERT_TRUE(d.ok());
    signers.delegate = std::move(*d);
    behavior.signer = OcspSignerChoice::delegate;
    auto r = verify(respond());
    expect_rejected(r, "does not verify");
    EXPECT_TRUE(contains(r.error().reason, expired ? "expired" : "not yet valid")) << r.error().reason;
  }
}

TEST_F(OcspVerify, DelegateValidityFollowsTheVerificationTime) {
  // A delegate valid for the next hour only: fine now, not in two hours.
  MintOptions o;
  o.not_after_offset = hours(1);
  auto d = testing::mint_responder_cert(issuer(), f().intermediate.key.get(), o);
  ASSERT_TRUE(d.ok());
  signers.delegate = std::move(*d);
  behavior.signer = OcspSignerChoice::delegate;
  const Bytes der = respond();
  EXPECT_TRUE(verify(der).ok());
  opts.now = t0 + hours(2);
  expect_rejected(verify(der), "expired");
}

TEST_F(OcspVerify, TamperedSignatureIsRejected) {
  behavior.include_signer_cert = false;  // the signature is then last
  Bytes der = respond();
  der[der.size() - 3] ^= 0x01;  // inside the signature BIT STRING
  expect_rejected(verify(der), "does not verify");
}

// --- which certificate -------------------------------------------------------

TEST_F(OcspVerify, ResponseForAnotherSerialIsRejected) {
  behavior.wrong_serial = true;
  expect_rejected(verify(respond()), "no status for the certificate");
}

TEST_F(OcspVerify, ResponseForAnotherCertificateIsRejected) {
  auto other = make_ocsp_request(f().client.cert.get(), issuer(), false, nullptr);
  ASSERT_TRUE(other.ok());
  expect_rejected(verify(respond(behavior, *other)), "no status for the certificate");
}

TEST_F(OcspVerify, IssuerMustBeTheCertificatesIssuer) {
  auto r = verify_ocsp_response(respond(), cert(), f().root.cert.get(), {}, opts);
  expect_rejected(r, "is not the issuer of");
}

// --- time --------------------------------------------------------------------

TEST_F(OcspVerify, ExpiredIsRejected) {
  behavior = *testing::ocsp_behavior_named("expired");
  behavior.now = t0;
  expect_rejected(verify(respond()), "has expired");
}

TEST_F(OcspVerify, NotYetValidIsRejected) {
  behavior = *testing::ocsp_behavior_named("not-yet-valid");
  behavior.now = t0;
  expect_rejected(verify(respond()), "not yet valid");
}

TEST_F(OcspVerify, ThisUpdateSkewEdge) {
  behavior.this_update_offset = seconds(0);  // thisUpdate = t0
  const Bytes der = respond();
  opts.now = t0 - seconds(300);  // thisUpdate == now + skew: accepted
  EXPECT_TRUE(verify(der).ok());
  opts.now = t0 - seconds(301);
  expect_rejected(verify(der), "not yet valid");
  opts.skew = seconds(301);
  EXPECT_TRUE(verify(der).ok());
}

TEST_F(OcspVerify, NextUpdateSkewEdge) {
  behavior.next_update_offset = seconds(3600);  // nextUpdate = t0 + 1h
  const Bytes der = respond();
  opts.now = t0 + seconds(3600 + 299);  // nextUpdate > now - skew
  EXPECT_TRUE(verify(der).ok());
  opts.now = t0 + seconds(3600 + 300);  // nextUpdate == now - skew: expired
  expect_rejected(verify(der), "has expired");
  opts.skew = seconds(0);
  opts.now = t0 + seconds(3599);
  EXPECT_TRUE(verify(der).ok());
  opts.now = t0 + seconds(3600);
  expect_rejected(verify(der), "has expired");
}

TEST_F(OcspVerify, NextUpdateBeforeThisUpdateIsRejected) {
  behavior.this_update_offset = seconds(0);
  behavior.next_update_offset = seconds(-1);
  opts.skew = hours(1);
  expect_rejected(verify(respond()), "is before thisUpdate");
}

TEST_F(OcspVerify, MissingNextUpdate) {
  behavior.next_update_offset.reset();
  const Bytes der = respond();
  expect_rejected(verify(der), "no nextUpdate");
  opts.require_next_update = false;
  auto r = verify(der);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_FALSE(r->next_update.has_value());
  // Still not accepted before its thisUpdate.
  behavior.this_update_offset = hours(1);
  expect_rejected(verify(respond()), "not yet valid");
}

// --- nonce -------------------------------------------------------------------

TEST_F(OcspVerify, Nonce) {
  Bytes nonce;
  auto req = make_ocsp_request(cert(), issuer(), true, &nonce);
  ASSERT_TRUE(req.ok());
  const Bytes echoed = respond(behavior, *req);

  opts.expected_nonce = nonce;
  EXPECT_TRUE(verify(echoed).ok());

  Bytes other = nonce;
  other[0] ^= 0xff;
  opts.expected_nonce = other;
  expect_rejected(verify(echoed), "nonce does not match");

  opts.expected_nonce = nonce;
  behavior.echo_nonce = false;
  expect_rejected(verify(respond(behavior, *req)), "carries no nonce");

  // Without an expectation (a staple), nonces are irrelevant.
  opts.expected_nonce.reset();
  EXPECT_TRUE(verify(echoed).ok());
  EXPECT_TRUE(verify(respond(behavior, *req)).ok());
}

// --- broken responses --------------------------------------------------------

TEST_F(OcspVerify, NonSuccessfulStatusIsRejected) {
  const std::pair<int, const char*> cases[] = {
      {OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "malformedrequest"},
      {OCSP_RESPONSE_STATUS_INTERNALERROR, "internalerror"},
      {OCSP_RESPONSE_STATUS_TRYLATER, "trylater"},
      {OCSP_RESPONSE_STATUS_SIGREQUIRED, "sigrequired"},
      {OCSP_RESPONSE_STATUS_UNAUTHORIZED, "unauthorized"},
  };
  behavior.mode = OcspResponderMode::error_status;
  for (const auto& [status, name] : cases) {
    behavior.error_status = status;
    auto r = verify(respond());
    expect_rejected(r, "not successful");
    EXPECT_TRUE(contains(r.error().reason, name)) << r.error().reason;
  }
}

TEST_F(OcspVerify, SuccessfulWithoutResponseBytesIsRejected) {
  behavior.mode = OcspResponderMode::error_status;
  behavior.error_status = OCSP_RESPONSE_STATUS_SUCCESSFUL;
  expect_rejected(verify(respond()), "not a decodable BasicOCSPResponse");
}

TEST_F(OcspVerify, GarbageIsRejected) {
  expect_rejected(verify(testing::ocsp_garbage_body()), "OCSP response cannot be parsed");
  expect_rejected(verify(Bytes{}), "OCSP response cannot be parsed");
  expect_rejected(verify(Bytes{0x30, 0x00}), "OCSP response cannot be parsed");
  // An OCSPRequest is DER, but not an OCSPResponse.
  expect_rejected(verify(request), "OCSP response cannot be parsed");
}

TEST_F(OcspVerify, EveryPrefixIsRejected) {
  const Bytes der = respond();
  ASSERT_TRUE(verify(der).ok());
  for (size_t n = 0; n < der.size(); ++n) {
    auto r = verify(ByteView(der.data(), n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes accepted";
    EXPECT_EQ(r.error().alert, Alert::bad_certificate_status_response);
  }
}

TEST_F(OcspVerify, TrailingBytesAreRejected) {
  Bytes der = respond();
  der.push_back(0x00);
  expect_rejected(verify(der), "1 bytes after the OCSPResponse");
}

TEST_F(OcspVerify, FlippedBytesNeverChangeTheVerdict) {
  // Every single-byte corruption either fails cleanly or, if libcrypto's
  // parser happens to read the same values (a lenient encoding of an
  // unsigned part), yields exactly the original status.
  behavior.include_signer_cert = false;
  const Bytes der = respond();
  auto original = verify(der);
  ASSERT_TRUE(original.ok());
  size_t accepted = 0;
  for (size_t i = 0; i < der.size(); ++i) {
    Bytes copy = der;
    copy[i] ^= 0x5a;
    auto r = verify(copy);
    if (!r.ok()) {
      EXPECT_EQ(r.error().alert, Alert::bad_certificate_status_response);
      continue;
    }
    ++accepted;
    EXPECT_EQ(describe(*r), describe(*original)) << "byte " << i;
  }
  EXPECT_LT(accepted, der.size() / 20) << "too many corruptions accepted";
}

TEST_F(OcspVerify, OversizedIsRejectedBeforeParsing) {
  behavior.mode = OcspResponderMode::oversized;
  const Bytes big = respond();
  ASSERT_EQ(big.size(), kMaxOcspResponseBytes + 1);
  expect_rejected(verify(big), "65536-byte limit");
  // Exactly at the limit it is parsed (and refused for its padding).
  const Bytes at_limit(big.begin(), big.begin() + static_cast<std::ptrdiff_t>(kMaxOcspResponseBytes));
  expect_rejected(verify(at_limit), "bytes after the OCSPResponse");
}

TEST_F(OcspVerify, FailuresLeaveNoLibcryptoErrors) {
  ERR_clear_error();
  behavior.signer = OcspSignerChoice::delegate_no_eku;
  EXPECT_FALSE(verify(respond()).ok());
  EXPECT_FALSE(verify(testing::ocsp_garbage_body()).ok());
  EXPECT_EQ(ERR_peek_error(), 0ul);
  behavior.signer = OcspSignerChoice::issuer;
  EXPECT_TRUE(verify(respond()).ok());
  EXPECT_EQ(ERR_peek_error(), 0ul);
}

TEST_F(OcspVerify, NullCertificatesAreInternalErrors) {
  const Bytes der = respond();
  auto r = verify_ocsp_response(der, nullptr, issuer(), {}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::internal_error);
  r = verify_ocsp_response(der, cert(), nullptr, {}, opts);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::internal_error);
}

// --- describe ------------------------------------------------------------------

system_clock::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

TEST(OcspDescribe, Good) {
  OcspStatus s;
  s.status = OcspCertStatus::good;
  s.produced_at = at(2026, 11, 23, 10, 0, 0);
  s.this_update = at(2026, 11, 23, 9, 0, 0);
  s.next_update = at(2026, 11, 24, 10, 0, 0);
  s.responder = "CN=ocsp,O=vouch";
  EXPECT_EQ(
      describe(s),
      "good (produced 2026-11-23T10:00:00Z, next update 2026-11-24T10:00:00Z, responder CN=ocsp,O=vouch)");
  s.next_update.reset();
  s.delegated = true;
  s.responder = "key:00ff";
  EXPECT_EQ(describe(s),
            "good (produced 2026-11-23T10:00:00Z, no next update, responder key:00ff (delegated))");
}

TEST(OcspDescribe, RevokedAndUnknown) {
  OcspStatus s;
  s.status = OcspCertStatus::revoked;
  s.produced_at = at(2027, 1, 2, 3, 4, 5);
  s.next_update = at(2027, 1, 3, 3, 4, 5);
  s.revocation_time = at(2026, 12, 31, 23, 59, 59);
  s.revocation_reason = 1;
  s.responder = "CN=ca";
  EXPECT_EQ(describe(s),
            "revoked (revoked 2026-12-31T23:59:59Z, reason keyCompromise, produced 2027-01-02T03:04:05Z, "
            "next update 2027-01-03T03:04:05Z, responder CN=ca)");
  s.revocation_reason = -1;
  EXPECT_TRUE(contains(describe(s), "no reason given")) << describe(s);
  s.status = OcspCertStatus::unknown;
  EXPECT_EQ(describe(s).rfind("unknown (produced 2027-01-02T03:04:05Z", 0), 0u) << describe(s);
  EXPECT_STREQ(to_string(OcspCertStatus::good), "good");
}

}  // namespace
}  // namespace vouch

namespace vouch {
namespace {

// --- the staple cache (verify_ocsp_response_cached) ----------------------------

class OcspVerifyCached : public OcspVerify {
 protected:
  Result<OcspStatus> cached(ByteView der) {
    return verify_ocsp_response_cached(der, cert(), issuer(), {}, opts);
  }
};

TEST_F(OcspVerifyCached, SameResultAsUncachedAndTimeIsRechecked) {
  clear_verify_caches();
  const Bytes der = respond();
  auto first = cached(der);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  auto second = cached(der);  // from the cache
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(describe(*second), describe(*first));
  EXPECT_EQ(describe(*second), describe(*verify(der)));

  // A remembered success is not a pass for later times: past nextUpdate it
  // is expired, before thisUpdate not yet valid, as without the cache.
  opts.now = t0 + hours(25);
  expect_rejected(cached(der), "expired");
  opts.now = t0 - hours(1);
  expect_rejected(cached(der), "not yet valid");
  opts.now = t0;
  EXPECT_TRUE(cached(der).ok());
}

TEST_F(OcspVerifyCached, FailuresAreNotRemembered) {
  clear_verify_caches();
  behavior.signer = OcspSignerChoice::unrelated;
  const Bytes bad = respond();
  expect_rejected(cached(bad), "");
  expect_rejected(cached(bad), "");
  // Another certificate with the same response: the key includes the
  // certificate, so the answer is not borrowed.
  behavior.signer = OcspSignerChoice::issuer;
  const Bytes good = respond();
  ASSERT_TRUE(cached(good).ok());
  auto other = verify_ocsp_response_cached(good, test_pki().ecdsa().client.cert.get(), issuer(), {}, opts);
  EXPECT_FALSE(other.ok());
}

TEST_F(OcspVerifyCached, CachingOffGoesStraightThrough) {
  set_verify_caching(false);
  const Bytes der = respond();
  EXPECT_TRUE(cached(der).ok());
  opts.now = t0 + hours(25);
  expect_rejected(cached(der), "expired");
  set_verify_caching(true);
}

}  // namespace
}  // namespace vouch

namespace vouch {
namespace {

// --- CertID matching (ocsp_response_names, used when staples are attached) ----

class OcspNames : public OcspVerify {};

TEST_F(OcspNames, NamesItsCertificateOnly) {
  const Bytes der = respond();
  EXPECT_TRUE(ocsp_response_names(der, cert(), issuer()).ok());
  EXPECT_TRUE(ocsp_response_names(der, cert(), nullptr).ok());  // serial + issuer name only
  auto other = ocsp_response_names(der, test_pki().ecdsa().client.cert.get(), issuer());
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().alert, Alert::bad_certificate_status_response);
  EXPECT_TRUE(contains(other.error().reason, "no CertID matches")) << other.error().reason;
  // Another issuer (name and key hashes differ): refused.
  auto foreign_issuer = ocsp_response_names(der, cert(), test_pki().rsa().intermediate.cert.get());
  EXPECT_FALSE(foreign_issuer.ok());
  EXPECT_FALSE(ocsp_response_names(der, nullptr, issuer()).ok());
}

TEST_F(OcspNames, MalformedResponsesAreRefusedNeverCrash) {
  const Bytes der = respond();
  for (size_t n = 0; n < der.size(); ++n) {
    auto r = ocsp_response_names(ByteView(der.data(), n), cert(), issuer());
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(r.error().alert, Alert::bad_certificate_status_response);
  }
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_FALSE(ocsp_response_names(trailing, cert(), issuer()).ok());
  EXPECT_FALSE(ocsp_response_names(Bytes(kMaxOcspResponseBytes + 1, 0x30), cert(), issuer()).ok());
  behavior.mode = OcspResponderMode::error_status;
  auto not_successful = ocsp_response_names(respond(), cert(), issuer());
  ASSERT_FALSE(not_successful.ok());
  EXPECT_TRUE(contains(not_successful.error().reason, "not successful")) << not_successful.error().reason;
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace vouch
