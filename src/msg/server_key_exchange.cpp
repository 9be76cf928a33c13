// ServerKeyExchange for ECDHE (RFC 8422 §5.4; signature as RFC 5246 §7.4.3).
//
//   enum { deprecated (1..2), named_curve (3), reserved(248..255) } ECCurveType;
//   struct {
//       ECCurveType    curve_type;
//       select (curve_type) {
//           case named_curve:
//               NamedCurve namedcurve;
//       };
//   } ECParameters;
//   struct { opaque point <1..2^8-1>; } ECPoint;
//   struct {
//       ECParameters    curve_params;
//       ECPoint         public;
//   } ServerECDHParams;
//   struct {
//       ServerECDHParams    params;
//       Signature           signed_params;   /* DigitallySigned in TLS 1.2 */
//   } ServerKeyExchange;
//
// RFC 5246 §4.7: struct { SignatureAndHashAlgorithm algorithm;
//                         opaque signature<0..2^16-1>; } DigitallySigned;
//
// Only the encoding is checked here: whether the group was offered, whether
// the point is on the curve and whether the signature verifies are for the
// client state machine.
#include "msg/messages12.h"

namespace vouch {
namespace {

// RFC 8422 §5.4 leaves named_curve as the only format; 1 and 2 (RFC 4492's
// explicit_prime and explicit_char2) are deprecated.
constexpr uint8_t kCurveTypeNamedCurve = 3;
constexpr size_t kMinEcPointLength = 1;  // point<1..2^8-1>

Error bad(const std::string& what) { return fail(Alert::decode_error, "ServerKeyExchange: " + what); }

}  // namespace

Status parse(ByteView body, ServerKeyExchange& out) {
  out = ServerKeyExchange{};
  Reader r(body);
  uint8_t curve_type = 0;
  if (!r.u8(curve_type)) return bad("truncated curve_type");
  // The rest of ECParameters depends on curve_type, so a type we do not
  // implement cannot even be decoded: refuse it as soon as it is seen. We
  // offered named curves only (RFC 8422 §5.1.1), so any other type is a
  // parameter the server could not legitimately pick.
  if (curve_type != kCurveTypeNamedCurve)
    return fail(Alert::illegal_parameter,
                "ServerKeyExchange: curve_type " + std::to_string(curve_type) + " is not named_curve(3)");
  uint16_t group = 0;
  if (!r.u16(group)) return bad("truncated namedcurve");
  out.group = static_cast<NamedGroup>(group);
  if (!r.copy_prefixed8(out.public_key)) return bad("truncated ECPoint");
  if (out.public_key.size() < kMinEcPointLength) return bad("empty ECPoint");
  uint16_t algorithm = 0;
  if (!r.u16(algorithm)) return bad("truncated signature algorithm");
  out.algorithm = static_cast<SignatureScheme>(algorithm);
  // signature<0..2^16-1>: an empty one is well-formed and fails verification.
  if (!r.copy_prefixed16(out.signature)) return bad("truncated signature");
  if (!r.empty()) return bad("trailing bytes after signature");
  return {};
}

namespace {

// ServerECDHParams, shared by the message and the signed content.
void write_params(Writer& w, NamedGroup group, ByteView public_key) {
  w.u8(kCurveTypeNamedCurve);
  w.u16(static_cast<uint16_t>(group));
  w.vec8(public_key);
}

}  // namespace

void write(Writer& w, const ServerKeyExchange& m) {
  write_params(w, m.group, m.public_key);
  w.u16(static_cast<uint16_t>(m.algorithm));
  w.vec16(m.signature);
}

// RFC 5246 §7.4.3 / RFC 8422 §5.4: the signature covers
//   digitally-signed struct { opaque client_random[32];
//                             opaque server_random[32];
//                             ServerECDHParams params; } signed_params;
// i.e. the randoms followed by the params exactly as they appear on the wire.
// The inputs are trusted (a parsed or locally generated point always fits
// its 8-bit length).
Bytes server_key_exchange_signed_content(ByteView client_random, ByteView server_random, NamedGroup group,
                                         ByteView public_key) {
  Bytes out;
  Writer w(out);
  w.bytes(client_random);
  w.bytes(server_random);
  write_params(w, group, public_key);
  return out;
}

}  // namespace vouch
