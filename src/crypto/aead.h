// AEAD ciphers for record protection (RFC 8446 §5.2; RFC 5288, RFC 7905).
//
// An Aead keeps its EVP_CIPHER_CTX keyed once; each record only sets the
// nonce, so protecting a record allocates nothing.
#pragma once

#include "crypto/ossl.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

enum class AeadAlg { aes128gcm, aes256gcm, chacha20poly1305 };

size_t aead_key_length(AeadAlg alg);  // 16, 32, 32

/// Which operations an Aead is keyed for. Each keyed EVP_CIPHER_CTX holds a
/// key schedule (about 1.1 KB with AES-GCM), so the record layer, which
/// protects one direction per object, keys only the context it uses.
enum class AeadUse : uint8_t { both, seal, open };
constexpr size_t kAeadNonceLength = 12;
constexpr size_t kAeadTagLength = 16;

class Aead {
 public:
  /// Keys the contexts `use` needs; seal() on an open-only Aead (and the
  /// reverse) is internal_error.
  static Result<Aead> create(AeadAlg alg, ByteView key, AeadUse use = AeadUse::both);
  Aead(Aead&&) noexcept = default;
  Aead& operator=(Aead&&) noexcept = default;

  AeadAlg alg() const { return alg_; }
  /// The operations this Aead is keyed for (`open` also for a moved-from
  /// Aead, which holds no context: rekey() refuses it).
  AeadUse use() const { return enc_ ? (dec_ ? AeadUse::both : AeadUse::seal) : AeadUse::open; }

  /// Replaces the key in the contexts this Aead already holds (same
  /// algorithm, same use): what a new Aead would do, without allocating two
  /// contexts and setting the cipher up again — only the new key schedule.
  /// The record layer re-keys this way when a traffic key replaces the last
  /// one of the same direction (RFC 8446 §7.3). Wrong key length or a
  /// moved-from Aead: internal_error. After a failure the Aead must not be
  /// used (its contexts may hold part of either key).
  Status rekey(ByteView key);

  /// Encrypts plaintext into out (out.size() == plaintext.size() + trailer +
  /// 16; out may alias plaintext exactly for in-place use). `trailer` more
  /// bytes of plaintext already sit in out right after plaintext.size()
  /// bytes and are encrypted in place (TLS 1.3's content type and padding,
  /// RFC 8446 §5.2, behind content sealed straight from the caller's
  /// buffer). The tag is appended.
  Status seal(ByteView nonce, ByteView aad, ByteView plaintext, std::span<uint8_t> out,
              size_t trailer = 0);
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
