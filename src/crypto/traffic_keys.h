// TLS 1.3 traffic keys (RFC 8446 §7.3) and key updates (§7.2): what the
// record layer needs from a traffic secret. Here, below both the record layer
// (which installs the keys) and the handshake (which derives the secrets), so
// that neither reaches into the other.
#pragma once

#include "crypto/aead.h"
#include "crypto/hkdf.h"
#include "crypto/suite_params.h"

namespace vouch {

/// [sender]_write_key and _iv (§7.3) in fixed buffers: the record layer
/// installs four a handshake on each side, with no heap, and they are wiped
/// when they go.
struct TrafficKeys {
  uint8_t key[32];  // the first key_length bytes (16 or 32)
  size_t key_length = 0;
  uint8_t iv[kAeadNonceLength];

  TrafficKeys() = default;
  TrafficKeys(const TrafficKeys&) = delete;
  TrafficKeys& operator=(const TrafficKeys&) = delete;
  ~TrafficKeys();
  ByteView key_view() const { return ByteView(key, key_length); }
  ByteView iv_view() const { return ByteView(iv, kAeadNonceLength); }
};

/// Fills `out` from a traffic secret (§7.3); on failure it holds nothing
/// (key_length 0, the buffers wiped). internal_error for a suite that is not
/// TLS 1.3's.
Status derive_traffic_keys(CipherSuite suite, ByteView traffic_secret, TrafficKeys& out);
/// application_traffic_secret_N+1 (§7.2).
Result<Bytes> next_traffic_secret(HashAlg alg, ByteView secret);

}  // namespace vouch
