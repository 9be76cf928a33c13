// The other TLS 1.3 handshake messages (RFC 8446 §4.3–§4.6) and the
// handshake framing: exact layouts, round trips, every malformed case.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/hex.h"
#include "msg/messages.h"

namespace vouch {
namespace {

using testing::hex;
using testing::hexs;

template <class M>
Bytes body_of(const M& m) {
  Bytes out;
  Writer w(out);
  write(w, m);
  EXPECT_TRUE(w.ok());
  return out;
}

Alert alert_of(const Status& s) { return s ? Alert::close_notify : s.error().alert; }

// Every strict prefix of a valid body is decode_error, with a reason that
// names the message.
template <class M>
void expect_every_prefix_fails(const Bytes& b, const char* message) {
  for (size_t n = 0; n < b.size(); ++n) {
    M got;
    const Status s = parse(ByteView(b).first(n), got);
    ASSERT_FALSE(s) << message << " prefix " << n;
    EXPECT_EQ(s.error().alert, Alert::decode_error) << message << " prefix " << n;
    EXPECT_NE(s.error().reason.find(message), std::string::npos) << s.error().reason;
  }
}

template <class M>
void expect_trailing_byte_fails(const Bytes& b) {
  M got;
  EXPECT_EQ(alert_of(parse(b + hex("00"), got)), Alert::decode_error);
}

// ------------------------------------------------- EncryptedExtensions

TEST(EncryptedExtensions, RoundTrip) {
  EncryptedExtensions m;
  m.ext.supported_groups = {NamedGroup::x25519, NamedGroup::secp256r1};
  m.ext.server_name_ack = true;
  m.ext.alpn = std::vector<std::string>{"h2"};
  m.ext.early_data = true;
  const Bytes b = body_of(m);
  EXPECT_EQ(hexs(b), hexs(hex("001b 000a 0006 0004 001d 0017  0000 0000  002a 0000  0010 0005 0003 026832")));
  EncryptedExtensions got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_EQ(got.ext.supported_groups, m.ext.supported_groups);
  EXPECT_TRUE(got.ext.server_name_ack);
  EXPECT_TRUE(got.ext.early_data);
  EXPECT_EQ(got.ext.alpn, m.ext.alpn);
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
  expect_every_prefix_fails<EncryptedExtensions>(b, "EncryptedExtensions");
  expect_trailing_byte_fails<EncryptedExtensions>(b);
}

TEST(EncryptedExtensions, EmptyIsFine) {
  EncryptedExtensions got;
  ASSERT_TRUE(parse(hex("0000"), got));
  EXPECT_EQ(hexs(body_of(got)), "0000");
}

TEST(EncryptedExtensions, MisplacedAndUnknownExtensions) {
  EncryptedExtensions got;
  // key_share, cookie, supported_versions, pre_shared_key, status_request: not EE
  for (const char* ext : {"0033 0002 001d", "002c 0003 0001aa", "002b 0002 0304", "0029 0002 0000", "0005 0000"}) {
    const Bytes e = hex(ext);
    Bytes b = hex("00") + Bytes{static_cast<uint8_t>(e.size())} + e;
    EXPECT_EQ(alert_of(parse(b, got)), Alert::illegal_parameter) << ext;
  }
  // an extension we never requested (RFC 8446 §4.2)
  EXPECT_EQ(alert_of(parse(hex("0004 7777 0000"), got)), Alert::unsupported_extension);
  // duplicates
  EXPECT_EQ(alert_of(parse(hex("0008 002a 0000 002a 0000"), got)), Alert::illegal_parameter);
}

// ------------------------------------------------- CertificateRequest

CertificateRequest sample_cr() {
  CertificateRequest m;
  m.certificate_request_context = hex("0102");
  m.ext.signature_algorithms = {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::rsa_pss_rsae_sha256};
  m.ext.certificate_authorities = std::vector<Bytes>{hex("300e310c300a06035504030c03616263")};
  m.ext.status_request_empty = true;
  m.ext.oid_filters = std::vector<OidFilter>{{hex("551d25"), hex("300a06082b06010505070302")}};
  return m;
}

TEST(CertificateRequest, RoundTrip) {
  const CertificateRequest m = sample_cr();
  const Bytes b = body_of(m);
  EXPECT_EQ(hexs(ByteView(b).first(3)), "020102");
  CertificateRequest got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_EQ(got.certificate_request_context, hex("0102"));
  EXPECT_EQ(got.ext.signature_algorithms, m.ext.signature_algorithms);
  EXPECT_EQ(got.ext.certificate_authorities, m.ext.certificate_authorities);
  EXPECT_TRUE(got.ext.status_request_empty);
  ASSERT_TRUE(got.ext.oid_filters);
  EXPECT_EQ((*got.ext.oid_filters)[0].certificate_extension_values, hex("300a06082b06010505070302"));
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
  expect_every_prefix_fails<CertificateRequest>(b, "CertificateRequest");
  expect_trailing_byte_fails<CertificateRequest>(b);
}

TEST(CertificateRequest, Rules) {
  CertificateRequest got;
  const Bytes sig = hex("000d 0004 0002 0403");
  ASSERT_TRUE(parse(hex("00 0008") + sig, got));
  EXPECT_TRUE(got.certificate_request_context.empty());
  // §4.3.2: signature_algorithms MUST be specified.
  EXPECT_EQ(alert_of(parse(hex("00 0004 0005 0000"), got)), Alert::missing_extension);
  // extensions<2..2^16-1>: an empty block is malformed.
  EXPECT_EQ(alert_of(parse(hex("00 0000"), got)), Alert::decode_error);
  // unknown extensions are ignored (§4.3.2 "Clients MUST ignore unrecognized extensions")
  ASSERT_TRUE(parse(hex("00 000c 7777 0000") + sig, got));
  EXPECT_EQ(got.ext.present, (std::vector<uint16_t>{0x7777, 13}));
  // supported_versions / key_share / early_data are not CertificateRequest extensions
  EXPECT_EQ(alert_of(parse(hex("00 000e 002b 0002 0304") + sig, got)), Alert::illegal_parameter);
  EXPECT_EQ(alert_of(parse(hex("00 000e 0033 0002 001d") + sig, got)), Alert::illegal_parameter);
  EXPECT_EQ(alert_of(parse(hex("00 000c 002a 0000") + sig, got)), Alert::illegal_parameter);
  // context length beyond the body
  EXPECT_EQ(alert_of(parse(hex("05 0102"), got)), Alert::decode_error);
  // odd signature list
  EXPECT_EQ(alert_of(parse(hex("00 0007 000d 0003 0001 04"), got)), Alert::decode_error);
}

// ------------------------------------------------- Certificate

Certificate sample_cert() {
  Certificate m;
  m.certificate_request_context = hex("aa");
  CertificateEntry leaf;
  leaf.cert_data = hex("3082000130");
  leaf.ext.ocsp_response = hex("3003 0a0100");
  CertificateEntry ca;
  ca.cert_data = hex("30");
  m.certificate_list = {leaf, ca};
  return m;
}

TEST(Certificate, RoundTrip) {
  const Bytes b = body_of(sample_cert());
  EXPECT_EQ(hexs(b), hexs(hex("01 aa 00001d"
                              "000005 3082000130 000d 0005 0009 01 000005 30030a0100"
                              "000001 30 0000")));
  Certificate got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_EQ(got.certificate_request_context, hex("aa"));
  ASSERT_EQ(got.certificate_list.size(), 2u);
  EXPECT_EQ(got.certificate_list[0].cert_data, hex("3082000130"));
  EXPECT_EQ(got.certificate_list[0].ext.ocsp_response, hex("30030a0100"));
  EXPECT_EQ(got.certificate_list[1].cert_data, hex("30"));
  EXPECT_TRUE(got.certificate_list[1].ext.present.empty());
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
  expect_every_prefix_fails<Certificate>(b, "Certificate");
  expect_trailing_byte_fails<Certificate>(b);
}

TEST(Certificate, EmptyListIsFine) {
  // A client with no certificate sends an empty certificate_list (§4.4.2).
  Certificate got;
  ASSERT_TRUE(parse(hex("00 000000"), got));
  EXPECT_TRUE(got.certificate_list.empty());
  EXPECT_EQ(hexs(body_of(got)), "00000000");
}

TEST(Certificate, Malformed) {
  Certificate got;
  // empty cert_data
  EXPECT_EQ(alert_of(parse(hex("00 000005 000000 0000"), got)), Alert::decode_error);
  // list length too long / too short
  EXPECT_EQ(alert_of(parse(hex("00 000007 000001 30 0000"), got)), Alert::decode_error);
  EXPECT_EQ(alert_of(parse(hex("00 000005 000001 30 0000"), got)), Alert::decode_error);
  // cert_data overruns the list
  EXPECT_EQ(alert_of(parse(hex("00 000006 000005 30 0000"), got)), Alert::decode_error);
  // entry without its extensions field
  EXPECT_EQ(alert_of(parse(hex("00 000004 000001 30"), got)), Alert::decode_error);
  // key_share in a CertificateEntry: misplaced
  EXPECT_EQ(alert_of(parse(hex("00 00000c 000001 30 0006 0033 0002 001d"), got)), Alert::illegal_parameter);
  // an unknown CertificateEntry extension was not requested (§4.4.2)
  EXPECT_EQ(alert_of(parse(hex("00 00000a 000001 30 0004 7777 0000"), got)), Alert::unsupported_extension);
  // duplicate status_request in one entry
  EXPECT_EQ(alert_of(parse(hex("00 000018 000001 30 0012 0005 0005 01 000001 30 0005 0005 01 000001 30"), got)),
            Alert::illegal_parameter);
}

// ------------------------------------------------- CertificateVerify

TEST(CertificateVerify, RoundTrip) {
  CertificateVerify m;
  m.algorithm = SignatureScheme::ecdsa_secp256r1_sha256;
  m.signature = hex("3006020101020101");
  const Bytes b = body_of(m);
  EXPECT_EQ(hexs(b), "040300083006020101020101");
  CertificateVerify got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_EQ(got.algorithm, m.algorithm);
  EXPECT_EQ(got.signature, m.signature);
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
  expect_every_prefix_fails<CertificateVerify>(b, "CertificateVerify");
  expect_trailing_byte_fails<CertificateVerify>(b);
  // signature<0..2^16-1>: empty is well-formed (it fails verification later).
  ASSERT_TRUE(parse(hex("0807 0000"), got));
  EXPECT_TRUE(got.signature.empty());
  EXPECT_EQ(alert_of(parse(hex("0807 0002 aa"), got)), Alert::decode_error);
}

TEST(CertificateVerify, SignedContent) {
  const Bytes hash(32, 0x77);
  const Bytes server = certificate_verify_input(true, hash);
  const Bytes client = certificate_verify_input(false, hash);
  const std::string s_ctx = "TLS 1.3, server CertificateVerify";
  const std::string c_ctx = "TLS 1.3, client CertificateVerify";
  ASSERT_EQ(server.size(), 64 + s_ctx.size() + 1 + 32);
  EXPECT_EQ(Bytes(server.begin(), server.begin() + 64), Bytes(64, 0x20));
  EXPECT_EQ(std::string(server.begin() + 64, server.begin() + 64 + s_ctx.size()), s_ctx);
  EXPECT_EQ(server[64 + s_ctx.size()], 0x00);
  EXPECT_EQ(Bytes(server.end() - 32, server.end()), hash);
  EXPECT_EQ(std::string(client.begin() + 64, client.begin() + 64 + c_ctx.size()), c_ctx);
  EXPECT_NE(server, client);
  // A SHA-384 transcript hash is carried whole.
  EXPECT_EQ(certificate_verify_input(true, Bytes(48, 1)).size(), 64 + s_ctx.size() + 1 + 48);
}

// ------------------------------------------------- Finished

TEST(Finished, RoundTrip) {
  Finished m;
  m.verify_data = Bytes(32, 0x99);
  const Bytes b = body_of(m);
  EXPECT_EQ(b, Bytes(32, 0x99));
  Finished got;
  ASSERT_TRUE(parse(b, 32, got));
  EXPECT_EQ(got.verify_data, m.verify_data);
  EXPECT_EQ(body_of(got), b);
  for (size_t n = 0; n < b.size(); ++n) EXPECT_EQ(alert_of(parse(ByteView(b).first(n), 32, got)), Alert::decode_error);
  EXPECT_EQ(alert_of(parse(b + hex("00"), 32, got)), Alert::decode_error);
  // SHA-384 suites: 48 bytes; a 32-byte body is then wrong.
  EXPECT_EQ(alert_of(parse(b, 48, got)), Alert::decode_error);
  ASSERT_TRUE(parse(Bytes(48, 1), 48, got));
  EXPECT_EQ(got.verify_data.size(), 48u);
}

// ------------------------------------------------- NewSessionTicket

NewSessionTicket sample_nst() {
  NewSessionTicket m;
  m.ticket_lifetime = 7200;
  m.ticket_age_add = 0xdeadbeef;
  m.ticket_nonce = hex("0001");
  m.ticket = hex("cafebabe");
  m.ext.max_early_data_size = 16384;
  return m;
}

TEST(NewSessionTicket, RoundTrip) {
  const Bytes b = body_of(sample_nst());
  EXPECT_EQ(hexs(b), hexs(hex("00001c20 deadbeef 02 0001 0004 cafebabe 0008 002a 0004 00004000")));
  NewSessionTicket got;
  ASSERT_TRUE(parse(b, got));
  EXPECT_EQ(got.ticket_lifetime, 7200u);
  EXPECT_EQ(got.ticket_age_add, 0xdeadbeefu);
  EXPECT_EQ(got.ticket_nonce, hex("0001"));
  EXPECT_EQ(got.ticket, hex("cafebabe"));
  EXPECT_EQ(got.ext.max_early_data_size, 16384u);
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
  expect_every_prefix_fails<NewSessionTicket>(b, "NewSessionTicket");
  expect_trailing_byte_fails<NewSessionTicket>(b);
}

TEST(NewSessionTicket, Rules) {
  NewSessionTicket got;
  // lifetime: 604800 is the maximum; one more is illegal_parameter (§4.6.1)
  ASSERT_TRUE(parse(hex("00093a80 00000000 00 0001 aa 0000"), got));
  EXPECT_EQ(got.ticket_lifetime, 604800u);
  EXPECT_TRUE(got.ticket_nonce.empty());
  EXPECT_EQ(alert_of(parse(hex("00093a81 00000000 00 0001 aa 0000"), got)), Alert::illegal_parameter);
  // ticket<1..2^16-1>
  EXPECT_EQ(alert_of(parse(hex("00000001 00000000 00 0000 0000"), got)), Alert::decode_error);
  // nonce length overruns
  EXPECT_EQ(alert_of(parse(hex("00000001 00000000 09 0001 aa 0000"), got)), Alert::decode_error);
  // extensions<0..2^16-2>: 0xffff is out of range whatever follows
  EXPECT_EQ(alert_of(parse(hex("00000001 00000000 00 0001 aa ffff"), got)), Alert::decode_error);
  // Unknown extensions are ignored (§4.6.1 "Clients MUST ignore unrecognized extensions").
  ASSERT_TRUE(parse(hex("00000001 00000000 00 0001 aa 0005 7777 0001 00"), got));
  EXPECT_TRUE(got.ext.has(static_cast<ExtensionType>(0x7777)));
  // A recognised but misplaced one is illegal_parameter.
  EXPECT_EQ(alert_of(parse(hex("00000001 00000000 00 0001 aa 0006 0033 0002 001d"), got)), Alert::illegal_parameter);
  // early_data in a NewSessionTicket carries a u32.
  EXPECT_EQ(alert_of(parse(hex("00000001 00000000 00 0001 aa 0004 002a 0000"), got)), Alert::decode_error);
}

// ------------------------------------------------- KeyUpdate

TEST(KeyUpdate, RoundTripAndValues) {
  for (bool requested : {false, true}) {
    KeyUpdate m;
    m.update_requested = requested;
    const Bytes b = body_of(m);
    EXPECT_EQ(b, Bytes{static_cast<uint8_t>(requested)});
    KeyUpdate got;
    ASSERT_TRUE(parse(b, got));
    EXPECT_EQ(got.update_requested, requested);
    EXPECT_EQ(body_of(got), b);
  }
  KeyUpdate got;
  EXPECT_EQ(alert_of(parse(hex("02"), got)), Alert::illegal_parameter);
  EXPECT_EQ(alert_of(parse(hex("ff"), got)), Alert::illegal_parameter);
  EXPECT_EQ(alert_of(parse(Bytes{}, got)), Alert::decode_error);
  EXPECT_EQ(alert_of(parse(hex("0100"), got)), Alert::decode_error);
}

// ------------------------------------------------- framing and names

TEST(Handshake, FrameAndNames) {
  Bytes out = hex("ff");  // appends, never overwrites
  frame_handshake(HandshakeType::finished, hex("010203"), out);
  EXPECT_EQ(hexs(out), "ff14000003010203");
  out.clear();
  frame_handshake(HandshakeType::end_of_early_data, Bytes{}, out);
  EXPECT_EQ(hexs(out), "05000000");
  KeyUpdate ku;
  ku.update_requested = true;
  EXPECT_EQ(hexs(framed(HandshakeType::key_update, ku)), "1800000101");

  // write_framed writes the body in place behind the header: the same bytes
  // as building the body apart and framing it, appended to what is there.
  Certificate cert;
  cert.certificate_list.push_back({hex("3082"), {}});
  Bytes body;
  Writer bw(body);
  write(bw, cert);
  Bytes expected = hex("aa");
  frame_handshake(HandshakeType::certificate, body, expected);
  Bytes in_place = hex("aa");
  EXPECT_TRUE(write_framed(HandshakeType::certificate, cert, in_place));
  EXPECT_EQ(hexs(in_place), hexs(expected));
  // A field longer than its length prefix is reported, not written silently.
  cert.certificate_request_context.assign(256, 0x01);
  Bytes overflow;
  EXPECT_FALSE(write_framed(HandshakeType::certificate, cert, overflow));

  EXPECT_STREQ(handshake_type_name(1), "ClientHello");
  EXPECT_STREQ(handshake_type_name(2), "ServerHello");
  EXPECT_STREQ(handshake_type_name(8), "EncryptedExtensions");
  EXPECT_STREQ(handshake_type_name(11), "Certificate");
  EXPECT_STREQ(handshake_type_name(13), "CertificateRequest");
  EXPECT_STREQ(handshake_type_name(15), "CertificateVerify");
  EXPECT_STREQ(handshake_type_name(20), "Finished");
  EXPECT_STREQ(handshake_type_name(24), "KeyUpdate");
  EXPECT_STREQ(handshake_type_name(254), "message_hash");
  EXPECT_STREQ(handshake_type_name(3), "unknown");
  EXPECT_STREQ(handshake_type_name(99), "unknown");
}

}  // namespace
}  // namespace vouch
