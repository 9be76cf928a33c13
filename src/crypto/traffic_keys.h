// TLS 1.3 traffic keys (RFC 8446 §7.3) and key updates (§7.2): what the
// record layer needs from a traffic secret. Here, below both the record layer
// (which installs the keys) and the handshake (which derives the secrets), so
// that neither reaches into the other.
#pragma once

#include "crypto/aead.h"
#include "crypto/hkdf.h"
#include "crypto/suite_params.h"

namespace vouch {

struct TrafficKeys {
  Bytes key;
  Bytes iv;  // 12 bytes
};

/// [sender]_write_key / _iv from a traffic secret (§7.3).
Result<TrafficKeys> derive_traffic_keys(CipherSuite suite, ByteView traffic_secret);
/// application_traffic_secret_N+1 (§7.2).
Result<Bytes> next_traffic_secret(HashAlg alg, ByteView secret);

}  // namespace vouch
