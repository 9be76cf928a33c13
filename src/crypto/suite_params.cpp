#include "crypto/suite_params.h"

namespace vouch {
namespace {

Suite12 aes_gcm(HashAlg prf, AeadAlg aead, bool ecdsa) {
  // RFC 5288 §3: "the salt length (SecurityParameters.fixed_iv_length) is
  // 4 octets"; the key is the AES key (16 or 32 bytes). RFC 5289 §3.2: the
  // *_SHA256 / *_SHA384 suites use that hash for the PRF.
  return Suite12{prf, aead, aead_key_length(aead), 4, ecdsa};
}

Suite12 chacha(bool ecdsa) {
  // RFC 7905 §2: "SecurityParameters.fixed_iv_length is twelve bytes"; the
  // key is ChaCha20's 256 bits; "The pseudorandom function (PRF) ... is the
  // TLS PRF with SHA-256".
  return Suite12{HashAlg::sha256, AeadAlg::chacha20poly1305, 32, 12, ecdsa};
}

}  // namespace

bool tls13_suite_params(CipherSuite suite, HashAlg& hash, AeadAlg& aead) {
  // RFC 8446 §B.4.
  switch (suite) {
    case CipherSuite::TLS_AES_128_GCM_SHA256:
      hash = HashAlg::sha256;
      aead = AeadAlg::aes128gcm;
      return true;
    case CipherSuite::TLS_AES_256_GCM_SHA384:
      hash = HashAlg::sha384;
      aead = AeadAlg::aes256gcm;
      return true;
    case CipherSuite::TLS_CHACHA20_POLY1305_SHA256:
      hash = HashAlg::sha256;
      aead = AeadAlg::chacha20poly1305;
      return true;
    default: return false;
  }
}

bool tls12_suite_params(CipherSuite suite, Suite12& out) {
  switch (suite) {
    case CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:
      out = aes_gcm(HashAlg::sha256, AeadAlg::aes128gcm, true);
      return true;
    case CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:
      out = aes_gcm(HashAlg::sha256, AeadAlg::aes128gcm, false);
      return true;
    case CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
      out = aes_gcm(HashAlg::sha384, AeadAlg::aes256gcm, true);
      return true;
    case CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
      out = aes_gcm(HashAlg::sha384, AeadAlg::aes256gcm, false);
      return true;
    case CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
      out = chacha(true);
      return true;
    case CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:
      out = chacha(false);
      return true;
    default:
      // TLS 1.3 suites, the renegotiation SCSV and anything unknown have no
      // TLS 1.2 key schedule here.
      return false;
  }
}

}  // namespace vouch
