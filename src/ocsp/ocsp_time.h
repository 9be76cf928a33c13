// Times in OCSP responses (RFC 6960 §4.2.2.1: GeneralizedTime as in
// RFC 5280 §4.1.2.5.2) as std::chrono values, and their printed form.
#pragma once

#include <openssl/asn1.h>

#include <chrono>
#include <optional>
#include <string>

namespace vouch {

using SysTime = std::chrono::system_clock::time_point;

/// The instant an ASN1_TIME (UTCTime or GeneralizedTime, libcrypto decodes
/// both) denotes, to the second; nullopt for a null or malformed time.
std::optional<SysTime> from_asn1_time(const ASN1_TIME* t);

/// "2026-11-23T10:00:00Z" (RFC 3339, UTC, whole seconds).
std::string iso8601(SysTime t);

}  // namespace vouch
