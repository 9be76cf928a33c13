// Emitting handshake trace events (vouch/trace.h) from the internals: one
// call per event, nothing built when no hook is set.
#pragma once

#include <cstdint>
#include <utility>

#include "vouch/config.h"

namespace vouch {

/// A new connection's number for trace events (unique in the process).
uint64_t next_trace_id();

/// Calls config.trace with the event `make()` builds, if a hook is set. An
/// exception from the hook is swallowed (vouch/trace.h): tracing must never
/// change what the handshake does.
template <class Make>
void emit_trace(const CommonConfig& config, uint64_t connection, Make&& make) {
  if (!config.trace) return;
  try {
    config.trace(connection, TraceEvent(std::forward<Make>(make)()));
  } catch (...) {
  }
}

}  // namespace vouch
