// The file of a resumable session (`vouch connect --sess-out/--sess-in`):
// the library's session encoding (Session::serialize, vouch/session.h) in hex,
// under a versioned header. Two lines:
//
//   vouch-session 2
//   session 76536573000103...      (hex of Session::serialize)
//
// The encoding holds everything the session proves — the protocol version
// (TLS 1.3 ticket or TLS 1.2 session), the server chain, the OCSP status it
// verified and the client identity used — so a resumed connection reports
// what the full handshake established. Format 1 (one "key value" line per
// field, TLS 1.3 only, no OCSP status) is refused with a message asking for
// the session to be saved again.
//
// The file holds a resumption secret: it is written with mode 0600. Parsing
// trusts nothing: a wrong header, missing or extra lines, bad hex and
// malformed session bytes are errors naming what is wrong.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "vouch/error.h"
#include "vouch/session.h"

namespace vouch::cli {

/// Largest session file accepted (hex of a session with its chains and
/// staples; real ones are a few KiB).
inline constexpr size_t kMaxSessionFileBytes = 1 << 20;

/// The file's text for a session.
std::string format_session(const Session& s);
/// The session in a file's text; decode_error naming the problem otherwise.
Result<Session> parse_session(std::string_view text);

/// Writes atomically (temporary file + rename), mode 0600. A session too
/// large for kMaxSessionFileBytes is refused rather than written unreadable.
Status write_session_file(const std::string& path, const Session& s);
/// Reads and parses; errors are prefixed with the path.
Result<std::shared_ptr<const Session>> read_session_file(const std::string& path);

}  // namespace vouch::cli
