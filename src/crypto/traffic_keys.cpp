#include "crypto/traffic_keys.h"

namespace vouch {

Result<TrafficKeys> derive_traffic_keys(CipherSuite suite, ByteView traffic_secret) {
  HashAlg hash;
  AeadAlg aead;
  if (!tls13_suite_params(suite, hash, aead)) {
    return fail(Alert::internal_error, "traffic keys for non-TLS 1.3 suite " + to_string(suite));
  }
  // RFC 8446 §7.3:
  //   [sender]_write_key = HKDF-Expand-Label(Secret, "key", "", key_length)
  //   [sender]_write_iv  = HKDF-Expand-Label(Secret, "iv", "", iv_length)
  TrafficKeys keys;
  VOUCH_ASSIGN(keys.key, hkdf_expand_label(hash, traffic_secret, "key", {}, aead_key_length(aead)));
  VOUCH_ASSIGN(keys.iv, hkdf_expand_label(hash, traffic_secret, "iv", {}, kAeadNonceLength));
  return keys;
}

Result<Bytes> next_traffic_secret(HashAlg alg, ByteView secret) {
  // RFC 8446 §7.2: application_traffic_secret_N+1 =
  //   HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
  return hkdf_expand_label(alg, secret, "traffic upd", {}, hash_length(alg));
}

}  // namespace vouch
