// The TLS 1.2 PRF (RFC 5246 §5) and the key derivation built on it: master
// secret (§8.1, RFC 7627 §4), key block (§6.3), Finished (§7.4.9), and the
// TLS 1.2 suite parameters. The PRF is checked against P_hash written out
// here from HMAC, and against libcrypto's EVP_KDF "TLS1-PRF".
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/hex.h"
#include "crypto/hash.h"
#include "crypto/prf.h"
#include "handshake/master_secret.h"

namespace vouch {
namespace {

using testing::hex;

// RFC 5246 §5, written out from the definition:
//   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
//                          HMAC_hash(secret, A(2) + seed) + ...
//   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
//   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
Bytes reference_prf(HashAlg alg, ByteView secret, std::string_view label, ByteView seed,
                    size_t length) {
  Bytes full_seed(label.begin(), label.end());
  full_seed.insert(full_seed.end(), seed.begin(), seed.end());
  Bytes out;
  Bytes a = full_seed;  // A(0)
  while (out.size() < length) {
    auto next_a = hmac(alg, secret, a);
    EXPECT_TRUE(next_a.ok());
    a = *next_a;  // A(i)
    auto block = hmac(alg, secret, a + full_seed);
    EXPECT_TRUE(block.ok());
    out.insert(out.end(), block->begin(), block->end());
  }
  out.resize(length);
  return out;
}

Bytes pattern(size_t n, uint8_t start) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(start + i * 13);
  return b;
}

Bytes prf_or_fail(HashAlg alg, ByteView secret, std::string_view label, ByteView seed,
                  size_t length) {
  auto r = tls12_prf(alg, secret, label, seed, length);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : Bytes{};
}

constexpr CipherSuite kTls12Suites[] = {
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
};

// ---- tls12_prf ----------------------------------------------------------

TEST(Tls12Prf, MatchesPHashFromHmac) {
  const Bytes secret = pattern(48, 0x11);
  const Bytes seed = pattern(64, 0x80);
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha384}) {
    for (size_t len : {size_t{1}, size_t{12}, size_t{48}, size_t{100}, size_t{200}}) {
      SCOPED_TRACE(std::to_string(hash_length(alg)) + "-byte hash, length " +
                   std::to_string(len));
      const Bytes got = prf_or_fail(alg, secret, "key expansion", seed, len);
      ASSERT_EQ(got.size(), len);
      EXPECT_EQ(got, reference_prf(alg, secret, "key expansion", seed, len));
    }
  }
}

TEST(Tls12Prf, MatchesPHashAcrossBlockBoundaries) {
  // Lengths just around multiples of the hash output, where P_hash starts
  // another HMAC block.
  const Bytes secret = pattern(20, 0x42);
  const Bytes seed = pattern(32, 0x07);
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha384}) {
    const size_t h = hash_length(alg);
    for (size_t len : {h - 1, h, h + 1, 2 * h, 2 * h + 1, 5 * h}) {
      SCOPED_TRACE(len);
      EXPECT_EQ(prf_or_fail(alg, secret, "label", seed, len),
                reference_prf(alg, secret, "label", seed, len));
    }
  }
}

// libcrypto's TLS1-PRF (EVP_KDF), the reference vouch's own P_hash must
// agree with.
Bytes libcrypto_prf(const char* digest, ByteView secret, std::string_view label, ByteView seed, size_t length) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_TLS1_PRF, nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  Bytes full_seed(label.begin(), label.end());
  full_seed.insert(full_seed.end(), seed.begin(), seed.end());
  static uint8_t kNothing = 0;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
                                        secret.empty() ? &kNothing : const_cast<uint8_t*>(secret.data()), secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, full_seed.empty() ? &kNothing : full_seed.data(),
                                        full_seed.size()),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(length);
  EXPECT_EQ(EVP_KDF_derive(ctx, out.data(), out.size(), params), 1);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return out;
}

TEST(Tls12Prf, MatchesLibcryptoTls1Prf) {
  const struct {
    HashAlg alg;
    const char* name;
  } hashes[] = {{HashAlg::sha256, "SHA256"}, {HashAlg::sha384, "SHA384"}};
  for (const auto& h : hashes) {
    for (size_t secret_len : {0, 1, 48, 200}) {
      for (size_t len : {1, 12, 32, 48, 49, 104, 300}) {
        Bytes secret(secret_len), seed(64);
        for (size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<uint8_t>(i * 7 + 1);
        for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(i * 13 + 5);
        auto got = tls12_prf(h.alg, secret, "key expansion", seed, len);
        ASSERT_TRUE(got.ok());
        EXPECT_EQ(*got, libcrypto_prf(h.name, secret, "key expansion", seed, len))
            << h.name << " " << secret_len << " " << len;
      }
    }
  }
}

TEST(Tls12Prf, ShortOutputIsPrefixOfLongerOutput) {
  // §5: "P_hash can be iterated as many times as necessary"; truncating to
  // fewer bytes must give the same leading bytes.
  const Bytes secret = pattern(48, 1), seed = pattern(64, 2);
  const Bytes long_out = prf_or_fail(HashAlg::sha256, secret, "x", seed, 200);
  const Bytes short_out = prf_or_fail(HashAlg::sha256, secret, "x", seed, 12);
  EXPECT_EQ(short_out, Bytes(long_out.begin(), long_out.begin() + 12));
}

TEST(Tls12Prf, HashLabelSecretAndSeedAllMatter) {
  const Bytes secret = pattern(48, 1), seed = pattern(64, 2);
  const Bytes base = prf_or_fail(HashAlg::sha256, secret, "master secret", seed, 48);
  EXPECT_NE(base, prf_or_fail(HashAlg::sha384, secret, "master secret", seed, 48));
  EXPECT_NE(base, prf_or_fail(HashAlg::sha256, secret, "master secreT", seed, 48));
  Bytes other_secret = secret;
  other_secret[47] ^= 1;
  EXPECT_NE(base, prf_or_fail(HashAlg::sha256, other_secret, "master secret", seed, 48));
  Bytes other_seed = seed;
  other_seed[0] ^= 1;
  EXPECT_NE(base, prf_or_fail(HashAlg::sha256, secret, "master secret", other_seed, 48));
}

TEST(Tls12Prf, LabelIsConcatenatedWithSeed) {
  // §5: the PRF sees only label + seed, so moving bytes between the two does
  // not change the output (there is no length prefix or separator).
  const Bytes secret = pattern(32, 9);
  const Bytes a = prf_or_fail(HashAlg::sha256, secret, "client finished", pattern(32, 3), 12);
  Bytes moved = hex("66696e6973686564");  // "finished"
  const Bytes rest = pattern(32, 3);
  moved.insert(moved.end(), rest.begin(), rest.end());
  EXPECT_EQ(a, prf_or_fail(HashAlg::sha256, secret, "client ", moved, 12));
  // And an empty label is just P_hash(secret, seed).
  EXPECT_EQ(prf_or_fail(HashAlg::sha256, secret, "", moved, 50),
            reference_prf(HashAlg::sha256, secret, "", moved, 50));
}

TEST(Tls12Prf, EmptySecretAndSeed) {
  // HMAC is defined for an empty key (RFC 2104 zero-pads it); the PRF then
  // still follows §5.
  EXPECT_EQ(prf_or_fail(HashAlg::sha256, {}, "label", {}, 40),
            reference_prf(HashAlg::sha256, {}, "label", {}, 40));
}

// The TLS 1.2 PRF SHA-256 test vector published on the IETF TLS list
// (secret, seed and label "test label", 100 bytes of output).
TEST(Tls12Prf, PublishedSha256Vector) {
  const Bytes secret = hex("9bbe436ba940f017b17652849a71db35");
  const Bytes seed = hex("a0ba9f936cda311827a6f796ffd5198c");
  const Bytes expected = hex(
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
      "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
      "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
      "87347b66");
  ASSERT_EQ(expected.size(), 100u);
  EXPECT_EQ(prf_or_fail(HashAlg::sha256, secret, "test label", seed, 100), expected);
  // The reference computation agrees, so the test's P_hash is right too.
  EXPECT_EQ(reference_prf(HashAlg::sha256, secret, "test label", seed, 100), expected);
}

TEST(Tls12Prf, ZeroLengthIsInternalError) {
  auto r = tls12_prf(HashAlg::sha256, pattern(48, 0), "label", pattern(32, 0), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::internal_error);
}

TEST(Tls12Prf, OverlongSeedIsInternalError) {
  // libcrypto's TLS1-PRF takes at most 1024 bytes of label + seed.
  const std::string label = "label";
  EXPECT_TRUE(tls12_prf(HashAlg::sha256, pattern(48, 0), label, Bytes(1024 - label.size(), 7), 12)
                  .ok());
  auto r = tls12_prf(HashAlg::sha256, pattern(48, 0), label, Bytes(1024 - label.size() + 1, 7), 12);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::internal_error);
}

// ---- tls12_suite_params -------------------------------------------------

TEST(Tls12SuiteParams, AllSixSuites) {
  struct Want {
    CipherSuite suite;
    HashAlg prf;
    AeadAlg aead;
    size_t key, iv;
    bool ecdsa;
  };
  // RFC 5289 §3.2 (PRF hash), RFC 5288 §3 (4-byte salt), RFC 7905 §2
  // (12-byte IV, SHA-256 PRF).
  const Want wants[] = {
      {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, HashAlg::sha256, AeadAlg::aes128gcm,
       16, 4, true},
      {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, HashAlg::sha256, AeadAlg::aes128gcm, 16,
       4, false},
      {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, HashAlg::sha384, AeadAlg::aes256gcm,
       32, 4, true},
      {CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, HashAlg::sha384, AeadAlg::aes256gcm, 32,
       4, false},
      {CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, HashAlg::sha256,
       AeadAlg::chacha20poly1305, 32, 12, true},
      {CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, HashAlg::sha256,
       AeadAlg::chacha20poly1305, 32, 12, false},
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(to_string(w.suite));
    Suite12 p;
    p.key_length = 999;  // overwritten
    ASSERT_TRUE(tls12_suite_params(w.suite, p));
    EXPECT_EQ(p.prf_hash, w.prf);
    EXPECT_EQ(p.aead, w.aead);
    EXPECT_EQ(p.key_length, w.key);
    EXPECT_EQ(p.key_length, aead_key_length(p.aead));
    EXPECT_EQ(p.iv_length, w.iv);
    EXPECT_EQ(p.ecdsa, w.ecdsa);
    EXPECT_TRUE(is_tls12_suite(w.suite));
  }
}

TEST(Tls12SuiteParams, RejectsEverythingElse) {
  const CipherSuite others[] = {
      CipherSuite::TLS_AES_128_GCM_SHA256,
      CipherSuite::TLS_AES_256_GCM_SHA384,
      CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
      CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
      static_cast<CipherSuite>(0x009C),  // TLS_RSA_WITH_AES_128_GCM_SHA256 (static RSA)
      static_cast<CipherSuite>(0xC027),  // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 (CBC)
      static_cast<CipherSuite>(0xCCAA),  // TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256
      static_cast<CipherSuite>(0x0000),
      static_cast<CipherSuite>(0xFFFF),
  };
  for (CipherSuite s : others) {
    SCOPED_TRACE(to_string(s));
    Suite12 p;
    EXPECT_FALSE(tls12_suite_params(s, p));
  }
}

// ---- master secret --------------------------------------------------------

const Bytes kPreMaster = pattern(32, 0xa5);  // an ECDHE shared secret is the x coordinate
const Bytes kClientRandom = pattern(32, 0x10);
const Bytes kServerRandom = pattern(32, 0x90);

TEST(MasterSecret, IsPrfOfRandoms) {
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha384}) {
    auto ms = master_secret(alg, kPreMaster, kClientRandom, kServerRandom);
    ASSERT_TRUE(ms.ok()) << ms.error().to_string();
    ASSERT_EQ(ms->size(), kMasterSecretLength);
    // RFC 5246 §8.1: ClientHello.random + ServerHello.random.
    EXPECT_EQ(*ms, reference_prf(alg, kPreMaster, "master secret", kClientRandom + kServerRandom,
                                 48));
    // The order of the randoms matters.
    auto swapped = master_secret(alg, kPreMaster, kServerRandom, kClientRandom);
    ASSERT_TRUE(swapped.ok());
    EXPECT_NE(*ms, *swapped);
  }
}

TEST(MasterSecret, ExtendedIsPrfOfSessionHash) {
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha384}) {
    const Bytes session_hash = pattern(hash_length(alg), 0x33);
    auto ems = extended_master_secret(alg, kPreMaster, session_hash);
    ASSERT_TRUE(ems.ok()) << ems.error().to_string();
    ASSERT_EQ(ems->size(), kMasterSecretLength);
    // RFC 7627 §4.
    EXPECT_EQ(*ems, reference_prf(alg, kPreMaster, "extended master secret", session_hash, 48));
  }
}

TEST(MasterSecret, ExtendedDiffersFromClassic) {
  // Even when the session hash happens to be the same bytes as the randoms'
  // concatenation, the labels differ (RFC 7627 §4).
  const Bytes seed = kClientRandom + kServerRandom;
  const Bytes session_hash(seed.begin(), seed.begin() + 32);
  auto ms = master_secret(HashAlg::sha256, kPreMaster, kClientRandom, kServerRandom);
  auto ems = extended_master_secret(HashAlg::sha256, kPreMaster, session_hash);
  ASSERT_TRUE(ms.ok());
  ASSERT_TRUE(ems.ok());
  EXPECT_NE(*ms, *ems);
}

TEST(MasterSecret, BadInputLengthsAreInternalError) {
  const Bytes short_random(31, 1), long_random(33, 1);
  for (const Bytes* bad : {&short_random, &long_random}) {
    auto a = master_secret(HashAlg::sha256, kPreMaster, *bad, kServerRandom);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().alert, Alert::internal_error);
    auto b = master_secret(HashAlg::sha256, kPreMaster, kClientRandom, *bad);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().alert, Alert::internal_error);
  }
  // A SHA-256 session hash with the SHA-384 PRF: the caller mixed hashes.
  auto e = extended_master_secret(HashAlg::sha384, kPreMaster, pattern(32, 0));
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().alert, Alert::internal_error);
}

// ---- key block ------------------------------------------------------------

TEST(KeyBlock12, LengthsPerSuiteAndSplitOfOnePrfOutput) {
  const Bytes master = pattern(48, 0x5c);
  for (CipherSuite s : kTls12Suites) {
    SCOPED_TRACE(to_string(s));
    Suite12 p;
    ASSERT_TRUE(tls12_suite_params(s, p));
    auto kb = key_block12(s, master, kClientRandom, kServerRandom);
    ASSERT_TRUE(kb.ok()) << kb.error().to_string();
    EXPECT_EQ(kb->client_write_key.size(), p.key_length);
    EXPECT_EQ(kb->server_write_key.size(), p.key_length);
    EXPECT_EQ(kb->client_write_iv.size(), p.iv_length);
    EXPECT_EQ(kb->server_write_iv.size(), p.iv_length);

    // RFC 5246 §6.3: one PRF output over server_random + client_random,
    // cut as client key, server key, client IV, server IV (no MAC keys for
    // AEAD suites).
    const size_t total = 2 * p.key_length + 2 * p.iv_length;
    const Bytes block =
        reference_prf(p.prf_hash, master, "key expansion", kServerRandom + kClientRandom, total);
    const Bytes joined = kb->client_write_key + kb->server_write_key + kb->client_write_iv +
                         kb->server_write_iv;
    EXPECT_EQ(joined, block);
  }
}

TEST(KeyBlock12, SameLengthSuitesShareKeysOnlyWithTheSamePrf) {
  // ECDSA and RSA variants of one AEAD derive the same key block (the
  // authentication does not enter §6.3); AES-128 vs ChaCha (both SHA-256)
  // share a prefix of the same PRF stream.
  const Bytes master = pattern(48, 0x21);
  auto a = key_block12(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, master,
                       kClientRandom, kServerRandom);
  auto b = key_block12(CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, master, kClientRandom,
                       kServerRandom);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->client_write_key, b->client_write_key);
  EXPECT_EQ(a->server_write_iv, b->server_write_iv);
  auto c = key_block12(CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, master,
                       kClientRandom, kServerRandom);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->client_write_key, c->client_write_key);  // SHA-384 vs SHA-256 PRF
  EXPECT_NE(c->client_write_key, c->server_write_key);
  EXPECT_NE(c->client_write_iv, c->server_write_iv);
}

// A KeyBlock12 moves (the handshake keeps one, and replaces it with an
// empty one after installing the keys); assigning over one takes the new
// keys whole.
TEST(KeyBlock12, MoveAssignmentReplacesTheKeys) {
  auto a = key_block12(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, pattern(48, 1), kClientRandom,
                       kServerRandom);
  auto b = key_block12(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, pattern(48, 2), kClientRandom,
                       kServerRandom);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  const Bytes b_key = b->client_write_key;
  const Bytes b_iv = b->server_write_iv;
  KeyBlock12 kept = std::move(a).value();
  kept = std::move(b).value();
  EXPECT_EQ(kept.client_write_key, b_key);
  EXPECT_EQ(kept.server_write_iv, b_iv);
  kept = KeyBlock12{};
  EXPECT_TRUE(kept.client_write_key.empty());
  EXPECT_TRUE(kept.server_write_iv.empty());
}

TEST(KeyBlock12, RandomOrderMatters) {
  const Bytes master = pattern(48, 0x5c);
  auto kb = key_block12(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, master, kClientRandom,
                        kServerRandom);
  auto swapped = key_block12(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, master,
                             kServerRandom, kClientRandom);
  ASSERT_TRUE(kb.ok());
  ASSERT_TRUE(swapped.ok());
  EXPECT_NE(kb->client_write_key, swapped->client_write_key);
}

TEST(KeyBlock12, BadInputsAreInternalError) {
  const Bytes master = pattern(48, 0x5c);
  const CipherSuite good = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
  std::vector<Result<KeyBlock12>> results;
  results.push_back(key_block12(CipherSuite::TLS_AES_128_GCM_SHA256, master, kClientRandom,
                                kServerRandom));
  results.push_back(key_block12(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV, master,
                                kClientRandom, kServerRandom));
  results.push_back(key_block12(good, pattern(47, 0), kClientRandom, kServerRandom));
  results.push_back(key_block12(good, master, pattern(31, 0), kServerRandom));
  results.push_back(key_block12(good, master, kClientRandom, pattern(33, 0)));
  for (size_t i = 0; i < results.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_FALSE(results[i].ok());
    EXPECT_EQ(results[i].error().alert, Alert::internal_error);
  }
}

// ---- Finished -------------------------------------------------------------

TEST(FinishedVerifyData12, TwelveBytesAndLabelsDiffer) {
  const Bytes master = pattern(48, 0x77);
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha384}) {
    SCOPED_TRACE(hash_length(alg));
    const Bytes transcript = pattern(hash_length(alg), 0x3c);
    auto c = finished_verify_data12(alg, master, true, transcript);
    auto s = finished_verify_data12(alg, master, false, transcript);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(c->size(), 12u);
    EXPECT_EQ(s->size(), 12u);
    EXPECT_NE(*c, *s);
    // RFC 5246 §7.4.9.
    EXPECT_EQ(*c, reference_prf(alg, master, "client finished", transcript, 12));
    EXPECT_EQ(*s, reference_prf(alg, master, "server finished", transcript, 12));
  }
}

TEST(FinishedVerifyData12, TranscriptChangesVerifyData) {
  const Bytes master = pattern(48, 0x77);
  Bytes transcript = pattern(32, 0x3c);
  auto a = finished_verify_data12(HashAlg::sha256, master, true, transcript);
  transcript[31] ^= 0x80;
  auto b = finished_verify_data12(HashAlg::sha256, master, true, transcript);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
}

TEST(FinishedVerifyData12, BadInputLengthsAreInternalError) {
  // Transcript hashed with a different hash than the PRF's.
  auto a = finished_verify_data12(HashAlg::sha256, pattern(48, 1), true, pattern(48, 2));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().alert, Alert::internal_error);
  auto b = finished_verify_data12(HashAlg::sha384, pattern(48, 1), false, pattern(32, 2));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().alert, Alert::internal_error);
  // Not a master secret.
  auto c = finished_verify_data12(HashAlg::sha256, pattern(32, 1), true, pattern(32, 2));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().alert, Alert::internal_error);
}

TEST(Tls12Prf, LeavesNoKeyInTheThreadsHmacContext) {
  // The PRF keys the thread's HMAC context with its secret: wiped when the
  // PRF returns, unless a caller's scope (a connection call) is open, which
  // then wipes it when it ends.
  const Bytes secret = pattern(48, 0x42);
  ASSERT_TRUE(tls12_prf(HashAlg::sha256, secret, "key expansion", pattern(64, 1), 40).ok());
  EXPECT_FALSE(hmac_wipe_pending());
  Bytes inside;
  {
    const HmacWipeScope caller;
    auto r = tls12_prf(HashAlg::sha256, secret, "key expansion", pattern(64, 1), 40);
    ASSERT_TRUE(r.ok());
    inside = *r;
    EXPECT_TRUE(hmac_wipe_pending());
  }
  EXPECT_FALSE(hmac_wipe_pending());
  // The same output either way, and after another key used the context.
  ASSERT_TRUE(tls12_prf(HashAlg::sha256, pattern(32, 9), "other", pattern(8, 2), 12).ok());
  auto again = tls12_prf(HashAlg::sha256, secret, "key expansion", pattern(64, 1), 40);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, inside);
}

}  // namespace
}  // namespace vouch
