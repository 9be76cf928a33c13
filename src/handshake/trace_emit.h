// Emitting handshake trace events (vouch/trace.h) from the internals: one
// call per event, nothing built when no hook is set.
#pragma once

#include <utility>

#include "vouch/config.h"

namespace vouch {

/// Calls config.trace with the event `make()` builds, if a hook is set. An
/// exception from the hook is swallowed (vouch/trace.h): tracing must never
/// change what the handshake does.
template <class Make>
void emit_trace(const CommonConfig& config, Make&& make) {
  if (!config.trace) return;
  try {
    config.trace(TraceEvent(std::forward<Make>(make)()));
  } catch (...) {
  }
}

}  // namespace vouch
