// TLS 1.3 record protection (RFC 8446 §5.2–§5.4), checked against the
// RFC 8448 §3 trace and by round trips for every 1.3 suite.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <limits>
#include <string_view>

#include "support/hex.h"
#include "crypto/aead.h"
#include "handshake/key_schedule.h"
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
    CipherSuite::TLS_AES_128_GCM_SHA256,
    CipherSuite::TLS_AES_256_GCM_SHA384,
    CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
};

Bytes secret_for(CipherSuite s) {
  HashAlg h;
  AeadAlg a;
  EXPECT_TRUE(tls13_suite_params(s, h, a));
  return Bytes(hash_length(h), 0x5a);
}

// A sender and a receiver keyed with the same traffic secret.
struct Pair {
  RecordProtection13 tx, rx;
  explicit Pair(CipherSuite s) {
    const Bytes secret = secret_for(s);
    EXPECT_TRUE(tx.install(s, secret).ok());
    EXPECT_TRUE(rx.install(s, secret).ok());
  }
};

// RFC 8448 §3: client_handshake_traffic_secret and the client's Finished.
const char* kClientHsSecret =
    "b3 ed db 12 6e 06 7f 35 a7 80 b3 ab f4 5e 2d 8f 3b 1a 95 07 38 f5 2e 96 00 74 6a 0e 27 a5"
    "5a 21";
const char* kClientFinished =
    "14 00 00 20 a8 ec 43 6d 67 76 34 ae 52 5a c1 fc eb e1 1a 03 9e c1 76 94 fa c6 e9 85 27 b6"
    "42 f2 ed d5 ce 61";
const char* kClientFinishedRecord =
    "17 03 03 00 35 75 ec 4d c2 38 cc e6 0b 29 80 44 a7 1e 21 9c 56 cc 77 b0 51 7f e9 b9 3c 7a"
    "4b fc 44 d8 7f 38 f8 03 38 ac 98 fc 46 de b3 84 bd 1c ae ac ab 68 67 d7 26 c4 05 46";
// RFC 8448 §3: client_application_traffic_secret_0, then the client's first
// application_data record (sequence 0) and its close_notify (sequence 1).
const char* kClientApSecret =
    "9e 40 64 6c e7 9a 7f 9d c0 5a f8 88 9b ce 65 52 87 5a fa 0b 06 df 00 87 f7 92 eb b7 c1 75"
    "04 a5";
const char* kAppRecord =
    "17 03 03 00 43 a2 3f 70 54 b6 2c 94 d0 af fa fe 82 28 ba 55 cb ef ac ea 42 f9 14 aa 66 bc"
    "ab 3f 2b 98 19 a8 a5 b4 6b 39 5b d5 4a 9a 20 44 1e 2b 62 97 4e 1f 5a 62 92 a2 97 70 14 bd"
    "1e 3d ea e6 3a ee bb 21 69 49 15 e4";
const char* kAlertRecord =
    "17 03 03 00 13 c9 87 27 60 65 56 66 b7 4d 7f f1 15 3e fd 6d b6 d0 b0 e3";

Bytes app_payload() {
  Bytes p(50);
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<uint8_t>(i);
  return p;
}

TEST(RecordProtection13, SealMatchesRfc8448ClientFinished) {
  RecordProtection13 tx;
  ASSERT_TRUE(tx.install(CipherSuite::TLS_AES_128_GCM_SHA256, hex(kClientHsSecret)).ok());
  Bytes out;
  ASSERT_TRUE(tx.seal(ContentType::handshake, hex(kClientFinished), out).ok());
  EXPECT_EQ(out, hex(kClientFinishedRecord));
  EXPECT_EQ(tx.sequence(), 1u);
}

TEST(RecordProtection13, OpenMatchesRfc8448ClientFinished) {
  RecordProtection13 rx;
  ASSERT_TRUE(rx.install(CipherSuite::TLS_AES_128_GCM_SHA256, hex(kClientHsSecret)).ok());
  Bytes wire = hex(kClientFinishedRecord);
  ContentType type = ContentType::invalid;
  auto pt = rx.open(as_record(wire), type);
  ASSERT_TRUE(pt.ok()) << pt.error().to_string();
  EXPECT_EQ(type, ContentType::handshake);
  EXPECT_EQ(bytes_of(*pt), hex(kClientFinished));
  // The plaintext is a view into the record, decrypted in place.
  EXPECT_EQ(pt->data(), wire.data() + kRecordHeaderLength);
}

TEST(RecordProtection13, SequenceNumbersMatchRfc8448ApplicationTraffic) {
  // Sequence 0 then 1 under one key: the nonce changes per record (§5.3).
  RecordProtection13 tx;
  ASSERT_TRUE(tx.install(CipherSuite::TLS_AES_128_GCM_SHA256, hex(kClientApSecret)).ok());
  Bytes out;
  ASSERT_TRUE(tx.seal(ContentType::application_data, app_payload(), out).ok());
  EXPECT_EQ(out, hex(kAppRecord));
  out.clear();
  const uint8_t close_notify[] = {0x01, 0x00};
  ASSERT_TRUE(tx.seal(ContentType::alert, close_notify, out).ok());
  EXPECT_EQ(out, hex(kAlertRecord));

  RecordProtection13 rx;
  ASSERT_TRUE(rx.install(CipherSuite::TLS_AES_128_GCM_SHA256, hex(kClientApSecret)).ok());
  ContentType type;
  Bytes w0 = hex(kAppRecord), w1 = hex(kAlertRecord);
  auto p0 = rx.open(as_record(w0), type);
  ASSERT_TRUE(p0.ok());
  EXPECT_EQ(type, ContentType::application_data);
  EXPECT_EQ(bytes_of(*p0), app_payload());
  auto p1 = rx.open(as_record(w1), type);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(type, ContentType::alert);
  EXPECT_EQ(bytes_of(*p1), Bytes(close_notify, close_notify + 2));
  EXPECT_EQ(rx.sequence(), 2u);
}

TEST(RecordProtection13, RecordOpenedOutOfOrderFails) {
  RecordProtection13 rx;
  ASSERT_TRUE(rx.install(CipherSuite::TLS_AES_128_GCM_SHA256, hex(kClientApSecret)).ok());
  Bytes w1 = hex(kAlertRecord);  // sealed with sequence 1
  ContentType type;
  auto r = rx.open(as_record(w1), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
  EXPECT_EQ(rx.sequence(), 0u);
}

TEST(RecordProtection13, RoundTripAllSuitesAndSizes) {
  for (CipherSuite s : kSuites) {
    SCOPED_TRACE(to_string(s));
    Pair p(s);
    for (size_t len : {size_t{0}, size_t{1}, size_t{15}, size_t{16}, size_t{1000}, kMaxPlaintext}) {
      Bytes msg(len);
      for (size_t i = 0; i < len; ++i) msg[i] = static_cast<uint8_t>(i * 7 + len);
      Bytes wire;
      ASSERT_TRUE(p.tx.seal(ContentType::application_data, msg, wire).ok());
      ASSERT_EQ(wire.size(), kRecordHeaderLength + len + 1 + kAeadTagLength);
      // §5.2: outer type application_data, legacy version 0x0303, length.
      EXPECT_EQ(wire[0], 23);
      EXPECT_EQ(wire[1], 0x03);
      EXPECT_EQ(wire[2], 0x03);
      EXPECT_EQ(size_t{wire[3]} << 8 | wire[4], len + 1 + kAeadTagLength);
      if (len >= 16) {  // the content does not appear in the clear
        EXPECT_NE(Bytes(wire.begin() + 5, wire.begin() + 21), Bytes(msg.begin(), msg.begin() + 16));
      }
      ContentType type = ContentType::invalid;
      auto pt = p.rx.open(as_record(wire), type);
      ASSERT_TRUE(pt.ok()) << pt.error().to_string();
      EXPECT_EQ(type, ContentType::application_data);
      EXPECT_EQ(bytes_of(*pt), msg);
    }
    EXPECT_EQ(p.tx.sequence(), 6u);
    EXPECT_EQ(p.rx.sequence(), 6u);
  }
}

TEST(RecordProtection13, SuitesAreNotInterchangeable) {
  // Same secret bytes, different suites: keys differ, so records do not open.
  const Bytes secret(32, 0x11);
  RecordProtection13 tx, rx;
  ASSERT_TRUE(tx.install(CipherSuite::TLS_AES_128_GCM_SHA256, secret).ok());
  ASSERT_TRUE(rx.install(CipherSuite::TLS_CHACHA20_POLY1305_SHA256, secret).ok());
  Bytes wire;
  const uint8_t msg[] = {1, 2, 3};
  ASSERT_TRUE(tx.seal(ContentType::handshake, msg, wire).ok());
  ContentType type;
  auto r = rx.open(as_record(wire), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
}

TEST(RecordProtection13, PaddingIsRemoved) {
  for (CipherSuite s : kSuites) {
    SCOPED_TRACE(to_string(s));
    Pair p(s);
    const Bytes msg = {0x00, 0x16, 0x00, 0x17, 0x00};  // zeros inside the content stay
    for (size_t pad : {size_t{0}, size_t{1}, size_t{255}, kMaxPlaintext - msg.size()}) {
      Bytes wire;
      ASSERT_TRUE(p.tx.seal(ContentType::handshake, msg, wire, pad).ok());
      EXPECT_EQ(wire.size(), kRecordHeaderLength + msg.size() + 1 + pad + kAeadTagLength);
      ContentType type = ContentType::invalid;
      auto pt = p.rx.open(as_record(wire), type);
      ASSERT_TRUE(pt.ok()) << pt.error().to_string();
      EXPECT_EQ(type, ContentType::handshake);
      EXPECT_EQ(bytes_of(*pt), msg);
    }
  }
}

TEST(RecordProtection13, EmptyContentWithPaddingOpens) {
  Pair p(CipherSuite::TLS_AES_256_GCM_SHA384);
  Bytes wire;
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, {}, wire, 40).ok());
  ContentType type;
  auto pt = p.rx.open(as_record(wire), type);
  ASSERT_TRUE(pt.ok());
  EXPECT_EQ(type, ContentType::application_data);
  EXPECT_TRUE(pt->empty());
}

TEST(RecordProtection13, AllZeroInnerPlaintextIsUnexpectedMessage) {
  // Content type 0 with zero padding: TLSInnerPlaintext is all zeros (§5.4).
  for (size_t pad : {size_t{0}, size_t{30}}) {
    Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
    Bytes wire;
    ASSERT_TRUE(p.tx.seal(ContentType::invalid, {}, wire, pad).ok());
    ContentType type;
    auto r = p.rx.open(as_record(wire), type);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::unexpected_message);
  }
}

TEST(RecordProtection13, EmptyInnerPlaintextIsUnexpectedMessage) {
  // A record that is only a tag: authentic, but it holds no content type.
  // seal() always adds a type byte, so build it by hand under sequence 0.
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  TrafficKeys keys;
  ASSERT_TRUE(derive_traffic_keys(CipherSuite::TLS_AES_128_GCM_SHA256,
                                  secret_for(CipherSuite::TLS_AES_128_GCM_SHA256), keys)
                  .ok());
  auto aead = Aead::create(AeadAlg::aes128gcm, keys.key_view());
  ASSERT_TRUE(aead.ok());
  Bytes rec = {0x17, 0x03, 0x03, 0x00, 0x10};
  rec.resize(kRecordHeaderLength + kAeadTagLength);
  ASSERT_TRUE(aead->seal(keys.iv_view(), ByteView(rec.data(), 5), {},
                         std::span<uint8_t>(rec.data() + 5, kAeadTagLength))
                  .ok());
  ContentType type;
  auto r = p.rx.open(as_record(rec), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::unexpected_message);
}

TEST(RecordProtection13, TamperedRecordIsBadRecordMac) {
  Pair ref(CipherSuite::TLS_CHACHA20_POLY1305_SHA256);
  Bytes good;
  const Bytes msg(64, 0xab);
  ASSERT_TRUE(ref.tx.seal(ContentType::application_data, msg, good).ok());
  // Flip one bit in: the header (AAD), the ciphertext, the tag.
  for (size_t pos : {size_t{2}, size_t{5}, size_t{40}, good.size() - 1}) {
    SCOPED_TRACE(pos);
    Pair p(CipherSuite::TLS_CHACHA20_POLY1305_SHA256);
    Bytes bad = good;
    bad[pos] ^= 0x01;
    ContentType type;
    auto r = p.rx.open(as_record(bad), type);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
    // The untampered record still opens at the same sequence number.
    Bytes copy = good;
    auto ok = p.rx.open(as_record(copy), type);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(bytes_of(*ok), msg);
  }
}

TEST(RecordProtection13, SequenceNumbersAdvancePerRecord) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  Bytes r0, r1, r2;
  const uint8_t a[] = {'a'}, b[] = {'b'}, c[] = {'c'};
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, a, r0).ok());
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, b, r1).ok());
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, c, r2).ok());
  EXPECT_EQ(p.tx.sequence(), 3u);
  // Same plaintext length, different nonces: different ciphertexts.
  EXPECT_NE(Bytes(r0.begin() + 5, r0.end()), Bytes(r1.begin() + 5, r1.end()));

  ContentType type;
  Bytes skipped = r1;
  auto out_of_order = p.rx.open(as_record(skipped), type);  // expects sequence 0
  ASSERT_FALSE(out_of_order.ok());
  EXPECT_EQ(out_of_order.error().alert, Alert::bad_record_mac);

  auto o0 = p.rx.open(as_record(r0), type);
  ASSERT_TRUE(o0.ok());
  EXPECT_EQ((*o0)[0], 'a');
  EXPECT_EQ(p.rx.sequence(), 1u);
  auto o1 = p.rx.open(as_record(r1), type);
  ASSERT_TRUE(o1.ok());
  EXPECT_EQ((*o1)[0], 'b');
  auto o2 = p.rx.open(as_record(r2), type);
  ASSERT_TRUE(o2.ok());
  EXPECT_EQ((*o2)[0], 'c');
  EXPECT_EQ(p.rx.sequence(), 3u);
  ASSERT_TRUE(p.tx.install(CipherSuite::TLS_AES_128_GCM_SHA256,
                           secret_for(CipherSuite::TLS_AES_128_GCM_SHA256))
                  .ok());
  EXPECT_EQ(p.tx.sequence(), 0u);  // install resets the sequence (§5.3)
}

TEST(RecordProtection13, ReplayedRecordFails) {
  Pair p(CipherSuite::TLS_AES_256_GCM_SHA384);
  Bytes wire;
  const uint8_t m[] = {9, 9, 9};
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, m, wire).ok());
  Bytes first = wire, second = wire;
  ContentType type;
  ASSERT_TRUE(p.rx.open(as_record(first), type).ok());
  auto r = p.rx.open(as_record(second), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
}

TEST(RecordProtection13, CiphertextAboveLimitIsRecordOverflow) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  Bytes wire(kRecordHeaderLength + kMaxCiphertext13 + 1, 0);
  wire[0] = 23;
  wire[1] = wire[2] = 3;
  wire[3] = static_cast<uint8_t>((kMaxCiphertext13 + 1) >> 8);
  wire[4] = static_cast<uint8_t>(kMaxCiphertext13 + 1);
  ContentType type;
  auto r = p.rx.open(as_record(wire), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::record_overflow);
}

TEST(RecordProtection13, InnerPlaintextAboveLimitIsRecordOverflow) {
  // An authentic record whose TLSInnerPlaintext is 2^14 + 2 bytes: the
  // ciphertext fits in 2^14 + 256, but the content exceeds 2^14 (§5.4).
  const CipherSuite suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  Pair p(suite);
  TrafficKeys keys;
  ASSERT_TRUE(derive_traffic_keys(suite, secret_for(suite), keys).ok());
  auto aead = Aead::create(AeadAlg::aes128gcm, keys.key_view());
  ASSERT_TRUE(aead.ok());
  const size_t inner = kMaxPlaintext + 2;
  const size_t ct = inner + kAeadTagLength;
  Bytes rec(kRecordHeaderLength + ct, 0x41);
  rec[0] = 23;
  rec[1] = rec[2] = 3;
  rec[3] = static_cast<uint8_t>(ct >> 8);
  rec[4] = static_cast<uint8_t>(ct);
  rec[kRecordHeaderLength + inner - 1] = 23;  // content type
  std::span<uint8_t> body(rec.data() + kRecordHeaderLength, ct);
  // Sequence 0: the nonce is the iv itself.
  ASSERT_TRUE(aead->seal(keys.iv_view(), ByteView(rec.data(), kRecordHeaderLength),
                         body.first(inner), body)
                  .ok());
  ContentType type;
  auto r = p.rx.open(as_record(rec), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::record_overflow);
}

TEST(RecordProtection13, SealRefusesOversizedPlaintextAndPadding) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  Bytes out = {0xee};
  const Bytes big(kMaxPlaintext + 1, 1);
  EXPECT_FALSE(p.tx.seal(ContentType::application_data, big, out).ok());
  const Bytes full(kMaxPlaintext, 1);
  EXPECT_FALSE(p.tx.seal(ContentType::application_data, full, out, 1).ok());
  EXPECT_FALSE(p.tx.seal(ContentType::application_data, {}, out, kMaxPlaintext + 1).ok());
  EXPECT_FALSE(p.tx.seal(ContentType::application_data, {}, out,
                         std::numeric_limits<size_t>::max())
                   .ok());
  EXPECT_EQ(out, Bytes{0xee});  // nothing appended on failure
  EXPECT_EQ(p.tx.sequence(), 0u);
}

TEST(RecordProtection13, SealAppendsToExistingOutput) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  Bytes out = {1, 2, 3};
  const uint8_t m1[] = {'x'}, m2[] = {'y', 'z'};
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, m1, out).ok());
  ASSERT_TRUE(p.tx.seal(ContentType::handshake, m2, out).ok());
  ASSERT_EQ(out.size(), 3 + (5 + 1 + 1 + 16) + (5 + 2 + 1 + 16));
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 3), (Bytes{1, 2, 3}));
  Bytes a(out.begin() + 3, out.begin() + 26), b(out.begin() + 26, out.end());
  ContentType type;
  auto pa = p.rx.open(as_record(a), type);
  ASSERT_TRUE(pa.ok());
  EXPECT_EQ(type, ContentType::application_data);
  auto pb = p.rx.open(as_record(b), type);
  ASSERT_TRUE(pb.ok());
  EXPECT_EQ(type, ContentType::handshake);
  EXPECT_EQ(bytes_of(*pb), Bytes(m2, m2 + 2));
}

TEST(RecordProtection13, SequenceNumberNeverWraps) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  p.tx.set_sequence_for_testing(max - 1);
  p.rx.set_sequence_for_testing(max - 1);
  const uint8_t m[] = {7};
  Bytes wire;
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, m, wire).ok());
  EXPECT_EQ(p.tx.sequence(), max);
  Bytes more;
  auto s = p.tx.seal(ContentType::application_data, m, more);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(more.empty());
  EXPECT_EQ(p.tx.sequence(), max);

  ContentType type;
  ASSERT_TRUE(p.rx.open(as_record(wire), type).ok());  // nonce of sequence 2^64 - 2
  EXPECT_EQ(p.rx.sequence(), max);
  Bytes again = wire;
  auto o = p.rx.open(as_record(again), type);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(p.rx.sequence(), max);
}

TEST(RecordProtection13, HighSequenceNumbersUseAllNonceBytes) {
  // Records at sequences differing only in the top byte must not share a nonce.
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  const uint8_t m[] = {1, 2, 3, 4};
  Bytes lo, hi;
  p.tx.set_sequence_for_testing(5);
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, m, lo).ok());
  p.tx.set_sequence_for_testing((uint64_t{1} << 56) | 5);
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, m, hi).ok());
  EXPECT_NE(lo, hi);
  ContentType type;
  p.rx.set_sequence_for_testing((uint64_t{1} << 56) | 5);
  ASSERT_TRUE(p.rx.open(as_record(hi), type).ok());
}

TEST(RecordProtection13, ProtectedChangeCipherSpecIsUnexpectedMessage) {
  // §5: a protected change_cipher_spec record → unexpected_message.
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  Bytes wire;
  const uint8_t ccs[] = {1};
  ASSERT_TRUE(p.tx.seal(ContentType::change_cipher_spec, ccs, wire).ok());
  ContentType type;
  auto r = p.rx.open(as_record(wire), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::unexpected_message);
}

TEST(RecordProtection13, UnknownInnerTypeIsUnexpectedMessage) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  Bytes wire;
  const uint8_t m[] = {1};
  ASSERT_TRUE(p.tx.seal(static_cast<ContentType>(99), m, wire).ok());
  ContentType type;
  auto r = p.rx.open(as_record(wire), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::unexpected_message);
}

TEST(RecordProtection13, WrongOuterTypeIsUnexpectedMessage) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  Bytes wire;
  const uint8_t m[] = {1};
  ASSERT_TRUE(p.tx.seal(ContentType::handshake, m, wire).ok());
  wire[0] = 22;
  ContentType type;
  auto r = p.rx.open(as_record(wire), type);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::unexpected_message);
}

TEST(RecordProtection13, ShorterThanTagIsBadRecordMac) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  for (size_t n : {size_t{0}, size_t{1}, kAeadTagLength - 1}) {
    Bytes wire(kRecordHeaderLength + n, 0);
    wire[0] = 23;
    wire[1] = wire[2] = 3;
    wire[4] = static_cast<uint8_t>(n);
    ContentType type;
    auto r = p.rx.open(as_record(wire), type);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
  }
}

TEST(RecordProtection13, UseBeforeInstallAndBadSuiteFail) {
  RecordProtection13 rp;
  EXPECT_FALSE(rp.active());
  Bytes out;
  const uint8_t m[] = {1};
  auto s = rp.seal(ContentType::application_data, m, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().alert, Alert::internal_error);
  Bytes wire = {23, 3, 3, 0, 17};
  wire.resize(22);
  ContentType type;
  EXPECT_FALSE(rp.open(as_record(wire), type).ok());
  // A TLS 1.2 suite has no 1.3 record protection.
  EXPECT_FALSE(rp.install(CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, Bytes(32, 1)).ok());
  EXPECT_FALSE(rp.active());
  ASSERT_TRUE(rp.install(CipherSuite::TLS_AES_128_GCM_SHA256, Bytes(32, 1)).ok());
  EXPECT_TRUE(rp.active());
}

TEST(RecordProtection13, DeframedRecordsOpenInPlace) {
  // Several records written into one buffer, split by the Deframer, opened.
  Pair p(CipherSuite::TLS_AES_256_GCM_SHA384);
  Bytes stream;
  for (int i = 0; i < 5; ++i) {
    Bytes msg(static_cast<size_t>(100 * i + 1), static_cast<uint8_t>(i));
    ASSERT_TRUE(p.tx.seal(ContentType::application_data, msg, stream, static_cast<size_t>(i)).ok());
  }
  Deframer d;
  d.feed(stream);
  for (int i = 0; i < 5; ++i) {
    auto rec = d.next(kMaxCiphertext13);
    ASSERT_TRUE(rec.ok());
    ASSERT_TRUE(rec->has_value());
    ContentType type;
    auto pt = p.rx.open(**rec, type);
    ASSERT_TRUE(pt.ok()) << pt.error().to_string();
    EXPECT_EQ(bytes_of(*pt), Bytes(static_cast<size_t>(100 * i + 1), static_cast<uint8_t>(i)));
  }
  EXPECT_EQ(d.buffered(), 0u);
}

// Sealing into a caller's span and opening into a separate destination
// (what the connection does for application data) give the same bytes as
// the appending and in-place forms.
TEST(RecordProtection13, SpanSealAndOutOfPlaceOpenMatchInPlace) {
  for (CipherSuite s : kSuites) {
    SCOPED_TRACE(to_string(s));
    Pair a(s), b(s);
    for (size_t len : {size_t{0}, size_t{1}, size_t{255}, size_t{4097}, kMaxPlaintext}) {
      Bytes msg(len);
      for (size_t i = 0; i < len; ++i) msg[i] = static_cast<uint8_t>(i * 3 + len);
      Bytes appended;
      ASSERT_TRUE(a.tx.seal(ContentType::application_data, msg, appended).ok());
      Bytes spanned(RecordProtection13::sealed_size(len));
      ASSERT_TRUE(b.tx.seal(ContentType::application_data, msg, std::span<uint8_t>(spanned)).ok());
      EXPECT_EQ(spanned, appended);
      // A span of the wrong size is refused (internal_error), nothing sealed.
      Bytes too_small(spanned.size() - 1);
      Status st = b.tx.seal(ContentType::application_data, msg, std::span<uint8_t>(too_small));
      ASSERT_FALSE(st.ok());
      EXPECT_EQ(st.error().alert, Alert::internal_error);

      ContentType t1 = ContentType::invalid, t2 = ContentType::invalid;
      Bytes wire1 = appended;
      auto in_place = a.rx.open(as_record(wire1), t1);
      ASSERT_TRUE(in_place.ok()) << in_place.error().to_string();
      Bytes wire2 = spanned;
      const Bytes untouched = wire2;
      Bytes dest(wire2.size());
      auto out_of_place = b.rx.open(as_record(wire2), t2, std::span<uint8_t>(dest));
      ASSERT_TRUE(out_of_place.ok()) << out_of_place.error().to_string();
      EXPECT_EQ(t1, ContentType::application_data);
      EXPECT_EQ(t2, ContentType::application_data);
      EXPECT_EQ(bytes_of(*in_place), msg);
      EXPECT_EQ(bytes_of(*out_of_place), msg);
      EXPECT_EQ(out_of_place->data(), dest.data());
      EXPECT_EQ(wire2, untouched);  // the record itself is left as it was
    }
  }
}

TEST(RecordProtection13, OutOfPlaceOpenOfTamperedRecordIsBadRecordMac) {
  Pair p(CipherSuite::TLS_AES_128_GCM_SHA256);
  Bytes wire;
  ASSERT_TRUE(p.tx.seal(ContentType::application_data, Bytes(100, 7), wire).ok());
  wire[kRecordHeaderLength + 3] ^= 0x80;
  Bytes dest(wire.size());
  ContentType t;
  auto r = p.rx.open(as_record(wire), t, std::span<uint8_t>(dest));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::bad_record_mac);
  EXPECT_EQ(p.rx.sequence(), 0u);
}
}  // namespace
}  // namespace vouch
