// TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3; RFC 5288 §3 AES-GCM;
// RFC 7905 §2 ChaCha20-Poly1305) and the version-dispatching
// RecordProtection. Records are checked byte for byte against an encryption
// done here with libcrypto's EVP interface directly, with the nonce and the
// additional data built by hand from the RFC text.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "support/hex.h"
#include "crypto/aead.h"
#include "crypto/ossl.h"
#include "handshake/master_secret.h"
#include "record/record.h"

namespace vouch {
namespace {

using testing::hex;

Bytes bytes_of(std::span<const uint8_t> v) { return Bytes(v.begin(), v.end()); }

// A record as the Deframer would hand it out, over a caller-owned buffer.
RawRecord as_record(Bytes& wire) {
  RawRecord r;
  r.type = static_cast<ContentType>(wire[0]);
  r.version = static_cast<uint16_t>(wire[1] << 8 | wire[2]);
  r.header = std::span<uint8_t>(wire.data(), kRecordHeaderLength);
  r.fragment = std::span<uint8_t>(wire.data() + kRecordHeaderLength,
                                  wire.size() - kRecordHeaderLength);
  return r;
}

constexpr CipherSuite kSuites[] = {
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};
// One suite per AEAD.
constexpr CipherSuite kAes128 = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
constexpr CipherSuite kAes256 = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384;
constexpr CipherSuite kChaCha = CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
constexpr CipherSuite kAeads[] = {kAes128, kAes256, kChaCha};

Suite12 params(CipherSuite s) {
  Suite12 p;
  EXPECT_TRUE(tls12_suite_params(s, p));
  return p;
}
bool is_gcm(CipherSuite s) { return params(s).aead != AeadAlg::chacha20poly1305; }
size_t explicit_len(CipherSuite s) { return is_gcm(s) ? 8 : 0; }

Bytes pattern(size_t n, uint8_t start) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(start + i * 7);
  return b;
}
Bytes key_for(CipherSuite s) { return pattern(params(s).key_length, 0x20); }
Bytes iv_for(CipherSuite s) { return pattern(params(s).iv_length, 0xc0); }

// A sender and a receiver keyed alike (one direction of a connection).
struct Pair {
  RecordProtection12 tx, rx;
  explicit Pair(CipherSuite s) {
    EXPECT_TRUE(tx.install(s, key_for(s), iv_for(s)).ok());
    EXPECT_TRUE(rx.install(s, key_for(s), iv_for(s)).ok());
  }
};

Bytes be64(uint64_t v) {
  Bytes b(8);
  for (size_t i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
  return b;
}

// ---- the independent reference ------------------------------------------

// AEAD-Encrypt(key, nonce, plaintext, aad) → ciphertext || tag, straight
// through EVP_EncryptInit_ex / EVP_EncryptUpdate / EVP_EncryptFinal_ex with
// the built-in cipher objects (not the fetched ones vouch's Aead uses).
Bytes reference_seal(CipherSuite s, ByteView key, ByteView nonce, ByteView aad, ByteView pt) {
  const EVP_CIPHER* cipher = nullptr;
  switch (params(s).aead) {
    case AeadAlg::aes128gcm: cipher = EVP_aes_128_gcm(); break;
    case AeadAlg::aes256gcm: cipher = EVP_aes_256_gcm(); break;
    case AeadAlg::chacha20poly1305: cipher = EVP_chacha20_poly1305(); break;
  }
  ossl::EvpCipherCtx ctx(EVP_CIPHER_CTX_new());
  EXPECT_TRUE(ctx);
  EXPECT_EQ(nonce.size(), 12u);
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr), 1);
  EXPECT_EQ(EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()), 1);
  int len = 0;
  EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())),
            1);
  Bytes out(pt.size() + 16);
  int n = 0;
  if (!pt.empty()) {
    EXPECT_EQ(EVP_EncryptUpdate(ctx.get(), out.data(), &n, pt.data(), static_cast<int>(pt.size())),
              1);
  }
  EXPECT_EQ(EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &len), 1);
  EXPECT_EQ(static_cast<size_t>(n + len), pt.size());
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, out.data() + pt.size()), 1);
  return out;
}

// The nonce from the RFCs, written out independently of the library.
Bytes reference_nonce(CipherSuite s, ByteView iv, uint64_t seq, ByteView explicit_nonce) {
  if (is_gcm(s)) {
    // RFC 5288 §3: GCMNonce = salt[4] || nonce_explicit[8].
    Bytes n(iv.begin(), iv.end());
    n.insert(n.end(), explicit_nonce.begin(), explicit_nonce.end());
    return n;
  }
  // RFC 7905 §2: 0x00000000 || seq (big-endian), XOR the 12-byte IV.
  Bytes padded = Bytes(4, 0) + be64(seq);
  for (size_t i = 0; i < 12; ++i) padded[i] ^= iv[i];
  return padded;
}

// RFC 5246 §6.2.3.3: seq_num + type + version + length (of the plaintext).
Bytes reference_aad(uint64_t seq, uint8_t type, uint16_t version, size_t pt_len) {
  return be64(seq) + Bytes{type, static_cast<uint8_t>(version >> 8),
                           static_cast<uint8_t>(version), static_cast<uint8_t>(pt_len >> 8),
                           static_cast<uint8_t>(pt_len)};
}

// The whole TLSCiphertext as RFC 5246 §6.2.3 / §6.2.3.3 lays it out, with
// a chosen explicit nonce (GCM) and sequence number.
Bytes reference_record(CipherSuite s, ByteView key, ByteView iv, uint64_t seq, uint8_t type,
                       ByteView pt, ByteView explicit_nonce) {
  const Bytes nonce = reference_nonce(s, iv, seq, explicit_nonce);
  const Bytes aad = reference_aad(seq, type, 0x0303, pt.size());
  const Bytes sealed = reference_seal(s, key, nonce, aad, pt);
  const Bytes explicit_part =
      is_gcm(s) ? Bytes(explicit_nonce.begin(), explicit_nonce.end()) : Bytes{};
  const Bytes fragment = explicit_part + sealed;
  return Bytes{type, 0x03, 0x03, static_cast<uint8_t>(fragment.size() >> 8),
               static_cast<uint8_t>(fragment.size())} +
         fragment;
}

// ---- wire layout and known answers ----------------------------------------

TEST(RecordProtection12, SealMatchesIndependentEncryption) {
  for (CipherSuite s : kAeads) {
    for (uint64_t seq : {uint64_t{0}, uint64_t{1}, uint64_t{0x0102030405060708},
                         std::numeric_limits<uint64_t>::max() - 1}) {
      SCOPED_TRACE(to_string(s) + " seq " + std::to_string(seq));
      RecordProtection12 tx;
      ASSERT_TRUE(tx.install(s, key_for(s), iv_for(s)).ok());
      tx.set_sequence_for_testing(seq);
      const Bytes msg = pattern(37, 0x61);
      Bytes wire;
      ASSERT_TRUE(tx.seal(ContentType::handshake, msg, wire).ok());
      // vouch's explicit nonce is the sequence number (RFC 5288 §3 "MAY").
      EXPECT_EQ(wire, reference_record(s, key_for(s), iv_for(s), seq, 22, msg, be64(seq)));
      EXPECT_EQ(tx.sequence(), seq + 1);
    }
  }
}

TEST(RecordProtection12, WireLayout) {
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    RecordProtection12 tx;
    ASSERT_TRUE(tx.install(s, key_for(s), iv_for(s)).ok());
    tx.set_sequence_for_testing(0x1122334455667788);
    const Bytes msg(100, 0x00);
    Bytes wire;
    ASSERT_TRUE(tx.seal(ContentType::alert, msg, wire).ok());
    const size_t frag = explicit_len(s) + msg.size() + kAeadTagLength;
    ASSERT_EQ(wire.size(), kRecordHeaderLength + frag);
    // RFC 5246 §6.2.3: the real type, version {3, 3}, the fragment length.
    EXPECT_EQ(wire[0], 21);
    EXPECT_EQ(wire[1], 0x03);
    EXPECT_EQ(wire[2], 0x03);
    EXPECT_EQ(size_t{wire[3]} << 8 | wire[4], frag);
    if (is_gcm(s)) {
      // RFC 5288 §3: the 8-byte nonce_explicit leads the fragment; here it
      // is the sequence number, big-endian.
      EXPECT_EQ(Bytes(wire.begin() + 5, wire.begin() + 13), hex("1122334455667788"));
      // The encrypted zeros are not the zeros.
      EXPECT_NE(Bytes(wire.begin() + 13, wire.begin() + 29), Bytes(16, 0));
    } else {
      // RFC 7905 §2: "record_iv_length is zero bytes"; the ciphertext starts
      // right after the header and nothing carries the sequence number.
      EXPECT_NE(Bytes(wire.begin() + 5, wire.begin() + 13), hex("1122334455667788"));
      EXPECT_NE(Bytes(wire.begin() + 5, wire.begin() + 21), Bytes(16, 0));
    }
  }
}

TEST(RecordProtection12, OpensIndependentlyBuiltRecords) {
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    RecordProtection12 rx;
    ASSERT_TRUE(rx.install(s, key_for(s), iv_for(s)).ok());
    for (uint64_t seq = 0; seq < 3; ++seq) {
      const Bytes msg = pattern(10 + seq, static_cast<uint8_t>(seq));
      Bytes wire = reference_record(s, key_for(s), iv_for(s), seq, 23, msg, be64(seq));
      auto pt = rx.open(as_record(wire));
      ASSERT_TRUE(pt.ok()) << pt.error().to_string();
      EXPECT_EQ(bytes_of(*pt), msg);
      // Decrypted in place: a view just past the explicit nonce.
      EXPECT_EQ(pt->data(), wire.data() + kRecordHeaderLength + explicit_len(s));
    }
    EXPECT_EQ(rx.sequence(), 3u);
  }
}

TEST(RecordProtection12, GcmTakesTheExplicitNonceFromTheRecord) {
  // RFC 5288 §3: the sender chooses nonce_explicit (it need not be the
  // sequence number); the receiver uses what the record carries, while the
  // additional data still uses its own sequence number.
  for (CipherSuite s : {kAes128, kAes256}) {
    SCOPED_TRACE(to_string(s));
    RecordProtection12 rx;
    ASSERT_TRUE(rx.install(s, key_for(s), iv_for(s)).ok());
    const Bytes msg = pattern(50, 3);
    Bytes w0 = reference_record(s, key_for(s), iv_for(s), 0, 23, msg, hex("deadbeefcafef00d"));
    Bytes w1 = reference_record(s, key_for(s), iv_for(s), 1, 23, msg, hex("0000000000000000"));
    auto p0 = rx.open(as_record(w0));
    ASSERT_TRUE(p0.ok()) << p0.error().to_string();
    EXPECT_EQ(bytes_of(*p0), msg);
    auto p1 = rx.open(as_record(w1));
    ASSERT_TRUE(p1.ok()) << p1.error().to_string();
    EXPECT_EQ(bytes_of(*p1), msg);
  }
}

// ---- round trips and sequence numbers --------------------------------------

TEST(RecordProtection12, RoundTripAllSuitesTypesAndSizes) {
  for (CipherSuite s : kSuites) {
    SCOPED_TRACE(to_string(s));
    Pair p(s);
    size_t records = 0;
    for (ContentType type :
         {ContentType::handshake, ContentType::alert, ContentType::application_data}) {
      for (size_t len :
           {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{1000}, kMaxPlaintext}) {
        Bytes msg(len);
        for (size_t i = 0; i < len; ++i) msg[i] = static_cast<uint8_t>(i * 7 + len);
        Bytes wire;
        ASSERT_TRUE(p.tx.seal(type, msg, wire).ok());
        ASSERT_EQ(wire.size(), kRecordHeaderLength + explicit_len(s) + len + kAeadTagLength);
        EXPECT_EQ(wire[0], static_cast<uint8_t>(type));
        const RawRecord rec = as_record(wire);
        auto pt = p.rx.open(rec);
        ASSERT_TRUE(pt.ok()) << pt.error().to_string();
        EXPECT_EQ(bytes_of(*pt), msg);
        ++records;
      }
    }
    EXPECT_EQ(p.tx.sequence(), records);
    EXPECT_EQ(p.rx.sequence(), records);
  }
}

TEST(RecordProtection12, KeyBlockKeysInteroperate) {
  // The client's write keys from key_block12 protect what the server opens
  // with the same (client) keys, and the two directions differ.
  for (CipherSuite s : kSuites) {
    SCOPED_TRACE(to_string(s));
    auto kb = key_block12(s, pattern(48, 1), pattern(32, 2), pattern(32, 3));
    ASSERT_TRUE(kb.ok());
    RecordProtection12 client_write, server_read_client, server_write;
    ASSERT_TRUE(client_write.install(s, kb->client_write_key, kb->client_write_iv).ok());
    ASSERT_TRUE(server_read_client.install(s, kb->client_write_key, kb->client_write_iv).ok());
    ASSERT_TRUE(server_write.install(s, kb->server_write_key, kb->server_write_iv).ok());
    const Bytes msg = pattern(20, 9);
    Bytes a, b;
    ASSERT_TRUE(client_write.seal(ContentType::handshake, msg, a).ok());
    ASSERT_TRUE(server_write.seal(ContentType::handshake, msg, b).ok());
    EXPECT_NE(a, b);
    auto pt = server_read_client.open(as_record(a));
    ASSERT_TRUE(pt.ok());
    EXPECT_EQ(bytes_of(*pt), msg);
    // The server's record does not open with the client's keys.
    RecordProtection12 wrong;
    ASSERT_TRUE(wrong.install(s, kb->client_write_key, kb->client_write_iv).ok());
    auto bad = wrong.open(as_record(b));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().alert, Alert::bad_record_mac);
  }
}

TEST(RecordProtection12, SequenceNumbersAdvanceAndRecordsDiffer) {
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    Pair p(s);
    const uint8_t m[] = {'s', 'a', 'm', 'e'};
    Bytes r0, r1, r2;
    ASSERT_TRUE(p.tx.seal(ContentType::application_data, m, r0).ok());
    EXPECT_EQ(p.tx.sequence(), 1u);
    ASSERT_TRUE(p.tx.seal(ContentType::application_data, m, r1).ok());
    ASSERT_TRUE(p.tx.seal(ContentType::application_data, m, r2).ok());
    EXPECT_EQ(p.tx.sequence(), 3u);
    // Same plaintext, different sequence numbers: different ciphertexts
    // (and, for GCM, different explicit nonces).
    EXPECT_NE(r0, r1);
    EXPECT_NE(r1, r2);
    EXPECT_NE(Bytes(r0.begin() + 5 + explicit_len(s), r0.end()),
              Bytes(r1.begin() + 5 + explicit_len(s), r1.end()));

    // Out of order: the AAD's sequence number (and ChaCha's nonce) differ.
    Bytes skipped = r1;
    auto out_of_order = p.rx.open(as_record(skipped));
    ASSERT_FALSE(out_of_order.ok());
    EXPECT_EQ(out_of_order.error().alert, Alert::bad_record_mac);
    EXPECT_EQ(p.rx.sequence(), 0u);

    Bytes replay = r0;  // opening decrypts in place, so keep a copy
    for (Bytes* r : {&r0, &r1, &r2}) {
      auto pt = p.rx.open(as_record(*r));
      ASSERT_TRUE(pt.ok());
      EXPECT_EQ(bytes_of(*pt), Bytes(m, m + sizeof m));
    }
    EXPECT_EQ(p.rx.sequence(), 3u);

    // A replayed record no longer opens: the receiver's sequence number
    // moved on (for GCM, even though the explicit nonce is in the record).
    auto rep = p.rx.open(as_record(replay));
    ASSERT_FALSE(rep.ok());
    EXPECT_EQ(rep.error().alert, Alert::bad_record_mac);

    // install() resets the sequence number (RFC 5246 §6.1).
    ASSERT_TRUE(p.tx.install(s, key_for(s), iv_for(s)).ok());
    EXPECT_EQ(p.tx.sequence(), 0u);
  }
}

TEST(RecordProtection12, SealAppendsToExistingOutput) {
  Pair p(kAes128);
  Bytes out = {1, 2, 3};
  const uint8_t m1[] = {'x'}, m2[] = {'y', 'z'};
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, m1, out).ok());
  ASSERT_TRUE(p.tx.seal(ContentType::handshake, m2, out).ok());
  const size_t first = 5 + 8 + 1 + 16, second = 5 + 8 + 2 + 16;
  ASSERT_EQ(out.size(), 3 + first + second);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 3), (Bytes{1, 2, 3}));
  Bytes a(out.begin() + 3, out.begin() + 3 + first), b(out.begin() + 3 + first, out.end());
  auto pa = p.rx.open(as_record(a));
  ASSERT_TRUE(pa.ok());
  EXPECT_EQ(bytes_of(*pa), Bytes(m1, m1 + 1));
  auto pb = p.rx.open(as_record(b));
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(bytes_of(*pb), Bytes(m2, m2 + 2));
}

// ---- authentication failures -----------------------------------------------

// Seals one record under sequence 0 with a fresh pair of the suite.
Bytes good_record(CipherSuite s, const Bytes& msg) {
  Pair p(s);
  Bytes wire;
  EXPECT_TRUE(p.tx.seal(ContentType::application_data, msg, wire).ok());
  return wire;
}

TEST(RecordProtection12, TamperedRecordIsBadRecordMac) {
  const Bytes msg(64, 0xab);
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    const Bytes good = good_record(s, msg);
    const size_t body = kRecordHeaderLength + explicit_len(s);
    struct Case {
      std::string what;
      Bytes wire;
    };
    std::vector<Case> cases;
    auto flip = [&](const std::string& what, size_t pos, uint8_t mask) {
      Bytes w = good;
      w[pos] ^= mask;
      cases.push_back({what, w});
    };
    flip("header type (application_data -> handshake)", 0, 23 ^ 22);
    flip("header version (0x0303 -> 0x0302)", 2, 0x01);
    flip("header version major", 1, 0x01);
    flip("first ciphertext byte", body, 0x01);
    flip("last ciphertext byte", body + msg.size() - 1, 0x80);
    flip("first tag byte", body + msg.size(), 0x01);
    flip("last tag byte", good.size() - 1, 0x01);
    if (is_gcm(s)) flip("explicit nonce", kRecordHeaderLength + 7, 0x01);
    {
      // Length: one byte dropped from the end (header fixed up), so the
      // plaintext length in the AAD and the tag position both move.
      Bytes w(good.begin(), good.end() - 1);
      w[4] = static_cast<uint8_t>(w.size() - kRecordHeaderLength);
      cases.push_back({"one byte shorter", w});
    }
    {
      Bytes w = good;
      w.push_back(0);
      w[4] = static_cast<uint8_t>(w.size() - kRecordHeaderLength);
      cases.push_back({"one byte longer", w});
    }
    for (Case& c : cases) {
      SCOPED_TRACE(c.what);
      Pair p(s);
      auto r = p.rx.open(as_record(c.wire));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
      EXPECT_EQ(p.rx.sequence(), 0u);  // unchanged on failure
      // The untampered record still opens at the same sequence number.
      Bytes copy = good;
      auto ok = p.rx.open(as_record(copy));
      ASSERT_TRUE(ok.ok()) << ok.error().to_string();
      EXPECT_EQ(bytes_of(*ok), msg);
      EXPECT_EQ(p.rx.sequence(), 1u);
    }
  }
}

TEST(RecordProtection12, WrongKeyOrIvIsBadRecordMac) {
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    const Bytes good = good_record(s, pattern(30, 1));
    Bytes other_key = key_for(s), other_iv = iv_for(s);
    other_key[0] ^= 1;
    other_iv[0] ^= 1;
    for (int which = 0; which < 2; ++which) {
      RecordProtection12 rx;
      ASSERT_TRUE(rx.install(s, which == 0 ? other_key : key_for(s),
                             which == 1 ? other_iv : iv_for(s))
                      .ok());
      Bytes w = good;
      auto r = rx.open(as_record(w));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
    }
  }
}

TEST(RecordProtection12, FragmentShorterThanExplicitNonceAndTagIsBadRecordMac) {
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    const size_t minimum = explicit_len(s) + kAeadTagLength;
    for (size_t len : {size_t{0}, size_t{1}, size_t{8}, size_t{15}, minimum - 1}) {
      SCOPED_TRACE(len);
      Pair p(s);
      Bytes wire = Bytes{23, 3, 3, 0, static_cast<uint8_t>(len)} + Bytes(len, 0x5a);
      auto r = p.rx.open(as_record(wire));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
      EXPECT_EQ(p.rx.sequence(), 0u);
    }
    // Exactly explicit + tag is an empty plaintext: well-formed, and here
    // merely not authentic.
    Pair p(s);
    Bytes wire = Bytes{23, 3, 3, 0, static_cast<uint8_t>(minimum)} + Bytes(minimum, 0x5a);
    auto r = p.rx.open(as_record(wire));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
    // And a real empty record opens.
    Bytes empty;
    ASSERT_TRUE(p.tx.seal(ContentType::application_data, {}, empty).ok());
    ASSERT_EQ(empty.size(), kRecordHeaderLength + minimum);
    auto pt = p.rx.open(as_record(empty));
    ASSERT_TRUE(pt.ok()) << pt.error().to_string();
    EXPECT_TRUE(pt->empty());
  }
}

// ---- length limits ----------------------------------------------------------

TEST(RecordProtection12, OversizeFragmentIsRecordOverflow) {
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    Pair p(s);
    // RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.
    const size_t len = kMaxCiphertext12 + 1;
    Bytes wire = Bytes{23, 3, 3, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)} +
                 Bytes(len, 0);
    auto r = p.rx.open(as_record(wire));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::record_overflow);
    EXPECT_EQ(p.rx.sequence(), 0u);
    // 2^14 + 2048 itself is not an overflow (only not authentic here).
    Bytes edge = Bytes{23, 3, 3, static_cast<uint8_t>(kMaxCiphertext12 >> 8),
                       static_cast<uint8_t>(kMaxCiphertext12)} +
                 Bytes(kMaxCiphertext12, 0);
    auto e = p.rx.open(as_record(edge));
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().alert, Alert::bad_record_mac);
  }
}

TEST(RecordProtection12, AuthenticPlaintextAbove2To14IsRecordOverflow) {
  // Authentic, fits 2^14 + 2048 as ciphertext, but the content is 2^14 + 1
  // bytes (RFC 5246 §6.2.1). Built with the independent reference, since
  // seal() refuses it.
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    Pair p(s);
    const Bytes big(kMaxPlaintext + 1, 0x41);
    Bytes wire = reference_record(s, key_for(s), iv_for(s), 0, 23, big, be64(0));
    auto r = p.rx.open(as_record(wire));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::record_overflow);
    EXPECT_EQ(p.rx.sequence(), 0u);
    // Exactly 2^14 opens.
    Bytes max_wire =
        reference_record(s, key_for(s), iv_for(s), 0, 23, Bytes(kMaxPlaintext, 0x42), be64(0));
    auto ok = p.rx.open(as_record(max_wire));
    ASSERT_TRUE(ok.ok()) << ok.error().to_string();
    EXPECT_EQ(ok->size(), kMaxPlaintext);
  }
}

TEST(RecordProtection12, SealRefusesPlaintextAbove2To14) {
  Pair p(kChaCha);
  Bytes out = {0xee};
  auto st = p.tx.seal(ContentType::application_data, Bytes(kMaxPlaintext + 1, 1), out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::internal_error);
  EXPECT_EQ(out, Bytes{0xee});  // nothing appended on failure
  EXPECT_EQ(p.tx.sequence(), 0u);
}

// ---- sequence exhaustion --------------------------------------------------

TEST(RecordProtection12, SequenceNumberNeverWraps) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    Pair p(s);
    p.tx.set_sequence_for_testing(max - 1);
    p.rx.set_sequence_for_testing(max - 1);
    const uint8_t m[] = {7};
    // 2^64 - 2 is the last usable sequence number.
    Bytes last;
    ASSERT_TRUE(p.tx.seal(ContentType::application_data, m, last).ok());
    EXPECT_EQ(p.tx.sequence(), max);
    auto pt = p.rx.open(as_record(last));
    ASSERT_TRUE(pt.ok()) << pt.error().to_string();
    EXPECT_EQ(p.rx.sequence(), max);

    // At 2^64 - 1 both directions refuse (RFC 5246 §6.1: no wrapping).
    Bytes out = {0xee};
    auto st = p.tx.seal(ContentType::application_data, m, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().alert, Alert::internal_error);
    EXPECT_EQ(out, Bytes{0xee});
    EXPECT_EQ(p.tx.sequence(), max);

    Bytes wire = reference_record(s, key_for(s), iv_for(s), max, 23, Bytes(m, m + 1), be64(max));
    auto r = p.rx.open(as_record(wire));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::internal_error);
    EXPECT_EQ(p.rx.sequence(), max);
  }
}

// ---- install --------------------------------------------------------------

TEST(RecordProtection12, InstallRejectsWrongLengthsAndOtherSuites) {
  struct Case {
    std::string what;
    CipherSuite suite;
    Bytes key, iv;
  };
  const Case cases[] = {
      {"AES-128 key of 32 bytes", kAes128, Bytes(32, 1), Bytes(4, 2)},
      {"AES-256 key of 16 bytes", kAes256, Bytes(16, 1), Bytes(4, 2)},
      {"ChaCha key of 16 bytes", kChaCha, Bytes(16, 1), Bytes(12, 2)},
      {"GCM with a 12-byte IV", kAes128, Bytes(16, 1), Bytes(12, 2)},
      {"GCM with an empty IV", kAes256, Bytes(32, 1), Bytes{}},
      {"ChaCha with a 4-byte IV", kChaCha, Bytes(32, 1), Bytes(4, 2)},
      {"empty key", kChaCha, Bytes{}, Bytes(12, 2)},
      {"TLS 1.3 AES-128-GCM", CipherSuite::TLS_AES_128_GCM_SHA256, Bytes(16, 1), Bytes(4, 2)},
      {"TLS 1.3 AES-128-GCM, 12-byte IV", CipherSuite::TLS_AES_128_GCM_SHA256, Bytes(16, 1),
       Bytes(12, 2)},
      {"TLS 1.3 ChaCha", CipherSuite::TLS_CHACHA20_POLY1305_SHA256, Bytes(32, 1), Bytes(12, 2)},
      {"renegotiation SCSV", CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV, Bytes(16, 1),
       Bytes(4, 2)},
      {"unknown suite", static_cast<CipherSuite>(0x1234), Bytes(16, 1), Bytes(4, 2)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    RecordProtection12 rp;
    auto st = rp.install(c.suite, c.key, c.iv);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().alert, Alert::internal_error);
    EXPECT_FALSE(rp.active());
  }
}

TEST(RecordProtection12, FailedInstallKeepsPreviousKeys) {
  Pair p(kAes128);
  ASSERT_FALSE(p.tx.install(kAes128, Bytes(5, 0), Bytes(4, 0)).ok());
  EXPECT_TRUE(p.tx.active());
  Bytes wire;
  const uint8_t m[] = {1, 2};
  ASSERT_TRUE(p.tx.seal(ContentType::handshake, m, wire).ok());
  auto pt = p.rx.open(as_record(wire));
  ASSERT_TRUE(pt.ok());
}

TEST(RecordProtection12, UseBeforeInstallIsInternalError) {
  RecordProtection12 rp;
  EXPECT_FALSE(rp.active());
  Bytes out;
  const uint8_t m[] = {1};
  auto st = rp.seal(ContentType::application_data, m, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::internal_error);
  EXPECT_TRUE(out.empty());
  Bytes wire = Bytes{23, 3, 3, 0, 24} + Bytes(24, 0);
  auto r = rp.open(as_record(wire));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::internal_error);
}

TEST(RecordProtection12, MovedProtectionKeepsWorking) {
  Pair p(kChaCha);
  RecordProtection12 tx = std::move(p.tx);
  RecordProtection12 rx;
  rx = std::move(p.rx);
  Bytes wire;
  const uint8_t m[] = {4, 5, 6};
  ASSERT_TRUE(tx.seal(ContentType::application_data, m, wire).ok());
  auto pt = rx.open(as_record(wire));
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(bytes_of(*pt), Bytes(m, m + 3));
}

// ---- RecordProtection (version dispatch) ------------------------------------

TEST(RecordProtection, Tls12RoundTripSetsTheType) {
  for (CipherSuite s : kAeads) {
    SCOPED_TRACE(to_string(s));
    RecordProtection tx, rx;
    EXPECT_FALSE(tx.active());
    ASSERT_TRUE(tx.install12(s, key_for(s), iv_for(s)).ok());
    ASSERT_TRUE(rx.install12(s, key_for(s), iv_for(s)).ok());
    EXPECT_TRUE(tx.active());
    EXPECT_TRUE(tx.tls12());
    for (ContentType type :
         {ContentType::handshake, ContentType::alert, ContentType::application_data}) {
      const Bytes msg = pattern(25, static_cast<uint8_t>(type));
      Bytes wire;
      ASSERT_TRUE(tx.seal(type, msg, wire).ok());
      // TLS 1.2: the real type is on the wire, and the record is exactly
      // what RecordProtection12 produces.
      EXPECT_EQ(wire[0], static_cast<uint8_t>(type));
      EXPECT_EQ(wire, reference_record(s, key_for(s), iv_for(s), tx.sequence() - 1,
                                       static_cast<uint8_t>(type), msg, be64(tx.sequence() - 1)));
      ContentType got = ContentType::invalid;
      auto pt = rx.open(as_record(wire), got);
      ASSERT_TRUE(pt.ok()) << pt.error().to_string();
      EXPECT_EQ(got, type);
      EXPECT_EQ(bytes_of(*pt), msg);
    }
    EXPECT_EQ(tx.sequence(), 3u);
    EXPECT_EQ(rx.sequence(), 3u);
  }
}

TEST(RecordProtection, Tls12FailureLeavesTypeAlone) {
  RecordProtection rx;
  ASSERT_TRUE(rx.install12(kAes128, key_for(kAes128), iv_for(kAes128)).ok());
  Bytes wire = good_record(kAes128, pattern(10, 0));
  wire.back() ^= 1;
  ContentType got = ContentType::invalid;
  auto r = rx.open(as_record(wire), got);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
  EXPECT_EQ(got, ContentType::invalid);
}

TEST(RecordProtection, Tls13StillWorksThroughTheWrapper) {
  const CipherSuite s = CipherSuite::TLS_AES_128_GCM_SHA256;
  const Bytes secret(32, 0x5a);
  RecordProtection tx, rx;
  ASSERT_TRUE(tx.install(s, secret).ok());
  ASSERT_TRUE(rx.install(s, secret).ok());
  EXPECT_TRUE(tx.active());
  EXPECT_FALSE(tx.tls12());
  // The same as RecordProtection13 with no padding.
  RecordProtection13 direct;
  ASSERT_TRUE(direct.install(s, secret).ok());
  const Bytes msg = pattern(40, 1);
  Bytes wire, expected;
  ASSERT_TRUE(tx.seal(ContentType::handshake, msg, wire).ok());
  ASSERT_TRUE(direct.seal(ContentType::handshake, msg, expected, 0).ok());
  EXPECT_EQ(wire, expected);
  // RFC 8446 §5.2: the type is hidden, the outer type is application_data.
  EXPECT_EQ(wire[0], 23);
  ContentType got = ContentType::invalid;
  auto pt = rx.open(as_record(wire), got);
  ASSERT_TRUE(pt.ok()) << pt.error().to_string();
  EXPECT_EQ(got, ContentType::handshake);
  EXPECT_EQ(bytes_of(*pt), msg);
  EXPECT_EQ(tx.sequence(), 1u);
  EXPECT_EQ(rx.sequence(), 1u);
}

TEST(RecordProtection, InstallingOneVersionDropsTheOther) {
  RecordProtection rp;
  ASSERT_TRUE(rp.install12(kChaCha, key_for(kChaCha), iv_for(kChaCha)).ok());
  EXPECT_TRUE(rp.tls12());
  ASSERT_TRUE(rp.install(CipherSuite::TLS_CHACHA20_POLY1305_SHA256, Bytes(32, 1)).ok());
  EXPECT_TRUE(rp.active());
  EXPECT_FALSE(rp.tls12());
  ASSERT_TRUE(rp.install12(kAes256, key_for(kAes256), iv_for(kAes256)).ok());
  EXPECT_TRUE(rp.tls12());
  // A failed install leaves what was there.
  EXPECT_FALSE(rp.install12(CipherSuite::TLS_AES_128_GCM_SHA256, Bytes(16, 0), Bytes(4, 0)).ok());
  EXPECT_TRUE(rp.tls12());
  EXPECT_FALSE(rp.install(kAes128, Bytes(32, 0)).ok());  // a 1.2 suite is no 1.3 suite
  EXPECT_TRUE(rp.tls12());
}

TEST(RecordProtection, NothingInstalledIsInternalError) {
  RecordProtection rp;
  EXPECT_FALSE(rp.active());
  EXPECT_FALSE(rp.tls12());
  Bytes out;
  const uint8_t m[] = {1};
  auto st = rp.seal(ContentType::application_data, m, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::internal_error);
  Bytes wire = Bytes{23, 3, 3, 0, 24} + Bytes(24, 0);
  ContentType type;
  auto r = rp.open(as_record(wire), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::internal_error);
}

// Sealing into a caller's span and opening into a separate destination
// give the same bytes as the appending and in-place forms.
TEST(RecordProtection12, SpanSealAndOutOfPlaceOpenMatchInPlace) {
  for (CipherSuite s : kSuites) {
    SCOPED_TRACE(to_string(s));
    Pair a(s), b(s);
    for (size_t len : {size_t{0}, size_t{1}, size_t{255}, size_t{4097}, kMaxPlaintext}) {
      const Bytes msg = pattern(len, static_cast<uint8_t>(len));
      Bytes appended;
      ASSERT_TRUE(a.tx.seal(ContentType::application_data, msg, appended).ok());
      Bytes spanned(b.tx.sealed_size(len));
      ASSERT_TRUE(b.tx.seal(ContentType::application_data, msg, std::span<uint8_t>(spanned)).ok());
      EXPECT_EQ(spanned, appended);
      Bytes wire1 = appended;
      auto in_place = a.rx.open(as_record(wire1));
      ASSERT_TRUE(in_place.ok()) << in_place.error().to_string();
      Bytes wire2 = spanned;
      const Bytes untouched = wire2;
      Bytes dest(wire2.size());
      auto out_of_place = b.rx.open(as_record(wire2), std::span<uint8_t>(dest));
      ASSERT_TRUE(out_of_place.ok()) << out_of_place.error().to_string();
      EXPECT_EQ(bytes_of(*in_place), msg);
      EXPECT_EQ(bytes_of(*out_of_place), msg);
      EXPECT_EQ(wire2, untouched);
    }
  }
}

TEST(RecordProtection12, OutOfPlaceOpenOfTamperedRecordIsBadRecordMac) {
  for (CipherSuite s : kSuites) {
    Pair p(s);
    Bytes wire;
    ASSERT_TRUE(p.tx.seal(ContentType::application_data, pattern(100, 1), wire).ok());
    wire[wire.size() - 1] ^= 0x01;
    Bytes dest(wire.size());
    auto r = p.rx.open(as_record(wire), std::span<uint8_t>(dest));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
    EXPECT_EQ(p.rx.sequence(), 0u);
  }
}
}  // namespace
}  // namespace vouch
