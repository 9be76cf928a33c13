// Credential and TrustStore loading (include/vouch/credential.h).
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <thread>

#include "cert/x509_name.h"
#include "crypto/signature.h"
#include "support/pki.h"
#include "vouch/client_auth.h"
#include "vouch/credential.h"

namespace vouch {
namespace {

using testing::CertSpec;
using testing::Issued;
using testing::KeyType;
using testing::test_pki;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(Credential, LoadsChainAndKeyFromFiles) {
  const auto& f = test_pki().ecdsa();
  auto cred = Credential::from_pem_files(f.server.chain_path, f.server.key_path);
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  ASSERT_EQ(cred->chain().size(), 2u);
  ASSERT_EQ(cred->chain_der().size(), 2u);
  EXPECT_EQ(cred->chain_der()[0], f.server.der);
  EXPECT_EQ(cred->chain_der()[1], f.intermediate.der);
  EXPECT_EQ(X509_cmp(cred->leaf(), f.server.cert.get()), 0);
  EXPECT_EQ(X509_cmp(cred->chain()[1], f.intermediate.cert.get()), 0);
  EXPECT_EQ(EVP_PKEY_eq(cred->private_key(), f.server.key.get()), 1);
  EXPECT_EQ(cred->subject(), "CN=localhost,O=vouch-test");
}

// Found by fuzz/targets/credential.cpp (its corpus keeps the input): an
// empty staple for the leaf means "none", and nothing is left stapled.
TEST(Credential, EmptyStapleMeansNone) {
  const auto& f = test_pki().ecdsa();
  auto cred = Credential::from_pem_files(f.server.chain_path, f.server.key_path);
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  auto stapled = cred->with_ocsp_staples({Bytes{}});
  ASSERT_TRUE(stapled.ok()) << stapled.error().to_string();
  EXPECT_TRUE(stapled->ocsp_staples().empty() || stapled->ocsp_staples()[0].empty());
  auto none = cred->with_ocsp_staples({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->ocsp_staples().empty());
}

TEST(Credential, LoadsRsaFromMemory) {
  const auto& f = test_pki().rsa();
  auto cred = Credential::from_pem(f.client.cert_pem + f.intermediate.cert_pem, f.client.key_pem);
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  EXPECT_EQ(cred->chain_der().size(), 2u);
  EXPECT_EQ(cred->chain_der()[0], f.client.der);
  EXPECT_EQ(cred->subject(), "CN=client-rsa,O=vouch-test");
}

TEST(Credential, SkipsOtherPemBlocksInTheChainFile) {
  // A combined file "key then certificate" is common; only certificates count.
  const auto& f = test_pki().ecdsa();
  auto cred = Credential::from_pem(f.server.key_pem + f.server.cert_pem, f.server.key_pem);
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  EXPECT_EQ(cred->chain_der().size(), 1u);
}

TEST(Credential, FromX509TakesItsOwnReferences) {
  Issued leaf = testing::make_self_signed({.cn = "self", .key = KeyType::ed25519});
  Credential cred = testing::credential_from(leaf);
  X509* raw = leaf.cert.get();
  leaf.cert.reset();  // drop the caller's reference; the credential keeps one
  leaf.key.reset();
  EXPECT_EQ(cred.leaf(), raw);
  EXPECT_EQ(cred.subject(), "CN=self,O=vouch-test");
  ASSERT_NE(cred.private_key(), nullptr);
  EXPECT_EQ(EVP_PKEY_is_a(cred.private_key(), "ED25519"), 1);
  // Copies share the same state.
  Credential copy = cred;
  EXPECT_EQ(copy.leaf(), cred.leaf());
}

TEST(Credential, KeyMismatchIsAnError) {
  const auto& f = test_pki().ecdsa();
  auto cred = Credential::from_pem(f.server.cert_pem, f.client.key_pem);
  ASSERT_FALSE(cred.ok());
  EXPECT_EQ(cred.error().alert, Alert::internal_error);
  EXPECT_TRUE(contains(cred.error().reason,
                       "private key does not match certificate CN=localhost,O=vouch-test"))
      << cred.error().reason;
}

TEST(Credential, KeyMismatchAcrossKeyTypesNamesTheKeyFile) {
  const auto& e = test_pki().ecdsa();
  const auto& r = test_pki().rsa();
  auto cred = Credential::from_pem_files(e.server.chain_path, r.server.key_path);
  ASSERT_FALSE(cred.ok());
  EXPECT_TRUE(contains(cred.error().reason, "private key does not match certificate"));
  EXPECT_TRUE(contains(cred.error().reason, r.server.key_path)) << cred.error().reason;
}

TEST(Credential, KeyMismatchFromX509) {
  const auto& f = test_pki().rsa();
  auto cred = Credential::from_x509({f.server.cert.get()}, f.root.key.get());
  ASSERT_FALSE(cred.ok());
  EXPECT_TRUE(contains(cred.error().reason, "does not match certificate CN=localhost"));
}

TEST(Credential, PemWithoutCertificateIsAnError) {
  const auto& f = test_pki().ecdsa();
  auto only_key = Credential::from_pem(f.server.key_pem, f.server.key_pem);
  ASSERT_FALSE(only_key.ok());
  EXPECT_TRUE(contains(only_key.error().reason, "no certificate")) << only_key.error().reason;

  auto empty = Credential::from_pem("", f.server.key_pem);
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(contains(empty.error().reason, "no certificate"));

  auto text = Credential::from_pem("just some text\n", f.server.key_pem);
  ASSERT_FALSE(text.ok());
}

TEST(Credential, CorruptCertificateBlockIsAnError) {
  const auto& f = test_pki().ecdsa();
  // Flip a base64 character in the middle of the body: the DER no longer parses
  // (or the base64 is invalid); either way the load must fail, not skip it.
  std::string pem = f.server.cert_pem;
  const size_t body = pem.find('\n') + 40;
  pem[body] = pem[body] == 'A' ? '!' : 'A';
  pem[body + 1] = '!';
  auto cred = Credential::from_pem(pem, f.server.key_pem);
  ASSERT_FALSE(cred.ok());
  EXPECT_TRUE(contains(cred.error().reason, "certificate 1 cannot be decoded"))
      << cred.error().reason;

  // A good certificate followed by a truncated one.
  std::string truncated = f.intermediate.cert_pem;
  truncated.resize(truncated.size() / 2);
  auto second = Credential::from_pem(f.server.cert_pem + truncated, f.server.key_pem);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(contains(second.error().reason, "certificate 2")) << second.error().reason;
}

TEST(Credential, MissingOrBadKeyIsAnError) {
  const auto& f = test_pki().ecdsa();
  auto no_key = Credential::from_pem(f.server.cert_pem, f.server.cert_pem);
  ASSERT_FALSE(no_key.ok());
  EXPECT_TRUE(contains(no_key.error().reason, "private key")) << no_key.error().reason;

  std::string bad = f.server.key_pem;
  bad[bad.find('\n') + 10] = '!';
  auto garbled = Credential::from_pem(f.server.cert_pem, bad);
  ASSERT_FALSE(garbled.ok());
}

TEST(Credential, MissingFileNamesTheFile) {
  const std::string missing = test_pki().dir + "/does-not-exist.pem";
  auto cred = Credential::from_pem_files(missing, test_pki().ecdsa().server.key_path);
  ASSERT_FALSE(cred.ok());
  EXPECT_TRUE(contains(cred.error().reason, missing)) << cred.error().reason;

  auto key = Credential::from_pem_files(test_pki().ecdsa().server.chain_path, missing);
  ASSERT_FALSE(key.ok());
  EXPECT_TRUE(contains(key.error().reason, missing));
}

TEST(Credential, NullsAndEmptiesAreRefused) {
  const auto& f = test_pki().ecdsa();
  EXPECT_FALSE(Credential::from_x509({}, f.server.key.get()).ok());
  EXPECT_FALSE(Credential::from_x509({f.server.cert.get()}, nullptr).ok());
  EXPECT_FALSE(Credential::from_x509({f.server.cert.get(), nullptr}, f.server.key.get()).ok());
}

TEST(Credential, SignsWithItsKeyAndCopiesShareTheSigner) {
  const auto& f = test_pki().ecdsa();
  auto cred = Credential::from_pem_files(f.server.chain_path, f.server.key_path);
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  const Bytes message(100, 0x20);
  const Credential copy = *cred;
  for (const Credential* c : std::initializer_list<const Credential*>{&*cred, &copy}) {
    auto sig = c->sign(SignatureScheme::ecdsa_secp256r1_sha256, message);
    ASSERT_TRUE(sig.ok()) << sig.error().to_string();
    EXPECT_TRUE(verify_message(SignatureScheme::ecdsa_secp256r1_sha256, c->public_key(), message, *sig).ok());
  }
  auto wrong = cred->sign(SignatureScheme::rsa_pss_rsae_sha256, message);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().alert, Alert::internal_error);
}

TEST(Credential, SignatureSchemesFollowTheLeafsKey) {
  using S = SignatureScheme;
  const auto& ec = test_pki().ecdsa();
  auto p256 = Credential::from_pem_files(ec.server.chain_path, ec.server.key_path);
  ASSERT_TRUE(p256.ok()) << p256.error().to_string();
  // TLS 1.3 binds the curve to the scheme; TLS 1.2 names only the hash.
  EXPECT_EQ(p256->signature_schemes(), std::vector<S>{S::ecdsa_secp256r1_sha256});
  EXPECT_EQ(p256->signature_schemes(false),
            (std::vector<S>{S::ecdsa_secp256r1_sha256, S::ecdsa_secp384r1_sha384, S::ecdsa_secp521r1_sha512}));
  auto p384 = Credential::from_pem_files(ec.server_p384.chain_path, ec.server_p384.key_path);
  ASSERT_TRUE(p384.ok()) << p384.error().to_string();
  EXPECT_EQ(p384->signature_schemes(), std::vector<S>{S::ecdsa_secp384r1_sha384});
  const auto& r = test_pki().rsa();
  auto rsa = Credential::from_pem_files(r.server.chain_path, r.server.key_path);
  ASSERT_TRUE(rsa.ok()) << rsa.error().to_string();
  EXPECT_EQ(rsa->signature_schemes(),
            (std::vector<S>{S::rsa_pss_rsae_sha256, S::rsa_pss_rsae_sha384, S::rsa_pss_rsae_sha512}));
  EXPECT_EQ(rsa->signature_schemes(false),
            (std::vector<S>{S::rsa_pss_rsae_sha256, S::rsa_pss_rsae_sha384, S::rsa_pss_rsae_sha512,
                            S::rsa_pkcs1_sha256, S::rsa_pkcs1_sha384, S::rsa_pkcs1_sha512}));
  // Copies with staples keep them; every listed scheme matches the key.
  auto stapled = p256->with_ocsp_staples({});
  ASSERT_TRUE(stapled.ok());
  EXPECT_EQ(stapled->signature_schemes(), p256->signature_schemes());
  for (const Credential* c : std::initializer_list<const Credential*>{&*p256, &*p384, &*rsa}) {
    for (bool tls13 : {true, false}) {
      for (S s : c->signature_schemes(tls13)) EXPECT_TRUE(scheme_matches_key(s, c->public_key(), tls13));
    }
  }
}

TEST(Credential, SignIsAConfigErrorWhenAnExternalSignerHoldsTheKey) {
  struct Refuser : PrivateKeySigner {
    Result<std::optional<Bytes>> sign(SignatureScheme, ByteView, std::shared_ptr<PendingSignature>) override {
      return fail(Alert::internal_error, "not used");
    }
  };
  const auto& f = test_pki().ecdsa();
  auto cred = Credential::from_signer({f.server.cert.get()}, std::make_shared<Refuser>());
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  auto sig = cred->sign(SignatureScheme::ecdsa_secp256r1_sha256, Bytes(4, 1));
  ASSERT_FALSE(sig.ok());
  EXPECT_EQ(sig.error().kind, ErrorKind::config);
  EXPECT_TRUE(contains(sig.error().reason, "external signer")) << sig.error().reason;
}

TEST(TrustStore, DefaultIsEmptyButUsable) {
  TrustStore t;
  EXPECT_TRUE(t.empty());
  EXPECT_NE(t.native(), nullptr);
}

TEST(TrustStore, SubjectNamesInLoadOrder) {
  const auto& e = test_pki().ecdsa();
  const auto& r = test_pki().rsa();
  auto t = TrustStore::from_pem(r.root.cert_pem + e.root.cert_pem);
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  ASSERT_EQ(t->subject_names().size(), 2u);
  EXPECT_EQ(t->subject_names()[0], name_der(X509_get_subject_name(r.root.cert.get())));
  EXPECT_EQ(t->subject_names()[1], name_der(X509_get_subject_name(e.root.cert.get())));

  ASSERT_TRUE(t->add_pem_file(e.untrusted_root.cert_path).ok());
  ASSERT_EQ(t->subject_names().size(), 3u);
  EXPECT_EQ(t->subject_names()[2], name_der(X509_get_subject_name(e.untrusted_root.cert.get())));
}

TEST(TrustStore, SubjectNameIsTheDerName) {
  // The encoding must be the DistinguishedName itself (RFC 8446 §4.2.4):
  // it parses back to the same name.
  const auto& e = test_pki().ecdsa();
  TrustStore t = e.trust();
  ASSERT_EQ(t.subject_names().size(), 1u);
  const Bytes& der = t.subject_names()[0];
  const unsigned char* p = der.data();
  X509_NAME* name = d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size()));
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(p, der.data() + der.size());
  EXPECT_EQ(X509_NAME_cmp(name, X509_get_subject_name(e.root.cert.get())), 0);
  X509_NAME_free(name);
}

TEST(TrustStore, DuplicateAnchorIsListedOnce) {
  const auto& e = test_pki().ecdsa();
  auto t = TrustStore::from_pem_file(e.root.cert_path);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(t->add_pem_file(e.root.cert_path).ok());
  EXPECT_EQ(t->subject_names().size(), 1u);
}

TEST(TrustStore, CopiesShareTheStore) {
  const auto& e = test_pki().ecdsa();
  TrustStore a = e.trust();
  TrustStore b = a;
  ASSERT_TRUE(b.add_pem_file(test_pki().ecdsa().untrusted_root.cert_path).ok());
  EXPECT_EQ(a.native(), b.native());
  EXPECT_EQ(a.subject_names().size(), 2u);
}

TEST(TrustStore, FileWithoutCertificatesIsAnError) {
  const auto& e = test_pki().ecdsa();
  auto t = TrustStore::from_pem_file(e.root.key_path);
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(contains(t.error().reason, "no certificate")) << t.error().reason;
  EXPECT_TRUE(contains(t.error().reason, e.root.key_path));

  EXPECT_FALSE(TrustStore::from_pem("").ok());
  EXPECT_FALSE(TrustStore::from_pem_file(test_pki().dir + "/missing.pem").ok());

  TrustStore empty;
  EXPECT_FALSE(empty.add_pem_file(e.root.key_path).ok());
  EXPECT_TRUE(empty.empty());
}

TEST(TestPki, FilesMatchTheObjects) {
  const auto& f = test_pki().rsa();
  auto chain = Credential::from_pem_files(f.server_expired.chain_path, f.server_expired.key_path);
  ASSERT_TRUE(chain.ok()) << chain.error().to_string();
  EXPECT_EQ(chain->chain_der()[0], f.server_expired.der);
  EXPECT_EQ(chain->chain_der()[1], f.intermediate.der);
  auto alone = Credential::from_pem_files(f.untrusted_server.chain_path, f.untrusted_server.key_path);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->chain_der().size(), 1u);
  auto roots = TrustStore::from_pem_file(test_pki().all_roots_path());
  ASSERT_TRUE(roots.ok());
  EXPECT_EQ(roots->subject_names().size(), 2u);
}

TEST(TestPki, ConcurrentFirstUseBuildsOnce) {
  const testing::PkiFamily* seen[4] = {};
  std::vector<std::thread> threads;
  for (auto& slot : seen) threads.emplace_back([&slot] { slot = &test_pki().ecdsa(); });
  for (auto& t : threads) t.join();
  for (const auto* f : seen) EXPECT_EQ(f, seen[0]);
  EXPECT_EQ(seen[0]->dir, test_pki().dir + "/ecdsa");
}

}  // namespace
}  // namespace vouch
