// Peer chain verification and its alert mapping (src/cert/verify_chain.h).
#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "cert/verify_chain.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::CertSpec;
using testing::Issued;
using testing::KeyType;
using testing::PkiFamily;
using testing::test_pki;
using Purpose = PeerVerifyOptions::Purpose;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

PeerVerifyOptions server_opts(std::string host = "localhost") {
  PeerVerifyOptions o;
  o.purpose = Purpose::server_auth;
  o.host = std::move(host);
  return o;
}

PeerVerifyOptions client_opts() {
  PeerVerifyOptions o;
  o.purpose = Purpose::client_auth;
  return o;
}

std::vector<Bytes> sent(const testing::PkiCert& leaf, const PkiFamily& f) {
  return {leaf.der, f.intermediate.der};
}

void expect_good_server_chain(const PkiFamily& f) {
  auto v = verify_peer_chain(f.trust(), sent(f.server, f), server_opts());
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  ASSERT_EQ(v->chain.size(), 3u);
  EXPECT_EQ(X509_cmp(v->chain[0].get(), f.server.cert.get()), 0);
  EXPECT_EQ(X509_cmp(v->chain[1].get(), f.intermediate.cert.get()), 0);
  EXPECT_EQ(X509_cmp(v->chain[2].get(), f.root.cert.get()), 0);
  ASSERT_TRUE(v->leaf_key);
  EXPECT_EQ(EVP_PKEY_eq(v->leaf_key.get(), f.server.key.get()), 1);
}

TEST(VerifyChain, GoodEcdsaChain) { expect_good_server_chain(test_pki().ecdsa()); }
TEST(VerifyChain, GoodRsaChain) { expect_good_server_chain(test_pki().rsa()); }

TEST(VerifyChain, GoodClientChain) {
  const auto& f = test_pki().ecdsa();
  auto v = verify_peer_chain(f.trust(), sent(f.client, f), client_opts());
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->chain.size(), 3u);
}

TEST(VerifyChain, NoHostMeansNoNameCheck) {
  const auto& f = test_pki().ecdsa();
  EXPECT_TRUE(verify_peer_chain(f.trust(), sent(f.server_wrong_host, f), server_opts("")).ok());
}

TEST(VerifyChain, IpLiteralsMatchIpAddressNames) {
  const auto& f = test_pki().ecdsa();
  for (const char* host : {"127.0.0.1", "::1", "[::1]"}) {
    auto v = verify_peer_chain(f.trust(), sent(f.server, f), server_opts(host));
    EXPECT_TRUE(v.ok()) << host << ": " << v.error().to_string();
  }
  auto other = verify_peer_chain(f.trust(), sent(f.server, f), server_opts("10.0.0.1"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().alert, Alert::bad_certificate);
  // "127.0.0.1" as a DNS name would need a dNSName entry; an IP reference
  // identity is never compared with DNS names (RFC 6125 §3.1.3.2).
  Issued dns_only = testing::issue(
      {.cn = "127.0.0.1", .dns = {"127.0.0.1"}, .eku = CertSpec::Eku::server}, f.intermediate);
  auto v = verify_peer_chain(f.trust(), {dns_only.der, f.intermediate.der}, server_opts("127.0.0.1"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::bad_certificate);
}

TEST(VerifyChain, WrongHostIsBadCertificate) {
  const auto& f = test_pki().rsa();
  auto v = verify_peer_chain(f.trust(), sent(f.server_wrong_host, f), server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::bad_certificate);
  EXPECT_TRUE(contains(v.error().reason, "depth 0")) << v.error().reason;
  EXPECT_TRUE(contains(v.error().reason, "CN=wrong.example"));
  EXPECT_TRUE(contains(v.error().reason, X509_verify_cert_error_string(X509_V_ERR_HOSTNAME_MISMATCH)));

  auto other = verify_peer_chain(f.trust(), sent(f.server, f), server_opts("example.com"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().alert, Alert::bad_certificate);
}

TEST(VerifyChain, WildcardsMatchOneWholeLabel) {
  const auto& f = test_pki().ecdsa();
  Issued wild = testing::issue(
      {.cn = "wild", .dns = {"*.example.com"}, .eku = CertSpec::Eku::server}, f.intermediate);
  const std::vector<Bytes> chain = {wild.der, f.intermediate.der};
  EXPECT_TRUE(verify_peer_chain(f.trust(), chain, server_opts("a.example.com")).ok());
  EXPECT_FALSE(verify_peer_chain(f.trust(), chain, server_opts("a.b.example.com")).ok());
  EXPECT_FALSE(verify_peer_chain(f.trust(), chain, server_opts("example.com")).ok());
  Issued partial = testing::issue(
      {.cn = "partial", .dns = {"w*.example.com"}, .eku = CertSpec::Eku::server}, f.intermediate);
  EXPECT_FALSE(
      verify_peer_chain(f.trust(), {partial.der, f.intermediate.der}, server_opts("www.example.com"))
          .ok());
}

TEST(VerifyChain, UntrustedRootIsUnknownCa) {
  const auto& f = test_pki().ecdsa();
  auto alone = verify_peer_chain(f.trust(), {f.untrusted_server.der}, server_opts());
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().alert, Alert::unknown_ca);
  // The peer sending its own root does not make it trusted.
  auto with_root = verify_peer_chain(f.trust(), {f.untrusted_server.der, f.untrusted_root.der},
                                     server_opts());
  ASSERT_FALSE(with_root.ok());
  EXPECT_EQ(with_root.error().alert, Alert::unknown_ca);
  EXPECT_TRUE(contains(with_root.error().reason, "depth 1")) << with_root.error().reason;
}

TEST(VerifyChain, OtherFamilysRootIsUnknownCa) {
  const auto& e = test_pki().ecdsa();
  const auto& r = test_pki().rsa();
  auto v = verify_peer_chain(e.trust(), sent(r.server, r), server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::unknown_ca);
}

TEST(VerifyChain, EmptyTrustStoreTrustsNothing) {
  const auto& f = test_pki().ecdsa();
  auto v = verify_peer_chain(TrustStore(), sent(f.server, f), server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::unknown_ca);
}

TEST(VerifyChain, SelfSignedLeafIsUnknownCa) {
  Issued self = testing::make_self_signed({.cn = "localhost", .dns = {"localhost"}});
  auto v = verify_peer_chain(test_pki().ecdsa().trust(), {self.der}, server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::unknown_ca);
}

TEST(VerifyChain, MissingIntermediateIsUnknownCa) {
  const auto& f = test_pki().rsa();
  auto v = verify_peer_chain(f.trust(), {f.server.der}, server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::unknown_ca);
  EXPECT_TRUE(contains(v.error().reason, "depth 0")) << v.error().reason;
}

TEST(VerifyChain, IntermediateAsAnchorIsNotEnough) {
  // No partial chains: trusting the intermediate alone does not anchor a path.
  const auto& f = test_pki().ecdsa();
  TrustStore t = testing::trust_from(f.intermediate);
  auto v = verify_peer_chain(t, sent(f.server, f), server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::unknown_ca);
}

TEST(VerifyChain, ExtraAndMisorderedIntermediatesAreTolerated) {
  const auto& f = test_pki().ecdsa();
  const auto& r = test_pki().rsa();
  auto v = verify_peer_chain(f.trust(), {f.server.der, r.intermediate.der, f.intermediate.der},
                             server_opts());
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->chain.size(), 3u);
}

TEST(VerifyChain, ExpiredIsCertificateExpired) {
  const auto& f = test_pki().ecdsa();
  auto v = verify_peer_chain(f.trust(), sent(f.server_expired, f), server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::certificate_expired);
  EXPECT_TRUE(contains(v.error().reason, "depth 0 (CN=localhost,O=vouch-test)")) << v.error().reason;
  EXPECT_TRUE(contains(v.error().reason, X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED)));
}

TEST(VerifyChain, NotYetValidIsCertificateExpired) {
  const auto& f = test_pki().ecdsa();
  Issued future = testing::issue({.cn = "localhost",
                                  .dns = {"localhost"},
                                  .eku = CertSpec::Eku::server,
                                  .not_before_offset_s = 86400,
                                  .not_after_offset_s = 2 * 86400},
                                 f.intermediate);
  auto v = verify_peer_chain(f.trust(), {future.der, f.intermediate.der}, server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::certificate_expired);
  EXPECT_TRUE(contains(v.error().reason, X509_verify_cert_error_string(X509_V_ERR_CERT_NOT_YET_VALID)))
      << v.error().reason;
}

TEST(VerifyChain, TimeOverride) {
  const auto& f = test_pki().ecdsa();
  PeerVerifyOptions o = server_opts();
  const time_t now = std::time(nullptr);
  o.now = now + 60 * 86400;  // after every test certificate's notAfter
  auto later = verify_peer_chain(f.trust(), sent(f.server, f), o);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().alert, Alert::certificate_expired);

  o.now = now - 3 * 86400;  // before the notBefore of everything
  auto earlier = verify_peer_chain(f.trust(), sent(f.server, f), o);
  ASSERT_FALSE(earlier.ok());
  EXPECT_EQ(earlier.error().alert, Alert::certificate_expired);

  // And the other way: at a time inside its window an expired leaf verifies.
  // The PKI's CAs start an hour ago, so build a root that was valid then.
  o.now = now - 36 * 3600;
  Issued root = testing::make_self_signed(
      {.cn = "old root", .ca = true, .not_before_offset_s = -10 * 86400});
  Issued leaf = testing::issue({.cn = "localhost",
                                .dns = {"localhost"},
                                .eku = CertSpec::Eku::server,
                                .not_before_offset_s = -2 * 86400,
                                .not_after_offset_s = -86400},
                               root);
  auto in_window = verify_peer_chain(testing::trust_from(root), {leaf.der}, o);
  EXPECT_TRUE(in_window.ok()) << in_window.error().to_string();
  o.now.reset();
  auto today = verify_peer_chain(testing::trust_from(root), {leaf.der}, o);
  ASSERT_FALSE(today.ok());
  EXPECT_EQ(today.error().alert, Alert::certificate_expired);
}

TEST(VerifyChain, WrongPurposeIsUnsupportedCertificate) {
  const auto& f = test_pki().ecdsa();
  // A server leaf (serverAuth only) offered as a client certificate.
  auto server_as_client = verify_peer_chain(f.trust(), sent(f.server, f), client_opts());
  ASSERT_FALSE(server_as_client.ok());
  EXPECT_EQ(server_as_client.error().alert, Alert::unsupported_certificate);
  EXPECT_TRUE(contains(server_as_client.error().reason,
                       X509_verify_cert_error_string(X509_V_ERR_INVALID_PURPOSE)));

  auto noauth = verify_peer_chain(f.trust(), sent(f.client_noauth, f), client_opts());
  ASSERT_FALSE(noauth.ok());
  EXPECT_EQ(noauth.error().alert, Alert::unsupported_certificate);

  PeerVerifyOptions o = server_opts("");
  auto client_as_server = verify_peer_chain(f.trust(), sent(f.client, f), o);
  ASSERT_FALSE(client_as_server.ok());
  EXPECT_EQ(client_as_server.error().alert, Alert::unsupported_certificate);
}

TEST(VerifyChain, NoExtendedKeyUsageAllowsEitherRole) {
  // RFC 5280 §4.2.1.12: without the extension the key is not restricted.
  const auto& f = test_pki().ecdsa();
  Issued any = testing::issue(
      {.cn = "localhost", .dns = {"localhost"}, .eku = CertSpec::Eku::none}, f.intermediate);
  EXPECT_TRUE(verify_peer_chain(f.trust(), {any.der, f.intermediate.der}, server_opts()).ok());
  EXPECT_TRUE(verify_peer_chain(f.trust(), {any.der, f.intermediate.der}, client_opts()).ok());
}

TEST(VerifyChain, GarbageDerIsDecodeError) {
  const auto& f = test_pki().ecdsa();
  const Bytes garbage = {0x30, 0x03, 0x02, 0x01, 0x05};  // a SEQUENCE, not a Certificate
  auto v = verify_peer_chain(f.trust(), {garbage}, server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::decode_error);
  EXPECT_EQ(v.error().reason, "certificate 1 of 1: cannot be parsed");

  auto second = verify_peer_chain(f.trust(), {f.server.der, Bytes{0xde, 0xad}, f.root.der},
                                  server_opts());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().alert, Alert::decode_error);
  EXPECT_EQ(second.error().reason, "certificate 2 of 3: cannot be parsed");

  auto empty_entry = verify_peer_chain(f.trust(), {f.server.der, Bytes{}}, server_opts());
  ASSERT_FALSE(empty_entry.ok());
  EXPECT_EQ(empty_entry.error().alert, Alert::decode_error);
}

TEST(VerifyChain, TruncatedDerIsDecodeError) {
  const auto& f = test_pki().rsa();
  for (size_t cut : {size_t{1}, size_t{4}, f.server.der.size() / 2, f.server.der.size() - 1}) {
    Bytes truncated(f.server.der.begin(), f.server.der.begin() + static_cast<long>(cut));
    auto v = verify_peer_chain(f.trust(), {truncated, f.intermediate.der}, server_opts());
    ASSERT_FALSE(v.ok()) << cut;
    EXPECT_EQ(v.error().alert, Alert::decode_error) << cut;
  }
}

TEST(VerifyChain, TrailingBytesAreDecodeError) {
  const auto& f = test_pki().ecdsa();
  Bytes padded = f.intermediate.der;
  padded.push_back(0x00);
  auto v = verify_peer_chain(f.trust(), {f.server.der, padded}, server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::decode_error);
  EXPECT_TRUE(contains(v.error().reason, "certificate 2 of 2: 1 trailing bytes")) << v.error().reason;

  // Two certificates glued into one entry.
  Bytes two = f.server.der;
  two.insert(two.end(), f.intermediate.der.begin(), f.intermediate.der.end());
  auto glued = verify_peer_chain(f.trust(), {two}, server_opts());
  ASSERT_FALSE(glued.ok());
  EXPECT_EQ(glued.error().alert, Alert::decode_error);
}

TEST(VerifyChain, EmptyChainIsDecodeError) {
  auto v = verify_peer_chain(test_pki().ecdsa().trust(), {}, server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::decode_error);
}

TEST(VerifyChain, BadCertificateSignatureIsBadCertificate) {
  const auto& f = test_pki().rsa();
  Bytes tampered = f.server.der;
  tampered.back() ^= 0x01;  // inside the RSA signature value
  auto v = verify_peer_chain(f.trust(), {tampered, f.intermediate.der}, server_opts());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::bad_certificate);
  EXPECT_TRUE(contains(v.error().reason,
                       X509_verify_cert_error_string(X509_V_ERR_CERT_SIGNATURE_FAILURE)))
      << v.error().reason;
}

TEST(VerifyChain, MaxDepthCountsIntermediates) {
  const auto& f = test_pki().ecdsa();
  PeerVerifyOptions o = server_opts();
  o.max_depth = 1;
  EXPECT_TRUE(verify_peer_chain(f.trust(), sent(f.server, f), o).ok());
  o.max_depth = 0;
  auto v = verify_peer_chain(f.trust(), sent(f.server, f), o);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().alert, Alert::bad_certificate);
}

TEST(VerifyChain, OtherKeyTypesVerify) {
  for (KeyType k : {KeyType::ecdsa_p384, KeyType::rsa_pss2048, KeyType::ed25519}) {
    Issued root = testing::make_self_signed({.cn = "root", .key = k, .ca = true});
    Issued leaf = testing::issue(
        {.cn = "localhost", .key = k, .dns = {"localhost"}, .eku = CertSpec::Eku::server}, root);
    auto v = verify_peer_chain(testing::trust_from(root), {leaf.der}, server_opts());
    ASSERT_TRUE(v.ok()) << static_cast<int>(k) << ": " << v.error().to_string();
    EXPECT_EQ(EVP_PKEY_eq(v->leaf_key.get(), leaf.key.get()), 1);
  }
}

TEST(VerifyChain, InvalidHostOptionIsRefused) {
  const auto& f = test_pki().ecdsa();
  auto v = verify_peer_chain(f.trust(), sent(f.server, f), server_opts(std::string("local\0host", 10)));
  ASSERT_FALSE(v.ok());
}

TEST(VerifyChain, AlertMapping) {
  EXPECT_EQ(alert_for_verify_error(X509_V_ERR_CERT_HAS_EXPIRED), Alert::certificate_expired);
  EXPECT_EQ(alert_for_verify_error(X509_V_ERR_CERT_NOT_YET_VALID), Alert::certificate_expired);
  for (int e : {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
                X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
                X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED}) {
    EXPECT_EQ(alert_for_verify_error(e), Alert::unknown_ca) << e;
  }
  EXPECT_EQ(alert_for_verify_error(X509_V_ERR_HOSTNAME_MISMATCH), Alert::bad_certificate);
  EXPECT_EQ(alert_for_verify_error(X509_V_ERR_IP_ADDRESS_MISMATCH), Alert::bad_certificate);
  EXPECT_EQ(alert_for_verify_error(X509_V_ERR_INVALID_PURPOSE), Alert::unsupported_certificate);
  EXPECT_EQ(alert_for_verify_error(X509_V_ERR_CERT_REVOKED), Alert::certificate_revoked);
  EXPECT_EQ(alert_for_verify_error(X509_V_ERR_CERT_SIGNATURE_FAILURE), Alert::bad_certificate);
  EXPECT_EQ(alert_for_verify_error(X509_V_ERR_CERT_CHAIN_TOO_LONG), Alert::bad_certificate);
}

TEST(TestPki, ExtensionsAreWritten) {
  const auto& f = test_pki().ecdsa();
  Issued stapled = testing::issue({.cn = "stapled",
                                   .must_staple = true,
                                   .ocsp_url = "http://127.0.0.1:8888/ocsp"},
                                  f.intermediate);
  EXPECT_GE(X509_get_ext_by_NID(stapled.cert.get(), NID_tlsfeature, -1), 0);
  STACK_OF(OPENSSL_STRING)* urls = X509_get1_ocsp(stapled.cert.get());
  ASSERT_NE(urls, nullptr);
  ASSERT_EQ(sk_OPENSSL_STRING_num(urls), 1);
  EXPECT_STREQ(sk_OPENSSL_STRING_value(urls, 0), "http://127.0.0.1:8888/ocsp");
  X509_email_free(urls);
  EXPECT_LT(X509_get_ext_by_NID(f.server.cert.get(), NID_tlsfeature, -1), 0);
  // Distinct serials (OCSP CertIDs must not collide).
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(f.server.cert.get()),
                             X509_get0_serialNumber(f.server_expired.cert.get())),
            0);
  // CA flags.
  EXPECT_EQ(X509_check_ca(f.root.cert.get()), 1);
  EXPECT_EQ(X509_check_ca(f.server.cert.get()), 0);
}

}  // namespace
}  // namespace vouch

namespace vouch {
namespace {

// The X509_V_ERR code a failure carries is readable back, by the same layer
// that wrote it (the OpenSSL-compatible SSL_get_verify_result relies on it).
TEST(X509VerifyErrorOf, ReadsTheCodeOfAChainFailureOnly) {
  const auto& f = testing::test_pki().ecdsa();
  PeerVerifyOptions opts;
  opts.host = "localhost";
  auto expired = verify_peer_chain(f.trust(), {f.server_expired.der, f.intermediate.der}, opts);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(x509_verify_error_of(expired.error()), X509_V_ERR_CERT_HAS_EXPIRED) << expired.error().reason;
  auto unknown = verify_peer_chain(f.trust(), {f.untrusted_server.der}, opts);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(x509_verify_error_of(unknown.error()).has_value()) << unknown.error().reason;

  EXPECT_FALSE(x509_verify_error_of(fail(Alert::decode_error, "record: truncated")).has_value());
  EXPECT_FALSE(x509_verify_error_of(fail(Alert::bad_certificate, "x (X509_V_ERR )")).has_value());
  EXPECT_FALSE(x509_verify_error_of(fail(Alert::bad_certificate, "x (X509_V_ERR 12x)")).has_value());
  EXPECT_FALSE(x509_verify_error_of(fail(Alert::bad_certificate, "x (X509_V_ERR 12) trailing")).has_value());
  EXPECT_FALSE(x509_verify_error_of(fail(Alert::bad_certificate, "x (X509_V_ERR -3)")).has_value());
  EXPECT_EQ(x509_verify_error_of(fail(Alert::bad_certificate, "a (X509_V_ERR 1) b (X509_V_ERR 20)")), 20);
}

}  // namespace
}  // namespace vouch
