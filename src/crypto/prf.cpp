// The TLS 1.2 PRF (RFC 5246 §5).
//
// RFC 5246 §5: PRF(secret, label, seed) = P_<hash>(secret, label + seed),
// where P_hash is the HMAC-based expansion A(0) = seed, A(i) =
// HMAC(secret, A(i-1)), output HMAC(secret, A(1) + seed) + HMAC(secret,
// A(2) + seed) + ... truncated to the wanted length. The HMACs are
// libcrypto's, on the thread's HMAC context keyed once per PRF call
// (hmac_into inside an HmacWipeScope: no context copied or allocated per
// call); libcrypto's
// EVP_KDF "TLS1-PRF" computes the same but builds a KDF context and two
// HMAC contexts and resolves the digest by name on every call, which cost
// a TLS 1.2 server handshake about as much as its three PRF calls' HMACs.
// Unit tests check this against EVP_KDF "TLS1-PRF" and a published vector.
#include "crypto/prf.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <span>

namespace vouch {
namespace {

// As libcrypto's TLS1-PRF (EVP_KDF-TLS1_PRF(7): "cannot exceed 1024
// bytes"), a label + seed longer than this is refused. Every PRF use in
// TLS 1.2 is far below it: the longest is a label plus two 32-byte randoms.
constexpr size_t kMaxPrfSeed = 1024;

// The largest hash (SHA-512).
constexpr size_t kMaxHashLength = 64;

}  // namespace

Result<Bytes> tls12_prf(HashAlg hash, ByteView secret, std::string_view label, ByteView seed,
                        size_t length) {
  if (length == 0) return fail(Alert::internal_error, "TLS 1.2 PRF: zero output length");
  if (label.size() > kMaxPrfSeed || seed.size() > kMaxPrfSeed - label.size()) {
    return fail(Alert::internal_error, "TLS 1.2 PRF: label + seed longer than 1024 bytes");
  }
  // The seed of P_hash is label + seed (the label's bytes without a length
  // or terminator). Built on the stack: no allocation, and only public
  // values (labels, randoms, transcript hashes) ever land here.
  std::array<uint8_t, kMaxPrfSeed> full_seed;
  if (!label.empty()) std::memcpy(full_seed.data(), label.data(), label.size());
  if (!seed.empty()) std::memcpy(full_seed.data() + label.size(), seed.data(), seed.size());
  const ByteView s(full_seed.data(), label.size() + seed.size());

  const size_t hash_len = hash_length(hash);
  Bytes out(length);
  std::array<uint8_t, kMaxHashLength> a{};  // A(i)
  std::array<uint8_t, kMaxHashLength> block{};
  const std::span<uint8_t> a_span(a.data(), hash_len);
  const std::span<uint8_t> block_span(block.data(), hash_len);
  auto wipe = [&] {
    OPENSSL_cleanse(a.data(), a.size());
    OPENSSL_cleanse(block.data(), block.size());
  };
  // Every HMAC of P_hash is keyed with the secret: within one scope the
  // thread's context is keyed once, and wiped when the outermost scope ends
  // (here, unless the caller's connection call holds one).
  const HmacWipeScope scope;
  // A(1) = HMAC(secret, A(0)) with A(0) = seed.
  Status st = hmac_into(hash, secret, {s}, a_span);
  for (size_t done = 0; st && done < length;) {
    st = hmac_into(hash, secret, {ByteView(a.data(), hash_len), s}, block_span);
    if (!st) break;
    const size_t n = std::min(hash_len, length - done);
    std::copy_n(block.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
    if (done < length) st = hmac_into(hash, secret, {ByteView(a.data(), hash_len)}, a_span);  // A(i+1)
  }
  wipe();
  if (!st) {
    // Never hand back a half-written key.
    OPENSSL_cleanse(out.data(), out.size());
    return std::move(st).error();
  }
  return out;
}

}  // namespace vouch
