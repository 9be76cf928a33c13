// A small text file format for a resumable session (`vouch connect
// --sess-out/--sess-in`). One "key value" per line, binary fields in hex:
//
//   vouch-session 1
//   version 0304
//   cipher_suite 1301
//   ticket 3a5f...
//   psk 9c0e...
//   lifetime 7200
//   age_add 123456789
//   received_at 1700000000123        (milliseconds since the Unix epoch)
//   server_name 6c6f63616c686f7374  (hex; may be empty)
//   alpn 6832                       (hex; may be empty)
//   peer_cert 3082...               (zero or more, leaf first)
//
// The file holds a resumption secret: it is written with mode 0600. Parsing
// trusts nothing: unknown, repeated or missing keys, bad hex, out-of-range
// numbers and oversized fields are errors.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "vouch/error.h"
#include "vouch/session.h"

namespace vouch::cli {

/// Largest session file accepted (a few certificates and a ticket in hex).
inline constexpr size_t kMaxSessionFileBytes = 1 << 20;

std::string format_session(const Session& s);
Result<Session> parse_session(std::string_view text);

/// Writes atomically (temporary file + rename), mode 0600.
Status write_session_file(const std::string& path, const Session& s);
Result<std::shared_ptr<const Session>> read_session_file(const std::string& path);

}  // namespace vouch::cli
