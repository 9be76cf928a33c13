// A watchdog for tests that must show "this returns" without asserting how
// fast: the machine may be loaded, so only a hang (60 s) fails.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

namespace vouch::testing {

inline constexpr std::chrono::seconds kWatchdog{60};

/// Runs `fn` on its own thread and waits for it at most kWatchdog: its
/// result, or nullopt if it did not finish. A finished thread is joined, so
/// nothing it owned (captured objects) outlives the call — a detached one
/// could still be releasing them when the test program exits, which leak
/// checkers report. A hung thread is left behind (detached): the test has
/// failed, and blocking on it would hang the suite instead.
template <class Fn>
auto with_watchdog(Fn fn) -> std::optional<decltype(fn())> {
  using R = decltype(fn());
  static_assert(!std::is_void_v<R>, "use returns_within_watchdog for a call without a result");
  std::packaged_task<R()> task(std::move(fn));
  std::future<R> result = task.get_future();
  std::thread worker(std::move(task));
  if (result.wait_for(kWatchdog) != std::future_status::ready) {
    worker.detach();
    return std::nullopt;
  }
  worker.join();
  return result.get();
}

/// The same for a call whose result does not matter: true if it returned.
template <class Fn>
bool returns_within_watchdog(Fn fn) {
  return with_watchdog([f = std::move(fn)]() mutable {
           f();
           return true;
         })
      .has_value();
}

}  // namespace vouch::testing
