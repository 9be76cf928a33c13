// HKDF (RFC 5869) through libcrypto's EVP_KDF "HKDF", and the TLS 1.3
// labelled forms HKDF-Expand-Label / Derive-Secret (RFC 8446 §7.1).
#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

#include <array>

namespace vouch {
namespace {

// Fetched once per process, never freed (see evp_md()).
EVP_KDF* hkdf_kdf() {
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}

// OSSL_PARAM octet strings must point somewhere even when empty.
const uint8_t kNothing = 0;

OSSL_PARAM octets(const char* name, ByteView v) {
  void* p = const_cast<uint8_t*>(v.empty() ? &kNothing : v.data());
  return OSSL_PARAM_construct_octet_string(name, p, v.size());
}

// Runs the HKDF KDF in one mode (EXTRACT_ONLY or EXPAND_ONLY): `key` is the
// IKM for extract and the PRK for expand; `salt_or_info` is the salt for
// extract and the info for expand.
Result<Bytes> run_hkdf(HashAlg alg, int mode, ByteView key, ByteView salt_or_info, size_t length) {
  EVP_KDF* kdf = hkdf_kdf();
  if (!kdf) return fail(Alert::internal_error, "HKDF unavailable: " + ossl::last_error());
  ossl::EvpKdfCtx ctx(EVP_KDF_CTX_new(kdf));
  if (!ctx) return fail(Alert::internal_error, "HKDF context allocation failed");

  const bool extract = mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                       const_cast<char*>(EVP_MD_get0_name(evp_md(alg))), 0),
      octets(OSSL_KDF_PARAM_KEY, key),
      octets(extract ? OSSL_KDF_PARAM_SALT : OSSL_KDF_PARAM_INFO, salt_or_info),
      OSSL_PARAM_construct_end(),
  };
  Bytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return fail(Alert::internal_error, "HKDF failed: " + ossl::last_error());
  }
  return out;
}

}  // namespace

Result<Bytes> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm) {
  // RFC 5869 §2.2: an absent salt is HashLen zero octets. (HMAC pads short
  // keys with zeros, so this is the same value; being explicit keeps
  // libcrypto from having to interpret an empty salt.)
  const std::array<uint8_t, 64> zeros{};
  if (salt.empty()) salt = ByteView(zeros.data(), hash_length(alg));
  return run_hkdf(alg, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, hash_length(alg));
}

Result<Bytes> hkdf_expand(HashAlg alg, ByteView prk, ByteView info, size_t length) {
  // RFC 5869 §2.3: L <= 255*HashLen; PRK is at least HashLen octets.
  if (length > 255 * hash_length(alg)) {
    return fail(Alert::internal_error, "HKDF-Expand: output length too large");
  }
  if (prk.size() < hash_length(alg)) {
    return fail(Alert::internal_error, "HKDF-Expand: PRK shorter than the hash");
  }
  if (length == 0) return Bytes{};
  return run_hkdf(alg, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, info, length);
}

Result<Bytes> hkdf_expand_label(HashAlg alg, ByteView secret, std::string_view label,
                                ByteView context, size_t length) {
  // RFC 8446 §7.1:
  //   struct {
  //       uint16 length = Length;
  //       opaque label<7..255> = "tls13 " + Label;
  //       opaque context<0..255> = Context;
  //   } HkdfLabel;
  static constexpr std::string_view kPrefix = "tls13 ";
  const size_t full_label = kPrefix.size() + label.size();
  if (length > 0xffff || full_label > 255 || context.size() > 255) {
    return fail(Alert::internal_error, "HKDF-Expand-Label: field too long");
  }
  // Largest possible HkdfLabel: 2 + 1 + 255 + 1 + 255.
  std::array<uint8_t, 514> info;
  size_t n = 0;
  info[n++] = static_cast<uint8_t>(length >> 8);
  info[n++] = static_cast<uint8_t>(length);
  info[n++] = static_cast<uint8_t>(full_label);
  for (char c : kPrefix) info[n++] = static_cast<uint8_t>(c);
  for (char c : label) info[n++] = static_cast<uint8_t>(c);
  info[n++] = static_cast<uint8_t>(context.size());
  for (uint8_t b : context) info[n++] = b;
  return hkdf_expand(alg, secret, ByteView(info.data(), n), length);
}

Result<Bytes> derive_secret(HashAlg alg, ByteView secret, std::string_view label,
                            ByteView transcript_hash) {
  // RFC 8446 §7.1: Derive-Secret(Secret, Label, Messages) =
  //   HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length)
  if (transcript_hash.size() != hash_length(alg)) {
    return fail(Alert::internal_error, "Derive-Secret: transcript hash has the wrong length");
  }
  return hkdf_expand_label(alg, secret, label, transcript_hash, hash_length(alg));
}

}  // namespace vouch
