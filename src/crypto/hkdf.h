// HKDF (RFC 5869) and the TLS 1.3 labelled forms (RFC 8446 §7.1).
#pragma once

#include <span>
#include <string_view>

#include "crypto/hash.h"

namespace vouch {

Result<Bytes> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm);
Result<Bytes> hkdf_expand(HashAlg alg, ByteView prk, ByteView info, size_t length);
/// HKDF-Expand into `out` (its size is L): no allocation. On failure `out`
/// is wiped.
Status hkdf_expand_into(HashAlg alg, ByteView prk, ByteView info, std::span<uint8_t> out);
/// HKDF-Expand-Label(Secret, Label, Context, Length); label without "tls13 ".
Result<Bytes> hkdf_expand_label(HashAlg alg, ByteView secret, std::string_view label,
                                ByteView context, size_t length);
/// The same into `out` (Length = out.size()): no allocation, for keys that
/// live in fixed buffers (the record layer's traffic keys). On failure `out`
/// is wiped.
Status hkdf_expand_label_into(HashAlg alg, ByteView secret, std::string_view label, ByteView context,
                              std::span<uint8_t> out);
/// Derive-Secret(Secret, Label, Messages) given Transcript-Hash(Messages).
Result<Bytes> derive_secret(HashAlg alg, ByteView secret, std::string_view label,
                            ByteView transcript_hash);

}  // namespace vouch
