// Hooks for tests only: reach inside a Connection to tamper with what it
// sends. Not part of the public API; never used by the library itself.
#pragma once

#include <functional>
#include <vector>

#include "vouch/connection.h"

namespace vouch::test_hooks {

using MessageHook = std::function<std::vector<Bytes>(const Bytes& message)>;

/// Every handshake message `conn` sends from now on passes through `hook`
/// (after being added to conn's own transcript); the messages it returns are
/// sent instead.
void set_outgoing_message_hook(Connection& conn, MessageHook hook);

}  // namespace vouch::test_hooks
