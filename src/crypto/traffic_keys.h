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

/// The same in fixed buffers, for the record layer's key installations
/// (four a handshake, each side): no heap, and wiped when it goes.
struct TrafficKeyBuffers {
  uint8_t key[32];  // the first key_length bytes (16 or 32)
  size_t key_length = 0;
  uint8_t iv[kAeadNonceLength];

  TrafficKeyBuffers() = default;
  TrafficKeyBuffers(const TrafficKeyBuffers&) = delete;
  TrafficKeyBuffers& operator=(const TrafficKeyBuffers&) = delete;
  ~TrafficKeyBuffers();
  ByteView key_view() const { return ByteView(key, key_length); }
};
/// Fills `out` from a traffic secret (§7.3); on failure it holds nothing.
Status derive_traffic_keys_into(CipherSuite suite, ByteView traffic_secret, TrafficKeyBuffers& out);
/// application_traffic_secret_N+1 (§7.2).
Result<Bytes> next_traffic_secret(HashAlg alg, ByteView secret);

}  // namespace vouch
