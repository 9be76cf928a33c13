// Building OCSP requests and reading the OCSP bits of certificates
// (src/ocsp/request.cpp, src/ocsp/info.cpp).
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "ocsp/ocsp.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::CertSpec;
using testing::Issued;
using testing::test_pki;

ossl::OcspRequest parse_request(const Bytes& der) {
  const unsigned char* p = der.data();
  ossl::OcspRequest req(d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(der.size())));
  EXPECT_EQ(p, der.data() + der.size()) << "trailing bytes";
  return req;
}

TEST(OcspRequest, RoundTripsWithTheSha1CertId) {
  const auto& f = test_pki().ecdsa();
  Bytes nonce = {1, 2, 3};
  auto der = make_ocsp_request(f.server.cert.get(), f.intermediate.cert.get(), false, &nonce);
  ASSERT_TRUE(der.ok()) << der.error().to_string();
  EXPECT_TRUE(nonce.empty());  // no nonce asked for: cleared

  ossl::OcspRequest req = parse_request(*der);
  ASSERT_TRUE(req);
  ASSERT_EQ(OCSP_request_onereq_count(req.get()), 1);
  OCSP_CERTID* id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req.get(), 0));
  ASSERT_NE(id, nullptr);

  ossl::OcspCertId expected(OCSP_cert_to_id(EVP_sha1(), f.server.cert.get(), f.intermediate.cert.get()));
  ASSERT_TRUE(expected);
  EXPECT_EQ(OCSP_id_cmp(id, expected.get()), 0);

  ASN1_OCTET_STRING* name_hash = nullptr;
  ASN1_OBJECT* md = nullptr;
  ASN1_OCTET_STRING* key_hash = nullptr;
  ASN1_INTEGER* serial = nullptr;
  ASSERT_EQ(OCSP_id_get0_info(&name_hash, &md, &key_hash, &serial, id), 1);
  EXPECT_EQ(OBJ_obj2nid(md), NID_sha1);
  EXPECT_EQ(ASN1_STRING_length(name_hash), 20);
  EXPECT_EQ(ASN1_STRING_length(key_hash), 20);
  EXPECT_EQ(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber(f.server.cert.get())), 0);

  // Another certificate of the same issuer: same issuer hashes, other serial.
  ossl::OcspCertId client(OCSP_cert_to_id(EVP_sha1(), f.client.cert.get(), f.intermediate.cert.get()));
  EXPECT_EQ(OCSP_id_issuer_cmp(id, client.get()), 0);
  EXPECT_NE(OCSP_id_cmp(id, client.get()), 0);

  EXPECT_LT(OCSP_REQUEST_get_ext_by_NID(req.get(), NID_id_pkix_OCSP_Nonce, -1), 0);
}

TEST(OcspRequest, NonceIsFreshAndCarried) {
  const auto& f = test_pki().rsa();
  Bytes n1, n2;
  auto d1 = make_ocsp_request(f.server.cert.get(), f.intermediate.cert.get(), true, &n1);
  auto d2 = make_ocsp_request(f.server.cert.get(), f.intermediate.cert.get(), true, &n2);
  ASSERT_TRUE(d1.ok() && d2.ok());
  EXPECT_EQ(n1.size(), kOcspNonceBytes);
  EXPECT_NE(n1, n2);
  EXPECT_NE(*d1, *d2);

  ossl::OcspRequest req = parse_request(*d1);
  ASSERT_TRUE(req);
  const int idx = OCSP_REQUEST_get_ext_by_NID(req.get(), NID_id_pkix_OCSP_Nonce, -1);
  ASSERT_GE(idx, 0);
  // RFC 6066 §8: the extension value is an OCTET STRING holding the nonce.
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(req.get(), idx));
  ASSERT_NE(value, nullptr);
  const unsigned char* p = ASN1_STRING_get0_data(value);
  ASN1_OCTET_STRING* inner = d2i_ASN1_OCTET_STRING(nullptr, &p, ASN1_STRING_length(value));
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(Bytes(ASN1_STRING_get0_data(inner), ASN1_STRING_get0_data(inner) + ASN1_STRING_length(inner)),
            n1);
  ASN1_OCTET_STRING_free(inner);

  // The nonce may also be dropped by the caller.
  EXPECT_TRUE(make_ocsp_request(f.server.cert.get(), f.intermediate.cert.get(), true, nullptr).ok());
}

TEST(OcspRequest, NullCertificatesFail) {
  const auto& f = test_pki().ecdsa();
  auto a = make_ocsp_request(nullptr, f.intermediate.cert.get(), false, nullptr);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().alert, Alert::internal_error);
  EXPECT_FALSE(make_ocsp_request(f.server.cert.get(), nullptr, false, nullptr).ok());
}

// --- authorityInfoAccess ------------------------------------------------------

TEST(OcspResponderUrl, FromAuthorityInfoAccess) {
  const auto& f = test_pki().ecdsa();
  Issued with_url = testing::issue({.cn = "aia", .ocsp_url = "http://127.0.0.1:8888/ocsp"}, f.intermediate);
  EXPECT_EQ(ocsp_responder_url(with_url.cert.get()),
            std::optional<std::string>("http://127.0.0.1:8888/ocsp"));
  EXPECT_EQ(ocsp_responder_url(f.server.cert.get()), std::nullopt);
  EXPECT_EQ(ocsp_responder_url(nullptr), std::nullopt);
}

TEST(OcspResponderUrl, FirstOfSeveral) {
  const auto& f = test_pki().ecdsa();
  Issued leaf = testing::issue({.cn = "aia2"}, f.intermediate);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, f.intermediate.cert.get(), leaf.cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(
      nullptr, &ctx, NID_info_access,
      "caIssuers;URI:http://ca.example/ca.der,OCSP;URI:http://a.example/,OCSP;URI:http://b.example/");
  ASSERT_NE(ext, nullptr);
  ASSERT_EQ(X509_add_ext(leaf.cert.get(), ext, -1), 1);
  X509_EXTENSION_free(ext);
  EXPECT_EQ(ocsp_responder_url(leaf.cert.get()), std::optional<std::string>("http://a.example/"));
}

// --- must-staple (RFC 7633) ----------------------------------------------------

// Adds a TLS feature extension whose value is `der` (RFC 7633 §4.1: SEQUENCE
// OF INTEGER, but tests also feed it other things).
void add_tls_feature(X509* cert, const Bytes& der) {
  ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
  ASSERT_NE(value, nullptr);
  ASSERT_EQ(ASN1_OCTET_STRING_set(value, der.data(), static_cast<int>(der.size())), 1);
  X509_EXTENSION* ext = X509_EXTENSION_create_by_NID(nullptr, NID_tlsfeature, 0, value);
  ASN1_OCTET_STRING_free(value);
  ASSERT_NE(ext, nullptr);
  ASSERT_EQ(X509_add_ext(cert, ext, -1), 1);
  X509_EXTENSION_free(ext);
}

// DER of a SEQUENCE of the given ASN1_TYPEs, encoded by libcrypto.
Bytes sequence_of(std::vector<ASN1_TYPE*> items) {
  STACK_OF(ASN1_TYPE)* sk = sk_ASN1_TYPE_new_null();
  for (ASN1_TYPE* t : items) sk_ASN1_TYPE_push(sk, t);
  unsigned char* out = nullptr;
  const int len = i2d_ASN1_SEQUENCE_ANY(sk, &out);
  sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free);
  Bytes der;
  if (len > 0) der.assign(out, out + len);
  OPENSSL_free(out);
  return der;
}

ASN1_TYPE* integer(long v) {
  ASN1_INTEGER* i = ASN1_INTEGER_new();
  ASN1_INTEGER_set(i, v);
  ASN1_TYPE* t = ASN1_TYPE_new();
  ASN1_TYPE_set(t, V_ASN1_INTEGER, i);
  return t;
}

ASN1_TYPE* octets() {
  ASN1_OCTET_STRING* s = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(s, reinterpret_cast<const unsigned char*>("\x05"), 1);
  ASN1_TYPE* t = ASN1_TYPE_new();
  ASN1_TYPE_set(t, V_ASN1_OCTET_STRING, s);
  return t;
}

TEST(MustStaple, FromThePkiHelper) {
  const auto& f = test_pki().ecdsa();
  Issued staple = testing::issue({.cn = "must-staple", .must_staple = true}, f.intermediate);
  EXPECT_TRUE(has_must_staple(staple.cert.get()));
  EXPECT_FALSE(has_must_staple(f.server.cert.get()));
  EXPECT_FALSE(has_must_staple(nullptr));
}

TEST(MustStaple, FeatureListContents) {
  const auto& f = test_pki().ecdsa();
  struct Case {
    const char* name;
    Bytes value;
    bool expected;
  } cases[] = {
      {"status_request_v2 only", sequence_of({integer(17)}), false},
      {"status_request_v2 and status_request", sequence_of({integer(17), integer(5)}), true},
      {"empty list", sequence_of({}), false},
      {"not an INTEGER (fail closed)", sequence_of({octets()}), true},
      {"garbage (fail closed)", Bytes{0x04, 0x01, 0x05}, true},
      {"truncated (fail closed)", Bytes{0x30, 0x03, 0x02, 0x01}, true},
      {"trailing bytes (fail closed)", Bytes{0x30, 0x03, 0x02, 0x01, 0x11, 0x00}, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_FALSE(c.value.empty());
    Issued leaf = testing::issue({.cn = "features"}, f.intermediate);
    add_tls_feature(leaf.cert.get(), c.value);
    EXPECT_EQ(has_must_staple(leaf.cert.get()), c.expected);
  }
}

TEST(MustStaple, DuplicateExtensionFailsClosed) {
  const auto& f = test_pki().ecdsa();
  Issued leaf = testing::issue({.cn = "twice"}, f.intermediate);
  add_tls_feature(leaf.cert.get(), sequence_of({integer(17)}));
  add_tls_feature(leaf.cert.get(), sequence_of({integer(17)}));
  EXPECT_TRUE(has_must_staple(leaf.cert.get()));
}

}  // namespace
}  // namespace vouch
