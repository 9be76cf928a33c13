// ClientKeyExchange for ECDHE (RFC 8422 §5.7).
//
//   struct { opaque point <1..2^8-1>; } ECPoint;
//   struct {
//       select (PublicValueEncoding) {
//           case implicit: struct { };
//           case explicit: ECPoint ecdh_Yc;
//       } ecdh_public;
//   } ClientECDiffieHellmanPublic;
//   struct {
//       select (KeyExchangeAlgorithm) {
//           case ec_diffie_hellman: ClientECDiffieHellmanPublic;
//       } exchange_keys;
//   } ClientKeyExchange;
//
// Only the explicit form: "implicit" (an empty body) means the key is in a
// fixed-ECDH client certificate, which vouch never negotiates, so an empty
// body is treated as an empty point. Whether the point is valid on the
// negotiated curve is checked when the shared secret is derived.
#include "msg/messages12.h"

namespace vouch {
namespace {

constexpr size_t kMinEcPointLength = 1;  // point<1..2^8-1>

}  // namespace

Status parse(ByteView body, ClientKeyExchange& out) {
  out = ClientKeyExchange{};
  Reader r(body);
  if (!r.copy_prefixed8(out.public_key)) return fail(Alert::decode_error, "ClientKeyExchange: truncated ECPoint");
  if (out.public_key.size() < kMinEcPointLength)
    return fail(Alert::decode_error, "ClientKeyExchange: empty ECPoint");
  if (!r.empty()) return fail(Alert::decode_error, "ClientKeyExchange: trailing bytes after ECPoint");
  return {};
}

void write(Writer& w, const ClientKeyExchange& m) { w.vec8(m.public_key); }

}  // namespace vouch
