#include "crypto/traffic_keys.h"

#include "crypto/wipe.h"

namespace vouch {

TrafficKeys::~TrafficKeys() {
  wipe_memory(key, sizeof key);
  wipe_memory(iv, sizeof iv);
}

Status derive_traffic_keys(CipherSuite suite, ByteView traffic_secret, TrafficKeys& out) {
  out.key_length = 0;
  HashAlg hash;
  AeadAlg aead;
  if (!tls13_suite_params(suite, hash, aead)) {
    return fail(Alert::internal_error, "traffic keys for non-TLS 1.3 suite " + to_string(suite));
  }
  const size_t key_length = aead_key_length(aead);
  if (key_length > sizeof out.key) return fail(Alert::internal_error, "traffic key longer than 32 bytes");
  // RFC 8446 §7.3:
  //   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
  //   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
  if (Status st = hkdf_expand_label_into(hash, traffic_secret, "key", {}, std::span<uint8_t>(out.key, key_length));
      !st) {
    return st;
  }
  if (Status st = hkdf_expand_label_into(hash, traffic_secret, "iv", {}, std::span<uint8_t>(out.iv)); !st) {
    wipe_memory(out.key, sizeof out.key);
    return st;
  }
  out.key_length = key_length;
  return {};
}

Result<Bytes> next_traffic_secret(HashAlg alg, ByteView secret) {
  // RFC 8446 §7.2: application_traffic_secret_N+1 =
  //   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
  return hkdf_expand_label(alg, secret, "traffic upd", {}, hash_length(alg));
}

}  // namespace vouch
