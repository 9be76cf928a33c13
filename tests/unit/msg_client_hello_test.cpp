// ClientHello (RFC 8446 §4.1.2): round trips, every bound of the
// presentation language, truncation at every byte, PSK binder bookkeeping.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/hex.h"
#include "msg/messages.h"

namespace vouch {
namespace {

using testing::hex;
using testing::hexs;

Bytes body_of(const ClientHello& m, size_t* binders_offset = nullptr) {
  Bytes out;
  Writer w(out);
  write(w, m, binders_offset);
  EXPECT_TRUE(w.ok());
  return out;
}

Alert alert_of(const Status& s) { return s ? Alert::close_notify : s.error().alert; }

ClientHello sample() {
  ClientHello m;
  for (size_t i = 0; i < m.random.size(); ++i) m.random[i] = static_cast<uint8_t>(i);
  m.legacy_session_id = Bytes(32, 0xaa);
  m.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
                     static_cast<CipherSuite>(0x0a0a)};
  m.ext.server_name = "example.com";
  m.ext.supported_versions = {ProtocolVersion::tls13, ProtocolVersion::tls12};
  m.ext.supported_groups = {NamedGroup::x25519};
  m.ext.key_shares = std::vector<KeyShareEntry>{{NamedGroup::x25519, Bytes(32, 0x55)}};
  m.ext.signature_algorithms = {SignatureScheme::ecdsa_secp256r1_sha256};
  m.ext.status_request = OcspStatusRequest{};
  m.ext.psk_key_exchange_modes = Bytes{1};
  m.ext.psk_identities = std::vector<PskIdentity>{{Bytes(20, 0x01), 99}, {Bytes(7, 0x02), 0}};
  m.ext.psk_binders = {Bytes(32, 0x0b), Bytes(48, 0x0c)};
  return m;
}

// Offset of the extensions block in sample()'s body: version, random,
// session id, suites, compression.
constexpr size_t kSampleExtOffset = 2 + 32 + 1 + 32 + 2 + 6 + 2;

TEST(ClientHello, RoundTrip) {
  const ClientHello m = sample();
  const Bytes b = body_of(m);
  // The fixed part, laid out by hand from §4.1.2.
  Bytes head = hex("0303");
  head.insert(head.end(), m.random.begin(), m.random.end());
  head = head + hex("20") + Bytes(32, 0xaa) + hex("0006 1301 1303 0a0a 01 00");
  ASSERT_EQ(head.size(), kSampleExtOffset);
  EXPECT_EQ(hexs(ByteView(b).first(head.size())), hexs(head));

  ClientHello got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_EQ(got.legacy_version, 0x0303);
  EXPECT_EQ(got.random, m.random);
  EXPECT_EQ(got.legacy_session_id, m.legacy_session_id);
  EXPECT_EQ(got.cipher_suites, m.cipher_suites);
  EXPECT_EQ(got.legacy_compression_methods, Bytes{0});
  EXPECT_EQ(got.ext.server_name, "example.com");
  ASSERT_TRUE(got.ext.key_shares);
  ASSERT_EQ(got.ext.key_shares->size(), 1u);
  EXPECT_EQ((*got.ext.key_shares)[0].key_exchange, Bytes(32, 0x55));
  EXPECT_EQ(got.ext.supported_versions, m.ext.supported_versions);
  ASSERT_TRUE(got.ext.psk_identities);
  EXPECT_EQ((*got.ext.psk_identities)[0].obfuscated_ticket_age, 99u);
  EXPECT_EQ(got.ext.psk_binders, m.ext.psk_binders);
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
}

TEST(ClientHello, BindersLengthAndOffsetAgree) {
  size_t offset = 0;
  const Bytes b = body_of(sample(), &offset);
  ClientHello got;
  ASSERT_TRUE(parse(b, got));
  // binders: u16 length + (1+32) + (1+48)
  EXPECT_EQ(got.binders_length, 2u + 33u + 49u);
  EXPECT_EQ(offset + got.binders_length, b.size());
  // §4.2.11.2: the truncated ClientHello ends right before the binders list,
  // i.e. right after the identities.
  const Bytes binders = hex("0052 20") + Bytes(32, 0x0b) + hex("30") + Bytes(48, 0x0c);
  EXPECT_EQ(hexs(ByteView(b).subspan(offset)), hexs(binders));
}

TEST(ClientHello, NoPskMeansNoBinders) {
  ClientHello m = sample();
  m.ext.psk_identities.reset();
  m.ext.psk_binders.clear();
  ClientHello got;
  ASSERT_TRUE(parse(body_of(m), got));
  EXPECT_EQ(got.binders_length, 0u);
}

TEST(ClientHello, EveryPrefixFailsWithDecodeError) {
  const Bytes b = body_of(sample());
  for (size_t n = 0; n < b.size(); ++n) {
    ClientHello got;
    const Status s = parse(ByteView(b).first(n), got);
    if (n == kSampleExtOffset) {
      // Ends right after the compression methods: a valid TLS 1.2
      // ClientHello without extensions (RFC 5246 §7.4.1.2).
      ASSERT_TRUE(s) << s.error().to_string();
      EXPECT_TRUE(got.ext.present.empty());
      continue;
    }
    ASSERT_FALSE(s) << "prefix " << n;
    EXPECT_EQ(s.error().alert, Alert::decode_error) << n;
  }
}

TEST(ClientHello, WithoutExtensionsRoundTrips) {
  ClientHello m;
  m.cipher_suites = {CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
  const Bytes b = body_of(m);
  EXPECT_EQ(b.size(), 2u + 32 + 1 + 4 + 2);  // no extensions block at all
  ClientHello got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_EQ(got.cipher_suites, m.cipher_suites);
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
  // An explicitly empty block is accepted too.
  ASSERT_TRUE(parse(b + hex("0000"), got));
}

// A body assembled field by field, to break one field at a time.
Bytes build(const Bytes& session_id_vec, const Bytes& suites_vec, const Bytes& compression_vec,
            const Bytes& tail = hex("0008 000a 0004 0002 001d")) {
  return hex("0303") + Bytes(32, 0x07) + session_id_vec + suites_vec + compression_vec + tail;
}

TEST(ClientHello, FieldBounds) {
  const Bytes sid = hex("00"), suites = hex("0002 1301"), comp = hex("01 00");
  ClientHello got;
  ASSERT_TRUE(parse(build(sid, suites, comp), got));
  ASSERT_TRUE(got.ext.supported_groups);

  struct Bad {
    const char* what;
    Bytes body;
  };
  const Bad cases[] = {
      {"session id of 33 bytes", build(hex("21") + Bytes(33, 1), suites, comp)},
      {"empty cipher_suites", build(sid, hex("0000"), comp)},
      {"odd cipher_suites", build(sid, hex("0003 130113"), comp)},
      {"cipher_suites length too long", build(sid, hex("0004 1301"), comp, {})},
      {"empty compression", build(sid, suites, hex("00"))},
      {"compression length too long", build(sid, suites, hex("03 00"), {})},
      {"trailing byte", build(sid, suites, comp) + hex("00")},
      {"extensions length too long", build(sid, suites, comp, hex("0009 000a 0004 0002 001d"))},
      {"extensions length too short", build(sid, suites, comp, hex("0007 000a 0004 0002 001d"))},
      {"one dangling byte instead of a block", build(sid, suites, comp, hex("00"))},
  };
  for (const Bad& c : cases) {
    const Status s = parse(c.body, got);
    EXPECT_EQ(alert_of(s), Alert::decode_error) << c.what;
    if (!s) {
      EXPECT_EQ(s.error().reason.rfind("ClientHello: ", 0), 0u) << s.error().reason;
    }
  }
  // A 32-byte session id is the maximum and fine.
  EXPECT_TRUE(parse(build(hex("20") + Bytes(32, 1), suites, comp), got));
}

TEST(ClientHello, ReasonNamesTheField) {
  ClientHello got;
  const Status s = parse(build(hex("00"), hex("0003 130113"), hex("0100")), got);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().reason, "ClientHello: cipher_suites has odd length");
}

TEST(ClientHello, ExtensionRules) {
  const Bytes sid = hex("00"), suites = hex("0002 1301"), comp = hex("01 00");
  ClientHello got;
  // unknown extension: ignored, recorded
  ASSERT_TRUE(parse(build(sid, suites, comp, hex("0004 7777 0000")), got));
  EXPECT_EQ(got.ext.present, std::vector<uint16_t>{0x7777});
  // oid_filters is CertificateRequest-only
  EXPECT_EQ(alert_of(parse(build(sid, suites, comp, hex("0006 0030 0002 0000")), got)), Alert::illegal_parameter);
  // duplicate
  EXPECT_EQ(alert_of(parse(build(sid, suites, comp, hex("0008 0017 0000 0017 0000")), got)), Alert::illegal_parameter);
  // pre_shared_key not last
  const Bytes psk = hex("0029 002c 0007 0001 aa 00000000 0021 20") + Bytes(32, 3);
  Bytes tail = hex("0034") + psk + hex("0017 0000");
  EXPECT_EQ(alert_of(parse(build(sid, suites, comp, tail), got)), Alert::illegal_parameter);
  tail = hex("0034 0017 0000") + psk;
  ASSERT_TRUE(parse(build(sid, suites, comp, tail), got));
  EXPECT_EQ(got.binders_length, 35u);
}

TEST(ClientHello, ParseResetsTheOutput) {
  ClientHello got = sample();
  ClientHello m;
  m.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  ASSERT_TRUE(parse(body_of(m), got));
  EXPECT_FALSE(got.ext.server_name);
  EXPECT_EQ(got.binders_length, 0u);
  EXPECT_TRUE(got.legacy_session_id.empty());
}

}  // namespace
}  // namespace vouch
