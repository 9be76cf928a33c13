#include "base/sigpipe_guard.h"

#include <pthread.h>

#include <ctime>

namespace vouch {

SigpipeGuard::SigpipeGuard() {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  if (sigpending(&pending) == 0) was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  if (pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask_) != 0) return;
  // Already blocked by the application: nothing to undo or consume.
  blocked_ = sigismember(&old_mask_, SIGPIPE) != 1;
}

SigpipeGuard::~SigpipeGuard() {
  if (!blocked_) return;
  if (!was_pending_) {
    sigset_t pending;
    sigemptyset(&pending);
    if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
      // Ours (a write in this thread's guarded section): take it, without
      // waiting, so that unblocking does not deliver it.
      sigset_t pipe_only;
      sigemptyset(&pipe_only);
      sigaddset(&pipe_only, SIGPIPE);
      const timespec no_wait{0, 0};
      (void)sigtimedwait(&pipe_only, nullptr, &no_wait);
    }
  }
  (void)pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

}  // namespace vouch
