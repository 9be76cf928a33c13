// (EC)DHE key shares (RFC 8446 §4.2.8, §7.4).
#pragma once

#include "crypto/ossl.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// True for the groups vouch implements: x25519, secp256r1, secp384r1.
bool group_supported(NamedGroup g);

/// An ephemeral private key for one group, with its public encoding:
/// X25519: 32 raw bytes (RFC 7748); NIST curves: the uncompressed point
/// 0x04 || X || Y (RFC 8446 §4.2.8.2).
class KeyShare {
 public:
  static Result<KeyShare> generate(NamedGroup g);
  /// For test vectors only (e.g. RFC 8448): an x25519 share from a known
  /// 32-byte raw private key. Never use a fixed key in a handshake.
  static Result<KeyShare> from_private_x25519(ByteView private_key);
  KeyShare(KeyShare&&) noexcept = default;
  KeyShare& operator=(KeyShare&&) noexcept = default;

  NamedGroup group() const { return group_; }
  const Bytes& public_key() const { return public_; }

  /// The shared secret with the peer's public encoding. A malformed encoding,
  /// a point not on the curve, the point at infinity or an all-zero X25519
  /// result is illegal_parameter (RFC 8446 §4.2.8.2, §7.4.2).
  Result<Bytes> derive(ByteView peer_public) const;

 private:
  KeyShare() = default;
  NamedGroup group_ = NamedGroup::x25519;
  ossl::EvpPkey key_;
  Bytes public_;
};

}  // namespace vouch
