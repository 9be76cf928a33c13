// The TLS 1.2 handshake messages (RFC 5246 §7.4, RFC 8422 §5.4–§5.7,
// RFC 6066 §8 with RFC 6961 §2.2, RFC 5077 §3.3): exact layouts computed by hand from the RFC
// structures, round trips, every prefix and a trailing byte, every malformed
// case with its alert, and a deterministic robustness sweep.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "support/hex.h"
#include "msg/messages.h"
#include "msg/messages12.h"

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

// The failure's reason starts with "<message>: ", so a log line says which
// message was malformed.
::testing::AssertionResult names(const Status& s, const std::string& message) {
  if (s) return ::testing::AssertionFailure() << "parse succeeded";
  const std::string want = message + ": ";
  if (s.error().reason.rfind(want, 0) != 0)
    return ::testing::AssertionFailure() << "reason \"" << s.error().reason << "\" does not start with \"" << want
                                         << "\"";
  return ::testing::AssertionSuccess();
}

// Parses and expects `alert`, with a reason naming the message.
template <class M>
void expect_fails(const Bytes& b, Alert alert, const std::string& message) {
  M got;
  const Status s = parse(b, got);
  ASSERT_FALSE(s) << hexs(b);
  EXPECT_EQ(s.error().alert, alert) << hexs(b) << ": " << s.error().to_string();
  EXPECT_TRUE(names(s, message)) << hexs(b);
}

// Every strict prefix of a valid body is decode_error, with a reason that
// names the message.
template <class M>
void expect_every_prefix_fails(const Bytes& b, const std::string& message) {
  for (size_t n = 0; n < b.size(); ++n) {
    M got;
    const Status s = parse(ByteView(b).first(n), got);
    ASSERT_FALSE(s) << message << " prefix " << n;
    EXPECT_EQ(s.error().alert, Alert::decode_error) << message << " prefix " << n;
    EXPECT_TRUE(names(s, message)) << "prefix " << n;
  }
}

template <class M>
void expect_trailing_byte_fails(const Bytes& b, const std::string& message) {
  for (const char* extra : {"00", "ff", "0000"}) expect_fails<M>(b + hex(extra), Alert::decode_error, message);
}

// parse(b) succeeds and writing the result gives b back.
template <class M>
M expect_round_trip(const Bytes& b) {
  M got;
  const Status s = parse(b, got);
  EXPECT_TRUE(s) << hexs(b) << ": " << (s ? "" : s.error().to_string());
  EXPECT_EQ(hexs(body_of(got)), hexs(b));
  return got;
}

// 00 01 02 ... n-1
Bytes counting(size_t n, uint8_t start = 0) {
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(start + i);
  return out;
}

// ------------------------------------------------- Certificate (TLS 1.2)

Certificate12 sample_cert12() {
  Certificate12 m;
  m.certificate_list = {hex("3082000130"), hex("30")};
  return m;
}

TEST(Certificate12, ExactLayout) {
  // certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>: 3 + 5 + 3 + 1 = 12.
  const Bytes b = body_of(sample_cert12());
  EXPECT_EQ(hexs(b), hexs(hex("00000c  000005 3082000130  000001 30")));
}

TEST(Certificate12, RoundTrip) {
  const Bytes b = body_of(sample_cert12());
  const Certificate12 got = expect_round_trip<Certificate12>(b);
  ASSERT_EQ(got.certificate_list.size(), 2u);
  EXPECT_EQ(got.certificate_list[0], hex("3082000130"));
  EXPECT_EQ(got.certificate_list[1], hex("30"));
  expect_every_prefix_fails<Certificate12>(b, "Certificate");
  expect_trailing_byte_fails<Certificate12>(b, "Certificate");
}

TEST(Certificate12, EmptyListIsFine) {
  // RFC 5246 §7.4.6: a client without a suitable certificate sends an empty
  // certificate_list; refusing it from a server is the state machine's job.
  const Certificate12 got = expect_round_trip<Certificate12>(hex("000000"));
  EXPECT_TRUE(got.certificate_list.empty());
  EXPECT_EQ(hexs(body_of(Certificate12{})), "000000");
}

TEST(Certificate12, LargeCertificate) {
  // A 70000-byte certificate needs all three length bytes.
  Certificate12 m;
  m.certificate_list = {Bytes(70000, 0x30)};
  const Bytes b = body_of(m);
  EXPECT_EQ(hexs(ByteView(b).first(6)), hexs(hex("011173 011170")));
  const Certificate12 got = expect_round_trip<Certificate12>(b);
  ASSERT_EQ(got.certificate_list.size(), 1u);
  EXPECT_EQ(got.certificate_list[0].size(), 70000u);
}

TEST(Certificate12, Malformed) {
  const Alert D = Alert::decode_error;
  // ASN.1Cert<1..2^24-1>: a zero-length certificate, first or later
  expect_fails<Certificate12>(hex("000003 000000"), D, "Certificate");
  expect_fails<Certificate12>(hex("000007 000001 30 000000"), D, "Certificate");
  // an inner length overrunning the outer list
  expect_fails<Certificate12>(hex("000004 000005 30"), D, "Certificate");
  expect_fails<Certificate12>(hex("000008 000001 30 000005 30"), D, "Certificate");
  // an inner length header cut by the end of the list
  expect_fails<Certificate12>(hex("000002 0000"), D, "Certificate");
  expect_fails<Certificate12>(hex("000006 000001 30 00 00"), D, "Certificate");
  // the outer length beyond the body / short of it (the rest is trailing)
  expect_fails<Certificate12>(hex("000005 000001 30"), D, "Certificate");
  expect_fails<Certificate12>(hex("000003 000001 30"), D, "Certificate");
  expect_fails<Certificate12>(hex("ffffff 000001 30"), D, "Certificate");
  // the TLS 1.3 form (a certificate_request_context byte first) is not TLS 1.2's
  expect_fails<Certificate12>(hex("00 000006 000001 30 0000"), D, "Certificate");
  // nothing at all
  expect_fails<Certificate12>(Bytes{}, D, "Certificate");
}

// ------------------------------------------------- CertificateStatus

TEST(CertificateStatus, ExactLayoutAndRoundTrip) {
  CertificateStatus m;
  m.ocsp_response = hex("3003 0a0100");
  const Bytes b = body_of(m);
  // status_type ocsp(1), then OCSPResponse<1..2^24-1>.
  EXPECT_EQ(hexs(b), hexs(hex("01 000005 30030a0100")));
  const CertificateStatus got = expect_round_trip<CertificateStatus>(b);
  EXPECT_EQ(got.ocsp_response, hex("30030a0100"));
  expect_every_prefix_fails<CertificateStatus>(b, "CertificateStatus");
  expect_trailing_byte_fails<CertificateStatus>(b, "CertificateStatus");
  // framed as handshake type 22 (RFC 6066 §8)
  EXPECT_EQ(hexs(framed(HandshakeType::certificate_status, m)), hexs(hex("16 000009 01 000005 30030a0100")));
}

TEST(CertificateStatus, OneByteResponse) {
  const CertificateStatus got = expect_round_trip<CertificateStatus>(hex("01 000001 30"));
  EXPECT_EQ(got.ocsp_response, hex("30"));
}

TEST(CertificateStatus, Malformed) {
  const Alert D = Alert::decode_error;
  const Alert I = Alert::illegal_parameter;
  // a status_type other than ocsp(1) and ocsp_multi(2): we only ever ask
  // for those (RFC 6066 §8, RFC 6961 §2.2)
  for (const char* type : {"00", "03", "ff"}) {
    SCOPED_TRACE(type);
    expect_fails<CertificateStatus>(hex(type) + hex("000005 30030a0100"), I, "CertificateStatus");
    // the type decides, whatever (if anything) follows
    expect_fails<CertificateStatus>(hex(type), I, "CertificateStatus");
  }
  // OCSPResponse<1..2^24-1>: empty
  expect_fails<CertificateStatus>(hex("01 000000"), D, "CertificateStatus");
  // length beyond the body, length short of it
  expect_fails<CertificateStatus>(hex("01 000006 30030a0100"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(hex("01 000004 30030a0100"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(hex("01 ffffff 30"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(Bytes{}, D, "CertificateStatus");
  // ocsp_multi(2) with an ocsp(1) body: the "list" length 000005 swallows
  // the response, whose first bytes are then read as an entry length
  expect_fails<CertificateStatus>(hex("02 000005 30030a0100"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(hex("02"), D, "CertificateStatus");
}

// RFC 6961 §2.2: status_type ocsp_multi(2), then
// OCSPResponse ocsp_response_list<1..2^24-1> with OCSPResponse<0..2^24-1>.
TEST(CertificateStatus, OcspMultiExactLayoutAndRoundTrip) {
  CertificateStatus m;
  m.status_type = CertificateStatusType::ocsp_multi;
  m.ocsp_response_list = {hex("30030a0100"), Bytes{}, hex("30")};
  m.ocsp_response = hex("ffff");  // ignored: not the form written
  const Bytes b = body_of(m);
  // list length 15 = (3 + 5) + (3 + 0) + (3 + 1)
  EXPECT_EQ(hexs(b), hexs(hex("02 00000f 000005 30030a0100 000000 000001 30")));
  EXPECT_EQ(certificate_status_body_size(m), b.size());
  const CertificateStatus got = expect_round_trip<CertificateStatus>(b);
  EXPECT_EQ(got.status_type, CertificateStatusType::ocsp_multi);
  ASSERT_EQ(got.ocsp_response_list.size(), 3u);
  EXPECT_EQ(got.ocsp_response_list[0], hex("30030a0100"));
  EXPECT_TRUE(got.ocsp_response_list[1].empty());  // "no response for that certificate"
  EXPECT_EQ(got.ocsp_response_list[2], hex("30"));
  EXPECT_TRUE(got.ocsp_response.empty());
  expect_every_prefix_fails<CertificateStatus>(b, "CertificateStatus");
  expect_trailing_byte_fails<CertificateStatus>(b, "CertificateStatus");
  EXPECT_EQ(hexs(framed(HandshakeType::certificate_status, m)),
            hexs(hex("16 000013 02 00000f 000005 30030a0100 000000 000001 30")));
  // The ocsp form's size too.
  CertificateStatus single;
  single.ocsp_response = hex("30030a0100");
  EXPECT_EQ(certificate_status_body_size(single), body_of(single).size());
}

TEST(CertificateStatus, OcspMultiEdges) {
  // One empty entry: the smallest legal list (its length is 3, not 0).
  CertificateStatus got = expect_round_trip<CertificateStatus>(hex("02 000003 000000"));
  EXPECT_EQ(got.status_type, CertificateStatusType::ocsp_multi);
  ASSERT_EQ(got.ocsp_response_list.size(), 1u);
  EXPECT_TRUE(got.ocsp_response_list[0].empty());
  // Every entry empty.
  got = expect_round_trip<CertificateStatus>(hex("02 000006 000000 000000"));
  EXPECT_EQ(got.ocsp_response_list.size(), 2u);
  // A reused struct forgets the other form.
  ASSERT_TRUE(parse(hex("01 000001 30"), got));
  EXPECT_EQ(got.status_type, CertificateStatusType::ocsp);
  EXPECT_TRUE(got.ocsp_response_list.empty());
}

TEST(CertificateStatus, OcspMultiMalformed) {
  const Alert D = Alert::decode_error;
  // ocsp_response_list<1..2^24-1>: empty
  expect_fails<CertificateStatus>(hex("02 000000"), D, "CertificateStatus");
  // an entry running past the list (the list length is right for the body)
  expect_fails<CertificateStatus>(hex("02 000004 000005 30"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(hex("02 000008 000005 30030a0100 00"), D, "CertificateStatus");
  // an entry length cut short inside the list
  expect_fails<CertificateStatus>(hex("02 000002 0000"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(hex("02 00000a 000005 30030a0100 0000"), D, "CertificateStatus");
  // the list length beyond the body / short of it (the rest is trailing)
  expect_fails<CertificateStatus>(hex("02 000009 000005 30030a0100"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(hex("02 000007 000005 30030a0100"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(hex("02 ffffff 000000"), D, "CertificateStatus");
  // a list length of two or one byte
  expect_fails<CertificateStatus>(hex("02 0000"), D, "CertificateStatus");
  expect_fails<CertificateStatus>(hex("02 00"), D, "CertificateStatus");
}

// ------------------------------------------------- ServerKeyExchange

ServerKeyExchange sample_ske() {
  ServerKeyExchange m;
  m.group = NamedGroup::x25519;
  m.public_key = counting(32);
  m.algorithm = SignatureScheme::ecdsa_secp256r1_sha256;
  m.signature = hex("3006020101020101");
  return m;
}

TEST(ServerKeyExchange, ExactLayout) {
  const Bytes b = body_of(sample_ske());
  // curve_type named_curve(3), NamedCurve x25519 (0x001d), point<1..2^8-1>,
  // SignatureAndHashAlgorithm 0x0403, signature<0..2^16-1>.
  EXPECT_EQ(hexs(b), hexs(hex("03 001d 20 000102030405060708090a0b0c0d0e0f"
                              "101112131415161718191a1b1c1d1e1f"
                              "0403 0008 3006020101020101")));
  EXPECT_EQ(b.size(), 1u + 2u + 1u + 32u + 2u + 2u + 8u);
}

TEST(ServerKeyExchange, RoundTrip) {
  const Bytes b = body_of(sample_ske());
  const ServerKeyExchange got = expect_round_trip<ServerKeyExchange>(b);
  EXPECT_EQ(got.group, NamedGroup::x25519);
  EXPECT_EQ(got.public_key, counting(32));
  EXPECT_EQ(got.algorithm, SignatureScheme::ecdsa_secp256r1_sha256);
  EXPECT_EQ(got.signature, hex("3006020101020101"));
  expect_every_prefix_fails<ServerKeyExchange>(b, "ServerKeyExchange");
  expect_trailing_byte_fails<ServerKeyExchange>(b, "ServerKeyExchange");
}

TEST(ServerKeyExchange, UncompressedP256Point) {
  ServerKeyExchange m;
  m.group = NamedGroup::secp256r1;
  m.public_key = hex("04") + counting(64, 0x80);  // 0x04 || X || Y, 65 bytes
  m.algorithm = SignatureScheme::rsa_pss_rsae_sha256;
  m.signature = Bytes(256, 0x5a);
  const Bytes b = body_of(m);
  EXPECT_EQ(hexs(ByteView(b).first(5)), "0300174104");
  EXPECT_EQ(hexs(ByteView(b).subspan(1 + 2 + 1 + 65, 4)), "08040100");
  const ServerKeyExchange got = expect_round_trip<ServerKeyExchange>(b);
  EXPECT_EQ(got.group, NamedGroup::secp256r1);
  EXPECT_EQ(got.public_key.size(), 65u);
  EXPECT_EQ(got.signature.size(), 256u);
}

TEST(ServerKeyExchange, UnknownGroupAndAlgorithmAreKept) {
  // Whether the group was offered / the algorithm acceptable is the client
  // state machine's decision, not the codec's.
  const ServerKeyExchange got = expect_round_trip<ServerKeyExchange>(hex("03 abcd 01 aa 0909 0001 bb"));
  EXPECT_EQ(static_cast<uint16_t>(got.group), 0xabcd);
  EXPECT_EQ(static_cast<uint16_t>(got.algorithm), 0x0909);
}

TEST(ServerKeyExchange, EmptySignatureIsWellFormed) {
  // signature<0..2^16-1>: it fails verification later, not decoding.
  const ServerKeyExchange got = expect_round_trip<ServerKeyExchange>(hex("03 001d 01 aa 0807 0000"));
  EXPECT_TRUE(got.signature.empty());
}

TEST(ServerKeyExchange, LargestPoint) {
  // point<1..2^8-1>: 255 bytes is the maximum the length byte can express.
  const Bytes b = hex("03 0019 ff") + Bytes(255, 0x04) + hex("0603 0000");
  const ServerKeyExchange got = expect_round_trip<ServerKeyExchange>(b);
  EXPECT_EQ(got.public_key.size(), 255u);
}

TEST(ServerKeyExchange, CurveTypeOtherThanNamedCurve) {
  // RFC 8422 §5.4: explicit_prime(1) and explicit_char2(2) are deprecated;
  // named_curve(3) is the only format. Anything else is illegal_parameter,
  // decided on the first byte (the rest cannot be interpreted without it).
  for (int type : {0, 1, 2, 4, 0xf8, 0xff}) {
    SCOPED_TRACE(type);
    const Bytes t{static_cast<uint8_t>(type)};
    expect_fails<ServerKeyExchange>(t + hex("001d 01 aa 0403 0000"), Alert::illegal_parameter, "ServerKeyExchange");
    expect_fails<ServerKeyExchange>(t, Alert::illegal_parameter, "ServerKeyExchange");
  }
  // An explicit_prime body as RFC 4492 laid it out (prime_p<1..2^8-1>, ...)
  expect_fails<ServerKeyExchange>(hex("01 01 17 01 01 01 02 01 04 01 05 01 01"), Alert::illegal_parameter,
                                  "ServerKeyExchange");
}

TEST(ServerKeyExchange, Malformed) {
  const Alert D = Alert::decode_error;
  // ECPoint point<1..2^8-1>: empty
  expect_fails<ServerKeyExchange>(hex("03 001d 00 0403 0000"), D, "ServerKeyExchange");
  expect_fails<ServerKeyExchange>(hex("03 001d 00"), D, "ServerKeyExchange");
  // point length beyond the body
  expect_fails<ServerKeyExchange>(hex("03 001d 05 aabb"), D, "ServerKeyExchange");
  expect_fails<ServerKeyExchange>(hex("03 001d ff aabb 0403 0000"), D, "ServerKeyExchange");
  // signature length beyond the body, and short of it
  expect_fails<ServerKeyExchange>(hex("03 001d 01 aa 0403 0003 aabb"), D, "ServerKeyExchange");
  expect_fails<ServerKeyExchange>(hex("03 001d 01 aa 0403 0001 aabb"), D, "ServerKeyExchange");
  // no DigitallySigned at all, or only half of its algorithm
  expect_fails<ServerKeyExchange>(hex("03 001d 01 aa"), D, "ServerKeyExchange");
  expect_fails<ServerKeyExchange>(hex("03 001d 01 aa 04"), D, "ServerKeyExchange");
  // a TLS 1.0/1.1-style signature with no algorithm: the length is read as
  // the algorithm and the signature is then cut short
  expect_fails<ServerKeyExchange>(hex("03 001d 01 aa 0002 3000"), D, "ServerKeyExchange");
  expect_fails<ServerKeyExchange>(Bytes{}, D, "ServerKeyExchange");
}

TEST(ServerKeyExchange, SignedContent) {
  const Bytes client_random(32, 0xaa);
  const Bytes server_random(32, 0xbb);
  const Bytes point = hex("04") + counting(64, 1);
  const Bytes content = server_key_exchange_signed_content(client_random, server_random, NamedGroup::secp256r1, point);
  // RFC 5246 §7.4.3 / RFC 8422 §5.4:
  //   client_random[32] || server_random[32] || ServerECDHParams
  // with ServerECDHParams = curve_type(3) || NamedCurve || point<1..2^8-1>.
  const Bytes expected = client_random + server_random + hex("03 0017 41") + point;
  EXPECT_EQ(hexs(content), hexs(expected));
  ASSERT_EQ(content.size(), 32u + 32u + 1u + 2u + 1u + 65u);
  EXPECT_EQ(hexs(ByteView(content).subspan(64, 4)), "03001741");

  // The params covered are byte for byte those in the message.
  ServerKeyExchange m;
  m.group = NamedGroup::secp256r1;
  m.public_key = point;
  m.algorithm = SignatureScheme::ecdsa_secp256r1_sha256;
  m.signature = hex("3000");
  const Bytes b = body_of(m);
  const size_t params_length = 1 + 2 + 1 + point.size();
  EXPECT_EQ(hexs(ByteView(content).subspan(64)), hexs(ByteView(b).first(params_length)));

  // x25519 and the order of the randoms
  const Bytes x = server_key_exchange_signed_content(server_random, client_random, NamedGroup::x25519, Bytes(32, 9));
  EXPECT_EQ(hexs(x), hexs(server_random + client_random + hex("03 001d 20") + Bytes(32, 9)));
}

// ------------------------------------------------- CertificateRequest (TLS 1.2)

CertificateRequest12 sample_cr12() {
  CertificateRequest12 m;
  m.certificate_types = {kCertTypeRsaSign, kCertTypeEcdsaSign};
  m.supported_signature_algorithms = {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::rsa_pss_rsae_sha256,
                                      SignatureScheme::rsa_pkcs1_sha256};
  m.certificate_authorities = {hex("300e310c300a06035504030c03616263"), hex("3000")};
  return m;
}

TEST(CertificateRequest12, ExactLayout) {
  const Bytes b = body_of(sample_cr12());
  // certificate_types<1..2^8-1> = {rsa_sign(1), ecdsa_sign(64)};
  // supported_signature_algorithms<2..2^16-2> = 0403 0804 0401;
  // certificate_authorities<0..2^16-1>: (2 + 16) + (2 + 2) = 22 bytes.
  EXPECT_EQ(hexs(b), hexs(hex("02 01 40"
                              "0006 0403 0804 0401"
                              "0016 0010 300e310c300a06035504030c03616263 0002 3000")));
}

TEST(CertificateRequest12, RoundTrip) {
  const Bytes b = body_of(sample_cr12());
  const CertificateRequest12 got = expect_round_trip<CertificateRequest12>(b);
  EXPECT_EQ(got.certificate_types, (std::vector<uint8_t>{1, 64}));
  EXPECT_EQ(got.supported_signature_algorithms, sample_cr12().supported_signature_algorithms);
  EXPECT_EQ(got.certificate_authorities, sample_cr12().certificate_authorities);
  expect_every_prefix_fails<CertificateRequest12>(b, "CertificateRequest");
  expect_trailing_byte_fails<CertificateRequest12>(b, "CertificateRequest");
}

TEST(CertificateRequest12, NoAuthoritiesIsFine) {
  // certificate_authorities<0..2^16-1>: empty means "any CA" (RFC 5246 §7.4.4).
  const CertificateRequest12 got = expect_round_trip<CertificateRequest12>(hex("01 40 0002 0403 0000"));
  EXPECT_EQ(got.certificate_types, (std::vector<uint8_t>{64}));
  EXPECT_EQ(got.supported_signature_algorithms,
            (std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256}));
  EXPECT_TRUE(got.certificate_authorities.empty());
}

TEST(CertificateRequest12, UnknownValuesAreKept) {
  // Types and algorithms the client does not know are simply not chosen.
  const CertificateRequest12 got = expect_round_trip<CertificateRequest12>(hex("03 02 ff 14 0004 0203 eeee 0000"));
  EXPECT_EQ(got.certificate_types, (std::vector<uint8_t>{2, 0xff, 20}));
  ASSERT_EQ(got.supported_signature_algorithms.size(), 2u);
  EXPECT_EQ(got.supported_signature_algorithms[0], SignatureScheme::ecdsa_sha1);
  EXPECT_EQ(static_cast<uint16_t>(got.supported_signature_algorithms[1]), 0xeeee);
}

TEST(CertificateRequest12, Malformed) {
  const Alert D = Alert::decode_error;
  const char* CR = "CertificateRequest";
  // certificate_types<1..2^8-1>: empty
  expect_fails<CertificateRequest12>(hex("00 0002 0403 0000"), D, CR);
  // certificate_types length beyond the body
  expect_fails<CertificateRequest12>(hex("05 01 40"), D, CR);
  // supported_signature_algorithms<2..2^16-2>: empty
  expect_fails<CertificateRequest12>(hex("01 40 0000 0000"), D, CR);
  // ... odd length (1, 3), including 2^16-1 (odd, beyond the maximum)
  expect_fails<CertificateRequest12>(hex("01 40 0001 04 0000"), D, CR);
  expect_fails<CertificateRequest12>(hex("01 40 0003 040308 0000"), D, CR);
  expect_fails<CertificateRequest12>(hex("01 40 ffff") + Bytes(0xffff, 4) + hex("0000"), D, CR);
  // ... length beyond the body
  expect_fails<CertificateRequest12>(hex("01 40 0004 0403"), D, CR);
  // DistinguishedName<1..2^16-1>: empty, first or later
  expect_fails<CertificateRequest12>(hex("01 40 0002 0403 0002 0000"), D, CR);
  expect_fails<CertificateRequest12>(hex("01 40 0002 0403 0005 0001 30 0000"), D, CR);
  // certificate_authorities list length inconsistent with the names in it:
  // a name overrunning the list,
  expect_fails<CertificateRequest12>(hex("01 40 0002 0403 0003 0002 30"), D, CR);
  expect_fails<CertificateRequest12>(hex("01 40 0002 0403 0003 0002 3000"), D, CR);
  // a name's length cut by the end of the list,
  expect_fails<CertificateRequest12>(hex("01 40 0002 0403 0005 0001 30 00 00"), D, CR);
  // the list beyond the body,
  expect_fails<CertificateRequest12>(hex("01 40 0002 0403 0005 0002 3000"), D, CR);
  // the list shorter than the names that follow (leaving trailing bytes)
  expect_fails<CertificateRequest12>(hex("01 40 0002 0403 0004 0002 3000 0002 3000"), D, CR);
  // the TLS 1.3 form (context + extensions) does not decode as TLS 1.2's
  expect_fails<CertificateRequest12>(hex("00 0008 000d 0004 0002 0403"), D, CR);
  // certificate_authorities missing altogether
  expect_fails<CertificateRequest12>(hex("01 40 0002 0403"), D, CR);
  expect_fails<CertificateRequest12>(Bytes{}, D, CR);
}

// ------------------------------------------------- ClientKeyExchange

TEST(ClientKeyExchange, ExactLayoutAndRoundTrip) {
  ClientKeyExchange m;
  m.public_key = counting(32, 0x40);
  const Bytes b = body_of(m);
  // ClientECDiffieHellmanPublic, explicit: ECPoint point<1..2^8-1>.
  EXPECT_EQ(hexs(b), hexs(hex("20 404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f")));
  const ClientKeyExchange got = expect_round_trip<ClientKeyExchange>(b);
  EXPECT_EQ(got.public_key, counting(32, 0x40));
  expect_every_prefix_fails<ClientKeyExchange>(b, "ClientKeyExchange");
  expect_trailing_byte_fails<ClientKeyExchange>(b, "ClientKeyExchange");
  // framed as handshake type 16
  EXPECT_EQ(hexs(ByteView(framed(HandshakeType::client_key_exchange, m)).first(5)), "1000002120");
}

TEST(ClientKeyExchange, PointSizes) {
  // P-256 uncompressed (65 bytes) and the largest the length byte allows.
  const ClientKeyExchange p256 = expect_round_trip<ClientKeyExchange>(hex("41 04") + Bytes(64, 7));
  EXPECT_EQ(p256.public_key.size(), 65u);
  const ClientKeyExchange largest = expect_round_trip<ClientKeyExchange>(hex("ff") + Bytes(255, 4));
  EXPECT_EQ(largest.public_key.size(), 255u);
  const ClientKeyExchange one = expect_round_trip<ClientKeyExchange>(hex("01 00"));
  EXPECT_EQ(one.public_key, hex("00"));
}

TEST(ClientKeyExchange, Malformed) {
  const Alert D = Alert::decode_error;
  // empty point (and the "implicit" empty body, which vouch never negotiates)
  expect_fails<ClientKeyExchange>(hex("00"), D, "ClientKeyExchange");
  expect_fails<ClientKeyExchange>(Bytes{}, D, "ClientKeyExchange");
  // length beyond / short of the body
  expect_fails<ClientKeyExchange>(hex("05 aabb"), D, "ClientKeyExchange");
  expect_fails<ClientKeyExchange>(hex("01 aabb"), D, "ClientKeyExchange");
  // a 16-bit length (the RSA/DH forms) is not the ECDHE form
  expect_fails<ClientKeyExchange>(hex("0002 aabb"), D, "ClientKeyExchange");
}

// ------------------------------------------------- NewSessionTicket (TLS 1.2)

TEST(NewSessionTicket12, ExactLayoutAndRoundTrip) {
  NewSessionTicket12 m;
  m.ticket_lifetime_hint = 7200;
  m.ticket = hex("cafebabe");
  const Bytes b = body_of(m);
  // uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>;
  EXPECT_EQ(hexs(b), hexs(hex("00001c20 0004 cafebabe")));
  const NewSessionTicket12 got = expect_round_trip<NewSessionTicket12>(b);
  EXPECT_EQ(got.ticket_lifetime_hint, 7200u);
  EXPECT_EQ(got.ticket, hex("cafebabe"));
  expect_every_prefix_fails<NewSessionTicket12>(b, "NewSessionTicket");
  expect_trailing_byte_fails<NewSessionTicket12>(b, "NewSessionTicket");
}

TEST(NewSessionTicket12, EmptyTicketIsFine) {
  // RFC 5077 §3.3: a server that changed its mind sends a zero-length ticket.
  const NewSessionTicket12 got = expect_round_trip<NewSessionTicket12>(hex("00000000 0000"));
  EXPECT_EQ(got.ticket_lifetime_hint, 0u);
  EXPECT_TRUE(got.ticket.empty());
  EXPECT_EQ(hexs(body_of(NewSessionTicket12{})), "000000000000");
}

TEST(NewSessionTicket12, AnyLifetimeHint) {
  // Only a hint: no 7-day limit as in TLS 1.3 (RFC 8446 §4.6.1).
  const NewSessionTicket12 got = expect_round_trip<NewSessionTicket12>(hex("ffffffff 0001 aa"));
  EXPECT_EQ(got.ticket_lifetime_hint, 0xffffffffu);
  // A large ticket uses both length bytes.
  const NewSessionTicket12 big = expect_round_trip<NewSessionTicket12>(hex("0000012c 0400") + Bytes(1024, 0x77));
  EXPECT_EQ(big.ticket.size(), 1024u);
}

TEST(NewSessionTicket12, Malformed) {
  const Alert D = Alert::decode_error;
  // ticket length beyond / short of the body
  expect_fails<NewSessionTicket12>(hex("00000001 0005 aabb"), D, "NewSessionTicket");
  expect_fails<NewSessionTicket12>(hex("00000001 0001 aabb"), D, "NewSessionTicket");
  expect_fails<NewSessionTicket12>(hex("00000001 ffff"), D, "NewSessionTicket");
  // the TLS 1.3 form does not decode as TLS 1.2's
  expect_fails<NewSessionTicket12>(hex("00001c20 deadbeef 02 0001 0004 cafebabe 0000"), D, "NewSessionTicket");
  expect_fails<NewSessionTicket12>(Bytes{}, D, "NewSessionTicket");
}

// ------------------------------------------------- ServerHelloDone, HelloRequest

TEST(EmptyBody, ServerHelloDoneAndHelloRequest) {
  for (const char* what : {"ServerHelloDone", "HelloRequest"}) {
    SCOPED_TRACE(what);
    EXPECT_TRUE(parse_empty_body(Bytes{}, what));
    for (const char* body : {"00", "0e", "0000", "0e000000"}) {
      const Status s = parse_empty_body(hex(body), what);
      ASSERT_FALSE(s) << body;
      EXPECT_EQ(s.error().alert, Alert::decode_error);
      EXPECT_TRUE(names(s, what));
    }
  }
  // A missing name does not crash.
  const Status s = parse_empty_body(hex("00"), nullptr);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().alert, Alert::decode_error);
  EXPECT_FALSE(s.error().reason.empty());
  // Framing an empty body: ServerHelloDone is 0e 000000.
  Bytes out;
  frame_handshake(HandshakeType::server_hello_done, Bytes{}, out);
  EXPECT_EQ(hexs(out), "0e000000");
}

TEST(Handshake12, Names) {
  EXPECT_STREQ(handshake_type_name(0), "HelloRequest");
  EXPECT_STREQ(handshake_type_name(12), "ServerKeyExchange");
  EXPECT_STREQ(handshake_type_name(14), "ServerHelloDone");
  EXPECT_STREQ(handshake_type_name(16), "ClientKeyExchange");
  EXPECT_STREQ(handshake_type_name(22), "CertificateStatus");
  EXPECT_EQ(kFinished12Length, 12u);
}

// ------------------------------------------------- robustness

// A small deterministic generator (xorshift32): the sweep is reproducible.
struct Rng {
  uint32_t s = 0x9e3779b9;
  uint32_t next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
};

// For every one-byte change of a valid body, every truncation of each such
// change, and random bodies: parse never crashes (the sanitizers watch),
// fails only with decode_error or illegal_parameter and a reason naming the
// message, and when it succeeds the encoding is canonical (writing the
// result gives the input back).
template <class M>
void sweep(const Bytes& valid, const std::string& message) {
  auto check = [&](const Bytes& b) {
    M got;
    const Status s = parse(b, got);
    if (s) {
      EXPECT_EQ(hexs(body_of(got)), hexs(b));
      return;
    }
    EXPECT_TRUE(s.error().alert == Alert::decode_error || s.error().alert == Alert::illegal_parameter)
        << hexs(b) << ": " << s.error().to_string();
    EXPECT_TRUE(names(s, message)) << hexs(b);
  };
  for (size_t i = 0; i < valid.size(); ++i) {
    for (int v : {0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xfe, 0xff}) {
      Bytes b = valid;
      b[i] = static_cast<uint8_t>(v);
      check(b);
      check(Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(i)));
    }
  }
  Rng rng;
  for (int n = 0; n < 3000; ++n) {
    Bytes b(rng.next() % 48);
    for (uint8_t& x : b) x = static_cast<uint8_t>(rng.next());
    // Keep the first byte plausible half the time so the sweep gets past it.
    if (!b.empty() && n % 2 == 0) b[0] = valid[0];
    check(b);
  }
}

TEST(Messages12, RobustnessSweep) {
  sweep<Certificate12>(body_of(sample_cert12()), "Certificate");
  CertificateStatus cs;
  cs.ocsp_response = hex("30030a0100");
  sweep<CertificateStatus>(body_of(cs), "CertificateStatus");
  CertificateStatus multi;
  multi.status_type = CertificateStatusType::ocsp_multi;
  multi.ocsp_response_list = {hex("30030a0100"), Bytes{}, hex("3000")};
  sweep<CertificateStatus>(body_of(multi), "CertificateStatus");
  ServerKeyExchange ske = sample_ske();
  ske.public_key = hex("0405");
  sweep<ServerKeyExchange>(body_of(ske), "ServerKeyExchange");
  sweep<CertificateRequest12>(body_of(sample_cr12()), "CertificateRequest");
  ClientKeyExchange cke;
  cke.public_key = hex("040506");
  sweep<ClientKeyExchange>(body_of(cke), "ClientKeyExchange");
  NewSessionTicket12 nst;
  nst.ticket_lifetime_hint = 1;
  nst.ticket = hex("aabbcc");
  sweep<NewSessionTicket12>(body_of(nst), "NewSessionTicket");
}

TEST(Messages12, ParseResetsTheOutput) {
  // A reused struct does not keep entries from an earlier parse.
  Certificate12 cert;
  ASSERT_TRUE(parse(body_of(sample_cert12()), cert));
  ASSERT_TRUE(parse(hex("000000"), cert));
  EXPECT_TRUE(cert.certificate_list.empty());
  CertificateRequest12 cr;
  ASSERT_TRUE(parse(body_of(sample_cr12()), cr));
  ASSERT_TRUE(parse(hex("01 40 0002 0403 0000"), cr));
  EXPECT_EQ(cr.certificate_types.size(), 1u);
  EXPECT_EQ(cr.supported_signature_algorithms.size(), 1u);
  EXPECT_TRUE(cr.certificate_authorities.empty());
  NewSessionTicket12 nst;
  ASSERT_TRUE(parse(hex("00000005 0002 aabb"), nst));
  ASSERT_TRUE(parse(hex("00000000 0000"), nst));
  EXPECT_TRUE(nst.ticket.empty());
}

}  // namespace
}  // namespace vouch
