// Hashes, HMAC, HKDF and the transcript (RFC 8446 §4.4.1, §7.1; RFC 5869).
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>
#include <string_view>
#include <thread>

#include "support/hex.h"
#include "crypto/hash.h"
#include "crypto/hkdf.h"

namespace vouch {
namespace {

using testing::hex;
using testing::concat;

ByteView text(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(Hash, Lengths) {
  EXPECT_EQ(hash_length(HashAlg::sha256), 32u);
  EXPECT_EQ(hash_length(HashAlg::sha384), 48u);
  EXPECT_EQ(hash_length(HashAlg::sha512), 64u);
  for (HashAlg a : {HashAlg::sha256, HashAlg::sha384, HashAlg::sha512}) {
    ASSERT_NE(evp_md(a), nullptr);
    EXPECT_EQ(static_cast<size_t>(EVP_MD_get_size(evp_md(a))), hash_length(a));
    EXPECT_EQ(evp_md(a), evp_md(a));  // fetched once, the same object every time
  }
}

// FIPS 180-2 appendix examples: the message "abc".
TEST(Hash, DigestKnownAnswers) {
  EXPECT_EQ(*digest(HashAlg::sha256, text("abc")),
            hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(*digest(HashAlg::sha384, text("abc")),
            hex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a"
                "43ff5bed8086072ba1e7cc2358baeca134c825a7"));
  EXPECT_EQ(*digest(HashAlg::sha512, text("abc")),
            hex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"));
  // SHA-256 of the empty string, which RFC 8448 shows as the "derived" context.
  EXPECT_EQ(*digest(HashAlg::sha256, {}),
            hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

// RFC 4231 §4.3, test case 2.
TEST(Hmac, Rfc4231TestCase2) {
  const auto key = text("Jefe");
  const auto data = text("what do ya want for nothing?");
  EXPECT_EQ(*hmac(HashAlg::sha256, key, data),
            hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  EXPECT_EQ(*hmac(HashAlg::sha384, key, data),
            hex("af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec373"
                "6322445e8e2240ca5e69e2c78b3239ecfab21649"));
  EXPECT_EQ(*hmac(HashAlg::sha512, key, data),
            hex("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"));
}

TEST(Hmac, EmptyKeyEqualsZeroKey) {
  // RFC 2104 pads the key with zeros to the block size.
  const Bytes zeros(32, 0);
  auto a = hmac(HashAlg::sha256, {}, text("msg"));
  auto b = hmac(HashAlg::sha256, zeros, text("msg"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *hmac(HashAlg::sha256, text("x"), text("msg")));
}

// RFC 5869 appendix A, test cases 1 to 3 (SHA-256).
TEST(Hkdf, Rfc5869Vectors) {
  struct Case {
    const char *ikm, *salt, *info;
    size_t length;
    const char *prk, *okm;
  };
  const Case cases[] = {
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
       "f0f1f2f3f4f5f6f7f8f9", 42,
       "077709362c2e32df0ddc3f0dc47bba63 90b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a 2d2d0a90cf1a5a4c5db02d56ecc4c5bf 34007208d5b887185865"},
      {"000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f"
       "202122232425262728292a2b2c2d2e2f 303132333435363738393a3b3c3d3e3f"
       "404142434445464748494a4b4c4d4e4f",
       "606162636465666768696a6b6c6d6e6f 707172737475767778797a7b7c7d7e7f"
       "808182838485868788898a8b8c8d8e8f 909192939495969798999a9b9c9d9e9f"
       "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
       "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
       "d0d1d2d3d4d5d6d7d8d9dadbdcdddedf e0e1e2e3e4e5e6e7e8e9eaebecedeeef"
       "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
       82, "06a6b88c5853361a06104c9ceb35b45c ef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a4934 4f012eda2d4efad8a050cc4c19afa97c"
       "59045a99cac7827271cb41c65e590e09 da3275600c2f09b8367793a9aca3db71"
       "cc30c58179ec3e87c14c01d5c1f3434f 1d87"},
      {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "", 42,
       "19ef24a32c717b167f33a91d6f648bdf 96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31 b8a11f5c5ee1879ec3454e5f3c738d2d 9d201395faa4b61a96c8"},
  };
  for (const auto& c : cases) {
    auto prk = hkdf_extract(HashAlg::sha256, hex(c.salt), hex(c.ikm));
    ASSERT_TRUE(prk.ok()) << prk.error().to_string();
    EXPECT_EQ(*prk, hex(c.prk));
    auto okm = hkdf_expand(HashAlg::sha256, *prk, hex(c.info), c.length);
    ASSERT_TRUE(okm.ok()) << okm.error().to_string();
    EXPECT_EQ(*okm, hex(c.okm));
  }
}

TEST(Hkdf, ExtractIsHmacOfSaltAndIkm) {
  // RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM), including an empty IKM.
  const Bytes salt = hex("0102030405");
  for (HashAlg a : {HashAlg::sha256, HashAlg::sha384}) {
    for (const Bytes& ikm : {Bytes{}, hex("aabbcc")}) {
      auto prk = hkdf_extract(a, salt, ikm);
      ASSERT_TRUE(prk.ok()) << prk.error().to_string();
      EXPECT_EQ(*prk, *hmac(a, salt, ikm));
    }
  }
}

const char* digest_name(HashAlg alg) {
  return alg == HashAlg::sha256 ? "SHA256" : alg == HashAlg::sha384 ? "SHA384" : "SHA512";
}

// libcrypto's own HMAC (EVP_Q_mac), the reference for hmac_into.
Bytes reference_hmac(HashAlg alg, ByteView key, ByteView data) {
  Bytes out(hash_length(alg));
  size_t len = 0;
  static const uint8_t kZero = 0;
  EXPECT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, digest_name(alg), nullptr, key.empty() ? &kZero : key.data(),
                      key.size(), data.data(), data.size(), out.data(), out.size(), &len),
            nullptr);
  return out;
}

// libcrypto's EVP_KDF "HKDF" in one mode, the reference for hkdf_extract /
// hkdf_expand (which compute HKDF from HMAC themselves).
Bytes reference_hkdf(HashAlg alg, int mode, ByteView key, ByteView salt_or_info, size_t length) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  static uint8_t kNothing = 0;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest_name(alg)), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.empty() ? &kNothing : const_cast<uint8_t*>(key.data()),
                                        key.size()),
      OSSL_PARAM_construct_octet_string(
          mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY ? OSSL_KDF_PARAM_SALT : OSSL_KDF_PARAM_INFO,
          salt_or_info.empty() ? &kNothing : const_cast<uint8_t*>(salt_or_info.data()), salt_or_info.size()),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(length);
  EXPECT_EQ(EVP_KDF_derive(ctx, out.data(), out.size(), params), 1);
  EVP_KDF_CTX_free(ctx);
  EVP_KDF_free(kdf);
  return out;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + 31 * i);
  return b;
}

TEST(Hmac, MatchesLibcryptoForEveryHashAndKeyLength) {
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha384, HashAlg::sha512}) {
    // Keys shorter than, equal to and longer than the block (64/128 bytes):
    // a long key is hashed first (RFC 2104 §2).
    for (size_t key_len : {0, 1, 32, 64, 65, 128, 129, 300}) {
      const Bytes key = pattern(key_len, 7);
      const Bytes data = pattern(key_len * 3 + 1, 9);
      auto got = hmac(alg, key, data);
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(*got, reference_hmac(alg, key, data)) << key_len;
    }
  }
}

TEST(Hmac, PartsAreConcatenatedAndTheOutputSizeIsChecked) {
  const Bytes key = pattern(32, 1);
  Bytes out(32);
  ASSERT_TRUE(hmac_into(HashAlg::sha256, key, {text("ab"), ByteView(), text("cd")}, out));
  EXPECT_EQ(out, reference_hmac(HashAlg::sha256, key, text("abcd")));
  Bytes wrong(31);
  auto s = hmac_into(HashAlg::sha256, key, {text("abcd")}, wrong);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().alert, Alert::internal_error);
}

// Inside an HmacWipeScope the last key stays in the thread's context until
// the outermost scope closes; outside any scope it is wiped at once. Every
// HMAC re-keys, so deferring the wipe never changes a result.
TEST(Hmac, WipeScopeDefersTheWipeToTheOutermostScope) {
  const Bytes key1 = pattern(32, 1), key2 = pattern(48, 2);
  Bytes out(32);
  ASSERT_TRUE(hmac_into(HashAlg::sha256, key1, {text("x")}, out));
  EXPECT_FALSE(hmac_wipe_pending());
  {
    const HmacWipeScope outer;
    ASSERT_TRUE(hmac_into(HashAlg::sha256, key1, {text("x")}, out));
    EXPECT_EQ(out, reference_hmac(HashAlg::sha256, key1, text("x")));
    EXPECT_TRUE(hmac_wipe_pending());
    {
      const HmacWipeScope inner;
      Bytes out384(48);
      ASSERT_TRUE(hmac_into(HashAlg::sha384, key2, {text("y")}, out384));
      EXPECT_EQ(out384, reference_hmac(HashAlg::sha384, key2, text("y")));
    }
    EXPECT_TRUE(hmac_wipe_pending()) << "an inner scope must not wipe for the outer one";
    ASSERT_TRUE(hmac_into(HashAlg::sha256, key2, {text("z")}, out));
    EXPECT_EQ(out, reference_hmac(HashAlg::sha256, key2, text("z")));
  }
  EXPECT_FALSE(hmac_wipe_pending());
  // The wiped contexts still compute correct HMACs afterwards.
  ASSERT_TRUE(hmac_into(HashAlg::sha256, key1, {text("x")}, out));
  EXPECT_EQ(out, reference_hmac(HashAlg::sha256, key1, text("x")));
}

// Inside a scope, an HMAC under the key the context already holds restarts
// from the keyed state; any other key re-keys. Keys that alternate, repeat,
// differ only in length or in their last byte all give libcrypto's answer.
TEST(Hmac, RepeatedKeysInsideAScopeGiveTheSameResults) {
  Bytes a = pattern(32, 7), b = a, longer = pattern(33, 7), big = pattern(100, 3);
  b.back() ^= 1;
  const Bytes empty;
  const HmacWipeScope scope;
  const std::vector<const Bytes*> keys = {&a, &a, &b, &a, &longer, &a, &empty, &empty, &big, &big, &a};
  for (const Bytes* key : keys) {
    for (const char* data : {"one", "two"}) {
      Bytes out(32);
      ASSERT_TRUE(hmac_into(HashAlg::sha256, *key, {text(data)}, out));
      EXPECT_EQ(out, reference_hmac(HashAlg::sha256, *key, text(data))) << key->size() << " " << data;
    }
  }
}

// Each thread keeps its own keyed contexts: threads computing different
// HMACs at once get each their own right answer.
TEST(Hmac, ThreadsDoNotShareContexts) {
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      const Bytes key = pattern(16 + static_cast<size_t>(t), static_cast<uint8_t>(t));
      const Bytes expect = reference_hmac(HashAlg::sha384, key, text("data"));
      for (int i = 0; i < 500; ++i) {
        auto got = hmac(HashAlg::sha384, key, text("data"));
        if (!got.ok() || *got != expect) ++wrong[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(Hkdf, MatchesLibcryptoKdf) {
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha384, HashAlg::sha512}) {
    const size_t hl = hash_length(alg);
    for (size_t salt_len : {0, 13, 64, 200}) {
      const Bytes salt = pattern(salt_len, 3);
      const Bytes ikm = pattern(40, 5);
      auto prk = hkdf_extract(alg, salt, ikm);
      ASSERT_TRUE(prk.ok());
      // An empty salt is HashLen zeros (RFC 5869 §2.2), which is what
      // libcrypto's HKDF does with no salt too.
      EXPECT_EQ(*prk, reference_hkdf(alg, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, hl)) << salt_len;
    }
    const Bytes prk = pattern(hl, 11);
    // Lengths within one block, at block boundaries and across several.
    for (size_t len : {size_t{1}, hl - 1, hl, hl + 1, 2 * hl, 3 * hl + 5, 255 * hl}) {
      for (size_t info_len : {0, 1, 80}) {
        const Bytes info = pattern(info_len, 17);
        auto okm = hkdf_expand(alg, prk, info, len);
        ASSERT_TRUE(okm.ok());
        EXPECT_EQ(*okm, reference_hkdf(alg, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, info, len))
            << len << " " << info_len;
      }
    }
  }
}

TEST(Hkdf, ExpandLimits) {
  const Bytes prk(32, 0x11);
  EXPECT_EQ(hkdf_expand(HashAlg::sha256, prk, {}, 255 * 32)->size(), 255u * 32);
  auto too_long = hkdf_expand(HashAlg::sha256, prk, {}, 255 * 32 + 1);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().alert, Alert::internal_error);
  EXPECT_FALSE(hkdf_expand(HashAlg::sha256, Bytes(31, 1), {}, 32).ok());  // PRK too short
  EXPECT_TRUE(hkdf_expand(HashAlg::sha256, prk, {}, 0)->empty());
}

// RFC 8446 §7.1 HkdfLabel, checked against the "info" RFC 8448 §3 prints for
// "tls13 derived" and for the handshake traffic key.
TEST(Hkdf, ExpandLabelEncoding) {
  const Bytes early =
      hex("33 ad 0a 1c 60 7e c0 3b 09 e6 cd 98 93 68 0c e2 10 ad f3 00 aa 1f 26 60 e1 b2 2e 10 f1 "
          "70 f9 2a");
  const Bytes empty_hash = *digest(HashAlg::sha256, {});
  const Bytes info = hex(
      "00 20 0d 74 6c 73 31 33 20 64 65 72 69 76 65 64 20 e3 b0 c4 42 98 fc 1c 14 9a fb f4 c8 99"
      "6f b9 24 27 ae 41 e4 64 9b 93 4c a4 95 99 1b 78 52 b8 55");
  auto by_label = hkdf_expand_label(HashAlg::sha256, early, "derived", empty_hash, 32);
  ASSERT_TRUE(by_label.ok());
  EXPECT_EQ(*by_label, *hkdf_expand(HashAlg::sha256, early, info, 32));
  EXPECT_EQ(*by_label, hex("6f 26 15 a1 08 c7 02 c5 67 8f 54 fc 9d ba b6 97 16 c0 76 18 9c 48 25"
                           "0c eb ea c3 57 6c 36 11 ba"));
  EXPECT_EQ(*derive_secret(HashAlg::sha256, early, "derived", empty_hash), *by_label);

  const Bytes key_info = hex("00 10 09 74 6c 73 31 33 20 6b 65 79 00");
  EXPECT_EQ(*hkdf_expand_label(HashAlg::sha256, early, "key", {}, 16),
            *hkdf_expand(HashAlg::sha256, early, key_info, 16));
}

TEST(Hkdf, ExpandLabelRejectsOversizedFields) {
  const Bytes secret(32, 7);
  const std::string label(250, 'x');  // "tls13 " + 250 > 255
  EXPECT_FALSE(hkdf_expand_label(HashAlg::sha256, secret, label, {}, 32).ok());
  EXPECT_TRUE(hkdf_expand_label(HashAlg::sha256, secret, std::string(249, 'x'), {}, 32).ok());
  EXPECT_FALSE(hkdf_expand_label(HashAlg::sha256, secret, "key", Bytes(256, 0), 32).ok());
  EXPECT_TRUE(hkdf_expand_label(HashAlg::sha256, secret, "key", Bytes(255, 0), 32).ok());
  EXPECT_FALSE(hkdf_expand_label(HashAlg::sha256, secret, "key", {}, 0x10000).ok());
  // Derive-Secret takes a transcript hash of exactly Hash.length bytes.
  EXPECT_FALSE(derive_secret(HashAlg::sha256, secret, "derived", Bytes(48, 0)).ok());
}

// The _into forms write what the Bytes forms return, for every length up to
// a few hash blocks, and wipe their output when they refuse.
TEST(Hkdf, IntoFormsMatchTheAllocatingOnes) {
  const Bytes secret = hex("33ad0a1c607ec03b09e6cd9893680ce210adf300aa1f2660e1b22e10f170f92a");
  const Bytes context = hex("e05f64fcd082bdb0dce473adf669c2769f257a1c75a51b7887468b5e0e7a7de4");
  for (HashAlg alg : {HashAlg::sha256, HashAlg::sha384}) {
    for (size_t len : {0, 1, 12, 16, 31, 32, 33, 48, 64, 65, 100}) {
      Bytes into(len, 0xee);
      ASSERT_TRUE(hkdf_expand_into(alg, secret.size() >= hash_length(alg) ? secret : Bytes(48, 5), context, into).ok());
      EXPECT_EQ(into, *hkdf_expand(alg, secret.size() >= hash_length(alg) ? secret : Bytes(48, 5), context, len))
          << len;
      Bytes label_into(len, 0xee);
      ASSERT_TRUE(hkdf_expand_label_into(alg, Bytes(48, 9), "key", context, label_into).ok());
      EXPECT_EQ(label_into, *hkdf_expand_label(alg, Bytes(48, 9), "key", context, len)) << len;
    }
  }
  Bytes out(32, 0xee);
  EXPECT_FALSE(hkdf_expand_into(HashAlg::sha256, Bytes(31, 1), {}, out).ok());  // PRK too short
  EXPECT_EQ(out, Bytes(32, 0));
  out.assign(32, 0xee);
  EXPECT_FALSE(hkdf_expand_label_into(HashAlg::sha256, secret, std::string(250, 'x'), {}, out).ok());
  EXPECT_EQ(out, Bytes(32, 0));
  Bytes too_long(255 * 32 + 1);
  EXPECT_FALSE(hkdf_expand_into(HashAlg::sha256, secret, {}, too_long).ok());
}

TEST(Transcript, SelectAfterBufferedMessagesEqualsDirectHashing) {
  const Bytes m1 = hex("01 00 00 02 aa bb");
  const Bytes m2 = hex("02 00 00 01 cc");
  const Bytes m3 = hex("08 00 00 00");
  for (HashAlg a : {HashAlg::sha256, HashAlg::sha384, HashAlg::sha512}) {
    Transcript t;
    EXPECT_FALSE(t.selected());
    ASSERT_TRUE(t.update(m1).ok());
    ASSERT_TRUE(t.update(m2).ok());
    ASSERT_TRUE(t.select(a).ok());
    EXPECT_TRUE(t.selected());
    EXPECT_EQ(t.alg(), a);
    EXPECT_EQ(t.current()->to_bytes(), *digest(a, concat(m1, m2)));
    ASSERT_TRUE(t.update(m3).ok());
    EXPECT_EQ(t.current()->to_bytes(), *digest(a, concat(concat(m1, m2), m3)));
  }
}

TEST(Transcript, CurrentDoesNotDisturbTheRunningHash) {
  Transcript t;
  ASSERT_TRUE(t.select(HashAlg::sha256).ok());
  EXPECT_EQ(t.current()->to_bytes(), *digest(HashAlg::sha256, {}));
  ASSERT_TRUE(t.update(text("ab")).ok());
  EXPECT_EQ(t.current()->to_bytes(), t.current()->to_bytes());
  ASSERT_TRUE(t.update(text("c")).ok());
  EXPECT_EQ(t.current()->to_bytes(), *digest(HashAlg::sha256, text("abc")));
}

TEST(Transcript, MisuseIsInternalError) {
  Transcript t;
  ASSERT_TRUE(t.update(text("x")).ok());
  auto early = t.current();
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().alert, Alert::internal_error);
  auto restart = t.restart_with_message_hash();
  ASSERT_FALSE(restart.ok());
  EXPECT_EQ(restart.error().alert, Alert::internal_error);
  ASSERT_TRUE(t.select(HashAlg::sha384).ok());
  auto twice = t.select(HashAlg::sha256);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().alert, Alert::internal_error);
  EXPECT_EQ(t.alg(), HashAlg::sha384);
  EXPECT_EQ(t.current()->to_bytes(), *digest(HashAlg::sha384, text("x")));
}

TEST(Transcript, CloneIsIndependent) {
  Transcript t;
  ASSERT_TRUE(t.update(text("hello ")).ok());
  auto before = t.clone();  // still buffering
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(t.select(HashAlg::sha256).ok());
  auto c = t.clone();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->selected());
  ASSERT_TRUE(c->update(text("binder")).ok());
  ASSERT_TRUE(t.update(text("world")).ok());
  EXPECT_EQ(t.current()->to_bytes(), *digest(HashAlg::sha256, text("hello world")));
  EXPECT_EQ(c->current()->to_bytes(), *digest(HashAlg::sha256, text("hello binder")));

  EXPECT_FALSE(before->selected());
  ASSERT_TRUE(before->update(text("there")).ok());
  ASSERT_TRUE(before->select(HashAlg::sha512).ok());
  EXPECT_EQ(before->current()->to_bytes(), *digest(HashAlg::sha512, text("hello there")));
}

// RFC 8446 §4.4.1: after a HelloRetryRequest the transcript continues from
// message_hash(254) || 00 00 Hash.length || Hash(ClientHello1).
TEST(Transcript, RestartWithMessageHash) {
  const Bytes ch1 = hex("01 00 00 05 03 03 01 02 03");
  const Bytes hrr = hex("02 00 00 03 03 03 cf");
  const Bytes ch2 = hex("01 00 00 02 03 03");
  for (HashAlg a : {HashAlg::sha256, HashAlg::sha384}) {
    Transcript t;
    ASSERT_TRUE(t.update(ch1).ok());
    ASSERT_TRUE(t.select(a).ok());
    ASSERT_TRUE(t.restart_with_message_hash().ok());
    ASSERT_TRUE(t.update(hrr).ok());
    ASSERT_TRUE(t.update(ch2).ok());

    Bytes expected = {254, 0, 0, static_cast<uint8_t>(hash_length(a))};
    const Bytes h1 = *digest(a, ch1);
    expected.insert(expected.end(), h1.begin(), h1.end());
    expected.insert(expected.end(), hrr.begin(), hrr.end());
    expected.insert(expected.end(), ch2.begin(), ch2.end());
    EXPECT_EQ(t.current()->to_bytes(), *digest(a, expected));
  }
}

// current() finishes a copy in one scratch context per thread: transcripts of
// different hashes asked in turn, and a thread of their own, each get their
// own hash, and asking never disturbs the running state.
TEST(Transcript, CurrentAcrossTranscriptsOfDifferentHashesAndThreads) {
  Transcript a, b, c;
  ASSERT_TRUE(a.select(HashAlg::sha256).ok());
  ASSERT_TRUE(b.select(HashAlg::sha384).ok());
  ASSERT_TRUE(c.select(HashAlg::sha512).ok());
  Bytes seen;
  for (int i = 0; i < 5; ++i) {
    const std::string message = "message " + std::to_string(i);
    const ByteView m = text(message);
    seen.insert(seen.end(), m.begin(), m.end());
    for (Transcript* t : {&a, &b, &c}) ASSERT_TRUE(t->update(m).ok());
    EXPECT_EQ(a.current()->to_bytes(), *digest(HashAlg::sha256, seen));
    EXPECT_EQ(c.current()->to_bytes(), *digest(HashAlg::sha512, seen));
    EXPECT_EQ(b.current()->to_bytes(), *digest(HashAlg::sha384, seen));
    EXPECT_EQ(a.current()->size(), 32u);
    EXPECT_EQ(b.current()->size(), 48u);
    EXPECT_EQ(c.current()->size(), 64u);
  }
  Bytes other_thread;
  std::thread([&] { other_thread = b.current()->to_bytes(); }).join();
  EXPECT_EQ(other_thread, *digest(HashAlg::sha384, seen));
}

}  // namespace
}  // namespace vouch
