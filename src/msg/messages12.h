// TLS 1.2 handshake messages as plain structs (RFC 5246 §7.4, RFC 8422 §5,
// RFC 6066 §8 with RFC 6961 §2.2, RFC 5077 §3.3), each with a parse and a
// write function, in the style of messages.h: parsers take the message body
// (no 4-byte header), consume it entirely (trailing bytes → decode_error)
// and return the RFC alert on failure; writers append the body to a Writer.
//
// ClientHello, ServerHello and CertificateVerify have the same wire form in
// both versions and live in messages.h; Finished too (its verify_data is 12
// bytes in TLS 1.2, RFC 5246 §7.4.9: parse(body, 12, fin)).
#pragma once

#include <vector>

#include "base/reader.h"
#include "base/writer.h"
#include "ext/extensions.h"
#include "msg/handshake_type.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// RFC 5246 §7.4.9: verify_data_length is 12 for every cipher suite vouch
/// implements.
constexpr size_t kFinished12Length = 12;

/// RFC 5246 §7.4.2 (server) and §7.4.6 (client):
///   opaque ASN.1Cert<1..2^24-1>;
///   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
/// No request context and no per-certificate extensions (those are TLS 1.3).
struct Certificate12 {
  std::vector<Bytes> certificate_list;  // DER, leaf first; empty = "no certificate"
};
/// A zero-length ASN.1Cert, or lengths that do not add up → decode_error.
/// An empty list parses (a client without a certificate sends one; the
/// client state machine refuses it from a server).
Status parse(ByteView body, Certificate12& out);
void write(Writer& w, const Certificate12& m);

/// RFC 6066 §8, as updated by RFC 6961 §2.2:
///   struct { CertificateStatusType status_type;
///            select (status_type) {
///              case ocsp: OCSPResponse;
///              case ocsp_multi: OCSPResponseList;
///            } response;
///   } CertificateStatus;
///   opaque OCSPResponse<0..2^24-1>;   /* at least one byte for ocsp */
///   struct { OCSPResponse ocsp_response_list<1..2^24-1>; } OCSPResponseList;
struct CertificateStatus {
  CertificateStatusType status_type = CertificateStatusType::ocsp;
  /// ocsp: the DER OCSPResponse for the leaf, not judged here.
  Bytes ocsp_response;
  /// ocsp_multi: one OCSPResponse per certificate of the Certificate
  /// message, in its order; an empty entry means none for that certificate
  /// (RFC 6961 §2.2). The list may be shorter than the chain.
  std::vector<Bytes> ocsp_response_list;
};
/// Parses either form. A status_type other than ocsp(1) or ocsp_multi(2) →
/// illegal_parameter (vouch asks for nothing else; whether the type is the
/// one the ServerHello acknowledged is the client state machine's check);
/// an empty ocsp response, an empty ocsp_response_list, an entry running
/// past the list or any truncation → decode_error.
Status parse(ByteView body, CertificateStatus& out);
/// Writes the form `m.status_type` names (the other field is ignored).
void write(Writer& w, const CertificateStatus& m);
/// The body size write() produces for `m`: 1 + 3 + the response (ocsp), or
/// 1 + 3 + Σ(3 + entry) (ocsp_multi). Lets a server check the 2^24-1 bounds
/// before it commits to sending the message.
size_t certificate_status_body_size(const CertificateStatus& m);

/// RFC 8422 §5.4 (ECDHE key exchange, the only one vouch implements):
///   struct { ECCurveType curve_type;   /* named_curve(3) */
///            NamedCurve namedcurve; } ECParameters;
///   struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
///   opaque point<1..2^8-1>;   /* ECPoint */
///   struct { ServerECDHParams params; DigitallySigned signed_params; }
///       ServerKeyExchange;
///   DigitallySigned (RFC 5246 §4.7): SignatureAndHashAlgorithm algorithm;
///       opaque signature<0..2^16-1>;
struct ServerKeyExchange {
  NamedGroup group{};
  Bytes public_key;  // ECPoint: 0x04||X||Y for NIST curves, 32 bytes for x25519
  SignatureScheme algorithm{};
  Bytes signature;
};
/// curve_type explicit_prime(1)/explicit_char2(2) (deprecated, RFC 8422
/// §5.4) or any other value → illegal_parameter; an empty point or any
/// truncation → decode_error. Whether the group was offered and the point
/// is valid is for the client state machine (key_share.h derives).
Status parse(ByteView body, ServerKeyExchange& out);
void write(Writer& w, const ServerKeyExchange& m);
/// The bytes the ServerKeyExchange signature covers (RFC 8422 §5.4,
/// RFC 5246 §7.4.3): client_random || server_random || ServerECDHParams.
Bytes server_key_exchange_signed_content(ByteView client_random, ByteView server_random,
                                         NamedGroup group, ByteView public_key);

/// RFC 5246 §7.4.4, with RFC 8422 §5.5's ecdsa_sign(64):
///   enum { rsa_sign(1), ..., ecdsa_sign(64), (255) } ClientCertificateType;
///   opaque DistinguishedName<1..2^16-1>;
///   struct {
///       ClientCertificateType certificate_types<1..2^8-1>;
///       SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
///       DistinguishedName certificate_authorities<0..2^16-1>;
///   } CertificateRequest;
struct CertificateRequest12 {
  std::vector<uint8_t> certificate_types;
  std::vector<SignatureScheme> supported_signature_algorithms;
  std::vector<Bytes> certificate_authorities;  // DER DistinguishedNames
};
/// ClientCertificateType values (RFC 5246 §7.4.4, RFC 8422 §5.5).
constexpr uint8_t kCertTypeRsaSign = 1;
constexpr uint8_t kCertTypeEcdsaSign = 64;
/// An empty certificate_types or supported_signature_algorithms list, an
/// odd algorithms length, an empty DistinguishedName, or any truncation →
/// decode_error.
Status parse(ByteView body, CertificateRequest12& out);
void write(Writer& w, const CertificateRequest12& m);

/// RFC 8422 §5.7 (ECDHE): struct { ECPoint ecdh_Yc; } ClientECDiffieHellmanPublic;
/// with ECPoint as in ServerKeyExchange (explicit form only: "implicit" is
/// for fixed-ECDH client certificates, which vouch does not support).
struct ClientKeyExchange {
  Bytes public_key;
};
/// An empty point or truncation → decode_error.
Status parse(ByteView body, ClientKeyExchange& out);
void write(Writer& w, const ClientKeyExchange& m);

/// RFC 5077 §3.3:
///   struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket;
/// A zero-length ticket is allowed: "the server ... sends a zero-length
/// ticket" when it changed its mind after acknowledging the extension.
struct NewSessionTicket12 {
  uint32_t ticket_lifetime_hint = 0;  // seconds; 0 = unspecified
  Bytes ticket;
};
Status parse(ByteView body, NewSessionTicket12& out);
void write(Writer& w, const NewSessionTicket12& m);

/// ServerHelloDone (RFC 5246 §7.4.5) and HelloRequest (§7.4.1.1) have empty
/// bodies: anything else is decode_error, the reason naming `what`.
Status parse_empty_body(ByteView body, const char* what);

}  // namespace vouch
