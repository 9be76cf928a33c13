// HKDF (RFC 5869) and the TLS 1.3 labelled forms (RFC 8446 §7.1).
#pragma once

#include <string_view>

#include "crypto/hash.h"

namespace vouch {

Result<Bytes> hkdf_extract(HashAlg alg, ByteView salt, ByteView ikm);
Result<Bytes> hkdf_expand(HashAlg alg, ByteView prk, ByteView info, size_t length);
/// HKDF-Expand-Label(Secret, Label, Context, Length); label without "tls13 ".
Result<Bytes> hkdf_expand_label(HashAlg alg, ByteView secret, std::string_view label,
                                ByteView context, size_t length);
/// Derive-Secret(Secret, Label, Messages) given Transcript-Hash(Messages).
Result<Bytes> derive_secret(HashAlg alg, ByteView secret, std::string_view label,
                            ByteView transcript_hash);

}  // namespace vouch
