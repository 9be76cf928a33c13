// Signature schemes (RFC 8446 §4.2.3, §4.4.3).
#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <atomic>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/hash.h"
#include "crypto/ossl.h"
#include "crypto/signature.h"

namespace vouch {
namespace {

using S = SignatureScheme;

ByteView text(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// An RSASSA-PSS key; with `restricted`, its parameters (RFC 4055) pin
// SHA-256, MGF1-SHA-256 and a 32-byte salt.
ossl::EvpPkey rsa_pss_key(unsigned bits, bool restricted) {
  ossl::EvpPkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(bits)) != 1 ||
      (restricted && (EVP_PKEY_CTX_set_rsa_pss_keygen_md_name(ctx.get(), "SHA256", nullptr) != 1 ||
                      EVP_PKEY_CTX_set_rsa_pss_keygen_mgf1_md_name(ctx.get(), "SHA256") != 1 ||
                      EVP_PKEY_CTX_set_rsa_pss_keygen_saltlen(ctx.get(), 32) != 1)) ||
      EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    ADD_FAILURE() << "RSA-PSS keygen: " << ossl::last_error();
  }
  return ossl::EvpPkey(key);
}

// Each key is generated once per program, on first use (RSA is slow).
struct Keys {
  static EVP_PKEY* p256() {
    static EVP_PKEY* const k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    return k;
  }
  static EVP_PKEY* p256b() {
    static EVP_PKEY* const k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    return k;
  }
  static EVP_PKEY* p384() {
    static EVP_PKEY* const k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
    return k;
  }
  static EVP_PKEY* p521() {
    static EVP_PKEY* const k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
    return k;
  }
  static EVP_PKEY* ed25519() {
    static EVP_PKEY* const k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    return k;
  }
  static EVP_PKEY* rsa() {
    static EVP_PKEY* const k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
    return k;
  }
  static EVP_PKEY* rsa1024() {
    static EVP_PKEY* const k = keep(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024}));
    return k;
  }
  static EVP_PKEY* rsa_pss() {
    static EVP_PKEY* const k = keep(rsa_pss_key(2048, false).release());
    return k;
  }
  static EVP_PKEY* rsa_pss_sha256() {
    static EVP_PKEY* const k = keep(rsa_pss_key(1024, true).release());
    return k;
  }

 private:
  // Owns the keys until exit; each accessor's own static runs its
  // generation once.
  static EVP_PKEY* keep(EVP_PKEY* k) {
    static std::vector<ossl::EvpPkey> owned;
    owned.emplace_back(k);
    return k;
  }
};

// The key each scheme is exercised with.
EVP_PKEY* key_for(S s) {
  switch (s) {
    case S::ecdsa_secp256r1_sha256: return Keys::p256();
    case S::ecdsa_secp384r1_sha384: return Keys::p384();
    case S::ecdsa_secp521r1_sha512: return Keys::p521();
    case S::ed25519: return Keys::ed25519();
    case S::rsa_pss_rsae_sha256:
    case S::rsa_pss_rsae_sha384:
    case S::rsa_pss_rsae_sha512:
    case S::rsa_pkcs1_sha256:
    case S::rsa_pkcs1_sha384:
    case S::rsa_pkcs1_sha512: return Keys::rsa();
    case S::rsa_pss_pss_sha256:
    case S::rsa_pss_pss_sha384:
    case S::rsa_pss_pss_sha512: return Keys::rsa_pss();
    default: return nullptr;
  }
}

// RFC 8446 §4.4.3: what a server's CertificateVerify signs.
Bytes certificate_verify_input() {
  Bytes m(64, 0x20);
  for (char c : std::string_view("TLS 1.3, server CertificateVerify")) m.push_back(uint8_t(c));
  m.push_back(0);
  const Bytes h = *digest(HashAlg::sha256, text("transcript"));
  m.insert(m.end(), h.begin(), h.end());
  return m;
}

TEST(Signature, KeysWereGenerated) {
  for (EVP_PKEY* p : {Keys::p256(), Keys::p256b(), Keys::p384(), Keys::p521(), Keys::ed25519(),
                      Keys::rsa(), Keys::rsa1024(), Keys::rsa_pss(), Keys::rsa_pss_sha256()}) {
    ASSERT_NE(p, nullptr);
  }
}

TEST(Signature, DefaultLists) {
  const std::vector<S> expected = {S::ecdsa_secp256r1_sha256, S::ecdsa_secp384r1_sha384,
                                   S::ecdsa_secp521r1_sha512, S::ed25519,
                                   S::rsa_pss_rsae_sha256,    S::rsa_pss_rsae_sha384,
                                   S::rsa_pss_rsae_sha512,    S::rsa_pss_pss_sha256,
                                   S::rsa_pss_pss_sha384,     S::rsa_pss_pss_sha512};
  EXPECT_EQ(default_signature_schemes(), expected);
  std::vector<S> cert = expected;
  cert.insert(cert.end(), {S::rsa_pkcs1_sha256, S::rsa_pkcs1_sha384, S::rsa_pkcs1_sha512});
  EXPECT_EQ(default_certificate_signature_schemes(), cert);
}

TEST(Signature, RoundTripEveryScheme) {
  const Bytes message = certificate_verify_input();
  for (S s : default_certificate_signature_schemes()) {
    EVP_PKEY* key = key_for(s);
    ASSERT_NE(key, nullptr) << to_string(s);
    auto sig = sign_message(s, key, message);
    ASSERT_TRUE(sig.ok()) << to_string(s) << ": " << sig.error().to_string();
    EXPECT_FALSE(sig->empty());
    auto ok = verify_message(s, key, message, *sig);
    EXPECT_TRUE(ok.ok()) << to_string(s) << ": " << ok.error().to_string();

    // A tampered message, a tampered signature, and no signature at all.
    Bytes tampered = message;
    tampered[70] ^= 0x01;
    for (const auto& st : {verify_message(s, key, tampered, *sig),
                           verify_message(s, key, message, ByteView(*sig).first(sig->size() - 1)),
                           verify_message(s, key, message, {})}) {
      ASSERT_FALSE(st.ok()) << to_string(s);
      EXPECT_EQ(st.error().alert, Alert::decrypt_error) << to_string(s);
      EXPECT_EQ(st.error().reason, "signature verification failed");
    }
    Bytes flipped = *sig;
    flipped[flipped.size() / 2] ^= 0x10;
    auto bad = verify_message(s, key, message, flipped);
    ASSERT_FALSE(bad.ok()) << to_string(s);
    EXPECT_EQ(bad.error().alert, Alert::decrypt_error);
  }
}

TEST(Signature, EmptyMessage) {
  for (S s : {S::ecdsa_secp256r1_sha256, S::ed25519, S::rsa_pss_rsae_sha256}) {
    auto sig = sign_message(s, key_for(s), {});
    ASSERT_TRUE(sig.ok()) << to_string(s);
    EXPECT_TRUE(verify_message(s, key_for(s), {}, *sig).ok()) << to_string(s);
  }
}

TEST(Signature, WrongKeyIsDecryptError) {
  const Bytes message = certificate_verify_input();
  auto sig = sign_message(S::ecdsa_secp256r1_sha256, Keys::p256(), message);
  ASSERT_TRUE(sig.ok());
  auto st = verify_message(S::ecdsa_secp256r1_sha256, Keys::p256b(), message, *sig);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::decrypt_error);
}

TEST(Signature, EcdsaSignatureIsDerAndRandomised) {
  const Bytes message = certificate_verify_input();
  auto a = sign_message(S::ecdsa_secp384r1_sha384, Keys::p384(), message);
  auto b = sign_message(S::ecdsa_secp384r1_sha384, Keys::p384(), message);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*a)[0], 0x30);  // DER SEQUENCE (RFC 8446 §4.2.3: ECDSA-Sig-Value)
  EXPECT_NE(*a, *b);
  // Ed25519 (PureEdDSA) is deterministic.
  EXPECT_EQ(*sign_message(S::ed25519, Keys::ed25519(), message),
            *sign_message(S::ed25519, Keys::ed25519(), message));
}

// RFC 8446 §4.2.3: the PSS salt must be as long as the hash. A signature
// with another salt length is valid PSS but not a TLS 1.3 signature.
TEST(Signature, PssWithWrongSaltLengthIsRejected) {
  const Bytes message = certificate_verify_input();
  EVP_PKEY* key = Keys::rsa();
  ossl::EvpMdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  ASSERT_EQ(EVP_DigestSignInit(ctx.get(), &pctx, evp_md(HashAlg::sha256), nullptr, key), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 20), 1);
  size_t len = 0;
  ASSERT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()), 1);
  Bytes sig(len);
  ASSERT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()), 1);
  sig.resize(len);
  auto st = verify_message(S::rsa_pss_rsae_sha256, key, message, sig);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::decrypt_error);
}

TEST(Signature, SchemeKeyMismatchIsIllegalParameterOnVerify) {
  const Bytes message = certificate_verify_input();
  auto sig = sign_message(S::rsa_pss_rsae_sha256, Keys::rsa(), message);
  ASSERT_TRUE(sig.ok());
  for (auto [scheme, key] :
       {std::pair{S::rsa_pss_rsae_sha256, Keys::p256()},
        std::pair{S::rsa_pss_pss_sha256, Keys::rsa()}, std::pair{S::ed25519, Keys::rsa()},
        std::pair{S::rsa_pkcs1_sha1, Keys::rsa()}, std::pair{S::ed448, Keys::ed25519()},
        std::pair{S::rsa_pss_rsae_sha256, static_cast<EVP_PKEY*>(nullptr)}}) {
    auto st = verify_message(scheme, key, message, *sig);
    ASSERT_FALSE(st.ok()) << to_string(scheme);
    EXPECT_EQ(st.error().alert, Alert::illegal_parameter) << to_string(scheme);
  }
  // Signing with a scheme that does not fit our own key is a local bug.
  auto own = sign_message(S::ecdsa_secp256r1_sha256, Keys::rsa(), message);
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().alert, Alert::internal_error);
  EXPECT_FALSE(sign_message(S::rsa_pkcs1_sha1, Keys::rsa(), message).ok());
}

TEST(Signature, SchemeMatchesKeyMatrix) {
  struct Row {
    S scheme;
    EVP_PKEY* key;
    bool tls13, tls12;
  };
  const Row rows[] = {
      // ECDSA: TLS 1.3 binds the curve; TLS 1.2 only the hash.
      {S::ecdsa_secp256r1_sha256, Keys::p256(), true, true},
      {S::ecdsa_secp384r1_sha384, Keys::p256(), false, true},
      {S::ecdsa_secp521r1_sha512, Keys::p256(), false, true},
      {S::ecdsa_secp384r1_sha384, Keys::p384(), true, true},
      {S::ecdsa_secp256r1_sha256, Keys::p384(), false, true},
      {S::ecdsa_secp521r1_sha512, Keys::p521(), true, true},
      {S::ecdsa_secp256r1_sha256, Keys::rsa(), false, false},
      {S::ecdsa_secp256r1_sha256, Keys::ed25519(), false, false},
      // rsaEncryption keys take rsa_pss_rsae_*, RSASSA-PSS keys rsa_pss_pss_*.
      {S::rsa_pss_rsae_sha256, Keys::rsa(), true, true},
      {S::rsa_pss_rsae_sha512, Keys::rsa(), true, true},
      {S::rsa_pss_pss_sha256, Keys::rsa(), false, false},
      {S::rsa_pss_pss_sha256, Keys::rsa_pss(), true, true},
      {S::rsa_pss_pss_sha512, Keys::rsa_pss(), true, true},
      {S::rsa_pss_rsae_sha256, Keys::rsa_pss(), false, false},
      {S::rsa_pss_rsae_sha256, Keys::p256(), false, false},
      // PSS with SHA-512 and a 64-byte salt needs more than 1024 bits.
      {S::rsa_pss_rsae_sha256, Keys::rsa1024(), true, true},
      {S::rsa_pss_rsae_sha512, Keys::rsa1024(), false, false},
      // An RSASSA-PSS key restricted to SHA-256 takes no other hash.
      {S::rsa_pss_pss_sha256, Keys::rsa_pss_sha256(), true, true},
      {S::rsa_pss_pss_sha384, Keys::rsa_pss_sha256(), false, false},
      // PKCS#1 v1.5 never signs TLS 1.3 handshake messages.
      {S::rsa_pkcs1_sha256, Keys::rsa(), false, true},
      {S::rsa_pkcs1_sha512, Keys::rsa(), false, true},
      {S::rsa_pkcs1_sha256, Keys::rsa_pss(), false, false},
      {S::rsa_pkcs1_sha256, Keys::p256(), false, false},
      // SHA-1 and schemes vouch does not implement: never.
      {S::rsa_pkcs1_sha1, Keys::rsa(), false, false},
      {S::ecdsa_sha1, Keys::p256(), false, false},
      {S::ed448, Keys::ed25519(), false, false},
      {static_cast<S>(0xfefe), Keys::rsa(), false, false},
      {S::ed25519, Keys::ed25519(), true, true},
      {S::ed25519, Keys::p256(), false, false},
      {S::ed25519, nullptr, false, false},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(scheme_matches_key(r.scheme, r.key), r.tls13) << to_string(r.scheme) << " 1.3";
    EXPECT_EQ(scheme_matches_key(r.scheme, r.key, true), r.tls13) << to_string(r.scheme);
    EXPECT_EQ(scheme_matches_key(r.scheme, r.key, false), r.tls12) << to_string(r.scheme) << " 1.2";
  }
}

TEST(Signature, RestrictedPssKeySignsWithItsHash) {
  EVP_PKEY* key = Keys::rsa_pss_sha256();
  const Bytes message = certificate_verify_input();
  auto sig = sign_message(S::rsa_pss_pss_sha256, key, message);
  ASSERT_TRUE(sig.ok()) << sig.error().to_string();
  EXPECT_TRUE(verify_message(S::rsa_pss_pss_sha256, key, message, *sig).ok());
  auto other = verify_message(S::rsa_pss_pss_sha384, key, message, *sig);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().alert, Alert::illegal_parameter);
}

// PreparedSigner: the same signatures as sign_message, from prepared contexts.
TEST(PreparedSigner, EverySchemeSignsRepeatedlyAndVerifies) {
  const Bytes message = certificate_verify_input();
  for (S s : default_certificate_signature_schemes()) {
    PreparedSigner signer(key_for(s));
    // The first signature prepares the scheme's context; the next ones sign
    // on copies of it (RSA-PSS padding and salt length included: verify
    // insists on a salt as long as the digest, RFC 8446 §4.2.3).
    for (int i = 0; i < 3; ++i) {
      auto sig = signer.sign(s, message);
      ASSERT_TRUE(sig.ok()) << to_string(s) << ": " << sig.error().to_string();
      EXPECT_TRUE(verify_message(s, key_for(s), message, *sig).ok()) << to_string(s) << " #" << i;
      Bytes tampered = message;
      tampered[0] ^= 1;
      EXPECT_FALSE(verify_message(s, key_for(s), tampered, *sig).ok()) << to_string(s);
    }
  }
}

TEST(PreparedSigner, SeveralSchemesOfOneKeyKeepTheirOwnDigest) {
  // TLS 1.2 lets an ECDSA key sign with any of the ECDSA hashes (RFC 8422
  // §5.1.3): each scheme has its own prepared context.
  PreparedSigner signer(Keys::p256());
  const Bytes message = certificate_verify_input();
  for (int round = 0; round < 2; ++round) {
    for (S s : {S::ecdsa_secp256r1_sha256, S::ecdsa_secp384r1_sha384, S::ecdsa_secp521r1_sha512}) {
      auto sig = signer.sign(s, message);
      ASSERT_TRUE(sig.ok()) << to_string(s);
      EXPECT_TRUE(verify_message(s, Keys::p256(), message, *sig).ok()) << to_string(s);
      // A signature over the other hashes' digests does not verify.
      for (S other : {S::ecdsa_secp256r1_sha256, S::ecdsa_secp384r1_sha384}) {
        if (other != s) {
          EXPECT_FALSE(verify_message(other, Keys::p256(), message, *sig).ok());
        }
      }
    }
  }
}

TEST(PreparedSigner, RestrictedPssKeyAndEmptyMessages) {
  PreparedSigner pss(Keys::rsa_pss_sha256());
  for (int i = 0; i < 2; ++i) {
    auto sig = pss.sign(S::rsa_pss_pss_sha256, {});
    ASSERT_TRUE(sig.ok()) << sig.error().to_string();
    EXPECT_TRUE(verify_message(S::rsa_pss_pss_sha256, Keys::rsa_pss_sha256(), {}, *sig).ok());
  }
  EXPECT_FALSE(pss.sign(S::rsa_pss_pss_sha384, {}).ok());
}

TEST(PreparedSigner, SchemeThatDoesNotFitTheKeyIsAnInternalError) {
  PreparedSigner signer(Keys::p256());
  // The key is checked when a scheme's context is prepared: a prepared
  // ECDSA scheme does not let other schemes past the check.
  ASSERT_TRUE(signer.sign(S::ecdsa_secp256r1_sha256, text("x")).ok());
  for (S s : {S::rsa_pss_rsae_sha256, S::ed25519, S::rsa_pkcs1_sha1, static_cast<S>(0xfefe)}) {
    auto sig = signer.sign(s, text("x"));
    ASSERT_FALSE(sig.ok()) << to_string(s);
    EXPECT_EQ(sig.error().alert, Alert::internal_error) << to_string(s);
  }
  PreparedSigner none(nullptr);
  EXPECT_FALSE(none.sign(S::ecdsa_secp256r1_sha256, text("x")).ok());
}

TEST(PreparedSigner, ManyThreadsShareOneSigner) {
  // All threads start on an unprepared scheme at once (the race to prepare
  // it), then keep copying the winner's context.
  PreparedSigner signer(Keys::p256());
  const Bytes message = certificate_verify_input();
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto sig = signer.sign(S::ecdsa_secp256r1_sha256, message);
        const bool ok = sig.ok() && verify_message(S::ecdsa_secp256r1_sha256, Keys::p256(), message, *sig).ok();
        (ok ? good : bad)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 100);
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace vouch
