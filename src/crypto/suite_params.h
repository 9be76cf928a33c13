// What a cipher suite is made of: the hash and AEAD of the TLS 1.3 suites
// (RFC 8446 §B.4) and the parameters of the TLS 1.2 ECDHE AEAD suites
// (RFC 5288, RFC 5289, RFC 7905, RFC 8422). Below the record layer and the
// handshake, which both need them.
#pragma once

#include "crypto/aead.h"
#include "crypto/hash.h"

namespace vouch {

/// Hash and AEAD of a TLS 1.3 cipher suite; false if not a 1.3 suite we support.
bool tls13_suite_params(CipherSuite suite, HashAlg& hash, AeadAlg& aead);

/// What a TLS 1.2 suite is made of (RFC 5288/5289, RFC 7905, RFC 8422).
struct Suite12 {
  HashAlg prf_hash = HashAlg::sha256;  // the PRF and Finished hash
  AeadAlg aead = AeadAlg::aes128gcm;
  size_t key_length = 16;
  size_t iv_length = 4;    // fixed_iv_length: 4 for AES-GCM, 12 for ChaCha20
  bool ecdsa = true;       // authentication: ECDSA (or EdDSA) vs RSA
};

/// The parameters of a TLS 1.2 ECDHE AEAD suite; false for anything else
/// (TLS 1.3 suites, CBC, static RSA, unknown values).
bool tls12_suite_params(CipherSuite suite, Suite12& out);

}  // namespace vouch
