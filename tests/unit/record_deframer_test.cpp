// Record framing (RFC 8446 §5.1): splitting a byte stream into records and
// writing TLSPlaintext records.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "record/record.h"

namespace vouch {
namespace {

Bytes bytes_of(std::span<const uint8_t> v) { return Bytes(v.begin(), v.end()); }

Bytes make_record(ContentType type, uint16_t version, const Bytes& fragment) {
  Bytes out;
  write_plaintext_record(type, version, fragment, out);
  return out;
}

Bytes filled(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 31);
  return b;
}

// A small deterministic generator (no std::random_device: tests repeat).
struct Lcg {
  uint32_t s;
  uint32_t next(uint32_t bound) {
    s = s * 1664525u + 1013904223u;
    return (s >> 8) % bound;
  }
};

TEST(WritePlaintextRecord, WritesHeaderAndFragment) {
  Bytes out = {0xaa};
  const Bytes frag = {1, 2, 3};
  write_plaintext_record(ContentType::handshake, 0x0301, frag, out);
  EXPECT_EQ(out, (Bytes{0xaa, 22, 0x03, 0x01, 0x00, 0x03, 1, 2, 3}));
  write_plaintext_record(ContentType::change_cipher_spec, 0x0303, Bytes{1}, out);
  EXPECT_EQ(out.size(), 9u + 6u);
  EXPECT_EQ(Bytes(out.begin() + 9, out.end()), (Bytes{20, 3, 3, 0, 1, 1}));
}

TEST(WritePlaintextRecord, MaximumFragmentLength) {
  Bytes out;
  write_plaintext_record(ContentType::application_data, 0x0303, Bytes(kMaxPlaintext, 7), out);
  ASSERT_EQ(out.size(), kRecordHeaderLength + kMaxPlaintext);
  EXPECT_EQ(out[3], 0x40);
  EXPECT_EQ(out[4], 0x00);
}

TEST(Deframer, EmptyNeedsMore) {
  Deframer d;
  auto r = d.next();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  d.feed({});
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Deframer, OneRecord) {
  Deframer d;
  const Bytes frag = filled(300, 1);
  const Bytes wire = make_record(ContentType::handshake, 0x0301, frag);
  d.feed(wire);
  EXPECT_EQ(d.buffered(), wire.size());
  auto r = d.next();
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  const RawRecord& rec = **r;
  EXPECT_EQ(rec.type, ContentType::handshake);
  EXPECT_EQ(rec.version, 0x0301);
  EXPECT_EQ(bytes_of(rec.header), Bytes(wire.begin(), wire.begin() + 5));
  EXPECT_EQ(bytes_of(rec.fragment), frag);
  EXPECT_EQ(rec.header.data() + kRecordHeaderLength, rec.fragment.data());
  EXPECT_EQ(d.buffered(), 0u);
  auto none = d.next();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST(Deframer, FedOneByteAtATime) {
  Deframer d;
  const Bytes f1 = filled(40, 3), f2 = filled(1, 9);
  Bytes wire = make_record(ContentType::handshake, 0x0303, f1);
  const Bytes second = make_record(ContentType::alert, 0x0303, f2);
  wire.insert(wire.end(), second.begin(), second.end());

  std::vector<Bytes> got;
  for (size_t i = 0; i < wire.size(); ++i) {
    d.feed(ByteView(&wire[i], 1));
    auto r = d.next();
    ASSERT_TRUE(r.ok()) << "at byte " << i << ": " << r.error().to_string();
    const bool complete = (i + 1 == 5 + f1.size()) || (i + 1 == wire.size());
    ASSERT_EQ(r->has_value(), complete) << "at byte " << i;
    if (*r) got.push_back(bytes_of((*r)->fragment));
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], f1);
  EXPECT_EQ(got[1], f2);
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Deframer, SeveralRecordsInOneFeed) {
  Deframer d;
  Bytes wire;
  const ContentType types[] = {ContentType::handshake, ContentType::change_cipher_spec,
                               ContentType::application_data, ContentType::alert};
  for (size_t i = 0; i < 4; ++i) {
    write_plaintext_record(types[i], 0x0303, filled(i * 50 + 1, static_cast<uint8_t>(i)), wire);
  }
  // Plus the first 3 bytes of a fifth record.
  wire.insert(wire.end(), {23, 3, 3});
  d.feed(wire);
  for (size_t i = 0; i < 4; ++i) {
    auto r = d.next();
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->type, types[i]);
    EXPECT_EQ(bytes_of((*r)->fragment), filled(i * 50 + 1, static_cast<uint8_t>(i)));
  }
  auto partial = d.next();
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->has_value());
  EXPECT_EQ(d.buffered(), 3u);
  d.feed(Bytes{0, 2, 0xab, 0xcd});
  auto fifth = d.next();
  ASSERT_TRUE(fifth.ok());
  ASSERT_TRUE(fifth->has_value());
  EXPECT_EQ(bytes_of((*fifth)->fragment), (Bytes{0xab, 0xcd}));
}

TEST(Deframer, RandomChunkingReassemblesEveryRecord) {
  // Records of varied sizes cut at arbitrary points: exercises compaction
  // (tail moved to the front) and growth.
  Lcg rng{12345};
  std::vector<Bytes> frags;
  Bytes wire;
  for (int i = 0; i < 300; ++i) {
    frags.push_back(filled(rng.next(i % 50 == 0 ? 16384 : 700), static_cast<uint8_t>(i)));
    write_plaintext_record(ContentType::application_data, 0x0303, frags.back(), wire);
  }
  Deframer d;
  size_t pos = 0, seen = 0;
  while (pos < wire.size()) {
    const size_t n = std::min<size_t>(wire.size() - pos, 1 + rng.next(3000));
    d.feed(ByteView(wire.data() + pos, n));
    pos += n;
    for (;;) {
      auto r = d.next(kMaxPlaintext);
      ASSERT_TRUE(r.ok());
      if (!*r) break;
      ASSERT_LT(seen, frags.size());
      ASSERT_EQ(bytes_of((*r)->fragment), frags[seen]) << "record " << seen;
      ++seen;
    }
  }
  EXPECT_EQ(seen, frags.size());
  EXPECT_EQ(d.buffered(), 0u);
}

TEST(Deframer, BufferIsReusedWhenDrained) {
  // Once everything is consumed, the next record lands at the same place:
  // no reallocation, no shifting.
  Deframer d;
  const Bytes wire = make_record(ContentType::application_data, 0x0303, filled(1000, 5));
  d.feed(wire);
  auto first = d.next();
  ASSERT_TRUE(first.ok() && first->has_value());
  const uint8_t* where = (*first)->header.data();
  for (int i = 0; i < 50; ++i) {
    d.feed(wire);
    auto r = d.next();
    ASSERT_TRUE(r.ok() && r->has_value());
    EXPECT_EQ((*r)->header.data(), where);
  }
}

TEST(Deframer, UnknownContentTypeIsUnexpectedMessage) {
  for (uint8_t t : {uint8_t{0}, uint8_t{19}, uint8_t{24}, uint8_t{'G'}}) {
    Deframer d;
    d.feed(ByteView(&t, 1));  // rejected as soon as the type byte is here
    auto r = d.next();
    ASSERT_FALSE(r.ok()) << int{t};
    EXPECT_EQ(r.error().alert, Alert::unexpected_message);
  }
  {
    // A first byte with the high bit set could start an SSL 2.0 hello: it is
    // judged once its msg_type byte is here (DeframerSslv2 below).
    Deframer d;
    const Bytes wire = {0xff, 0x03, 0x02};
    d.feed(wire);
    auto r = d.next();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::unexpected_message);
  }
  // An HTTP request on a TLS port.
  Deframer d;
  const std::string get = "GET / HTTP/1.1\r\n\r\n";
  d.feed(ByteView(reinterpret_cast<const uint8_t*>(get.data()), get.size()));
  auto r = d.next();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::unexpected_message);
}

TEST(Deframer, BadLegacyVersionIsDecodeError) {
  for (uint16_t v : {uint16_t{0x0203}, uint16_t{0x0002}, uint16_t{0x0403}, uint16_t{0xfefd}}) {
    Deframer d;
    const Bytes wire = make_record(ContentType::handshake, v, Bytes{1, 2});
    d.feed(ByteView(wire.data(), 2));  // rejected before the length arrives
    auto r = d.next();
    ASSERT_FALSE(r.ok()) << v;
    EXPECT_EQ(r.error().alert, Alert::decode_error);
  }
  // Any minor version with major 3 is accepted (RFC 8446 §5.1: ignored).
  for (uint16_t v : {uint16_t{0x0300}, uint16_t{0x0301}, uint16_t{0x0303}, uint16_t{0x0304}}) {
    Deframer d;
    d.feed(make_record(ContentType::handshake, v, Bytes{1, 2}));
    auto r = d.next();
    ASSERT_TRUE(r.ok()) << v;
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->version, v);
  }
}

TEST(Deframer, LengthAboveLimitIsRecordOverflow) {
  Deframer d;
  // Header alone announcing 2^14 + 1 bytes: refused before the body arrives.
  const uint8_t hdr[] = {22, 3, 3, 0x40, 0x01};
  d.feed(hdr);
  auto r = d.next(kMaxPlaintext);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().alert, Alert::record_overflow);

  // The default limit is the TLS 1.2 one (2^14 + 2048).
  Deframer d12;
  const uint16_t too_long = static_cast<uint16_t>(kMaxCiphertext12 + 1);
  const uint8_t hdr12[] = {23, 3, 3, static_cast<uint8_t>(too_long >> 8),
                           static_cast<uint8_t>(too_long)};
  d12.feed(hdr12);
  auto r12 = d12.next();
  ASSERT_FALSE(r12.ok());
  EXPECT_EQ(r12.error().alert, Alert::record_overflow);
  // The 2^16 - 1 maximum the header can express.
  Deframer dmax;
  const uint8_t hdrmax[] = {23, 3, 3, 0xff, 0xff};
  dmax.feed(hdrmax);
  auto rmax = dmax.next(kMaxCiphertext13);
  ASSERT_FALSE(rmax.ok());
  EXPECT_EQ(rmax.error().alert, Alert::record_overflow);
}

TEST(Deframer, LengthAtLimitIsAccepted) {
  Deframer d;
  d.feed(make_record(ContentType::application_data, 0x0303, filled(kMaxPlaintext, 2)));
  auto r = d.next(kMaxPlaintext);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->fragment.size(), kMaxPlaintext);
}

TEST(Deframer, ZeroLengthRecordIsLeftToTheCaller) {
  Deframer d;
  d.feed(Bytes{22, 3, 3, 0, 0, 23, 3, 3, 0, 0});
  for (ContentType t : {ContentType::handshake, ContentType::application_data}) {
    auto r = d.next();
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->has_value());
    EXPECT_EQ((*r)->type, t);
    EXPECT_TRUE((*r)->fragment.empty());
  }
}

TEST(Deframer, ErrorIsSticky) {
  Deframer d;
  d.feed(Bytes{22, 3, 3, 0, 1, 0x42, 99, 3, 3, 0, 0});
  auto ok = d.next();
  ASSERT_TRUE(ok.ok() && ok->has_value());
  for (int i = 0; i < 2; ++i) {
    auto r = d.next();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::unexpected_message);
  }
}

}  // namespace
}  // namespace vouch

namespace vouch {
namespace {

// RFC 5246 Appendix E.2: an SSL 2.0-compatible ClientHello (length with the
// high bit set, msg_type 1, version 3.1) is refused with protocol_version,
// also when its bytes arrive one at a time.
TEST(DeframerSslv2, CompatibleClientHelloIsProtocolVersion) {
  const Bytes hello = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10};
  for (size_t split = 1; split <= 3; ++split) {
    Deframer d;
    d.feed(ByteView(hello).first(split - 1));
    if (split > 1) {
      auto early = d.next();
      ASSERT_TRUE(early.ok());
      EXPECT_FALSE(early->has_value());
    }
    d.feed(ByteView(hello).subspan(split - 1));
    auto r = d.next();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().alert, Alert::protocol_version);
  }
}

}  // namespace
}  // namespace vouch
