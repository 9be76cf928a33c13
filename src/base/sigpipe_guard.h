// Keeps SIGPIPE from killing the process while this thread writes to a
// socket it does not open itself (libcrypto's HTTP client for OCSP).
#pragma once

#include <signal.h>

namespace vouch {

/// While alive, SIGPIPE is blocked in the calling thread: a write to a
/// socket whose peer has gone returns EPIPE instead of ending the process
/// (SIGPIPE's default action), which a library must never do to the
/// application that links it. On destruction a SIGPIPE that became pending
/// meanwhile is consumed and the thread's previous signal mask restored, so
/// an application that handles SIGPIPE itself sees nothing change. Where vouch
/// writes to sockets itself it passes MSG_NOSIGNAL instead (io/stream.cpp);
/// libcrypto's BIOs offer no such flag.
class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_mask_;
  bool blocked_ = false;       // this guard blocked SIGPIPE (it was not blocked before)
  bool was_pending_ = false;   // a SIGPIPE was already pending: not ours to consume
};

}  // namespace vouch
