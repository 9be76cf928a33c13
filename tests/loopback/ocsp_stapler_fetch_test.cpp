// The Stapler with its real fetcher (libcrypto's HTTP client, fetch_ocsp)
// against the in-process test OCSP responder on 127.0.0.1: the responder URL
// taken from the certificate's authorityInfoAccess, revocation picked up by
// refresh_now(), outages and a hung responder bounded by fetch_timeout.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "ocsp/ocsp.h"
#include "support/pki.h"
#include "support/watchdog.h"
#include "tools/ocsp_responder.h"
#include "vouch/stapler.h"

namespace vouch {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::CertSpec;
using testing::Issued;
using testing::OcspBehavior;
using testing::OcspResponder;
using testing::OcspResponderMode;
using testing::test_pki;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Runs `fn` on its own thread; true if it returned within the watchdog
// (support/watchdog.h), which only catches hangs: no duration is asserted.
template <class Fn>
bool returns_in_time(Fn fn) {
  return testing::returns_within_watchdog(std::move(fn));
}

class StaplerFetch : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = OcspResponder::create(f().intermediate.cert.get(), f().intermediate.key.get());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    responder = std::move(*r);
    auto s = responder->start();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    // A leaf whose authorityInfoAccess points at the responder.
    CertSpec spec;
    spec.cn = "stapled.test";
    spec.dns = {"stapled.test"};
    spec.ocsp_url = responder->url();
    leaf = testing::issue(spec, f().intermediate);
    options.fetch_timeout = milliseconds(500);
    options.on_event = [this](const StaplerEvent& e) {
      std::lock_guard<std::mutex> lock(mu);
      events.push_back(e);
    };
  }
  void TearDown() override {
    if (responder) responder->stop();
  }

  static const testing::PkiFamily& f() { return test_pki().ecdsa(); }
  Credential credential() const { return testing::credential_from(leaf, {&f().intermediate}); }

  static Bytes served(const Stapler& st) {
    auto creds = st.credentials();
    if (creds->empty() || (*creds)[0].ocsp_staples().empty()) return {};
    return (*creds)[0].ocsp_staples()[0];
  }
  size_t count(StaplerEventKind k) {
    std::lock_guard<std::mutex> lock(mu);
    size_t n = 0;
    for (const auto& e : events) n += e.kind == k ? 1 : 0;
    return n;
  }
  std::string last_message(StaplerEventKind k) {
    std::lock_guard<std::mutex> lock(mu);
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->kind == k) return it->message;
    }
    return "";
  }

  // A Stapler that has fetched and serves a good response.
  std::shared_ptr<Stapler> serving() {
    auto st = Stapler::create(options);
    auto slot = st->add(credential());
    EXPECT_TRUE(slot.ok()) << (slot.ok() ? "" : slot.error().to_string());
    st->poll();
    EXPECT_FALSE(served(*st).empty());
    return st;
  }

  void set_mode(OcspResponderMode mode) {
    OcspBehavior b;
    b.mode = mode;
    responder->set_behavior(b);
  }

  std::unique_ptr<OcspResponder> responder;
  Issued leaf;
  StaplerOptions options;
  std::mutex mu;
  std::vector<StaplerEvent> events;
};

TEST_F(StaplerFetch, GoodIsServed) {
  auto st = serving();
  EXPECT_EQ(responder->requests(), 1u);
  const StapleState s = st->state().at(0);
  EXPECT_EQ(s.responder_url, responder->url());
  ASSERT_TRUE(s.serving.has_value());
  EXPECT_EQ(s.serving->status, OcspCertStatus::good);
  EXPECT_EQ(count(StaplerEventKind::refreshed), 1u);
  // What is served names the leaf and verifies against its issuer.
  OcspVerifyOptions vo;
  auto v = verify_ocsp_response(served(*st), leaf.cert.get(), f().intermediate.cert.get(), {}, vo);
  ASSERT_TRUE(v.ok()) << v.error().to_string();
  EXPECT_EQ(v->status, OcspCertStatus::good);
}

TEST_F(StaplerFetch, ResponderUrlOverride) {
  CertSpec spec;
  spec.cn = "no-aia.test";
  leaf = testing::issue(spec, f().intermediate);  // no authorityInfoAccess
  options.responder_url = responder->url();
  auto st = serving();
  EXPECT_EQ(responder->requests(), 1u);
}

TEST_F(StaplerFetch, RevokedAtTheResponderStopsStapling) {
  auto st = serving();
  OcspBehavior revoked;
  revoked.status = OcspCertStatus::revoked;
  responder->set_behavior(revoked);
  st->refresh_now();
  st->poll();
  EXPECT_EQ(responder->requests(), 2u);
  EXPECT_TRUE(served(*st).empty());
  EXPECT_EQ(count(StaplerEventKind::revoked), 1u);
  EXPECT_TRUE(contains(last_message(StaplerEventKind::revoked), "revoked"));
  ASSERT_TRUE(st->state().at(0).last_status.has_value());
  EXPECT_EQ(st->state().at(0).last_status->status, OcspCertStatus::revoked);
}

TEST_F(StaplerFetch, ResponderDownKeepsTheLastGood) {
  // A refused connection fails at once rather than being retried until the
  // fetch timeout: with a timeout ten times the watchdog, the poll
  // returning at all shows it (no duration asserted).
  options.fetch_timeout = milliseconds(600'000);
  auto st = serving();
  const Bytes good = served(*st);
  set_mode(OcspResponderMode::down);
  st->refresh_now();
  EXPECT_TRUE(returns_in_time([st] { st->poll(); })) << "a refused fetch waited for the fetch timeout";
  EXPECT_EQ(served(*st), good);
  EXPECT_EQ(count(StaplerEventKind::failed), 1u);
  EXPECT_TRUE(contains(last_message(StaplerEventKind::failed), "connect")) << last_message(StaplerEventKind::failed);
  EXPECT_EQ(st->state().at(0).consecutive_failures, 1u);

  // Back up: the refresh_now()+poll picks it up.
  responder->set_behavior(OcspBehavior{});
  st->refresh_now();
  st->poll();
  EXPECT_FALSE(served(*st).empty());
  EXPECT_EQ(st->state().at(0).consecutive_failures, 0u);
}

TEST_F(StaplerFetch, HungResponderIsBoundedByTheFetchTimeout) {
  auto st = serving();
  const Bytes good = served(*st);
  set_mode(OcspResponderMode::hang);
  st->refresh_now();
  // The responder never answers (until it is stopped, after the test): the
  // poll returning shows the fetch timeout (500 ms) ended the fetch.
  EXPECT_TRUE(returns_in_time([st] { st->poll(); })) << "a hung fetch was not ended by fetch_timeout";
  EXPECT_EQ(served(*st), good);
  EXPECT_EQ(count(StaplerEventKind::failed), 1u);
}

TEST_F(StaplerFetch, GarbageAndTryLaterAreNotServed) {
  for (const char* name : {"garbage", "try-later", "wrong-signer", "oversized"}) {
    SCOPED_TRACE(name);
    auto b = testing::ocsp_behavior_named(name);
    ASSERT_TRUE(b.has_value());
    responder->set_behavior(*b);
    auto st = Stapler::create(options);
    ASSERT_TRUE(st->add(credential()).ok());
    st->poll();
    EXPECT_TRUE(served(*st).empty());
    EXPECT_FALSE(st->state().at(0).last_error.empty());
  }
}

TEST_F(StaplerFetch, BackgroundThreadStaplesAndStops) {
  auto st = Stapler::create(options);
  ASSERT_TRUE(st->add(credential()).ok());
  st->start();
  const auto deadline = steady_clock::now() + milliseconds(5000);
  while (served(*st).empty() && steady_clock::now() < deadline) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_FALSE(served(*st).empty());
  // A stop during a hung fetch waits at most for that fetch's timeout.
  set_mode(OcspResponderMode::hang);
  st->refresh_now();
  const auto wait_until = steady_clock::now() + milliseconds(2000);
  while (responder->requests() < 2 && steady_clock::now() < wait_until) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_TRUE(returns_in_time([st] { st->stop(); })) << "stop() did not return";
}

}  // namespace
}  // namespace vouch
