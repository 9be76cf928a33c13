// The library's own way into a Connection's implementation (the friend that
// include/vouch/connection.h names without defining). Only src/ and the
// test hooks include this; applications cannot reach it.
#pragma once

#include "handshake/conn_core.h"
#include "vouch/connection.h"

namespace vouch::detail {

struct ConnectionAccess {
  /// The core state (record layer, transcript, negotiated parameters) of
  /// `conn`, owned by it.
  static ConnCore& core(Connection& conn);
};

}  // namespace vouch::detail
