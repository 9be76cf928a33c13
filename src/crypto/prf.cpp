// The TLS 1.2 PRF (RFC 5246 §5) through libcrypto's EVP_KDF "TLS1-PRF".
//
// RFC 5246 §5: PRF(secret, label, seed) = P_<hash>(secret, label + seed),
// where P_hash is the HMAC-based expansion A(0) = seed, A(i) =
// HMAC(secret, A(i-1)), output HMAC(secret, A(1) + seed) + HMAC(secret,
// A(2) + seed) + ... truncated to the wanted length. libcrypto implements
// exactly that when given a digest other than MD5-SHA1 (the TLS 1.0/1.1
// special case), so the PRF is one KDF call.
#include "crypto/prf.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <array>
#include <cstring>

namespace vouch {
namespace {

// Fetched once per process (C++11 magic statics make the first call
// thread-safe) and never freed, like evp_md(): fetching walks the
// provider's method store under a lock on every call otherwise.
EVP_KDF* tls1_prf_kdf() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_TLS1_PRF, nullptr);
  return kdf;
}

// libcrypto's TLS1-PRF refuses a seed (label + seed) longer than this
// (EVP_KDF-TLS1_PRF(7): "cannot exceed 1024 bytes"). Every PRF use in TLS
// 1.2 is far below it: the longest is a label plus two 32-byte randoms.
constexpr size_t kMaxPrfSeed = 1024;

// OSSL_PARAM octet strings must point somewhere even when empty.
const uint8_t kNothing = 0;

}  // namespace

Result<Bytes> tls12_prf(HashAlg hash, ByteView secret, std::string_view label, ByteView seed,
                        size_t length) {
  if (length == 0) return fail(Alert::internal_error, "TLS 1.2 PRF: zero output length");
  if (label.size() > kMaxPrfSeed || seed.size() > kMaxPrfSeed - label.size()) {
    return fail(Alert::internal_error, "TLS 1.2 PRF: label + seed longer than 1024 bytes");
  }
  EVP_KDF* kdf = tls1_prf_kdf();
  if (!kdf) return fail(Alert::internal_error, "TLS1-PRF unavailable: " + ossl::last_error());
  ossl::EvpKdfCtx ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return fail(Alert::internal_error, "TLS1-PRF context allocation failed");

  // §5: the KDF's seed is label + seed (the label's bytes without a length
  // or terminator). Built on the stack: no allocation, and only public
  // values (labels, randoms, transcript hashes) ever land here.
  std::array<uint8_t, kMaxPrfSeed> full_seed;
  if (!label.empty()) std::memcpy(full_seed.data(), label.data(), label.size());
  if (!seed.empty()) std::memcpy(full_seed.data() + label.size(), seed.data(), seed.size());
  const size_t seed_len = label.size() + seed.size();

  // OSSL_PARAM wants non-const pointers but only reads through them.
  void* secret_ptr = const_cast<uint8_t*>(secret.empty() ? &kNothing : secret.data());
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                       const_cast<char*>(EVP_MD_get0_name(evp_md(hash))), 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, secret_ptr, secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, full_seed.data(), seed_len),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    // Never hand back a half-written key.
    OPENSSL_cleanse(out.data(), out.size());
    return fail(Alert::internal_error, "TLS1-PRF failed: " + ossl::last_error());
  }
  return out;
}

}  // namespace vouch
