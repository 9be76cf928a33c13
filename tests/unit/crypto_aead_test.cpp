// AEAD record protection primitives (RFC 8446 §5.2).
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <string_view>

#include "support/hex.h"
#include "crypto/aead.h"
#include "crypto/random.h"

namespace vouch {
namespace {

using testing::hex;
using testing::concat;

// Counts libcrypto's heap allocations. The hooks can only be installed
// before libcrypto allocates anything, hence a static initialiser.
std::atomic<size_t> g_ossl_allocations{0};
void* counting_malloc(size_t n, const char*, int) {
  ++g_ossl_allocations;
  return std::malloc(n);
}
void* counting_realloc(void* p, size_t n, const char*, int) {
  ++g_ossl_allocations;
  return std::realloc(p, n);
}
void counting_free(void* p, const char*, int) { std::free(p); }
const bool g_counting =
    CRYPTO_set_mem_functions(counting_malloc, counting_realloc, counting_free) == 1;

constexpr AeadAlg kAll[] = {AeadAlg::aes128gcm, AeadAlg::aes256gcm, AeadAlg::chacha20poly1305};

// A deterministic key/nonce pattern per algorithm (no randomness in tests).
Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + 31 * i);
  return b;
}

Aead make(AeadAlg alg, uint8_t seed = 1) {
  auto a = Aead::create(alg, pattern(aead_key_length(alg), seed));
  EXPECT_TRUE(a.ok()) << a.error().to_string();
  return std::move(a).value();
}

struct Sealed {
  Bytes nonce, aad, plaintext, record;
};

Sealed seal_sample(Aead& aead, size_t length) {
  Sealed s{pattern(kAeadNonceLength, 9), hex("17 03 03 00 00"), pattern(length, 3), {}};
  s.record.resize(length + kAeadTagLength);
  auto st = aead.seal(s.nonce, s.aad, s.plaintext, s.record);
  EXPECT_TRUE(st.ok()) << st.error().to_string();
  return s;
}

void expect_bad_record_mac(const Status& st) {
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::bad_record_mac);
  EXPECT_EQ(st.error().reason.rfind("record authentication failed", 0), 0u) << st.error().reason;
}

TEST(Aead, KeyLengths) {
  EXPECT_EQ(aead_key_length(AeadAlg::aes128gcm), 16u);
  EXPECT_EQ(aead_key_length(AeadAlg::aes256gcm), 32u);
  EXPECT_EQ(aead_key_length(AeadAlg::chacha20poly1305), 32u);
  for (AeadAlg alg : kAll) {
    auto short_key = Aead::create(alg, Bytes(aead_key_length(alg) - 1, 0));
    ASSERT_FALSE(short_key.ok());
    EXPECT_EQ(short_key.error().alert, Alert::internal_error);
    EXPECT_FALSE(Aead::create(alg, {}).ok());
  }
}

TEST(Aead, RoundTripAllAlgorithmsAndSizes) {
  // Empty, shorter than a block, block edges, and a maximal TLS 1.3 record
  // (2^14 + 256 bytes of TLSInnerPlaintext, RFC 8446 §5.2).
  const size_t sizes[] = {0, 1, 15, 16, 17, 1000, 16384 + 256};
  for (AeadAlg alg : kAll) {
    Aead aead = make(alg);
    EXPECT_EQ(aead.alg(), alg);
    for (size_t n : sizes) {
      Sealed s = seal_sample(aead, n);
      if (n > 0) {
        EXPECT_NE(Bytes(s.record.begin(), s.record.begin() + static_cast<ptrdiff_t>(n)),
                  s.plaintext)
            << "n=" << n;
      }
      Bytes out(n);
      ASSERT_TRUE(aead.open(s.nonce, s.aad, s.record, out).ok()) << "n=" << n;
      EXPECT_EQ(out, s.plaintext);
    }
  }
}

TEST(Aead, EmptyAadAndNonceSensitivity) {
  for (AeadAlg alg : kAll) {
    Aead aead = make(alg);
    const Bytes pt = pattern(40, 5);
    Bytes a(pt.size() + kAeadTagLength), b(a.size());
    ASSERT_TRUE(aead.seal(pattern(12, 1), {}, pt, a).ok());
    ASSERT_TRUE(aead.seal(pattern(12, 2), {}, pt, b).ok());
    EXPECT_NE(a, b);  // a different nonce gives a different record
    Bytes out(pt.size());
    ASSERT_TRUE(aead.open(pattern(12, 1), {}, a, out).ok());
    EXPECT_EQ(out, pt);
    expect_bad_record_mac(aead.open(pattern(12, 2), {}, a, out));
  }
}

TEST(Aead, TamperingIsBadRecordMac) {
  for (AeadAlg alg : kAll) {
    Aead aead = make(alg);
    const Sealed s = seal_sample(aead, 64);
    Bytes out(64);

    Bytes ct = s.record;
    ct[10] ^= 0x01;  // ciphertext bit
    expect_bad_record_mac(aead.open(s.nonce, s.aad, ct, out));
    // No unauthenticated plaintext is left behind.
    EXPECT_EQ(out, Bytes(64, 0));

    Bytes tag = s.record;
    tag.back() ^= 0x80;  // tag bit
    expect_bad_record_mac(aead.open(s.nonce, s.aad, tag, out));

    Bytes aad = s.aad;
    aad[4] ^= 0x01;  // AAD bit (the record length)
    expect_bad_record_mac(aead.open(s.nonce, aad, s.record, out));

    // A record too short to carry a tag.
    Bytes none;
    expect_bad_record_mac(aead.open(s.nonce, s.aad, ByteView(s.record).first(15), none));

    // The context recovers: the genuine record still opens afterwards.
    ASSERT_TRUE(aead.open(s.nonce, s.aad, s.record, out).ok());
    EXPECT_EQ(out, s.plaintext);
  }
}

TEST(Aead, DifferentKeyFails) {
  for (AeadAlg alg : kAll) {
    Aead a = make(alg, 1);
    Aead b = make(alg, 2);
    const Sealed s = seal_sample(a, 32);
    Bytes out(32);
    expect_bad_record_mac(b.open(s.nonce, s.aad, s.record, out));
  }
}

TEST(Aead, InPlace) {
  for (AeadAlg alg : kAll) {
    Aead aead = make(alg);
    const Sealed reference = seal_sample(aead, 100);
    Bytes buf = reference.plaintext;
    buf.resize(100 + kAeadTagLength);
    const std::span<uint8_t> whole(buf);
    ASSERT_TRUE(aead.seal(reference.nonce, reference.aad, whole.first(100), whole).ok());
    EXPECT_EQ(buf, reference.record);
    ASSERT_TRUE(aead.open(reference.nonce, reference.aad, whole, whole.first(100)).ok());
    EXPECT_EQ(Bytes(buf.begin(), buf.begin() + 100), reference.plaintext);
  }
}

TEST(Aead, BadBuffersAreInternalError) {
  Aead aead = make(AeadAlg::aes128gcm);
  const Bytes pt(20, 1);
  Bytes out(pt.size() + kAeadTagLength);
  auto expect_internal = [](const Status& st) {
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().alert, Alert::internal_error);
  };
  expect_internal(aead.seal(Bytes(11, 0), {}, pt, out));                       // short nonce
  expect_internal(aead.seal(Bytes(12, 0), {}, pt, std::span(out).first(35)));  // no tag room
  Bytes overlap(40);
  const std::span<uint8_t> ov(overlap);
  expect_internal(aead.seal(Bytes(12, 0), {}, ov.first(20), ov.subspan(2, 36)));  // partial alias
  ASSERT_TRUE(aead.seal(Bytes(12, 0), {}, pt, out).ok());
  Bytes small(19), right(20);
  expect_internal(aead.open(Bytes(12, 0), {}, out, small));  // wrong output size
  expect_internal(aead.open(Bytes(13, 0), {}, out, right));  // long nonce
  expect_internal(aead.open(Bytes(12, 0), {}, ov.subspan(2, 36), ov.first(20)));  // partial alias

  // A moved-from Aead fails cleanly instead of crashing.
  Aead moved = std::move(aead);
  expect_internal(aead.seal(Bytes(12, 0), {}, pt, out));  // NOLINT(bugprone-use-after-move)
  Bytes plain(20);
  ASSERT_TRUE(moved.open(Bytes(12, 0), {}, out, plain).ok());
  EXPECT_EQ(plain, pt);
}

// The design promise: protecting or opening a record allocates nothing.
TEST(Aead, NoAllocationPerRecord) {
  if (!g_counting) GTEST_SKIP() << "libcrypto allocated before the hooks could be installed";
  for (AeadAlg alg : kAll) {
    const size_t at_start = g_ossl_allocations.load();
    Aead aead = make(alg);
    EXPECT_GT(g_ossl_allocations.load(), at_start);  // the counter does see create()
    Bytes nonce = pattern(kAeadNonceLength, 4);
    const Bytes aad = hex("17 03 03 40 11");
    Bytes buf(16384 + 1 + kAeadTagLength, 0x61);
    const std::span<uint8_t> whole(buf);
    const size_t n = buf.size() - kAeadTagLength;
    // Warm up once (lazy initialisation inside libcrypto is allowed once).
    ASSERT_TRUE(aead.seal(nonce, aad, whole.first(n), whole).ok());
    ASSERT_TRUE(aead.open(nonce, aad, whole, whole.first(n)).ok());
    const size_t before = g_ossl_allocations.load();
    for (int i = 0; i < 50; ++i) {
      nonce[11] = static_cast<uint8_t>(i);
      ASSERT_TRUE(aead.seal(nonce, aad, whole.first(n), whole).ok());
      ASSERT_TRUE(aead.open(nonce, aad, whole, whole.first(n)).ok());
    }
    EXPECT_EQ(g_ossl_allocations.load(), before) << "alg " << static_cast<int>(alg);
  }
}

// RFC 8448 §3: the client's Finished record, protected with the client
// handshake key and IV printed in the trace (sequence number 0, so the nonce
// is the IV itself).
TEST(Aead, KnownAnswerRfc8448ClientFinishedRecord) {
  const Bytes key = hex("db fa a6 93 d1 76 2c 5b 66 6a f5 d9 50 25 8d 01");
  const Bytes iv = hex("5b d3 c7 1b 83 6e 0b 76 bb 73 26 5f");
  const Bytes finished = hex(
      "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6"
      "42 f2 ed d5 ce 61");
  const Bytes record = hex(
      "17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a"
      "4b fc 44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46");
  auto aead = Aead::create(AeadAlg::aes128gcm, key);
  ASSERT_TRUE(aead.ok());
  const ByteView header = ByteView(record).first(5);
  const ByteView body = ByteView(record).subspan(5);

  Bytes inner(body.size() - kAeadTagLength);
  ASSERT_TRUE(aead->open(iv, header, body, inner).ok());
  EXPECT_EQ(inner, concat(finished, Bytes{0x16}));  // TLSInnerPlaintext: content || type

  Bytes sealed(inner.size() + kAeadTagLength);
  ASSERT_TRUE(aead->seal(iv, header, inner, sealed).ok());
  EXPECT_EQ(sealed, Bytes(body.begin(), body.end()));
}

// The GCM specification's test cases 4 (AES-128) and 16 (AES-256)
// (McGrew & Viega, "The Galois/Counter Mode of Operation", appendix B).
TEST(Aead, KnownAnswerGcmSpec) {
  const Bytes iv = hex("cafebabefacedbaddecaf888");
  const Bytes aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const Bytes pt =
      hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
          "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  struct Case {
    AeadAlg alg;
    const char *key, *ct, *tag;
  };
  const Case cases[] = {
      {AeadAlg::aes128gcm, "feffe9928665731c6d6a8f9467308308",
       "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
       "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
       "5bc94fbc3221a5db94fae95ae7121a47"},
      {AeadAlg::aes256gcm, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
       "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
       "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
       "76fc6ece0f4e1768cddf8853bb2d551b"},
  };
  for (const auto& c : cases) {
    auto aead = Aead::create(c.alg, hex(c.key));
    ASSERT_TRUE(aead.ok());
    Bytes out(pt.size() + kAeadTagLength);
    ASSERT_TRUE(aead->seal(iv, aad, pt, out).ok());
    EXPECT_EQ(out, concat(hex(c.ct), hex(c.tag)));
    Bytes back(pt.size());
    ASSERT_TRUE(aead->open(iv, aad, out, back).ok());
    EXPECT_EQ(back, pt);
  }
}

// RFC 8439 §2.8.2: the ChaCha20-Poly1305 AEAD example.
TEST(Aead, KnownAnswerChaCha20Poly1305Rfc8439) {
  const std::string_view text =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
      "future, sunscreen would be it.";
  const Bytes pt(text.begin(), text.end());
  const Bytes key = hex(
      "80 81 82 83 84 85 86 87 88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97 98 99 9a 9b 9c 9d"
      "9e 9f");
  const Bytes nonce = hex("07 00 00 00 40 41 42 43 44 45 46 47");
  const Bytes aad = hex("50 51 52 53 c0 c1 c2 c3 c4 c5 c6 c7");
  const Bytes expected = hex(
      "d3 1a 8d 34 64 8e 60 db 7b 86 af bc 53 ef 7e c2 a4 ad ed 51 29 6e 08 fe a9 e2 b5 a7 36 ee"
      "62 d6 3d be a4 5e 8c a9 67 12 82 fa fb 69 da 92 72 8b 1a 71 de 0a 9e 06 0b 29 05 d6 a5 b6"
      "7e cd 3b 36 92 dd bd 7f 2d 77 8b 8c 98 03 ae e3 28 09 1b 58 fa b3 24 e4 fa d6 75 94 55 85"
      "80 8b 48 31 d7 bc 3f f4 de f0 8e 4b 7a 9d e5 76 d2 65 86 ce c6 4b 61 16"
      // tag
      "1a e1 0b 59 4f 09 e2 6a 7e 90 2e cb d0 60 06 91");
  auto aead = Aead::create(AeadAlg::chacha20poly1305, key);
  ASSERT_TRUE(aead.ok());
  Bytes out(pt.size() + kAeadTagLength);
  ASSERT_TRUE(aead->seal(nonce, aad, pt, out).ok());
  EXPECT_EQ(out, expected);
  Bytes back(pt.size());
  ASSERT_TRUE(aead->open(nonce, aad, expected, back).ok());
  EXPECT_EQ(back, pt);
}

TEST(Random, FillsAndVaries) {
  Bytes a(64, 0), b(64, 0);
  ASSERT_TRUE(random_bytes(a).ok());
  ASSERT_TRUE(random_bytes(b).ok());
  EXPECT_NE(a, b);  // 2^-512 chance of a false failure
  EXPECT_NE(a, Bytes(64, 0));
  EXPECT_TRUE(random_bytes({}).ok());
}

// The trailer form seals `plaintext` from the caller's buffer and the
// trailer already in place behind where it lands (TLS 1.3's content type and
// padding): the same record as sealing the concatenation in one piece.
TEST(Aead, SealWithTrailerMatchesOnePiece) {
  for (AeadAlg alg : {AeadAlg::aes128gcm, AeadAlg::aes256gcm, AeadAlg::chacha20poly1305}) {
    for (size_t head : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{1000}}) {
      for (size_t trailer : {size_t{1}, size_t{2}, size_t{33}}) {
        Aead a = make(alg);
        const Bytes nonce = pattern(kAeadNonceLength, 5), aad = pattern(13, 6);
        const Bytes whole = pattern(head + trailer, 7);
        Bytes one(whole.size() + kAeadTagLength);
        ASSERT_TRUE(a.seal(nonce, aad, whole, one).ok());
        Bytes split(whole.size() + kAeadTagLength);
        std::copy(whole.begin() + static_cast<std::ptrdiff_t>(head), whole.end(), split.begin() + static_cast<std::ptrdiff_t>(head));
        ASSERT_TRUE(a.seal(nonce, aad, ByteView(whole).first(head), split, trailer).ok());
        EXPECT_EQ(split, one) << head << "+" << trailer;
      }
    }
  }
}

// The record layer keys one context per direction: an Aead keyed for one
// operation refuses the other (internal_error), and does its own correctly.
TEST(Aead, KeyedForOneUseOnly) {
  for (AeadAlg alg : {AeadAlg::aes128gcm, AeadAlg::chacha20poly1305}) {
    const Bytes key = pattern(aead_key_length(alg), 1);
    auto sealer = Aead::create(alg, key, AeadUse::seal);
    auto opener = Aead::create(alg, key, AeadUse::open);
    ASSERT_TRUE(sealer.ok() && opener.ok());
    const Bytes nonce = pattern(kAeadNonceLength, 2), aad = pattern(5, 3), pt = pattern(100, 4);
    Bytes ct(pt.size() + kAeadTagLength);
    ASSERT_TRUE(sealer->seal(nonce, aad, pt, ct).ok());
    Bytes back(pt.size());
    ASSERT_TRUE(opener->open(nonce, aad, ct, back).ok());
    EXPECT_EQ(back, pt);
    Status wrong = opener->seal(nonce, aad, pt, ct);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().alert, Alert::internal_error);
    wrong = sealer->open(nonce, aad, ct, back);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().alert, Alert::internal_error);
  }
}
// Re-keying keeps the contexts and changes only the key: what it seals and
// opens is exactly what a new Aead with that key does, the old key no
// longer opens anything, and it allocates nothing per record afterwards.
TEST(Aead, RekeyMatchesAFreshAead) {
  for (AeadAlg alg : kAll) {
    for (AeadUse use : {AeadUse::both, AeadUse::seal, AeadUse::open}) {
      SCOPED_TRACE(static_cast<int>(alg) * 10 + static_cast<int>(use));
      auto rekeyed = Aead::create(alg, pattern(aead_key_length(alg), 1), use);
      ASSERT_TRUE(rekeyed.ok());
      EXPECT_EQ(rekeyed->use(), use);
      Aead old_key = make(alg, 1);
      Aead new_key = make(alg, 2);
      const Sealed under_old = seal_sample(old_key, 70);
      const Sealed under_new = seal_sample(new_key, 70);
      ASSERT_TRUE(rekeyed->rekey(pattern(aead_key_length(alg), 2)).ok());
      EXPECT_EQ(rekeyed->use(), use);
      Bytes out(70);
      if (use != AeadUse::seal) {
        ASSERT_TRUE(rekeyed->open(under_new.nonce, under_new.aad, under_new.record, out).ok());
        EXPECT_EQ(out, under_new.plaintext);
        expect_bad_record_mac(rekeyed->open(under_old.nonce, under_old.aad, under_old.record, out));
      }
      if (use != AeadUse::open) {
        Bytes record(70 + kAeadTagLength);
        const size_t before = g_ossl_allocations.load();
        ASSERT_TRUE(rekeyed->seal(under_new.nonce, under_new.aad, under_new.plaintext, record).ok());
        if (g_counting) {
          EXPECT_EQ(g_ossl_allocations.load(), before);
        }
        EXPECT_EQ(record, under_new.record);
      }
    }
  }
}

TEST(Aead, RekeyRefusesAWrongKeyLengthAndKeepsTheKey) {
  for (AeadAlg alg : kAll) {
    Aead aead = make(alg, 1);
    const Sealed s = seal_sample(aead, 20);
    for (size_t n : {size_t{0}, aead_key_length(alg) - 1, aead_key_length(alg) + 1}) {
      const Status st = aead.rekey(pattern(n, 5));
      ASSERT_FALSE(st.ok());
      EXPECT_EQ(st.error().alert, Alert::internal_error);
      EXPECT_NE(st.error().reason.find("wrong key length"), std::string::npos) << st.error().reason;
    }
    Bytes out(20);
    ASSERT_TRUE(aead.open(s.nonce, s.aad, s.record, out).ok());
    EXPECT_EQ(out, s.plaintext);
  }
}

}  // namespace
}  // namespace vouch
