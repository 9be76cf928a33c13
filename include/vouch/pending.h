// vouch — what every pending handle has in common: the first answer wins,
// and answering wakes the owner of the connection that is waiting for it.
//
// A hook that cannot answer at once (a client-certificate selector, an
// external private-key signer, an asynchronous OCSP staple hook or credential
// source) gets a handle: PendingClientCertificate, PendingSignature
// (vouch/client_auth.h), PendingOcspStaple (vouch/ocsp.h) or
// PendingCredentials (vouch/credential_source.h). The connection then waits
// (Connection::wait() names what for) until the application answers through
// the handle, from any thread, and the connection is driven again (resume()
// or receive()).
//
// So that nobody has to poll, a handle knows the connection that handed it
// out: answering it calls that connection's waker (Connection::set_waker),
// once, on the answering thread. An event loop's waker posts "resume this
// connection" to the loop; vouch/asio.h does exactly that.
#pragma once

#include <memory>
#include <mutex>
#include <utility>

#include "vouch/export.h"

namespace vouch {

class WakeChannel;     // a connection's waker, shared with its handles (internal)
struct PendingAccess;  // how a connection picks answers up (internal)

/// The base of every pending handle. Thread-safe: any thread may answer
/// while another drives the connection. Only the first answer counts; later
/// ones are ignored and wake nobody.
///
/// Waking: when a connection hands a handle to a hook, the handle is bound to
/// that connection. The first answer then calls the connection's waker
/// (Connection::set_waker), if one is set at that moment: exactly once, from
/// the answering thread, after the answer is stored (a resume() that follows
/// the wake-up finds it). That includes an answer given before the hook
/// returns, on the thread driving the connection, inside receive() or
/// resume(). A handle that outlives its connection, or that the application
/// made itself, wakes nobody.
class VOUCH_EXPORT PendingHandle {
 public:
  PendingHandle(const PendingHandle&) = delete;
  PendingHandle& operator=(const PendingHandle&) = delete;

  /// True once answered (and stays true after the connection took the answer).
  bool ready() const;

 protected:
  PendingHandle();
  ~PendingHandle();

  /// Records the first answer: runs `store` (which writes the answer) under
  /// the handle's lock unless one was given before, then wakes the
  /// connection's owner outside that lock. Returns whether this call answered.
  template <class Store>
  bool answer(Store&& store) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (answered_) return false;
      answered_ = true;
      std::forward<Store>(store)();
    }
    wake();
    return true;
  }

  /// Guards the answer of the derived handle.
  mutable std::mutex mu_;

 private:
  friend struct PendingAccess;
  void wake();
  bool answered_ = false;
  /// The connection's waker; set once, before the handle reaches the
  /// application, never changed after.
  std::shared_ptr<WakeChannel> wake_;
};

}  // namespace vouch
