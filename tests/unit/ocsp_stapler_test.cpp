// The Stapler (src/stapler): when it fetches, what it serves, how it backs off,
// what it does through outages, revocations and expiry, credential swaps,
// its events, state and thread. Time is a fake clock the tests advance; the
// network is a fake fetcher answering with responses built for the fake
// time by the test responder's builder (tests/tools), or failing.
#include "vouch/stapler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <future>
#include <mutex>
#include <thread>

#include "ocsp/ocsp.h"
#include "cert/x509_name.h"
#include "stapler/staple_slot.h"
#include "support/pki.h"
#include "support/stapler_fakes.h"
#include "support/watchdog.h"
#include "tools/ocsp_response_builder.h"
#include "vouch/config.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;
using testing::CertSpec;
using testing::Issued;
using testing::OcspBehavior;
using testing::OcspSignerChoice;
using testing::OcspSigners;
using testing::test_pki;
using Time = system_clock::time_point;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

using testing::EventLog;
using testing::FakeClock;
using testing::FakeFetcher;

constexpr const char* kUrl = "http://ocsp.test/";

class StaplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testing::make_ocsp_signers(f().intermediate.cert.get(), f().intermediate.key.get());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    signers = std::move(*s);
    options.responder_url = kUrl;
    options.clock = [this] { return clock.now(); };
    options.fetcher = [this](const std::string& url, ByteView req) { return fetcher.fetch(url, req); };
    options.random = [this] { return random_value; };
    options.on_event = [this](const StaplerEvent& e) { events.add(e); };
  }

  static const testing::PkiFamily& f() { return test_pki().ecdsa(); }
  static Credential server() { return f().server_credential(); }

  std::shared_ptr<Stapler> make() { return Stapler::create(options); }

  // root → an intermediate named `ca_cn` (its responder at root-ocsp.test)
  // → leaf.test (its responder at inter-ocsp.test); the options staple
  // intermediates and fetch from a responder per URL, each signing as the
  // issuer of the certificate it answers for.
  struct TwoLevelChain {
    Issued inter;
    Issued leaf;
  };
  TwoLevelChain two_level_chain(const std::string& ca_cn) {
    CertSpec ca;
    ca.cn = ca_cn;
    ca.ca = true;
    ca.path_len = 0;
    ca.ocsp_url = "http://root-ocsp.test/";
    Issued inter = testing::issue(ca, f().root);
    CertSpec leaf_spec;
    leaf_spec.cn = "leaf.test";
    leaf_spec.ocsp_url = "http://inter-ocsp.test/";
    Issued leaf = testing::issue(leaf_spec, inter);
    auto inter_signers = testing::make_ocsp_signers(inter.cert.get(), inter.key.get());
    auto root_signers = testing::make_ocsp_signers(f().root.cert.get(), f().root.key.get());
    if (!inter_signers.ok() || !root_signers.ok()) {
      ADD_FAILURE() << "OCSP signers";
      return {std::move(inter), std::move(leaf)};
    }
    auto by_url = std::make_shared<std::pair<OcspSigners, OcspSigners>>(std::move(*inter_signers),
                                                                       std::move(*root_signers));
    options.responder_url.reset();
    options.staple_intermediates = true;
    options.fetcher = [this, by_url](const std::string& url, ByteView req) -> Result<Bytes> {
      OcspBehavior b;
      b.now = clock.now();
      const OcspSigners& s = url == "http://root-ocsp.test/" ? by_url->second : by_url->first;
      return testing::build_ocsp_response(s, b, Bytes(req.begin(), req.end()));
    };
    return {std::move(inter), std::move(leaf)};
  }

  // A Stapler managing the server credential, after its first (good) fetch.
  std::shared_ptr<Stapler> make_serving() {
    auto st = make();
    auto slot = st->add(server());
    EXPECT_TRUE(slot.ok());
    st->poll();
    EXPECT_EQ(served(*st), fetcher.last_response());
    return st;
  }

  // The staple the snapshot gives for slot 0's leaf (empty: none).
  static Bytes served(const Stapler& st, size_t slot = 0) {
    auto creds = st.credentials();
    if (!creds || creds->size() <= slot) return {};
    const auto& staples = (*creds)[slot].ocsp_staples();
    return staples.empty() ? Bytes() : staples[0];
  }
  static StapleState leaf_state(const Stapler& st, size_t slot = 0) {
    for (const StapleState& s : st.state()) {
      if (s.slot == slot && s.position == 0) return s;
    }
    ADD_FAILURE() << "no state for slot " << slot;
    return {};
  }

  // Response window of the builder's defaults: thisUpdate = now − 60 s,
  // nextUpdate = now + 24 h.
  static Time this_update(Time at) { return at - seconds(60); }
  static Time next_update(Time at) { return at + hours(24); }
  static Time refresh_at(Time fetched_at, double fraction) {
    const auto window = std::chrono::duration_cast<milliseconds>(next_update(fetched_at) - this_update(fetched_at));
    return this_update(fetched_at) +
           milliseconds(std::llround(static_cast<double>(window.count()) * fraction));
  }

  const Time t0 = std::chrono::floor<seconds>(system_clock::now());
  FakeClock clock{t0};
  OcspSigners signers;
  FakeFetcher fetcher{clock, signers};
  double random_value = 0.5;  // jitter factor exactly 1
  EventLog events;
  StaplerOptions options;
};

// --- first fetch, refresh schedule -------------------------------------------

TEST_F(StaplerTest, FirstPollFetchesAndServes) {
  auto st = make();
  auto slot = st->add(server());
  ASSERT_TRUE(slot.ok()) << slot.error().to_string();
  EXPECT_EQ(*slot, 0u);
  // Nothing is fetched by add() itself; the fetch is due at once.
  EXPECT_EQ(fetcher.calls(), 0);
  EXPECT_TRUE(served(*st).empty());
  EXPECT_EQ(leaf_state(*st).next_refresh, t0);
  EXPECT_FALSE(leaf_state(*st).serving.has_value());

  const Time due = st->poll();
  EXPECT_EQ(fetcher.calls(), 1);
  EXPECT_EQ(fetcher.last_url(), kUrl);
  const Bytes staple = served(*st);
  ASSERT_FALSE(staple.empty());
  EXPECT_EQ(staple, fetcher.last_response());
  // The snapshot's credential is the one given, with the staple attached.
  auto creds = st->credentials();
  ASSERT_EQ(creds->size(), 1u);
  EXPECT_EQ((*creds)[0].chain_der(), server().chain_der());
  EXPECT_EQ(due, refresh_at(t0, 0.5));
  ASSERT_EQ(events.count(StaplerEventKind::refreshed), 1u);
  EXPECT_TRUE(contains(events.of(StaplerEventKind::refreshed)[0].message, "good"));
}

TEST_F(StaplerTest, NoRefetchBeforeHalfLifeRefetchAtIt) {
  auto st = make_serving();
  const Time refresh = refresh_at(t0, 0.5);
  EXPECT_EQ(leaf_state(*st).next_refresh, refresh);
  EXPECT_EQ(refresh, t0 + hours(12) - seconds(30));

  clock.set(refresh - seconds(1));
  EXPECT_EQ(st->poll(), refresh);
  EXPECT_EQ(fetcher.calls(), 1);

  clock.set(refresh);
  const Bytes before = served(*st);
  const Time due = st->poll();
  EXPECT_EQ(fetcher.calls(), 2);
  EXPECT_NE(served(*st), before);  // the fresh one (thisUpdate moved)
  EXPECT_EQ(served(*st), fetcher.last_response());
  EXPECT_EQ(due, refresh_at(refresh, 0.5));
  EXPECT_EQ(events.count(StaplerEventKind::refreshed), 2u);
}

TEST_F(StaplerTest, RefreshFractionIsRespected) {
  options.refresh_fraction = 0.75;
  auto st = make_serving();
  const Time refresh = refresh_at(t0, 0.75);
  EXPECT_EQ(leaf_state(*st).next_refresh, refresh);
  clock.set(refresh_at(t0, 0.5));
  st->poll();
  EXPECT_EQ(fetcher.calls(), 1);
  clock.set(refresh - seconds(1));
  st->poll();
  EXPECT_EQ(fetcher.calls(), 1);
  clock.set(refresh);
  st->poll();
  EXPECT_EQ(fetcher.calls(), 2);
}

TEST_F(StaplerTest, RefreshIsNeverLaterThanTheMarginBeforeNextUpdate) {
  options.refresh_fraction = 1.0;
  auto st = make_serving();
  EXPECT_EQ(leaf_state(*st).next_refresh, next_update(t0) - kRefreshMargin);
  // Out-of-range fractions are clamped.
  options.refresh_fraction = 7.0;
  auto st2 = make_serving();
  EXPECT_EQ(leaf_state(*st2).next_refresh, next_update(t0) - kRefreshMargin);
}

// --- back-off --------------------------------------------------------------

// Delays after consecutive failures, as state().next_refresh shows them.
std::vector<milliseconds> failure_delays(Stapler& st, FakeClock& clock, int n) {
  std::vector<milliseconds> out;
  for (int i = 0; i < n; ++i) {
    const Time now = clock.now();
    st.poll();
    const auto states = st.state();
    out.push_back(std::chrono::duration_cast<milliseconds>(states.at(0).next_refresh - now));
    clock.set(states.at(0).next_refresh);
  }
  return out;
}

TEST_F(StaplerTest, BackOffDoublesAndIsCapped) {
  options.min_retry = seconds(10);
  options.max_retry = seconds(60);
  fetcher.set_failing(true);
  auto st = make();
  ASSERT_TRUE(st->add(server()).ok());
  const auto delays = failure_delays(*st, clock, 6);
  const std::vector<milliseconds> expected{seconds(10), seconds(20), seconds(40),
                                           seconds(60), seconds(60), seconds(60)};
  EXPECT_EQ(delays, expected);
  EXPECT_EQ(fetcher.calls(), 6);
  const StapleState s = leaf_state(*st);
  EXPECT_EQ(s.consecutive_failures, 6u);
  EXPECT_TRUE(contains(s.last_error, "fake fetch failure")) << s.last_error;
  EXPECT_FALSE(s.serving.has_value());
  EXPECT_EQ(events.count(StaplerEventKind::failed), 6u);
}

TEST_F(StaplerTest, BackOffJitterBounds) {
  fetcher.set_failing(true);  // defaults: min_retry 30 s, max_retry 3600 s
  random_value = 0.0;         // the lowest factor, 0.8
  auto low = make();
  ASSERT_TRUE(low->add(server()).ok());
  const auto lows = failure_delays(*low, clock, 9);
  std::vector<milliseconds> expected_low;
  for (long base : {30, 60, 120, 240, 480, 960, 1920, 3600, 3600}) expected_low.push_back(milliseconds(base * 800));
  EXPECT_EQ(lows, expected_low);

  random_value = 0.999;  // almost the highest factor, 1.2
  clock.set(t0);
  auto high = make();
  ASSERT_TRUE(high->add(server()).ok());
  const auto highs = failure_delays(*high, clock, 9);
  std::vector<milliseconds> expected_high;
  for (long base : {30, 60, 120, 240, 480, 960, 1920, 3600, 3600})
    expected_high.push_back(milliseconds(std::llround(static_cast<double>(base * 1000) * 1.1996)));
  ASSERT_EQ(highs.size(), expected_high.size());
  for (size_t i = 0; i < highs.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(highs[i].count()), static_cast<double>(expected_high[i].count()), 1.0) << i;
    EXPECT_LT(highs[i], milliseconds(expected_low[i].count() / 8 * 12)) << "below +20%";
  }
}

TEST_F(StaplerTest, SuccessResetsTheBackOff) {
  fetcher.set_failing(true);
  auto st = make();
  ASSERT_TRUE(st->add(server()).ok());
  failure_delays(*st, clock, 3);
  EXPECT_EQ(leaf_state(*st).consecutive_failures, 3u);
  fetcher.set_failing(false);
  st->poll();
  const StapleState s = leaf_state(*st);
  EXPECT_EQ(s.consecutive_failures, 0u);
  EXPECT_TRUE(s.last_error.empty());
  EXPECT_TRUE(s.serving.has_value());
}

// --- outages and expiry ------------------------------------------------------

TEST_F(StaplerTest, OutageServesLastGoodUntilNextUpdateThenRecovers) {
  auto st = make_serving();
  const Bytes good = served(*st);
  const Time expiry = next_update(t0);
  fetcher.set_failing(true);

  clock.set(refresh_at(t0, 0.5));
  st->poll();
  EXPECT_EQ(fetcher.calls(), 2);
  EXPECT_EQ(served(*st), good);
  ASSERT_EQ(events.count(StaplerEventKind::failed), 1u);
  EXPECT_TRUE(contains(events.of(StaplerEventKind::failed)[0].message, "still serving"));
  EXPECT_FALSE(events.of(StaplerEventKind::failed)[0].must_staple_unserved);

  // Keep failing until just before the expiry: still served, and no retry
  // is ever scheduled past nextUpdate − margin while that is ahead.
  while (true) {
    const Time next = leaf_state(*st).next_refresh;
    if (next >= expiry) break;
    if (clock.now() < expiry - kRefreshMargin) {
      EXPECT_LE(next, expiry - kRefreshMargin);
    }
    clock.set(next);
    st->poll();
    ASSERT_LT(fetcher.calls(), 200);
  }
  clock.set(expiry - seconds(1));
  st->poll();
  EXPECT_EQ(served(*st), good);
  EXPECT_EQ(events.count(StaplerEventKind::expiring), 0u);

  clock.set(expiry);
  st->poll();
  EXPECT_TRUE(served(*st).empty());
  EXPECT_FALSE(leaf_state(*st).serving.has_value());
  ASSERT_EQ(events.count(StaplerEventKind::expiring), 1u);
  EXPECT_FALSE(events.of(StaplerEventKind::expiring)[0].must_staple_unserved);

  // The responder is back: served again at the next retry.
  fetcher.set_failing(false);
  clock.set(leaf_state(*st).next_refresh);
  st->poll();
  EXPECT_FALSE(served(*st).empty());
  EXPECT_EQ(served(*st), fetcher.last_response());
  EXPECT_EQ(leaf_state(*st).consecutive_failures, 0u);
}

TEST_F(StaplerTest, RetryIsNotScheduledPastTheExpiry) {
  options.min_retry = hours(10);
  options.max_retry = hours(40);
  auto st = make_serving();
  fetcher.set_failing(true);
  const Time refresh = refresh_at(t0, 0.5);
  clock.set(refresh);
  st->poll();
  EXPECT_EQ(leaf_state(*st).next_refresh, refresh + hours(10));
  clock.set(refresh + hours(10));
  st->poll();  // 20 h later would be past the expiry
  EXPECT_EQ(leaf_state(*st).next_refresh, next_update(t0) - kRefreshMargin);
}

TEST_F(StaplerTest, ResponseWithoutUsefulLifetimeIsNotServed) {
  OcspBehavior b;
  b.this_update_offset = -hours(48);
  b.next_update_offset = -hours(1);  // expired an hour ago (skew is 5 min)
  fetcher.set_behavior(b);
  auto st = make();
  ASSERT_TRUE(st->add(server()).ok());
  st->poll();
  EXPECT_TRUE(served(*st).empty());
  ASSERT_EQ(events.count(StaplerEventKind::failed), 1u);
  EXPECT_TRUE(contains(events.of(StaplerEventKind::failed)[0].message, "expired"))
      << events.of(StaplerEventKind::failed)[0].message;
}

// --- revocation --------------------------------------------------------------

TEST_F(StaplerTest, RevokedStopsServingAtOnceAndIsPolledAgain) {
  auto st = make_serving();
  auto before = st->credentials();
  OcspBehavior revoked;
  revoked.status = OcspCertStatus::revoked;
  fetcher.set_behavior(revoked);
  clock.advance(hours(1));  // well before the refresh point
  st->refresh_now();
  st->poll();
  EXPECT_EQ(fetcher.calls(), 2);
  EXPECT_TRUE(served(*st).empty());
  // The snapshot taken before still has its staple (immutable).
  EXPECT_FALSE((*before)[0].ocsp_staples().empty());
  ASSERT_EQ(events.count(StaplerEventKind::revoked), 1u);
  EXPECT_TRUE(contains(events.of(StaplerEventKind::revoked)[0].message, "revoked"));
  StapleState s = leaf_state(*st);
  EXPECT_FALSE(s.serving.has_value());
  ASSERT_TRUE(s.last_status.has_value());
  EXPECT_EQ(s.last_status->status, OcspCertStatus::revoked);
  // Polled again at the back-off (min_retry 30 s, factor 1).
  EXPECT_EQ(s.next_refresh, clock.now() + seconds(30));

  // Released (certificateHold): served again.
  fetcher.set_behavior(OcspBehavior{});
  clock.set(s.next_refresh);
  st->poll();
  EXPECT_FALSE(served(*st).empty());
  s = leaf_state(*st);
  ASSERT_TRUE(s.serving.has_value());
  EXPECT_EQ(s.serving->status, OcspCertStatus::good);
}

TEST_F(StaplerTest, UnknownIsNeverServed) {
  OcspBehavior unknown;
  unknown.status = OcspCertStatus::unknown;
  fetcher.set_behavior(unknown);
  auto st = make();
  ASSERT_TRUE(st->add(server()).ok());
  st->poll();
  EXPECT_TRUE(served(*st).empty());
  EXPECT_EQ(events.count(StaplerEventKind::revoked), 1u);
  EXPECT_EQ(leaf_state(*st).last_status->status, OcspCertStatus::unknown);
}

// --- unacceptable responses ------------------------------------------------

struct BadCase {
  const char* name;
  OcspBehavior behavior;
  const char* reason_part;
};

TEST_F(StaplerTest, UnacceptableResponsesAreNeverServed) {
  std::vector<BadCase> cases;
  {
    OcspBehavior b;
    b.signer = OcspSignerChoice::unrelated;
    cases.push_back({"wrong signer", b, "is not issued by"});
  }
  {
    OcspBehavior b;
    b.signer = OcspSignerChoice::delegate_no_eku;
    cases.push_back({"delegate without OCSPSigning", b, "OCSP"});
  }
  {
    OcspBehavior b;
    b.this_update_offset = -hours(72);
    b.next_update_offset = -hours(48);
    cases.push_back({"expired", b, "expired"});
  }
  {
    OcspBehavior b;
    b.wrong_serial = true;
    cases.push_back({"for another certificate", b, "no status for the certificate"});
  }
  {
    OcspBehavior b;
    b.next_update_offset = std::nullopt;
    cases.push_back({"no nextUpdate", b, "nextUpdate"});
  }
  {
    OcspBehavior b;
    b.this_update_offset = hours(2);
    cases.push_back({"not yet valid", b, "not yet valid"});
  }
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    events.clear();
    fetcher.set_behavior(c.behavior);
    auto st = make();
    ASSERT_TRUE(st->add(server()).ok());
    st->poll();
    EXPECT_TRUE(served(*st).empty());
    EXPECT_FALSE(leaf_state(*st).serving.has_value());
    ASSERT_EQ(events.count(StaplerEventKind::failed), 1u);
    const std::string msg = events.of(StaplerEventKind::failed)[0].message;
    EXPECT_TRUE(contains(msg, "refused")) << msg;
    EXPECT_TRUE(contains(msg, c.reason_part)) << msg;
    EXPECT_EQ(leaf_state(*st).last_error, msg);
  }
}

TEST_F(StaplerTest, GarbageFromTheResponderIsNotServedAndKeepsTheLastGood) {
  auto st = make_serving();
  const Bytes good = served(*st);
  fetcher.set_fixed(testing::ocsp_garbage_body());
  st->refresh_now();
  st->poll();
  EXPECT_EQ(served(*st), good);
  EXPECT_EQ(events.count(StaplerEventKind::failed), 1u);
}

// --- must-staple -------------------------------------------------------------

TEST_F(StaplerTest, MustStapleLeafReportsBeingUnserved) {
  CertSpec spec;
  spec.cn = "must-staple.test";
  spec.dns = {"must-staple.test"};
  spec.must_staple = true;
  const Issued leaf = testing::issue(spec, f().intermediate);
  const Credential cred = testing::credential_from(leaf, {&f().intermediate});

  auto st = make();
  ASSERT_TRUE(st->add(cred).ok());
  EXPECT_TRUE(leaf_state(*st).must_staple);
  st->poll();
  ASSERT_FALSE(served(*st).empty());

  fetcher.set_failing(true);
  clock.set(refresh_at(t0, 0.5));
  st->poll();
  ASSERT_EQ(events.count(StaplerEventKind::failed), 1u);
  EXPECT_FALSE(events.of(StaplerEventKind::failed)[0].must_staple_unserved);  // still served

  clock.set(next_update(t0));
  st->poll();
  ASSERT_EQ(events.count(StaplerEventKind::expiring), 1u);
  EXPECT_TRUE(events.of(StaplerEventKind::expiring)[0].must_staple_unserved);
  // Later failures while nothing is served say so too.
  events.clear();
  clock.set(leaf_state(*st).next_refresh);
  st->poll();
  ASSERT_EQ(events.count(StaplerEventKind::failed), 1u);
  EXPECT_TRUE(events.of(StaplerEventKind::failed)[0].must_staple_unserved);
}

TEST_F(StaplerTest, OrdinaryLeafIsNotMustStaple) {
  auto st = make();
  ASSERT_TRUE(st->add(server()).ok());
  EXPECT_FALSE(leaf_state(*st).must_staple);
}

// --- replace -------------------------------------------------------------------

// Another leaf of the same intermediate.
Credential other_leaf(const testing::PkiFamily& fam, Issued* out = nullptr) {
  CertSpec spec;
  spec.cn = "other.test";
  spec.dns = {"other.test"};
  Issued leaf = testing::issue(spec, fam.intermediate);
  Credential c = testing::credential_from(leaf, {&fam.intermediate});
  if (out) *out = std::move(leaf);
  return c;
}

TEST_F(StaplerTest, ReplaceSwapsChainAndStaplesAtomically) {
  auto st = make_serving();
  auto old_snapshot = st->credentials();
  const Bytes old_staple = served(*st);

  const Credential next = other_leaf(f());
  ASSERT_TRUE(st->replace(0, next).ok());
  auto new_snapshot = st->credentials();
  // The old snapshot is untouched: old chain with its staple.
  EXPECT_EQ((*old_snapshot)[0].chain_der(), server().chain_der());
  EXPECT_EQ((*old_snapshot)[0].ocsp_staples().at(0), old_staple);
  // The new one: new chain, and no staple for it yet (never the old one).
  EXPECT_EQ((*new_snapshot)[0].chain_der(), next.chain_der());
  EXPECT_TRUE((*new_snapshot)[0].ocsp_staples().empty());
  EXPECT_EQ(leaf_state(*st).subject, next.subject());
  EXPECT_EQ(leaf_state(*st).next_refresh, clock.now());

  st->poll();
  const Bytes staple = served(*st);
  ASSERT_FALSE(staple.empty());
  EXPECT_NE(staple, old_staple);
  EXPECT_TRUE(ocsp_response_names(staple, next.leaf(), next.chain()[1]).ok());
}

TEST_F(StaplerTest, ReplaceWithAttachedStapleServesItAtOnce) {
  auto st = make_serving();
  const Credential next = other_leaf(f());
  auto req = make_ocsp_request(next.leaf(), next.chain()[1], false, nullptr);
  ASSERT_TRUE(req.ok());
  OcspBehavior b;
  b.now = clock.now();
  auto resp = testing::build_ocsp_response(signers, b, *req);
  ASSERT_TRUE(resp.ok());
  auto with = next.with_ocsp_staples({*resp});
  ASSERT_TRUE(with.ok()) << with.error().to_string();

  ASSERT_TRUE(st->replace(0, *with).ok());
  EXPECT_EQ(served(*st), *resp);
  EXPECT_EQ(leaf_state(*st).next_refresh, refresh_at(clock.now(), 0.5));
  const int calls = fetcher.calls();
  st->poll();
  EXPECT_EQ(fetcher.calls(), calls);  // not due
}

TEST_F(StaplerTest, AttachedStaplesThatDoNotVerifyAreRefused) {
  auto st = make_serving();
  const Credential next = other_leaf(f());
  auto req = make_ocsp_request(next.leaf(), next.chain()[1], false, nullptr);
  ASSERT_TRUE(req.ok());

  // A staple for another certificate never reaches the Stapler: the
  // credential itself refuses it.
  EXPECT_FALSE(next.with_ocsp_staples({served(*st)}).ok());

  // Names the right certificate, but signed by nobody with authority.
  OcspBehavior b;
  b.now = clock.now();
  b.signer = OcspSignerChoice::unrelated;
  auto forged = testing::build_ocsp_response(signers, b, *req);
  ASSERT_TRUE(forged.ok());
  auto with = next.with_ocsp_staples({*forged});
  ASSERT_TRUE(with.ok()) << with.error().to_string();
  events.clear();
  ASSERT_TRUE(st->replace(0, *with).ok());
  EXPECT_TRUE(served(*st).empty());
  ASSERT_EQ(events.count(StaplerEventKind::failed), 1u);
  EXPECT_TRUE(contains(events.of(StaplerEventKind::failed)[0].message, "attached OCSP staple refused"))
      << events.of(StaplerEventKind::failed)[0].message;

  // Expired: refused as well, also by add().
  b.signer = OcspSignerChoice::issuer;
  b.now = clock.now() - hours(72);
  auto old = testing::build_ocsp_response(signers, b, *req);
  ASSERT_TRUE(old.ok());
  auto with_old = next.with_ocsp_staples({*old});
  ASSERT_TRUE(with_old.ok());
  events.clear();
  auto slot = st->add(*with_old);
  ASSERT_TRUE(slot.ok());
  EXPECT_TRUE(served(*st, *slot).empty());
  EXPECT_EQ(events.count(StaplerEventKind::failed), 1u);
}

TEST_F(StaplerTest, ReplaceOfAnUnknownSlotFails) {
  auto st = make();
  EXPECT_FALSE(st->replace(0, server()).ok());
  ASSERT_TRUE(st->add(server()).ok());
  EXPECT_FALSE(st->replace(1, server()).ok());
}

TEST_F(StaplerTest, FetchInFlightDuringReplaceIsDropped) {
  const Credential next = other_leaf(f());
  std::shared_ptr<Stapler> st;
  // The fetcher replaces the credential while "on the network".
  bool replaced = false;
  options.fetcher = [&](const std::string& url, ByteView req) {
    if (!replaced) {
      replaced = true;
      EXPECT_TRUE(st->replace(0, next).ok());
    }
    return fetcher.fetch(url, req);
  };
  st = make();
  ASSERT_TRUE(st->add(server()).ok());
  st->poll();
  // The answer for the old leaf was not attached to the new chain.
  auto creds = st->credentials();
  EXPECT_EQ((*creds)[0].chain_der(), next.chain_der());
  EXPECT_TRUE((*creds)[0].ocsp_staples().empty());
  st->poll();  // the new leaf is due now
  EXPECT_FALSE(served(*st).empty());
}

// --- add, several slots, intermediates ----------------------------------------

TEST_F(StaplerTest, AddRefusesAChainWithoutTheIssuer) {
  auto st = make();
  const Credential leaf_only = testing::credential_from(f().server);
  auto r = st->add(leaf_only);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().reason, "issuer")) << r.error().reason;
  // A chain whose second certificate is not the leaf's issuer.
  const Credential wrong = testing::credential_from(f().server, {&f().root});
  EXPECT_FALSE(st->add(wrong).ok());
  EXPECT_TRUE(st->state().empty());
  EXPECT_TRUE(st->credentials()->empty());
}

TEST_F(StaplerTest, SeveralSlotsAreKeptInOrder) {
  auto st = make();
  ASSERT_EQ(*st->add(server()), 0u);
  const Credential next = other_leaf(f());
  ASSERT_EQ(*st->add(next), 1u);
  st->poll();
  EXPECT_EQ(fetcher.calls(), 2);
  auto creds = st->credentials();
  ASSERT_EQ(creds->size(), 2u);
  EXPECT_EQ((*creds)[0].subject(), server().subject());
  EXPECT_EQ((*creds)[1].subject(), next.subject());
  EXPECT_FALSE(served(*st, 0).empty());
  EXPECT_FALSE(served(*st, 1).empty());
  const auto states = st->state();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].slot, 0u);
  EXPECT_EQ(states[1].slot, 1u);
}

TEST_F(StaplerTest, IntermediatesAreStapledOnRequest) {
  // root → intermediate (with its own responder) → leaf.
  const TwoLevelChain chain = two_level_chain("vouch stapler test intermediate");
  ASSERT_FALSE(HasFailure());
  const Issued& inter = chain.inter;
  const Issued& leaf = chain.leaf;
  const Credential cred = testing::credential_from(leaf, {&inter, &f().root});

  auto st = make();
  ASSERT_TRUE(st->add(cred).ok());
  const auto states = st->state();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].position, 0u);
  EXPECT_EQ(states[0].responder_url, "http://inter-ocsp.test/");
  EXPECT_EQ(states[1].position, 1u);
  EXPECT_EQ(states[1].responder_url, "http://root-ocsp.test/");
  EXPECT_EQ(states[1].subject, subject_line(inter.cert.get()));
  st->poll();
  auto creds = st->credentials();
  const auto& staples = (*creds)[0].ocsp_staples();
  ASSERT_EQ(staples.size(), 3u);
  EXPECT_FALSE(staples[0].empty());
  EXPECT_FALSE(staples[1].empty());
  EXPECT_TRUE(staples[2].empty());  // the root is never stapled

  // Without the option, the leaf only.
  options.staple_intermediates = false;
  auto leaf_only = make();
  ASSERT_TRUE(leaf_only->add(cred).ok());
  EXPECT_EQ(leaf_only->state().size(), 1u);
}

// Servers send leaf + intermediate, not the root: with the root among
// StaplerOptions::issuers the intermediate is stapled too; without it only
// the leaf; a root in the chain is never stapled; an issuers entry that is no
// certificate is refused at add().
TEST_F(StaplerTest, LastIntermediateNeedsItsIssuerInOptions) {
  const TwoLevelChain chain = two_level_chain("vouch stapler test intermediate (issuers)");
  ASSERT_FALSE(HasFailure());
  const Issued& inter = chain.inter;
  const Issued& leaf = chain.leaf;
  const Credential sent = testing::credential_from(leaf, {&inter});

  auto without = make();
  ASSERT_TRUE(without->add(sent).ok());
  EXPECT_EQ(without->state().size(), 1u);

  options.issuers = {f().intermediate.der, f().root.der};  // the one that issued it is found
  auto with = make();
  ASSERT_TRUE(with->add(sent).ok());
  const auto states = with->state();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[1].position, 1u);
  EXPECT_EQ(states[1].responder_url, "http://root-ocsp.test/");
  with->poll();
  const auto& staples = (*with->credentials())[0].ocsp_staples();
  ASSERT_EQ(staples.size(), 2u);
  EXPECT_FALSE(staples[0].empty());
  EXPECT_FALSE(staples[1].empty());
  // The staple is verified against the root it was found with.
  OcspVerifyOptions at_clock;
  at_clock.now = clock.now();
  auto st = verify_ocsp_response(staples[1], inter.cert.get(), f().root.cert.get(), {}, at_clock);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(st->status, OcspCertStatus::good);

  // A chain that ends with its root: the root is not stapled, issuers or not.
  auto rooted = make();
  ASSERT_TRUE(rooted->add(testing::credential_from(leaf, {&inter, &f().root})).ok());
  EXPECT_EQ(rooted->state().size(), 2u);

  options.issuers = {Bytes{0x30, 0x00}};
  auto bad = make();
  auto slot = bad->add(sent);
  ASSERT_FALSE(slot.ok());
  EXPECT_NE(slot.error().reason.find("issuers[0]"), std::string::npos) << slot.error().reason;
}

// --- responder URL ---------------------------------------------------------------

TEST_F(StaplerTest, NoResponderUrlMeansNoFetchAndOneFailedEvent) {
  options.responder_url.reset();  // the test PKI's server has no AIA OCSP URL
  auto st = make();
  ASSERT_TRUE(st->add(server()).ok());
  ASSERT_EQ(events.count(StaplerEventKind::failed), 1u);
  EXPECT_TRUE(contains(events.of(StaplerEventKind::failed)[0].message, "no OCSP responder URL"));
  const StapleState s = leaf_state(*st);
  EXPECT_TRUE(s.responder_url.empty());
  EXPECT_EQ(s.next_refresh, Time{});
  EXPECT_FALSE(s.last_error.empty());
  st->refresh_now();
  st->poll();
  clock.advance(hours(100));
  st->poll();
  EXPECT_EQ(fetcher.calls(), 0);
  EXPECT_EQ(events.count(StaplerEventKind::failed), 1u);
}

TEST_F(StaplerTest, ResponderUrlFromTheCertificate) {
  options.responder_url.reset();
  CertSpec spec;
  spec.cn = "aia.test";
  spec.ocsp_url = "http://aia-ocsp.test/path";
  const Issued leaf = testing::issue(spec, f().intermediate);
  auto st = make();
  ASSERT_TRUE(st->add(testing::credential_from(leaf, {&f().intermediate})).ok());
  EXPECT_EQ(leaf_state(*st).responder_url, "http://aia-ocsp.test/path");
  st->poll();
  EXPECT_EQ(fetcher.last_url(), "http://aia-ocsp.test/path");
  EXPECT_FALSE(served(*st).empty());
}

// --- state and events ------------------------------------------------------------

TEST_F(StaplerTest, StateFields) {
  auto st = make_serving();
  const StapleState s = leaf_state(*st);
  EXPECT_EQ(s.subject, server().subject());
  EXPECT_EQ(s.subject, subject_line(f().server.cert.get()));
  EXPECT_EQ(s.position, 0u);
  EXPECT_EQ(s.slot, 0u);
  EXPECT_FALSE(s.must_staple);
  EXPECT_EQ(s.responder_url, kUrl);
  ASSERT_TRUE(s.serving.has_value());
  EXPECT_EQ(s.serving->status, OcspCertStatus::good);
  EXPECT_EQ(s.serving->this_update, this_update(t0));
  EXPECT_EQ(s.serving->next_update, next_update(t0));
  EXPECT_EQ(s.serving->responder, subject_line(f().intermediate.cert.get()));
  ASSERT_TRUE(s.last_status.has_value());
  EXPECT_EQ(s.last_status->status, OcspCertStatus::good);
  EXPECT_EQ(s.next_refresh, refresh_at(t0, 0.5));
  EXPECT_TRUE(s.last_error.empty());
  EXPECT_EQ(s.consecutive_failures, 0u);
}

TEST_F(StaplerTest, EventsNameTheCertificate) {
  auto st = make_serving();
  const auto all = events.all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kind, StaplerEventKind::refreshed);
  EXPECT_EQ(all[0].subject, server().subject());
  EXPECT_EQ(all[0].position, 0u);
  EXPECT_FALSE(all[0].must_staple_unserved);
  EXPECT_STREQ(to_string(StaplerEventKind::loaded), "loaded");
  EXPECT_STREQ(to_string(StaplerEventKind::refreshed), "refreshed");
  EXPECT_STREQ(to_string(StaplerEventKind::failed), "failed");
  EXPECT_STREQ(to_string(StaplerEventKind::revoked), "revoked");
  EXPECT_STREQ(to_string(StaplerEventKind::expiring), "expiring");
  EXPECT_STREQ(to_string(StaplerEventKind::cache_ignored), "cache_ignored");
}

TEST_F(StaplerTest, PollWithNothingToDo) {
  auto st = make();
  EXPECT_EQ(st->poll(), t0 + options.max_retry);
  EXPECT_TRUE(st->credentials()->empty());
}

// --- attach ----------------------------------------------------------------------

TEST_F(StaplerTest, AttachSetsTheCredentialSource) {
  auto st = make_serving();
  ServerConfig config;
  st->attach(config);
  ASSERT_TRUE(static_cast<bool>(config.credential_source));
  auto creds = config.credential_source();
  ASSERT_NE(creds, nullptr);
  EXPECT_EQ(creds, st->credentials());
  EXPECT_FALSE((*creds)[0].ocsp_staples().empty());
  // The source follows replacements.
  ASSERT_TRUE(st->replace(0, other_leaf(f())).ok());
  EXPECT_EQ(config.credential_source(), st->credentials());
  // It does not keep the Stapler alive.
  st.reset();
  EXPECT_EQ(config.credential_source(), nullptr);
}

// --- the background thread -------------------------------------------------------

// Runs `fn` on its own thread; true if it returned within the watchdog
// (support/watchdog.h), which only catches hangs: no duration is asserted.
template <class Fn>
bool returns_in_time(Fn fn) {
  return testing::returns_within_watchdog(std::move(fn));
}

// Polls `pred` every 10 ms for up to `limit`.
template <class Pred>
bool eventually(Pred pred, milliseconds limit = milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return pred();
}

TEST_F(StaplerTest, BackgroundThreadFetchesAndStopsPromptly) {
  auto st = make();
  ASSERT_TRUE(st->add(server()).ok());
  st->start();
  st->start();  // idempotent
  EXPECT_TRUE(eventually([&] { return !served(*st).empty(); }));
  EXPECT_EQ(fetcher.calls(), 1);

  // refresh_now wakes it (waiting for the event: the answer is applied).
  st->refresh_now();
  EXPECT_TRUE(eventually([&] { return events.count(StaplerEventKind::refreshed) == 2; }));
  EXPECT_EQ(fetcher.calls(), 2);

  // The fake clock jumps past the refresh point: picked up within a second or so.
  clock.set(refresh_at(clock.now(), 0.5) + hours(1));
  EXPECT_TRUE(eventually([&] { return fetcher.calls() == 3; }));

  // stop() wakes the waiting thread and joins it; it returning at all (not
  // a duration: the machine may be loaded) is what is checked.
  EXPECT_TRUE(returns_in_time([st] { st->stop(); })) << "stop() did not return";
  st->stop();  // idempotent
  const int calls = fetcher.calls();
  st->refresh_now();
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(fetcher.calls(), calls);  // stopped means stopped

  // And it can be started again; destruction stops it.
  st->start();
  EXPECT_TRUE(eventually([&] { return fetcher.calls() == calls + 1; }));
  // The last reference goes on the watchdog's thread: destruction stops
  // the background thread and returns.
  EXPECT_TRUE(returns_in_time([st = std::move(st)]() mutable { st.reset(); })) << "destruction did not return";
}

// The thread would sleep an hour on its own (max_idle_wait): only add()
// waking it gets the new credential stapled before the watchdog (which
// catches a hang, not a duration) runs out.
TEST_F(StaplerTest, AddWakesTheThread) {
  options.max_idle_wait = std::chrono::hours(1);
  auto st = make();
  st->start();
  std::this_thread::sleep_for(milliseconds(50));  // the thread is asleep
  ASSERT_TRUE(st->add(server()).ok());
  EXPECT_TRUE(eventually([&] { return !served(*st).empty(); }, testing::kWatchdog));
  st->stop();
}

TEST_F(StaplerTest, HandshakeReadersRaceWithRefreshes) {
  auto st = make_serving();
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto creds = st->credentials();
      if (creds && !creds->empty() && !(*creds)[0].ocsp_staples().empty()) ++reads;
    }
  });
  for (int i = 0; i < 20; ++i) {
    clock.advance(seconds(1));
    st->refresh_now();
    st->poll();
  }
  done = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(fetcher.calls(), 21);
}

// --- the pure rules ------------------------------------------------------------------

TEST(StapleSlotRules, RetryDelay) {
  StapleTiming t;
  EXPECT_EQ(retry_delay(1, t, 0.5), seconds(30));
  EXPECT_EQ(retry_delay(2, t, 0.5), seconds(60));
  EXPECT_EQ(retry_delay(8, t, 0.5), seconds(3600));
  EXPECT_EQ(retry_delay(1000, t, 0.5), seconds(3600));
  EXPECT_EQ(retry_delay(1, t, 0.0), seconds(24));
  EXPECT_EQ(retry_delay(1, t, 1.0), seconds(36));
  EXPECT_EQ(retry_delay(1, t, -5.0), seconds(24));  // clamped
}

TEST(StapleSlotRules, Normalized) {
  StapleTiming t{std::nan(""), seconds(0), seconds(0)};
  t = normalized(t);
  EXPECT_EQ(t.refresh_fraction, 0.5);
  EXPECT_EQ(t.min_retry, kMinRetryFloor);
  EXPECT_EQ(t.max_retry, kMinRetryFloor);
  EXPECT_EQ(normalized({-1.0, seconds(5), seconds(2)}).refresh_fraction, 0.0);
  EXPECT_EQ(normalized({-1.0, seconds(5), seconds(2)}).max_retry, seconds(5));
}

TEST(StapleSlotRules, RefreshTime) {
  OcspStatus s;
  s.this_update = Time{} + hours(100);
  s.next_update = s.this_update + hours(10);
  EXPECT_EQ(refresh_time(s, 0.5), s.this_update + hours(5));
  EXPECT_EQ(refresh_time(s, 0.0), s.this_update);
  EXPECT_EQ(refresh_time(s, 1.0), *s.next_update - kRefreshMargin);
  s.next_update = s.this_update + seconds(30);  // shorter than the margin
  EXPECT_EQ(refresh_time(s, 0.5), *s.next_update - kRefreshMargin);
}

}  // namespace
}  // namespace vouch
