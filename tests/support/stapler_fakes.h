// Fakes for Stapler tests: a clock the test moves by hand, a responder
// without a network answering with responses built for the fake time, and a
// log of the Stapler's events. Thread-safe (the Stapler's thread reads them).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tools/ocsp_response_builder.h"
#include "vouch/stapler.h"

namespace vouch::testing {

// A clock the test moves by hand (read from the Stapler's thread too).
class FakeClock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point t) : t_(t) {}
  std::chrono::system_clock::time_point now() const {
    std::lock_guard<std::mutex> lock(mu_);
    return t_;
  }
  void set(std::chrono::system_clock::time_point t) {
    std::lock_guard<std::mutex> lock(mu_);
    t_ = t;
  }
  void advance(std::chrono::system_clock::duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    t_ += d;
  }

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point t_;
};

// A responder without a network: answers each request with a response built
// for the fake time by the configured signers and behaviour, or fails.
class FakeFetcher {
 public:
  FakeFetcher(const FakeClock& clock, const OcspSigners& signers) : clock_(clock), signers_(&signers) {}

  Result<Bytes> fetch(const std::string& url, ByteView request) {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    last_url_ = url;
    if (fail_) return fail(Alert::internal_error, "fake fetch failure: connection refused");
    if (fixed_) return *fixed_;
    OcspBehavior b = behavior_;
    b.now = clock_.now();
    auto r = testing::build_ocsp_response(*signers_, b, Bytes(request.begin(), request.end()));
    if (r) last_response_ = *r;
    return r;
  }

  void set_behavior(const OcspBehavior& b) {
    std::lock_guard<std::mutex> lock(mu_);
    behavior_ = b;
    fixed_.reset();
    fail_ = false;
  }
  OcspBehavior behavior() const {
    std::lock_guard<std::mutex> lock(mu_);
    return behavior_;
  }
  void set_failing(bool f) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = f;
  }
  void set_fixed(Bytes b) {
    std::lock_guard<std::mutex> lock(mu_);
    fixed_ = std::move(b);
  }
  void set_signers(const OcspSigners& s) {
    std::lock_guard<std::mutex> lock(mu_);
    signers_ = &s;
  }
  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  Bytes last_response() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_response_;
  }
  std::string last_url() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_url_;
  }

 private:
  mutable std::mutex mu_;
  const FakeClock& clock_;
  const OcspSigners* signers_;
  OcspBehavior behavior_;
  bool fail_ = false;
  std::optional<Bytes> fixed_;
  int calls_ = 0;
  Bytes last_response_;
  std::string last_url_;
};

class EventLog {
 public:
  void add(const StaplerEvent& e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
  }
  std::vector<StaplerEvent> all() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::vector<StaplerEvent> of(StaplerEventKind k) const {
    std::vector<StaplerEvent> out;
    for (const StaplerEvent& e : all()) {
      if (e.kind == k) out.push_back(e);
    }
    return out;
  }
  size_t count(StaplerEventKind k) const { return of(k).size(); }
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    events_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<StaplerEvent> events_;
};

}  // namespace vouch::testing
