// ServerHello / HelloRetryRequest / TLS 1.2 ServerHello (RFC 8446 §4.1.3,
// §4.1.4; RFC 5246 §7.4.1.3): the context is chosen from the message itself.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "support/hex.h"
#include "msg/messages.h"

namespace vouch {
namespace {

using testing::hex;
using testing::hexs;

Bytes body_of(const ServerHello& m) {
  Bytes out;
  Writer w(out);
  write(w, m);
  EXPECT_TRUE(w.ok());
  return out;
}

Alert alert_of(const Status& s) { return s ? Alert::close_notify : s.error().alert; }

constexpr size_t kFixedLength = 2 + 32 + 1 + 32 + 2 + 1;  // with a 32-byte session id echo

ServerHello tls13() {
  ServerHello m;
  m.random.fill(0x5a);
  m.legacy_session_id_echo = Bytes(32, 0xee);
  m.cipher_suite = CipherSuite::TLS_AES_256_GCM_SHA384;
  m.ext.selected_version = ProtocolVersion::tls13;
  m.ext.key_share = KeyShareEntry{NamedGroup::secp256r1, Bytes(65, 0x04)};
  m.ext.psk_selected_identity = 0;
  return m;
}

ServerHello hrr() {
  ServerHello m;
  m.random = kHelloRetryRequestRandom;
  m.legacy_session_id_echo = Bytes(32, 0xee);
  m.cipher_suite = CipherSuite::TLS_AES_128_GCM_SHA256;
  m.ext.selected_version = ProtocolVersion::tls13;
  m.ext.key_share_selected_group = NamedGroup::secp384r1;
  m.ext.cookie = hex("c0c0c0");
  return m;
}

ServerHello tls12() {
  ServerHello m;
  m.random.fill(0x12);
  std::copy(kDowngradeTls12.begin(), kDowngradeTls12.end(), m.random.end() - 8);
  m.legacy_session_id_echo = Bytes(32, 0xee);
  m.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
  m.ext.server_name_ack = true;
  m.ext.status_request_empty = true;
  m.ext.alpn = std::vector<std::string>{"h2"};
  m.ext.extended_master_secret = true;
  m.ext.renegotiation_info = Bytes{};
  m.ext.ec_point_formats = Bytes{0};
  m.ext.session_ticket = Bytes{};
  return m;
}

TEST(ServerHello, HelloRetryRequestRandomIsSha256OfTheString) {
  // RFC 8446 §4.1.3: "the SHA-256 of 'HelloRetryRequest'".
  uint8_t md[32];
  unsigned len = 0;
  const char* s = "HelloRetryRequest";
  ASSERT_EQ(EVP_Digest(s, std::strlen(s), md, &len, EVP_sha256(), nullptr), 1);
  ASSERT_EQ(len, 32u);
  EXPECT_EQ(hexs(kHelloRetryRequestRandom), hexs(ByteView(md, len)));
}

TEST(ServerHello, DowngradeSentinels) {
  EXPECT_EQ(hexs(kDowngradeTls12), hexs(Bytes{'D', 'O', 'W', 'N', 'G', 'R', 'D', 1}));
  EXPECT_EQ(hexs(kDowngradeTls11), hexs(Bytes{'D', 'O', 'W', 'N', 'G', 'R', 'D', 0}));
}

TEST(ServerHello, Tls13RoundTrip) {
  const ServerHello m = tls13();
  const Bytes b = body_of(m);
  EXPECT_EQ(hexs(ByteView(b).first(kFixedLength)),
            hexs(hex("0303") + Bytes(32, 0x5a) + hex("20") + Bytes(32, 0xee) + hex("1302 00")));
  ServerHello got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_FALSE(got.is_hello_retry_request());
  EXPECT_EQ(got.cipher_suite, CipherSuite::TLS_AES_256_GCM_SHA384);
  EXPECT_EQ(got.ext.selected_version, ProtocolVersion::tls13);
  ASSERT_TRUE(got.ext.key_share);
  EXPECT_EQ(got.ext.key_share->group, NamedGroup::secp256r1);
  EXPECT_EQ(got.ext.key_share->key_exchange, Bytes(65, 0x04));
  EXPECT_EQ(got.ext.psk_selected_identity, 0);
  EXPECT_EQ(got.ext.present, (std::vector<uint16_t>{41, 51, 43}));
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
}

TEST(ServerHello, HelloRetryRequestRoundTrip) {
  const Bytes b = body_of(hrr());
  ServerHello got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_TRUE(got.is_hello_retry_request());
  EXPECT_EQ(got.ext.key_share_selected_group, NamedGroup::secp384r1);
  EXPECT_FALSE(got.ext.key_share);
  EXPECT_EQ(got.ext.cookie, hex("c0c0c0"));
  EXPECT_EQ(got.ext.present, (std::vector<uint16_t>{51, 44, 43}));
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
}

TEST(ServerHello, Tls12RoundTrip) {
  const Bytes b = body_of(tls12());
  ServerHello got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_FALSE(got.ext.selected_version);
  EXPECT_TRUE(got.ext.server_name_ack);
  EXPECT_TRUE(got.ext.status_request_empty);
  EXPECT_EQ(got.ext.alpn, std::vector<std::string>{"h2"});
  EXPECT_TRUE(got.ext.extended_master_secret);
  EXPECT_EQ(got.ext.renegotiation_info, Bytes{});
  EXPECT_EQ(got.ext.ec_point_formats, Bytes{0});
  EXPECT_EQ(got.ext.session_ticket, Bytes{});
  EXPECT_EQ(hexs(ByteView(got.random).last(8)), hexs(kDowngradeTls12));
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
}

TEST(ServerHello, Tls12WithoutExtensionsRoundTrips) {
  ServerHello m;
  m.cipher_suite = CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384;
  const Bytes b = body_of(m);
  EXPECT_EQ(b.size(), 2u + 32 + 1 + 2 + 1);
  ServerHello got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_TRUE(got.ext.present.empty());
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
}

TEST(ServerHello, EveryPrefixFailsWithDecodeError) {
  for (const ServerHello& m : {tls13(), hrr(), tls12()}) {
    const Bytes b = body_of(m);
    for (size_t n = 0; n < b.size(); ++n) {
      ServerHello got;
      const Status s = parse(ByteView(b).first(n), got);
      if (n == kFixedLength) {
        // No extensions block: a valid TLS 1.2 ServerHello (RFC 5246 §7.4.1.3).
        EXPECT_TRUE(s) << s.error().to_string();
        continue;
      }
      ASSERT_FALSE(s) << "prefix " << n;
      EXPECT_EQ(s.error().alert, Alert::decode_error) << n;
    }
  }
}

Bytes build(const Bytes& random, const Bytes& sid_vec, const Bytes& tail) {
  return hex("0303") + random + sid_vec + hex("1301 00") + tail;
}

TEST(ServerHello, FieldBounds) {
  const Bytes random(32, 1);
  ServerHello got;
  EXPECT_EQ(alert_of(parse(build(random, hex("21") + Bytes(33, 0), hex("0006 002b 0002 0304")), got)),
            Alert::decode_error);
  EXPECT_EQ(alert_of(parse(build(random, hex("00"), hex("0006 002b 0002 0304 00")), got)), Alert::decode_error);
  EXPECT_EQ(alert_of(parse(build(random, hex("00"), hex("0007 002b 0002 0304")), got)), Alert::decode_error);
  EXPECT_EQ(alert_of(parse(build(random, hex("00"), hex("0005 002b 0002 0304")), got)), Alert::decode_error);
  EXPECT_EQ(alert_of(parse(build(random, hex("05") + Bytes(4, 0), {}), got)), Alert::decode_error);
  ASSERT_TRUE(parse(build(random, hex("00"), hex("0006 002b 0002 0304")), got));
  EXPECT_EQ(got.ext.selected_version, ProtocolVersion::tls13);
}

TEST(ServerHello, ExtensionRulesFollowTheDetectedVersion) {
  const Bytes random(32, 1);
  const Bytes hrr_random(kHelloRetryRequestRandom.begin(), kHelloRetryRequestRandom.end());
  const Bytes sv = hex("002b 0002 0304");
  ServerHello got;
  // TLS 1.3 ServerHello: cookie is HRR-only → illegal_parameter.
  EXPECT_EQ(alert_of(parse(build(random, hex("00"), hex("000d") + sv + hex("002c 0003 0001 aa")), got)),
            Alert::illegal_parameter);
  // ... unknown → unsupported_extension.
  EXPECT_EQ(alert_of(parse(build(random, hex("00"), hex("000a") + sv + hex("7777 0000")), got)),
            Alert::unsupported_extension);
  // HelloRetryRequest: cookie allowed, the key_share body is a bare group.
  ASSERT_TRUE(parse(build(hrr_random, hex("00"), hex("0013") + sv + hex("002c 0003 0001 aa 0033 0002 001d")), got));
  EXPECT_TRUE(got.is_hello_retry_request());
  EXPECT_EQ(got.ext.key_share_selected_group, NamedGroup::x25519);
  // ... and a ServerHello-style share in an HRR is malformed.
  EXPECT_EQ(alert_of(parse(build(hrr_random, hex("00"), hex("0010") + sv + hex("0033 0006 001d 0002 aabb")), got)),
            Alert::decode_error);
  // ... pre_shared_key is not allowed in an HRR.
  EXPECT_EQ(alert_of(parse(build(hrr_random, hex("00"), hex("000c") + sv + hex("0029 0002 0000")), got)),
            Alert::illegal_parameter);
  // No supported_versions: TLS 1.2 rules; a key_share was never requested.
  EXPECT_EQ(alert_of(parse(build(random, hex("00"), hex("000a 0033 0006 001d 0002 aabb")), got)),
            Alert::unsupported_extension);
  ASSERT_TRUE(parse(build(random, hex("00"), hex("0004 0017 0000")), got));
  EXPECT_TRUE(got.ext.extended_master_secret);
  // supported_versions anywhere in the block switches to the 1.3 table.
  ASSERT_TRUE(parse(build(random, hex("00"), hex("0010 0033 0006 001d 0002 aabb") + sv), got));
  ASSERT_TRUE(got.ext.key_share);
}

}  // namespace
}  // namespace vouch
