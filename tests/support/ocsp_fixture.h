// The set-up shared by the OCSP response tests (verification, inspection):
// one certificate (the ECDSA family's server), its issuer (the
// intermediate), the responder's signers, the request a stapler would send,
// a fixed clock, and responses built from them without any network.
#pragma once

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>

#include "base/hex.h"
#include "ocsp/ocsp.h"
#include "support/pki.h"
#include "tools/ocsp_response_builder.h"

namespace vouch::testing {

/// The certificate's serial in lower-case hex, computed through a BIGNUM
/// (independently of how the code under test reads it).
inline std::string serial_via_bignum(X509* cert) {
  ossl::Ptr<BIGNUM, BN_free> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return "<no serial>";
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) return "<no serial>";
  std::string out(hex);
  OPENSSL_free(hex);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

/// SHA-1 of the certificate's public key, hex (a ResponderID byKey, RFC 6960 §4.2.1).
inline std::string sha1_key_hex(X509* cert) {
  unsigned char md[SHA_DIGEST_LENGTH];
  unsigned int len = 0;
  if (X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1) return "";
  return to_hex(ByteView(md, len));
}

class OcspResponseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = make_ocsp_signers(issuer(), f().intermediate.key.get());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    signers = std::move(*s);
    auto r = make_ocsp_request(cert(), issuer(), false, nullptr);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    request = std::move(*r);
    behavior.now = t0;
  }

  static const PkiFamily& f() { return test_pki().ecdsa(); }
  static X509* cert() { return f().server.cert.get(); }
  static X509* issuer() { return f().intermediate.cert.get(); }

  Bytes respond() { return respond(behavior, request); }
  Bytes respond(const OcspBehavior& b, const Bytes& req) {
    auto r = build_ocsp_response(signers, b, req);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    return r.ok() ? std::move(*r) : Bytes();
  }

  const std::chrono::system_clock::time_point t0 =
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  OcspSigners signers;
  Bytes request;
  OcspBehavior behavior;
};

}  // namespace vouch::testing
