// AEAD ciphers for record protection (RFC 8446 §5.2; RFC 5288, RFC 7905).
//
// An Aead keeps one EVP_CIPHER_CTX keyed once; each record only sets the
// nonce, so protecting a record allocates nothing.
#pragma once

#include "crypto/ossl.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

enum class AeadAlg { aes128gcm, aes256gcm, chacha20poly1305 };

size_t aead_key_length(AeadAlg alg);  // 16, 32, 32
constexpr size_t kAeadNonceLength = 12;
constexpr size_t kAeadTagLength = 16;

class Aead {
 public:
  static Result<Aead> create(AeadAlg alg, ByteView key);
  Aead(Aead&&) noexcept = default;
  Aead& operator=(Aead&&) noexcept = default;

  AeadAlg alg() const { return alg_; }

  /// Encrypts plaintext into out (out.size() == plaintext.size() + 16; out may
  /// alias plaintext exactly for in-place use). The tag is appended.
  Status seal(ByteView nonce, ByteView aad, ByteView plaintext, std::span<uint8_t> out);
  /// Decrypts ciphertext||tag into out (out.size() == ciphertext.size() - 16;
  /// may alias). A failed tag check is bad_record_mac (RFC 8446 §5.2).
  Status open(ByteView nonce, ByteView aad, ByteView ciphertext, std::span<uint8_t> out);

 private:
  Aead() = default;
  AeadAlg alg_ = AeadAlg::aes128gcm;
  ossl::EvpCipherCtx enc_;
  ossl::EvpCipherCtx dec_;
};

}  // namespace vouch
