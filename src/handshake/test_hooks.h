// Hooks for tests only: reach inside a Connection to tamper with what it
// sends. Not part of the public API; never used by the library itself.
#pragma once

#include <functional>
#include <vector>

#include "record/record.h"
#include "vouch/connection.h"

namespace vouch::test_hooks {

using MessageHook = std::function<std::vector<Bytes>(const Bytes& message)>;

/// Every handshake message `conn` sends from now on passes through `hook`
/// (after being added to conn's own transcript); the messages it returns are
/// sent instead.
void set_outgoing_message_hook(Connection& conn, MessageHook hook);

/// Queues one record of `type` carrying `content` (empty allowed), under
/// conn's current write protection, as if conn had produced it: for records
/// the API never sends (empty application data, a TLS 1.3 user_canceled).
Status send_record(Connection& conn, ContentType type, ByteView content);

/// Puts a server in the state a first ClientHello offering early data
/// leaves it in (RFC 8446 §4.2.10: records of early data are skipped), for
/// tests whose client (vouch's never offers 0-RTT) cannot get it there.
void set_skip_early_data(Connection& conn, bool skip);

}  // namespace vouch::test_hooks
