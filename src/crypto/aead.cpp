// AEAD record protection (RFC 8446 §5.2; RFC 5288 AES-GCM, RFC 7905
// ChaCha20-Poly1305 for TLS 1.2).
//
// Each Aead owns up to two EVP_CIPHER_CTX, one per operation, keyed once in
// create() (only the one the caller uses, see AeadUse). A record then only re-initialises the nonce, feeds AAD and data,
// and sets or reads the tag through stack OSSL_PARAMs: no allocation and no
// provider lookup per record.
#include "crypto/aead.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <climits>
#include <cstdint>

namespace vouch {
namespace {

const char* cipher_name(AeadAlg alg) {
  switch (alg) {
    case AeadAlg::aes128gcm: return "AES-128-GCM";
    case AeadAlg::aes256gcm: return "AES-256-GCM";
    case AeadAlg::chacha20poly1305: return "ChaCha20-Poly1305";
  }
  return "AES-128-GCM";
}

// Fetched once per process and never freed (like evp_md()); null only if
// the provider lacks the cipher.
const EVP_CIPHER* evp_cipher(AeadAlg alg) {
  static const EVP_CIPHER* const aes128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  static const EVP_CIPHER* const aes256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  static const EVP_CIPHER* const chacha = EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  switch (alg) {
    case AeadAlg::aes128gcm: return aes128;
    case AeadAlg::aes256gcm: return aes256;
    case AeadAlg::chacha20poly1305: return chacha;
  }
  return nullptr;
}

// Records are at most 2^14 + 256 bytes (RFC 8446 §5.2); anything that does
// not fit libcrypto's int lengths is a caller bug.
bool fits_int(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

// out may alias in exactly (in-place) but must not partly overlap it:
// libcrypto refuses partial overlaps, and they would corrupt the input.
bool partially_overlaps(const uint8_t* in, const uint8_t* out, size_t n) {
  if (n == 0 || in == out) return false;
  const auto a = reinterpret_cast<uintptr_t>(in);
  const auto b = reinterpret_cast<uintptr_t>(out);
  return a < b + n && b < a + n;
}

}  // namespace

size_t aead_key_length(AeadAlg alg) {
  switch (alg) {
    case AeadAlg::aes128gcm: return 16;
    case AeadAlg::aes256gcm: return 32;
    case AeadAlg::chacha20poly1305: return 32;
  }
  return 0;
}

Result<Aead> Aead::create(AeadAlg alg, ByteView key, AeadUse use) {
  if (key.size() != aead_key_length(alg)) {
    return fail(Alert::internal_error, std::string(cipher_name(alg)) + ": wrong key length");
  }
  const EVP_CIPHER* cipher = evp_cipher(alg);
  if (!cipher) {
    return fail(Alert::internal_error,
                std::string(cipher_name(alg)) + " unavailable: " + ossl::last_error());
  }
  Aead a;
  a.alg_ = alg;
  // The default IV length of all three ciphers is the 12-byte TLS nonce, so
  // only the key is set here; each record supplies its nonce. Checked on the
  // cipher (a field) rather than on each context (a parameter query through
  // the provider, ~2,000 instructions each, four contexts a handshake).
  if (EVP_CIPHER_get_iv_length(cipher) != static_cast<int>(kAeadNonceLength)) {
    return fail(Alert::internal_error, std::string(cipher_name(alg)) + ": unexpected nonce length");
  }
  bool ok = true;
  if (use != AeadUse::open) {
    a.enc_.reset(EVP_CIPHER_CTX_new());
    ok = a.enc_ && EVP_EncryptInit_ex2(a.enc_.get(), cipher, key.data(), nullptr, nullptr) == 1;
  }
  if (ok && use != AeadUse::seal) {
    a.dec_.reset(EVP_CIPHER_CTX_new());
    ok = a.dec_ && EVP_DecryptInit_ex2(a.dec_.get(), cipher, key.data(), nullptr, nullptr) == 1;
  }
  if (!ok) {
    return fail(Alert::internal_error,
                std::string(cipher_name(alg)) + " key setup failed: " + ossl::last_error());
  }
  return a;
}

Status Aead::rekey(ByteView key) {
  if (key.size() != aead_key_length(alg_)) {
    return fail(Alert::internal_error, std::string(cipher_name(alg_)) + ": wrong key length");
  }
  if (!enc_ && !dec_) return fail(Alert::internal_error, "AEAD rekey: moved from");
  // A null cipher keeps the context's cipher and provider context; only the
  // key is set (and expanded) again. The nonce comes with each record.
  const bool ok = (!enc_ || EVP_EncryptInit_ex2(enc_.get(), nullptr, key.data(), nullptr, nullptr) == 1) &&
                  (!dec_ || EVP_DecryptInit_ex2(dec_.get(), nullptr, key.data(), nullptr, nullptr) == 1);
  if (!ok) {
    return fail(Alert::internal_error, std::string(cipher_name(alg_)) + " re-keying failed: " + ossl::last_error());
  }
  return {};
}

Status Aead::seal(ByteView nonce, ByteView aad, ByteView plaintext, std::span<uint8_t> out,
                  size_t trailer) {
  const size_t n = plaintext.size();
  if (!enc_) return fail(Alert::internal_error, "AEAD seal: not keyed for sealing (moved from, or open-only)");
  if (nonce.size() != kAeadNonceLength || out.size() < kAeadTagLength ||
      out.size() - kAeadTagLength < n || out.size() - kAeadTagLength - n != trailer ||
      !fits_int(n) || !fits_int(trailer) || !fits_int(aad.size()) ||
      partially_overlaps(plaintext.data(), out.data(), n)) {
    return fail(Alert::internal_error, "AEAD seal: bad buffer or nonce size");
  }
  EVP_CIPHER_CTX* ctx = enc_.get();
  int len = 0;
  if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1) {
    return fail(Alert::internal_error, "AEAD seal: nonce setup failed: " + ossl::last_error());
  }
  // A null output pointer marks the input as additional authenticated data.
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return fail(Alert::internal_error, "AEAD seal: AAD failed: " + ossl::last_error());
  }
  // GCM and ChaCha20-Poly1305 are stream modes: libcrypto carries a partial
  // block from one Update to the next, so the plaintext and the trailer may
  // be fed separately, and each Update emits exactly its input's length.
  size_t done = 0;
  if (n > 0) {
    if (EVP_EncryptUpdate(ctx, out.data(), &len, plaintext.data(), static_cast<int>(n)) != 1) {
      return fail(Alert::internal_error, "AEAD seal failed: " + ossl::last_error());
    }
    done = static_cast<size_t>(len);
  }
  if (trailer > 0) {
    if (done != n || EVP_EncryptUpdate(ctx, out.data() + n, &len, out.data() + n, static_cast<int>(trailer)) != 1) {
      return fail(Alert::internal_error, "AEAD seal failed: " + ossl::last_error());
    }
    done += static_cast<size_t>(len);
  }
  // Final only computes the tag, but is given room all the same.
  if (EVP_EncryptFinal_ex(ctx, out.data() + done, &len) != 1 ||
      done + static_cast<size_t>(len) != n + trailer) {
    return fail(Alert::internal_error, "AEAD seal final failed: " + ossl::last_error());
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, out.data() + n + trailer,
                                        kAeadTagLength),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_CIPHER_CTX_get_params(ctx, params) != 1) {
    return fail(Alert::internal_error, "AEAD seal: reading the tag failed: " + ossl::last_error());
  }
  return {};
}

Status Aead::open(ByteView nonce, ByteView aad, ByteView ciphertext, std::span<uint8_t> out) {
  if (!dec_) return fail(Alert::internal_error, "AEAD open: not keyed for opening (moved from, or seal-only)");
  if (nonce.size() != kAeadNonceLength || !fits_int(aad.size()) || !fits_int(ciphertext.size())) {
    return fail(Alert::internal_error, "AEAD open: bad nonce or buffer size");
  }
  // A record too short to hold a tag cannot authenticate (RFC 8446 §5.2:
  // "If the decryption fails, the receiver MUST terminate the connection
  // with a bad_record_mac alert").
  if (ciphertext.size() < kAeadTagLength) {
    return fail(Alert::bad_record_mac, "record authentication failed: shorter than the tag");
  }
  const size_t n = ciphertext.size() - kAeadTagLength;
  if (out.size() != n || partially_overlaps(ciphertext.data(), out.data(), n)) {
    return fail(Alert::internal_error, "AEAD open: bad output buffer size");
  }
  EVP_CIPHER_CTX* ctx = dec_.get();
  // The expected tag is set before decrypting: when out aliases the input,
  // only the first n bytes are overwritten, and the tag lies past them.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(
          OSSL_CIPHER_PARAM_AEAD_TAG, const_cast<uint8_t*>(ciphertext.data() + n), kAeadTagLength),
      OSSL_PARAM_construct_end(),
  };
  int len = 0;
  if (EVP_DecryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_params(ctx, params) != 1) {
    return fail(Alert::internal_error, "AEAD open: nonce/tag setup failed: " + ossl::last_error());
  }
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return fail(Alert::internal_error, "AEAD open: AAD failed: " + ossl::last_error());
  }
  size_t done = 0;
  if (n > 0) {
    if (EVP_DecryptUpdate(ctx, out.data(), &len, ciphertext.data(), static_cast<int>(n)) != 1) {
      return fail(Alert::internal_error, "AEAD open failed: " + ossl::last_error());
    }
    done = static_cast<size_t>(len);
  }
  if (EVP_DecryptFinal_ex(ctx, out.data() + done, &len) != 1 ||
      done + static_cast<size_t>(len) != n) {
    // Never hand out unauthenticated plaintext; the queue holds only the
    // tag mismatch, which is not worth a reason string.
    if (n > 0) OPENSSL_cleanse(out.data(), n);
    ERR_clear_error();
    return fail(Alert::bad_record_mac, "record authentication failed");
  }
  return {};
}

}  // namespace vouch
