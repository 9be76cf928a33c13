// Inspecting untrusted OCSP responses (src/ocsp/inspect.cpp): every
// field of good, revoked and unknown responses as the responder wrote them,
// responses that are not successful, and malformed input of every kind
// (empty, garbage, each truncation, oversized, altered bytes) — which must be
// errors, never crashes. Responses come from the test responder's builder.
#include "ocsp/inspect.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/sha.h>

#include <chrono>

#include "base/hex.h"
#include "ocsp/ocsp.h"
#include "cert/x509_name.h"
#include "support/ocsp_fixture.h"
#include "support/pki.h"
#include "tools/ocsp_response_builder.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::system_clock;
using testing::OcspBehavior;
using testing::OcspResponderMode;
using testing::OcspSignerChoice;
using testing::OcspSigners;
using testing::serial_via_bignum;
using testing::sha1_key_hex;
using testing::test_pki;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class OcspInspect : public testing::OcspResponseTest {
 protected:
  OcspInspection inspect_ok(ByteView der) {
    Result<OcspInspection> r = inspect_ocsp_response(der);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(r).value() : OcspInspection{};
  }
  // Expects an error whose reason contains `part`, with libcrypto's error
  // queue left empty.
  void expect_error(ByteView der, const std::string& part) {
    Result<OcspInspection> r = inspect_ocsp_response(der);
    ASSERT_FALSE(r.ok()) << format_ocsp_inspection(*r);
    EXPECT_EQ(r.error().alert, Alert::bad_certificate_status_response);
    EXPECT_TRUE(contains(r.error().reason, part)) << r.error().reason;
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
};

// --- well-formed responses ------------------------------------------------------

TEST_F(OcspInspect, Good) {
  const OcspInspection in = inspect_ok(respond());
  EXPECT_EQ(in.response_status, OCSP_RESPONSE_STATUS_SUCCESSFUL);
  EXPECT_EQ(in.response_status_name, "successful");
  ASSERT_TRUE(in.has_basic_response);
  EXPECT_EQ(in.responder, subject_line(issuer()));
  ASSERT_TRUE(in.produced_at.has_value());
  EXPECT_LE(std::chrono::abs(*in.produced_at - system_clock::now()), hours(1));
  EXPECT_EQ(in.signature_algorithm, "ecdsa-with-SHA256");
  EXPECT_FALSE(in.nonce.has_value());
  // OCSP_basic_sign puts the signer's certificate in by default.
  ASSERT_EQ(in.certificates.size(), 1u);
  EXPECT_EQ(in.certificates[0].subject, subject_line(issuer()));
  EXPECT_EQ(in.certificates[0].issuer, name_line(X509_get_issuer_name(issuer())));
  ASSERT_EQ(in.responses.size(), 1u);
  const OcspSingleInspection& r = in.responses[0];
  // make_ocsp_request asks with a SHA-1 CertID (RFC 5019 §2.1.1).
  EXPECT_EQ(r.hash_algorithm, "SHA1");
  EXPECT_EQ(r.serial, serial_via_bignum(cert()));
  EXPECT_EQ(r.issuer_key_hash, sha1_key_hex(issuer()));
  EXPECT_EQ(r.issuer_name_hash.size(), 2u * SHA_DIGEST_LENGTH);
  EXPECT_EQ(r.status, OcspCertStatus::good);
  EXPECT_EQ(r.this_update, t0 - seconds(60));
  EXPECT_EQ(r.next_update, t0 + hours(24));
  EXPECT_FALSE(r.revocation_time.has_value());
  EXPECT_EQ(r.revocation_reason, -1);
  EXPECT_TRUE(in.warnings.empty());

  const std::string text = format_ocsp_inspection(in);
  EXPECT_TRUE(contains(text, "response status: successful (0)\n")) << text;
  EXPECT_TRUE(contains(text, "responder: " + subject_line(issuer()) + "\n")) << text;
  EXPECT_TRUE(contains(text, "produced at: " + iso8601(*in.produced_at) + "\n")) << text;
  EXPECT_TRUE(contains(text, "certificates: 1\n")) << text;
  EXPECT_TRUE(contains(text, "single responses: 1\n")) << text;
  EXPECT_TRUE(contains(text, "serial: " + serial_via_bignum(cert()) + "\n")) << text;
  EXPECT_TRUE(contains(text, "cert id hash: SHA1\n")) << text;
  EXPECT_TRUE(contains(text, "cert status: good\n")) << text;
  EXPECT_TRUE(contains(text, "this update: " + iso8601(t0 - seconds(60)) + "\n")) << text;
  EXPECT_TRUE(contains(text, "next update: " + iso8601(t0 + hours(24)) + "\n")) << text;
  EXPECT_FALSE(contains(text, "revocation")) << text;
  EXPECT_FALSE(contains(text, "warning")) << text;
}

TEST_F(OcspInspect, Revoked) {
  behavior.status = OcspCertStatus::revoked;
  const OcspInspection in = inspect_ok(respond());
  ASSERT_EQ(in.responses.size(), 1u);
  const OcspSingleInspection& r = in.responses[0];
  EXPECT_EQ(r.status, OcspCertStatus::revoked);
  EXPECT_EQ(r.revocation_time, t0 - seconds(86400));
  EXPECT_EQ(r.revocation_reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
  const std::string text = format_ocsp_inspection(in);
  EXPECT_TRUE(contains(text, "cert status: revoked\n")) << text;
  EXPECT_TRUE(contains(text, "revocation time: " + iso8601(t0 - seconds(86400)) + "\n")) << text;
  EXPECT_TRUE(contains(text, "revocation reason: keyCompromise (1)\n")) << text;
}

TEST_F(OcspInspect, RevokedWithoutReason) {
  behavior.status = OcspCertStatus::revoked;
  behavior.revocation_reason = -1;
  const OcspInspection in = inspect_ok(respond());
  ASSERT_EQ(in.responses.size(), 1u);
  EXPECT_EQ(in.responses[0].revocation_reason, -1);
  EXPECT_TRUE(contains(format_ocsp_inspection(in), "revocation reason: none given\n"));
}

TEST_F(OcspInspect, Unknown) {
  behavior.status = OcspCertStatus::unknown;
  const OcspInspection in = inspect_ok(respond());
  ASSERT_EQ(in.responses.size(), 1u);
  EXPECT_EQ(in.responses[0].status, OcspCertStatus::unknown);
  EXPECT_FALSE(in.responses[0].revocation_time.has_value());
  EXPECT_TRUE(contains(format_ocsp_inspection(in), "cert status: unknown\n"));
}

// Inspection does not judge: an expired response, one for another serial or
// one signed by nobody in particular is shown as it is.
TEST_F(OcspInspect, ShowsWhatVerificationWouldRefuse) {
  behavior.this_update_offset = -hours(48);
  behavior.next_update_offset = -hours(24);
  behavior.wrong_serial = true;
  behavior.signer = OcspSignerChoice::unrelated;
  const Bytes der = respond();
  const OcspInspection in = inspect_ok(der);
  ASSERT_EQ(in.responses.size(), 1u);
  EXPECT_EQ(in.responses[0].next_update, t0 - hours(24));
  EXPECT_NE(in.responses[0].serial, serial_via_bignum(cert()));
  EXPECT_EQ(in.responder, subject_line(signers.unrelated.cert.get()));
  EXPECT_FALSE(verify_ocsp_response(der, cert(), issuer(), {}, {}).ok());
}

TEST_F(OcspInspect, NoNextUpdate) {
  behavior.next_update_offset.reset();
  const OcspInspection in = inspect_ok(respond());
  ASSERT_EQ(in.responses.size(), 1u);
  EXPECT_FALSE(in.responses[0].next_update.has_value());
  EXPECT_TRUE(contains(format_ocsp_inspection(in), "next update: none\n"));
}

// GeneralizedTime reaches the year 9999; SysTime (64-bit nanoseconds) ends
// in 2262. Such times are reported, not converted with an overflow.
TEST_F(OcspInspect, TimesOutsideSysTimeAreWarnings) {
  constexpr long kYear = 365L * 86400;
  behavior.status = OcspCertStatus::revoked;
  behavior.next_update_offset = seconds(500 * kYear);
  // (libcrypto's ASN1_TIME_adj cannot go back centuries; forward it can.)
  behavior.revocation_offset = seconds(300 * kYear);
  const OcspInspection in = inspect_ok(respond());
  ASSERT_EQ(in.responses.size(), 1u);
  const OcspSingleInspection& r = in.responses[0];
  EXPECT_TRUE(r.has_next_update);
  EXPECT_FALSE(r.next_update.has_value());
  EXPECT_FALSE(r.revocation_time.has_value());
  EXPECT_EQ(r.this_update, t0 - seconds(60));
  ASSERT_EQ(in.warnings.size(), 2u);
  EXPECT_TRUE(contains(in.warnings[0], "nextUpdate (year 25")) << in.warnings[0];
  EXPECT_TRUE(contains(in.warnings[0], "out of range")) << in.warnings[0];
  EXPECT_TRUE(contains(in.warnings[1], "revocationTime (year 23")) << in.warnings[1];
  const std::string text = format_ocsp_inspection(in);
  EXPECT_TRUE(contains(text, "next update: ?\n")) << text;
  EXPECT_TRUE(contains(text, "revocation time: ?\n")) << text;
  EXPECT_TRUE(contains(text, "warning: SingleResponse 1: nextUpdate")) << text;
}

TEST_F(OcspInspect, DelegatedResponderAndItsCertificate) {
  behavior.signer = OcspSignerChoice::delegate;
  const OcspInspection in = inspect_ok(respond());
  EXPECT_TRUE(contains(in.responder, "vouch test OCSP delegate")) << in.responder;
  ASSERT_EQ(in.certificates.size(), 1u);
  EXPECT_EQ(in.certificates[0].subject, subject_line(signers.delegate.cert.get()));
  EXPECT_EQ(in.certificates[0].issuer, subject_line(issuer()));
}

TEST_F(OcspInspect, ResponderByKeyWithoutCertificates) {
  behavior.responder_id_by_key = true;
  behavior.include_signer_cert = false;
  const OcspInspection in = inspect_ok(respond());
  EXPECT_EQ(in.responder, "key:" + sha1_key_hex(issuer()));
  EXPECT_TRUE(in.certificates.empty());
  EXPECT_TRUE(contains(format_ocsp_inspection(in), "certificates: 0\n"));
}

TEST_F(OcspInspect, Nonce) {
  Bytes nonce;
  auto req = make_ocsp_request(cert(), issuer(), true, &nonce);
  ASSERT_TRUE(req.ok()) << req.error().to_string();
  const OcspInspection in = inspect_ok(respond(behavior, *req));
  ASSERT_TRUE(in.nonce.has_value());
  EXPECT_EQ(*in.nonce, nonce);
  EXPECT_TRUE(contains(format_ocsp_inspection(in), "nonce: " + to_hex(nonce) + "\n"));
}

TEST_F(OcspInspect, RsaSignatureAndSha256CertId) {
  const auto& rsa = test_pki().rsa();
  auto s = testing::make_ocsp_signers(rsa.intermediate.cert.get(), rsa.intermediate.key.get());
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  // A request with a SHA-256 CertID, built by hand (make_ocsp_request uses SHA-1).
  ossl::OcspRequest req(OCSP_REQUEST_new());
  ASSERT_TRUE(req);
  OCSP_CERTID* id = OCSP_cert_to_id(EVP_sha256(), rsa.server.cert.get(), rsa.intermediate.cert.get());
  ASSERT_NE(id, nullptr);
  ASSERT_NE(OCSP_request_add0_id(req.get(), id), nullptr);  // takes ownership of id
  const int len = i2d_OCSP_REQUEST(req.get(), nullptr);
  ASSERT_GT(len, 0);
  Bytes req_der(static_cast<size_t>(len));
  unsigned char* p = req_der.data();
  ASSERT_EQ(i2d_OCSP_REQUEST(req.get(), &p), len);
  auto der = testing::build_ocsp_response(*s, behavior, req_der);
  ASSERT_TRUE(der.ok()) << der.error().to_string();
  const OcspInspection in = inspect_ok(*der);
  EXPECT_EQ(in.signature_algorithm, "sha256WithRSAEncryption");
  ASSERT_EQ(in.responses.size(), 1u);
  EXPECT_EQ(in.responses[0].hash_algorithm, "SHA256");
  EXPECT_EQ(in.responses[0].issuer_name_hash.size(), 64u);
  EXPECT_EQ(in.responses[0].serial, serial_via_bignum(rsa.server.cert.get()));
}

// Two CertIDs asked, two SingleResponses shown, in order.
TEST_F(OcspInspect, SeveralSingleResponses) {
  ossl::OcspRequest req(OCSP_REQUEST_new());
  ASSERT_TRUE(req);
  for (X509* leaf : {cert(), f().client.cert.get()}) {
    OCSP_CERTID* id = OCSP_cert_to_id(nullptr, leaf, issuer());
    ASSERT_NE(id, nullptr);
    ASSERT_NE(OCSP_request_add0_id(req.get(), id), nullptr);
  }
  const int len = i2d_OCSP_REQUEST(req.get(), nullptr);
  ASSERT_GT(len, 0);
  Bytes req_der(static_cast<size_t>(len));
  unsigned char* p = req_der.data();
  ASSERT_EQ(i2d_OCSP_REQUEST(req.get(), &p), len);
  const OcspInspection in = inspect_ok(respond(behavior, req_der));
  ASSERT_EQ(in.responses.size(), 2u);
  EXPECT_EQ(in.responses[0].serial, serial_via_bignum(cert()));
  EXPECT_EQ(in.responses[1].serial, serial_via_bignum(f().client.cert.get()));
  const std::string text = format_ocsp_inspection(in);
  EXPECT_TRUE(contains(text, "single response 1:\n")) << text;
  EXPECT_TRUE(contains(text, "single response 2:\n")) << text;
}

// RFC 6960 §4.2.1: a response that is not successful has no responseBytes;
// it is shown, not refused.
TEST_F(OcspInspect, NotSuccessful) {
  const struct {
    int status;
    const char* name;
  } cases[] = {
      {OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, "malformedrequest"},
      {OCSP_RESPONSE_STATUS_INTERNALERROR, "internalerror"},
      {OCSP_RESPONSE_STATUS_TRYLATER, "trylater"},
      {OCSP_RESPONSE_STATUS_SIGREQUIRED, "sigrequired"},
      {OCSP_RESPONSE_STATUS_UNAUTHORIZED, "unauthorized"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    behavior.mode = OcspResponderMode::error_status;
    behavior.error_status = c.status;
    const OcspInspection in = inspect_ok(respond());
    EXPECT_EQ(in.response_status, c.status);
    EXPECT_EQ(in.response_status_name, c.name);
    EXPECT_FALSE(in.has_basic_response);
    EXPECT_TRUE(in.responses.empty());
    EXPECT_EQ(format_ocsp_inspection(in),
              "response status: " + std::string(c.name) + " (" + std::to_string(c.status) + ")\n");
  }
}

// --- malformed input ------------------------------------------------------------

TEST_F(OcspInspect, EmptyIsAnError) { expect_error(Bytes(), "empty"); }

TEST_F(OcspInspect, GarbageIsAnError) {
  expect_error(testing::ocsp_garbage_body(), "cannot be parsed");
  expect_error(Bytes{0x00}, "cannot be parsed");
  expect_error(Bytes(100, 0xff), "cannot be parsed");
  // A DER SEQUENCE that is not an OCSPResponse.
  expect_error(Bytes{0x30, 0x03, 0x02, 0x01, 0x05}, "cannot be parsed");
}

TEST_F(OcspInspect, EveryTruncationIsAnError) {
  const Bytes der = respond();
  ASSERT_GT(der.size(), 100u);
  for (size_t n = 0; n < der.size(); ++n) {
    SCOPED_TRACE(n);
    Result<OcspInspection> r = inspect_ocsp_response(ByteView(der.data(), n));
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(ERR_peek_error(), 0u);
  }
}

TEST_F(OcspInspect, TrailingBytesAreAnError) {
  Bytes der = respond();
  der.push_back(0);
  expect_error(der, "1 bytes after the OCSPResponse");
}

TEST_F(OcspInspect, OversizedIsAnError) {
  behavior.mode = OcspResponderMode::oversized;
  const Bytes der = respond();
  ASSERT_EQ(der.size(), kMaxOcspResponseBytes + 1);
  expect_error(der, "more than the " + std::to_string(kMaxOcspResponseBytes) + "-byte limit");
  // The limit holds before parsing: a well-formed prefix does not matter.
  expect_error(Bytes(kMaxOcspResponseBytes + 1, 0x30), "-byte limit");
}

// responseStatus successful but no responseBytes, and responseBytes of a
// responseType other than id-pkix-ocsp-basic (RFC 6960 §4.2.1).
TEST_F(OcspInspect, SuccessfulWithoutBasicResponseIsAnError) {
  expect_error(Bytes{0x30, 0x03, 0x0a, 0x01, 0x00}, "not a decodable BasicOCSPResponse");
  // [0] { SEQUENCE { OID 1.2.3, OCTET STRING {} } }
  expect_error(Bytes{0x30, 0x0d, 0x0a, 0x01, 0x00, 0xa0, 0x08, 0x30, 0x06, 0x06, 0x02, 0x2a, 0x03, 0x04, 0x00},
               "not a decodable BasicOCSPResponse");
}

// Every single-byte alteration of a real response either decodes or is an
// error — never a crash or a sanitizer report.
TEST_F(OcspInspect, AlteredBytesNeverCrash) {
  const Bytes der = respond();
  size_t decoded = 0;
  for (size_t i = 0; i < der.size(); ++i) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
      Bytes copy = der;
      copy[i] ^= mask;
      Result<OcspInspection> r = inspect_ocsp_response(copy);
      if (r.ok()) {
        ++decoded;
        (void)format_ocsp_inspection(*r);
      }
      EXPECT_EQ(ERR_peek_error(), 0u);
    }
  }
  // Flips inside hashes and signatures still decode; the test saw both kinds.
  EXPECT_GT(decoded, 0u);
  EXPECT_LT(decoded, der.size() * 3);
}

}  // namespace
}  // namespace vouch
