// The built-in client-certificate selection rule (select_client_credential).
#include <gtest/gtest.h>

#include "cert/x509_name.h"
#include "support/pki.h"
#include "vouch/client_auth.h"

namespace vouch {
namespace {

using testing::test_pki;

CertificateRequestInfo request_for_root(const testing::Issued& root) {
  CertificateRequestInfo r;
  r.certificate_authorities = {name_der(X509_get_subject_name(root.cert.get()))};
  r.signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::rsa_pss_rsae_sha256};
  r.certificate_signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256,
                                     SignatureScheme::rsa_pkcs1_sha256,
                                     SignatureScheme::rsa_pss_rsae_sha256};
  return r;
}

// extendedKeyUsage OID 2.5.29.37 (contents octets) and the clientAuth
// purpose 1.3.6.1.5.5.7.3.2 as an ExtKeyUsageSyntax SEQUENCE.
const Bytes kEkuOid = {0x55, 0x1d, 0x25};
const Bytes kClientAuthEku = {0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
const Bytes kOcspSigningEku = {0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09};

TEST(SelectClientCredential, MatchesThroughIntermediate) {
  auto r = request_for_root(test_pki().ecdsa().root);
  std::vector<Credential> creds = {test_pki().rsa().client_credential(),
                                   test_pki().ecdsa().client_credential()};
  std::vector<SelectionNote> notes;
  auto idx = select_client_credential(creds, r, &notes);
  ASSERT_TRUE(idx.has_value());
  EXPECT_EQ(*idx, 1u);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_FALSE(notes[0].chosen);
  EXPECT_TRUE(notes[1].chosen);
  EXPECT_EQ(notes[1].subject, creds[1].subject());
}

TEST(SelectClientCredential, MatchesIntermediateNamedDirectly) {
  CertificateRequestInfo r = request_for_root(test_pki().ecdsa().root);
  r.certificate_authorities = {
      name_der(X509_get_subject_name(test_pki().ecdsa().intermediate.cert.get()))};
  EXPECT_TRUE(select_client_credential({test_pki().ecdsa().client_credential()}, r).has_value());
}

TEST(SelectClientCredential, EmptyCaListAcceptsAnyIssuer) {
  CertificateRequestInfo r = request_for_root(test_pki().ecdsa().root);
  r.certificate_authorities.clear();
  auto idx = select_client_credential({test_pki().rsa().client_credential()}, r);
  ASSERT_TRUE(idx.has_value());
}

TEST(SelectClientCredential, NoCandidates) {
  std::vector<SelectionNote> notes;
  EXPECT_FALSE(select_client_credential({}, request_for_root(test_pki().ecdsa().root), &notes));
  EXPECT_TRUE(notes.empty());
}

TEST(SelectClientCredential, KeyMustFitAnOfferedScheme) {
  CertificateRequestInfo r = request_for_root(test_pki().ecdsa().root);
  r.signature_schemes = {SignatureScheme::ecdsa_secp384r1_sha384};  // P-256 key cannot
  std::vector<SelectionNote> notes;
  EXPECT_FALSE(select_client_credential({test_pki().ecdsa().client_credential()}, r, &notes));
  EXPECT_NE(notes.at(0).reason.find("signature scheme"), std::string::npos);
}

TEST(SelectClientCredential, ChainSignaturesMustBeAccepted) {
  CertificateRequestInfo r = request_for_root(test_pki().rsa().root);
  r.certificate_signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256};  // RSA-signed chain
  std::vector<SelectionNote> notes;
  EXPECT_FALSE(select_client_credential({test_pki().rsa().client_credential()}, r, &notes));
  EXPECT_NE(notes.at(0).reason.find("signed with an algorithm"), std::string::npos);
}

TEST(SelectClientCredential, OidFilterOnExtendedKeyUsage) {
  CertificateRequestInfo r = request_for_root(test_pki().ecdsa().root);
  r.oid_filters = {{kEkuOid, kClientAuthEku}};
  EXPECT_TRUE(select_client_credential({test_pki().ecdsa().client_credential()}, r).has_value());
  r.oid_filters = {{kEkuOid, kOcspSigningEku}};
  std::vector<SelectionNote> notes;
  EXPECT_FALSE(select_client_credential({test_pki().ecdsa().client_credential()}, r, &notes));
  EXPECT_NE(notes.at(0).reason.find("extendedKeyUsage"), std::string::npos);
}

TEST(SelectClientCredential, OidFilterRequiresPresence) {
  // A leaf without extendedKeyUsage fails a presence-only filter.
  const auto& f = test_pki().ecdsa();
  auto leaf = testing::issue({.cn = "no-eku", .eku = testing::CertSpec::Eku::none}, f.intermediate);
  Credential c = testing::credential_from(leaf, {&f.intermediate});
  CertificateRequestInfo r = request_for_root(f.root);
  r.oid_filters = {{kEkuOid, {}}};
  std::vector<SelectionNote> notes;
  EXPECT_FALSE(select_client_credential({c}, r, &notes));
  EXPECT_NE(notes.at(0).reason.find("lacks the extension"), std::string::npos);
  r.oid_filters.clear();
  EXPECT_TRUE(select_client_credential({c}, r).has_value());
}

TEST(SelectClientCredential, MalformedOidFilterRejectsCandidate) {
  CertificateRequestInfo r = request_for_root(test_pki().ecdsa().root);
  r.oid_filters = {{Bytes{}, {}}};
  EXPECT_FALSE(select_client_credential({test_pki().ecdsa().client_credential()}, r).has_value());
  r.oid_filters = {{Bytes(200, 0x2a), {}}};
  EXPECT_FALSE(select_client_credential({test_pki().ecdsa().client_credential()}, r).has_value());
}

TEST(SelectClientCredential, FirstAcceptableWinsAndOthersAreNoted) {
  CertificateRequestInfo r = request_for_root(test_pki().ecdsa().root);
  r.certificate_authorities.clear();
  std::vector<SelectionNote> notes;
  auto idx = select_client_credential(
      {test_pki().ecdsa().client_credential(), test_pki().rsa().client_credential()}, r, &notes);
  ASSERT_EQ(idx, std::optional<size_t>(0));
  EXPECT_NE(notes.at(1).reason.find("earlier"), std::string::npos);
}

}  // namespace
}  // namespace vouch
