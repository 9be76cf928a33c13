// A connection's waker (Connection::set_waker), shared with the pending
// handles it hands out (vouch/pending.h), which call it when answered.
//
// The waker runs under this channel's lock: once set() returned — with a new
// waker or none, as ~Connection does — the old one is neither running nor
// called again, so a waker may refer to objects that die with the
// connection. The price: a waker must not call set() (Connection::set_waker)
// nor answer another handle of the same connection.
#pragma once

#include <functional>
#include <mutex>
#include <utility>

namespace vouch {

class WakeChannel {
 public:
  void set(std::function<void()> waker) {
    std::function<void()> old;
    std::lock_guard<std::mutex> lock(mu_);
    old = std::exchange(waker_, std::move(waker));
    // `old` is destroyed after the lock is released (declared before it),
    // in case destroying it releases something that wakes.
  }
  void wake() {
    std::lock_guard<std::mutex> lock(mu_);
    if (waker_) waker_();
  }

 private:
  std::mutex mu_;
  std::function<void()> waker_;
};

}  // namespace vouch
