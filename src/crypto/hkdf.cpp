// HKDF (RFC 5869) and the TLS 1.3 labelled forms HKDF-Expand-Label /
// Derive-Secret (RFC 8446 §7.1).
//
// HKDF is two uses of HMAC, which libcrypto computes (hmac_into, one keyed
// context per thread): libcrypto's EVP_KDF "HKDF" would build a KDF context,
// then an HMAC context, and resolve the digest by name for every one of the
// dozen or so derivations in a handshake — a sixth of a TLS 1.3 handshake's
// instructions, measured with callgrind on bench/handshake_bench.cpp. Unit
// tests check this against RFC 5869's vectors and against EVP_KDF itself.
#include "crypto/hkdf.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <span>

namespace vouch {
namespace {

// The largest hash (SHA-512).
constexpr size_t kMaxHashLength = 64;

}  // namespace

Result<Bytes> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm) {
  // RFC 5869 §2.2: an absent salt is HashLen zero octets. (HMAC pads short
  // keys with zeros, so this is the same value; being explicit keeps
  // libcrypto from having to interpret an empty salt.)
  const std::array<uint8_t, 64> zeros{};
  if (salt.empty()) salt = ByteView(zeros.data(), hash_length(alg));
  // §2.2: PRK = HMAC-Hash(salt, IKM).
  Bytes prk(hash_length(alg));
  if (Status s = hmac_into(alg, salt, {ikm}, prk); !s) return std::move(s).error();
  return prk;
}

Status hkdf_expand_into(HashAlg alg, ByteView prk, ByteView info, std::span<uint8_t> out) {
  const size_t length = out.size();
  // RFC 5869 §2.3: L <= 255*HashLen; PRK is at least HashLen octets.
  if (length > 255 * hash_length(alg) || prk.size() < hash_length(alg)) {
    OPENSSL_cleanse(out.data(), out.size());  // nothing that looks like a key
    return fail(Alert::internal_error, length > 255 * hash_length(alg) ? "HKDF-Expand: output length too large"
                                                                       : "HKDF-Expand: PRK shorter than the hash");
  }
  // §2.3: T(0) = empty; T(i) = HMAC-Hash(PRK, T(i-1) | info | i);
  // OKM = the first L octets of T(1) | T(2) | ...
  const size_t hash_len = hash_length(alg);
  std::array<uint8_t, kMaxHashLength> t{};
  size_t t_len = 0;
  for (size_t done = 0, i = 1; done < length; ++i) {
    const uint8_t counter = static_cast<uint8_t>(i);
    const std::span<uint8_t> block(t.data(), hash_len);
    if (Status s = hmac_into(alg, prk, {ByteView(t.data(), t_len), info, ByteView(&counter, 1)}, block); !s) {
      OPENSSL_cleanse(out.data(), out.size());
      OPENSSL_cleanse(t.data(), t.size());
      return s;
    }
    t_len = hash_len;
    const size_t n = std::min(hash_len, length - done);
    std::copy_n(t.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
  }
  OPENSSL_cleanse(t.data(), t.size());
  return {};
}

Result<Bytes> hkdf_expand(HashAlg alg, ByteView prk, ByteView info, size_t length) {
  // Checked before allocating: a length over the limit is refused, not
  // allocated first.
  if (length > 255 * hash_length(alg)) {
    return fail(Alert::internal_error, "HKDF-Expand: output length too large");
  }
  Bytes okm(length);
  if (Status s = hkdf_expand_into(alg, prk, info, okm); !s) return std::move(s).error();
  return okm;
}

Status hkdf_expand_label_into(HashAlg alg, ByteView secret, std::string_view label, ByteView context,
                              std::span<uint8_t> out) {
  // RFC 8446 §7.1:
  //   struct {
  //       uint16 length = Length;
  //       opaque label<7..255> = "tls13 " + Label;
  //       opaque context<0..255> = Context;
  //   } HkdfLabel;
  static constexpr std::string_view kPrefix = "tls13 ";
  const size_t length = out.size();
  const size_t full_label = kPrefix.size() + label.size();
  if (length > 0xffff || full_label > 255 || context.size() > 255) {
    OPENSSL_cleanse(out.data(), out.size());
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
  return hkdf_expand_into(alg, secret, ByteView(info.data(), n), out);
}

Result<Bytes> hkdf_expand_label(HashAlg alg, ByteView secret, std::string_view label,
                                ByteView context, size_t length) {
  if (length > 0xffff) return fail(Alert::internal_error, "HKDF-Expand-Label: field too long");
  Bytes okm(length);
  if (Status s = hkdf_expand_label_into(alg, secret, label, context, okm); !s) return std::move(s).error();
  return okm;
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
