// The Stapler under responder faults (issue 12): every fault of the test OCSP
// responder × when it strikes (the first fetch, the refresh of a good
// response, after a restart from the cache directory) × which certificate it
// hits (the leaf, or the intermediate stapled too, RFC 8446 §4.4.2.1).
//
// Real sockets and the real fetcher (fetch_ocsp) on 127.0.0.1, so that
// "down", "refusing", "slow" and "hanging" are what a server meets; time is
// the Stapler's injected clock, which the test moves — no real sleeping
// except the hanging cells' fetch_timeout (1 s each). The responders build
// their answers for the fake time.
//
// Each cell asserts:
//  - a bad response is never served: what the Stapler publishes (and what a
//    real handshake staples, RFC 6066 §8 / RFC 8446 §4.4.2.1) is either the
//    last good response, byte for byte, or nothing;
//  - through a failure the last good response is kept, until its nextUpdate
//    (RFC 6960 §4.2.2.1); then stapling stops and an `expiring` event says
//    so; after a restart past it, the cached copy is ignored (cache_ignored);
//  - every transition has its event, in order: failed / revoked / refreshed
//    / loaded / expiring / cache_ignored — and the healthy certificate of
//    the chain sees none but refreshed and loaded;
//  - retries back off within their bounds: the n-th consecutive failure is
//    retried after min(min_retry × 2^(n−1), max_retry) ± 20%, and nothing is
//    fetched before that;
//  - the cache: a restart serves the last good response before any network
//    I/O; a revocation removes it so that no restart serves it again.
//
// Fault outcomes:
//  - slow (answers within fetch_timeout): not a failure; the answer is
//    served (refreshed).
//  - down, refusing, hanging, garbage, oversized, wrong signer, expired
//    (nextUpdate in the past), not yet valid (thisUpdate beyond the allowed
//    skew), nonce mismatch (RFC 6960 §4.4.1; the Stapler sends nonces here):
//    failed; the last good response, if any, stays served.
//  - revoked, unknown: a verified answer — the responder's most recent
//    statement about the certificate. Its thisUpdate is later than the
//    served good response's, so by RFC 6960 §4.2.2.1 it is the newer
//    information and the old "good" no longer describes the certificate;
//    stapling it on would show clients a status the CA has withdrawn.
//    "unknown" is no assurance either (RFC 6960 §2.2). So on refresh and
//    after a restart these stop stapling at once (revoked event) rather than
//    keep the old good one, and the cached copy is deleted. The
//    "serve until nextUpdate" expiry step is therefore meaningless for them
//    and is not run.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "stapler/staple_cache.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/watchdog.h"
#include "tools/ocsp_responder.h"
#include "tools/ocsp_response_builder.h"
#include "vouch/config.h"
#include "vouch/connection.h"
#include "vouch/stapler.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::system_clock;
using testing::Issued;
using testing::OcspBehavior;
using testing::OcspResponder;
using testing::test_pki;
using testing::kWatchdog;
using testing::with_watchdog;
using Time = system_clock::time_point;
using Kind = StaplerEventKind;

// Catches hangs only; never a timing assertion.

const testing::PkiFamily& f() { return test_pki().ecdsa(); }

// ---- the table ------------------------------------------------------------------

enum class Fault {
  down,
  refusing,
  slow,
  hanging,
  garbage,
  oversized,
  wrong_signer,
  expired,
  not_yet_valid,
  revoked,
  unknown,
  nonce_mismatch,
};
enum class Phase { first, refresh, restart };
enum class Outcome { good, failed, revoked };

const char* name_of(Fault x) {
  switch (x) {
    case Fault::down: return "down";
    case Fault::refusing: return "refusing";
    case Fault::slow: return "slow";
    case Fault::hanging: return "hanging";
    case Fault::garbage: return "garbage";
    case Fault::oversized: return "oversized";
    case Fault::wrong_signer: return "wrong_signer";
    case Fault::expired: return "expired";
    case Fault::not_yet_valid: return "not_yet_valid";
    case Fault::revoked: return "revoked";
    case Fault::unknown: return "unknown";
    case Fault::nonce_mismatch: return "nonce_mismatch";
  }
  return "?";
}
const char* name_of(Phase p) {
  switch (p) {
    case Phase::first: return "first";
    case Phase::refresh: return "refresh";
    case Phase::restart: return "restart";
  }
  return "?";
}

// The responder behaviour of each fault (tests/tools/ocsp_response_builder.h).
OcspBehavior behavior_of(Fault x) {
  const char* preset = nullptr;
  switch (x) {
    case Fault::down: preset = "down"; break;
    case Fault::refusing: preset = "refuse"; break;
    case Fault::slow: {
      OcspBehavior b;
      b.delay = milliseconds(300);  // well within the 10 s fetch_timeout of these cells
      return b;
    }
    case Fault::hanging: preset = "hang"; break;
    case Fault::garbage: preset = "garbage"; break;
    case Fault::oversized: preset = "oversized"; break;
    case Fault::wrong_signer: preset = "wrong-signer"; break;
    case Fault::expired: preset = "expired"; break;              // nextUpdate an hour ago
    case Fault::not_yet_valid: preset = "not-yet-valid"; break;  // thisUpdate in an hour (skew: 5 min)
    case Fault::revoked: preset = "revoked"; break;
    case Fault::unknown: preset = "unknown"; break;
    case Fault::nonce_mismatch: preset = "wrong-nonce"; break;
  }
  auto b = testing::ocsp_behavior_named(preset);
  if (!b) throw std::runtime_error(std::string("no responder preset ") + preset);
  return *b;
}

Outcome outcome_of(Fault x) {
  switch (x) {
    case Fault::slow: return Outcome::good;
    case Fault::revoked:
    case Fault::unknown: return Outcome::revoked;
    default: return Outcome::failed;
  }
}

// The good answers of the faulty responder last an hour (refresh at half of
// it), so that expiry is reached by moving the clock a little; the healthy
// responder's last a day, so that they outlive every cell.
OcspBehavior good_short() {
  OcspBehavior b;
  b.this_update_offset = -seconds(60);
  b.next_update_offset = hours(1);
  return b;
}

constexpr seconds kMinRetry{10};
constexpr seconds kMaxRetry{40};

// min(min_retry × 2^(n−1), max_retry): the un-jittered n-th retry delay.
milliseconds base_delay(unsigned n) {
  milliseconds d = kMinRetry;
  for (unsigned i = 1; i < n && d < kMaxRetry; ++i) d *= 2;
  return std::min<milliseconds>(d, kMaxRetry);
}

// ---- the fixture ------------------------------------------------------------------

class FakeClock {
 public:
  explicit FakeClock(Time t) : t_(t) {}
  Time now() const {
    std::lock_guard<std::mutex> lock(mu_);
    return t_;
  }
  void set(Time t) {
    std::lock_guard<std::mutex> lock(mu_);
    t_ = t;
  }

 private:
  mutable std::mutex mu_;
  Time t_;
};

class EventLog {
 public:
  void add(const StaplerEvent& e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(e);
  }
  std::vector<StaplerEvent> at(size_t position) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<StaplerEvent> out;
    for (const StaplerEvent& e : events_)
      if (e.position == position) out.push_back(e);
    return out;
  }
  std::vector<Kind> kinds_at(size_t position) const {
    std::vector<Kind> out;
    for (const StaplerEvent& e : at(position)) out.push_back(e.kind);
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<StaplerEvent> events_;
};

std::string describe(const std::vector<Kind>& kinds) {
  std::string s;
  for (Kind k : kinds) s += std::string(s.empty() ? "" : " ") + to_string(k);
  return "[" + s + "]";
}

// A chain localhost ← intermediate ← the test root, each naming its own
// responder on 127.0.0.1 (authorityInfoAccess), with the Stapler stapling
// both (staple_intermediates, the root as the intermediate's issuer).
class StaplerFaultsBase {
 protected:
  void build_chain() {
    auto r = OcspResponder::create(f().root.cert.get(), f().root.key.get());
    if (!r) throw std::runtime_error(r.error().to_string());
    root_responder = std::move(*r);
    if (!root_responder->start().ok()) throw std::runtime_error("cannot start the root's responder");
    testing::CertSpec ca;
    ca.cn = "vouch faults test intermediate";
    ca.ca = true;
    ca.path_len = 0;
    ca.ocsp_url = root_responder->url();
    inter = testing::issue(ca, f().root);
    auto i = OcspResponder::create(inter.cert.get(), inter.key.get());
    if (!i) throw std::runtime_error(i.error().to_string());
    inter_responder = std::move(*i);
    if (!inter_responder->start().ok()) throw std::runtime_error("cannot start the intermediate's responder");
    testing::CertSpec spec;
    spec.cn = "localhost";
    spec.dns = {"localhost"};
    spec.eku = testing::CertSpec::Eku::server;
    spec.ocsp_url = inter_responder->url();
    leaf = testing::issue(spec, inter);
  }

  void stop_responders() {
    if (root_responder) root_responder->stop();
    if (inter_responder) inter_responder->stop();
  }

  // The responder answering for the certificate at `position`.
  OcspResponder& responder_for(size_t position) { return position == 0 ? *inter_responder : *root_responder; }

  Credential credential() const { return testing::credential_from(leaf, {&inter}); }

  StaplerOptions options_for(milliseconds fetch_timeout) {
    StaplerOptions o;
    o.cache_dir = cache_dir.path();
    o.min_retry = kMinRetry;
    o.max_retry = kMaxRetry;
    o.fetch_timeout = fetch_timeout;
    o.use_nonce = true;
    o.staple_intermediates = true;
    o.issuers = {f().root.der};
    o.clock = [this] { return clock.now(); };
    o.on_event = [this](const StaplerEvent& e) { log.add(e); };
    return o;
  }

  // The staple published for `position` (empty: none).
  static Bytes served(const Stapler& st, size_t position) {
    auto creds = st.credentials();
    if (creds->empty()) return {};
    const auto& staples = (*creds)[0].ocsp_staples();
    return position < staples.size() ? staples[position] : Bytes();
  }
  static StapleState state_at(const Stapler& st, size_t position) {
    for (const StapleState& s : st.state())
      if (s.position == position) return s;
    ADD_FAILURE() << "no state for position " << position;
    return {};
  }

  // A real TLS 1.3 handshake (in memory) against a server fed by `st`; the
  // client's view of each position must be `expected` (nullopt: no staple),
  // and a staple present must verify as good. Bounded by the watchdog: a
  // handshake that waited on a responder would be caught here.
  void expect_handshake(const std::shared_ptr<Stapler>& st, const std::vector<std::optional<Bytes>>& expected) {
    auto sc = testing::server_config_for("ecdsa");
    sc->credentials.clear();
    st->attach(*sc);
    auto cc = testing::client_config_for("ecdsa");
    cc->ocsp_policy = OcspPolicy::soft;
    auto done = with_watchdog([cc, sc] {
      auto client = Connection::client(cc, "localhost");
      auto server = Connection::server(sc);
      const bool ok = testing::pump_handshake(*client, *server);
      return std::make_pair(ok, ok ? client->peer_ocsp() : PeerOcsp{});
    });
    ASSERT_TRUE(done.has_value()) << "the handshake did not complete within " << kWatchdog.count() << " s";
    const auto& [ok, ocsp] = *done;
    ASSERT_TRUE(ok);
    for (size_t pos = 0; pos < expected.size(); ++pos) {
      SCOPED_TRACE("handshake, chain position " + std::to_string(pos));
      const StapleReport* r = nullptr;
      for (const StapleReport& s : ocsp.staples)
        if (s.position == pos) r = &s;
      const bool present = r != nullptr && r->present;
      ASSERT_EQ(present, expected[pos].has_value());
      if (!present) continue;
      EXPECT_EQ(r->response, *expected[pos]);
      ASSERT_TRUE(r->status.has_value()) << r->problem;
      EXPECT_EQ(r->status->status, OcspCertStatus::good);
    }
  }

  std::string cache_file(size_t position) const {
    const Bytes& der = position == 0 ? leaf.der : inter.der;
    auto name = staple_cache_name(der);
    return name ? StapleCache(cache_dir.path()).file_for(*name).string() : std::string();
  }

  testing::TempDir cache_dir;
  FakeClock clock{system_clock::now()};
  EventLog log;
  std::unique_ptr<OcspResponder> root_responder, inter_responder;
  Issued inter, leaf;
};

struct Cell {
  Fault fault;
  Phase phase;
  size_t position;  // 0: leaf, 1: intermediate
};

void PrintTo(const Cell& c, std::ostream* os) {
  *os << name_of(c.fault) << " on the " << name_of(c.phase) << " fetch of the "
      << (c.position == 0 ? "leaf" : "intermediate");
}

std::string cell_name(const ::testing::TestParamInfo<Cell>& info) {
  return std::string(name_of(info.param.fault)) + "_" + name_of(info.param.phase) + "_" +
         (info.param.position == 0 ? "leaf" : "intermediate");
}

class StaplerFaults : public StaplerFaultsBase, public ::testing::TestWithParam<Cell> {
 protected:
  void SetUp() override {
    ASSERT_NO_THROW(build_chain());
    cell = GetParam();
    healthy = 1 - cell.position;
    // Both responders answer for the fake time; the faulty one's good
    // answers are short (see good_short).
    set_good();
  }
  void TearDown() override { stop_responders(); }

  OcspResponder& faulty() { return responder_for(cell.position); }
  OcspResponder& healthy_responder() { return responder_for(healthy); }

  // (Re)applies the behaviours for the current fake time.
  void stamp() {
    OcspBehavior h;
    h.now = clock.now();
    healthy_responder().set_behavior(h);
    OcspBehavior b = fault_on ? behavior_of(cell.fault) : good_short();
    b.now = clock.now();
    faulty().set_behavior(b);
  }
  void set_good() {
    fault_on = false;
    stamp();
  }
  void set_fault() {
    fault_on = true;
    stamp();
  }
  void move_clock(Time t) {
    clock.set(t);
    stamp();
  }

  std::shared_ptr<Stapler> make_stapler() {
    // The hanging responder costs one fetch_timeout per fetch: keep it short
    // there; elsewhere leave ample room (slow answers in 300 ms).
    return Stapler::create(
        options_for(cell.fault == Fault::hanging ? milliseconds(1000) : milliseconds(10'000)));
  }

  // The fault's event kind, for the faulty position.
  Kind fault_kind() const { return outcome_of(cell.fault) == Outcome::revoked ? Kind::revoked : Kind::failed; }

  void expect_events() {
    EXPECT_EQ(log.kinds_at(cell.position), expected) << "faulty position: got " << describe(log.kinds_at(cell.position))
                                                      << ", expected " << describe(expected);
    for (Kind k : log.kinds_at(healthy))
      EXPECT_TRUE(k == Kind::refreshed || k == Kind::loaded) << "healthy position got " << to_string(k);
  }

  // One poll that meets the fault (a fetch of the faulty certificate is due):
  // checks the outcome, with `kept` the good response served before (empty
  // if none). Returns what is served after.
  Bytes poll_into_fault(Stapler& st, const Bytes& kept) {
    const uint64_t requests = faulty().requests();
    const unsigned failures = state_at(st, cell.position).consecutive_failures;
    st.poll();
    // down never gets a request through; every other fault does.
    EXPECT_EQ(faulty().requests(), cell.fault == Fault::down ? requests : requests + 1);
    const Bytes now_served = served(st, cell.position);
    const StapleState s = state_at(st, cell.position);
    switch (outcome_of(cell.fault)) {
      case Outcome::good:
        expected.push_back(Kind::refreshed);
        EXPECT_FALSE(now_served.empty()) << s.last_error;
        EXPECT_NE(now_served, kept);  // a new response (a fresh nonce, at least)
        EXPECT_EQ(s.consecutive_failures, 0u);
        break;
      case Outcome::failed:
        expected.push_back(Kind::failed);
        EXPECT_EQ(now_served, kept) << "a failure must keep exactly the last good response (or none)";
        EXPECT_EQ(s.consecutive_failures, failures + 1);
        EXPECT_FALSE(s.last_error.empty());
        if (!kept.empty()) {
          EXPECT_NE(log.at(cell.position).back().message.find("still serving"), std::string::npos)
              << log.at(cell.position).back().message;
        }
        break;
      case Outcome::revoked:
        expected.push_back(Kind::revoked);
        EXPECT_TRUE(now_served.empty()) << "never a staple once the responder said revoked/unknown";
        EXPECT_EQ(s.consecutive_failures, failures + 1);
        EXPECT_FALSE(s.serving.has_value());
        EXPECT_TRUE(s.last_status.has_value());
        if (s.last_status) {
          EXPECT_EQ(s.last_status->status,
                    cell.fault == Fault::revoked ? OcspCertStatus::revoked : OcspCertStatus::unknown);
        }
        // RFC 6960 §4.2.2.1: the newer answer supersedes the cached good one;
        // a restart must not bring it back.
        EXPECT_FALSE(std::filesystem::exists(cache_file(cell.position)));
        break;
    }
    expect_events();
    return now_served;
  }

  // Retries after failures: each is scheduled within its back-off bounds,
  // nothing is fetched before it is due, and each meets the fault again.
  void expect_backoff(Stapler& st, const Bytes& kept, unsigned retries) {
    for (unsigned i = 0; i < retries; ++i) {
      const StapleState s = state_at(st, cell.position);
      const unsigned n = s.consecutive_failures;
      SCOPED_TRACE("after failure " + std::to_string(n));
      ASSERT_GE(n, 1u);
      const auto delay = std::chrono::duration_cast<milliseconds>(s.next_refresh - clock.now());
      const auto base = base_delay(n);
      EXPECT_GE(delay.count(), base.count() * 8 / 10) << "retried sooner than min_retry × 2^(n−1) − 20%";
      EXPECT_LE(delay.count(), base.count() * 12 / 10) << "retried later than the back-off allows";
      EXPECT_LE(delay, kMaxRetry * 12 / 10);
      // A poll just before the retry is due fetches nothing.
      const uint64_t before = faulty().requests();
      const uint64_t healthy_before = healthy_responder().requests();
      move_clock(s.next_refresh - seconds(1));
      st.poll();
      EXPECT_EQ(faulty().requests(), before);
      EXPECT_EQ(healthy_responder().requests(), healthy_before);
      move_clock(s.next_refresh);
      poll_into_fault(st, kept);
    }
  }

  // The fault persists until the served response's nextUpdate: served up to
  // the last second, then dropped with an expiring event and no staple.
  void expect_expiry(const std::shared_ptr<Stapler>& st, const Bytes& kept) {
    ASSERT_FALSE(kept.empty());
    const auto serving = state_at(*st, cell.position).serving;
    ASSERT_TRUE(serving.has_value() && serving->next_update.has_value());
    const Time next_update = *serving->next_update;
    // Past the last scheduled retry (nextUpdate − 60 s): one more failure.
    ASSERT_LE(state_at(*st, cell.position).next_refresh, next_update - seconds(60));
    move_clock(next_update - seconds(30));
    EXPECT_EQ(poll_into_fault(*st, kept), kept);
    move_clock(next_update - seconds(1));
    st->poll();
    EXPECT_EQ(served(*st, cell.position), kept) << "served up to its nextUpdate";
    move_clock(next_update);
    st->poll();
    expected.push_back(Kind::expiring);
    expect_events();
    EXPECT_TRUE(served(*st, cell.position).empty()) << "served at or past its nextUpdate";
    EXPECT_FALSE(state_at(*st, cell.position).serving.has_value());
    EXPECT_NE(log.at(cell.position).back().message.find("stapling stopped"), std::string::npos);
    // The handshake has no staple for it (the healthy one is still good).
    std::vector<std::optional<Bytes>> want(2);
    want[healthy] = served(*st, healthy);
    want[cell.position] = std::nullopt;
    expect_handshake(st, want);
  }

  // The responder recovers: the next due fetch is served again.
  void expect_recovery(Stapler& st) {
    set_good();
    move_clock(std::max(clock.now(), state_at(st, cell.position).next_refresh));
    st.poll();
    expected.push_back(Kind::refreshed);
    expect_events();
    EXPECT_FALSE(served(st, cell.position).empty());
    EXPECT_EQ(state_at(st, cell.position).consecutive_failures, 0u);
    EXPECT_TRUE(state_at(st, cell.position).last_error.empty());
  }

  // Both certificates fetched good; returns the faulty position's response.
  Bytes serve_good(const std::shared_ptr<Stapler>& st) {
    st->poll();
    expected.push_back(Kind::refreshed);
    expect_events();
    const Bytes good = served(*st, cell.position);
    EXPECT_FALSE(good.empty());
    EXPECT_FALSE(served(*st, healthy).empty());
    return good;
  }

  std::vector<std::optional<Bytes>> both_served(const Stapler& st) {
    return {served(st, 0), served(st, 1)};
  }

  Cell cell{};
  size_t healthy = 1;
  bool fault_on = false;
  std::vector<Kind> expected;  // the faulty position's events so far
};

TEST_P(StaplerFaults, Cell) {
  const Outcome outcome = outcome_of(cell.fault);
  if (cell.phase == Phase::first) {
    set_fault();
    auto st = make_stapler();
    ASSERT_TRUE(st->add(credential()).ok());
    EXPECT_TRUE(log.kinds_at(cell.position).empty());  // nothing cached: no event yet
    EXPECT_EQ(faulty().requests(), 0u);                // add() does no network I/O
    const Bytes now_served = poll_into_fault(*st, {});
    std::vector<std::optional<Bytes>> want(2);
    want[healthy] = served(*st, healthy);
    if (outcome == Outcome::good) want[cell.position] = now_served;
    expect_handshake(st, want);
    if (outcome == Outcome::good) return;
    // Consecutive failures back off: min_retry, 2×, 4× (= max_retry), max_retry.
    expect_backoff(*st, {}, 3);
    expect_recovery(*st);
    return;
  }

  if (cell.phase == Phase::refresh) {
    auto st = make_stapler();
    ASSERT_TRUE(st->add(credential()).ok());
    const Bytes good = serve_good(st);
    expect_handshake(st, both_served(*st));
    set_fault();
    st->refresh_now();
    const Bytes after = poll_into_fault(*st, good);
    if (outcome == Outcome::failed) {
      expect_handshake(st, both_served(*st));  // the last good one, still stapled
      expect_backoff(*st, good, 2);
      expect_expiry(st, good);
      expect_recovery(*st);
    } else if (outcome == Outcome::revoked) {
      std::vector<std::optional<Bytes>> want(2);
      want[healthy] = served(*st, healthy);
      expect_handshake(st, want);
      expect_backoff(*st, {}, 1);  // keeps asking (a certificateHold may be released)
      expect_recovery(*st);
    } else {
      expect_handshake(st, both_served(*st));
      EXPECT_NE(after, good);
    }
    return;
  }

  // Restart: a first Stapler fetched and cached good responses; the next one
  // starts with the responder already faulty.
  Bytes good;
  {
    auto first = make_stapler();
    ASSERT_TRUE(first->add(credential()).ok());
    good = serve_good(first);
    ASSERT_TRUE(std::filesystem::exists(cache_file(cell.position)));
  }
  set_fault();
  const uint64_t requests = faulty().requests();
  auto st = make_stapler();
  ASSERT_TRUE(st->add(credential()).ok());
  expected.push_back(Kind::loaded);
  expect_events();
  // Served from the cache before any network I/O.
  EXPECT_EQ(served(*st, cell.position), good);
  EXPECT_EQ(faulty().requests(), requests);
  expect_handshake(st, both_served(*st));
  // Nothing is due yet (the loaded responses are fresh).
  st->poll();
  EXPECT_EQ(faulty().requests(), requests);
  EXPECT_EQ(served(*st, cell.position), good);
  // The refresh meets the fault.
  st->refresh_now();
  poll_into_fault(*st, good);
  if (outcome == Outcome::good) {
    expect_handshake(st, both_served(*st));
    return;
  }
  if (outcome == Outcome::revoked) {
    std::vector<std::optional<Bytes>> want(2);
    want[healthy] = served(*st, healthy);
    expect_handshake(st, want);
    st.reset();
    // Another restart does not bring the old good response back.
    auto again = make_stapler();
    ASSERT_TRUE(again->add(credential()).ok());
    expect_events();  // no loaded event for it
    EXPECT_TRUE(served(*again, cell.position).empty());
    EXPECT_FALSE(served(*again, healthy).empty());
    return;
  }
  expect_handshake(st, both_served(*st));
  const Time next_update = *state_at(*st, cell.position).serving->next_update;
  st.reset();
  {  // a restart during the outage still serves the cached copy
    auto again = make_stapler();
    ASSERT_TRUE(again->add(credential()).ok());
    expected.push_back(Kind::loaded);
    expect_events();
    EXPECT_EQ(served(*again, cell.position), good);
  }
  // A restart past its nextUpdate (RFC 6960 §4.2.2.1) ignores it, saying so,
  // and the fetch then due meets the fault.
  move_clock(next_update);
  auto late = make_stapler();
  ASSERT_TRUE(late->add(credential()).ok());
  expected.push_back(Kind::cache_ignored);
  expect_events();
  EXPECT_TRUE(served(*late, cell.position).empty());
  poll_into_fault(*late, {});
  expect_recovery(*late);
}

std::vector<Cell> all_cells() {
  std::vector<Cell> cells;
  for (Fault x : {Fault::down, Fault::refusing, Fault::slow, Fault::hanging, Fault::garbage, Fault::oversized,
                  Fault::wrong_signer, Fault::expired, Fault::not_yet_valid, Fault::revoked, Fault::unknown,
                  Fault::nonce_mismatch}) {
    for (Phase p : {Phase::first, Phase::refresh, Phase::restart}) {
      for (size_t pos : {size_t{0}, size_t{1}}) cells.push_back(Cell{x, p, pos});
    }
  }
  return cells;
}

INSTANTIATE_TEST_SUITE_P(AllFaults, StaplerFaults, ::testing::ValuesIn(all_cells()), cell_name);

// ---- beyond the table ----------------------------------------------------------------

class StaplerFaultsMore : public StaplerFaultsBase, public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_THROW(build_chain()); }
  void TearDown() override { stop_responders(); }
};

// No handshake waits for a responder (RFC 6066 §8 leaves fetching to the
// server; the Stapler does it on its own thread): with the background thread
// stuck in a fetch from a hanging responder, handshakes complete — with the
// last good staple when there is one, without one when there is none. Only
// hangs are caught (the watchdog), no duration is asserted.
TEST_F(StaplerFaultsMore, HandshakesDoNotWaitForAHangingResponder) {
  OcspBehavior good;
  good.now = clock.now();
  root_responder->set_behavior(good);
  inter_responder->set_behavior(good);
  // A fetch_timeout far beyond the test: the fetch stays in flight until the
  // responder is stopped.
  StaplerOptions o = options_for(milliseconds(600'000));
  auto st = Stapler::create(o);
  ASSERT_TRUE(st->add(credential()).ok());
  st->poll();
  const Bytes good_leaf = served(*st, 0);
  ASSERT_FALSE(good_leaf.empty());

  inter_responder->set_behavior(*testing::ocsp_behavior_named("hang"));
  const uint64_t before = inter_responder->requests();
  st->start();
  st->refresh_now();
  // Wait (bounded) until the thread's fetch is stuck in the responder.
  for (int i = 0; i < 1000 && inter_responder->requests() == before; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  ASSERT_GT(inter_responder->requests(), before) << "the refresh never reached the responder";
  expect_handshake(st, {good_leaf, served(*st, 1)});

  // A credential added now (nothing cached for it: a different leaf) is
  // handshaken with at once, without a staple, while the fetch hangs.
  testing::CertSpec spec;
  spec.cn = "localhost";
  spec.dns = {"localhost"};
  spec.eku = testing::CertSpec::Eku::server;
  spec.ocsp_url = inter_responder->url();
  const Issued other = testing::issue(spec, inter);
  ASSERT_TRUE(st->replace(0, testing::credential_from(other, {&inter})).ok());
  expect_handshake(st, {std::nullopt, served(*st, 1)});

  // Stopping the responder ends the hung fetch; then stop() returns.
  inter_responder->stop();
  auto stopped = with_watchdog([st] {
    st->stop();
    return true;
  });
  EXPECT_TRUE(stopped.has_value()) << "Stapler::stop() did not return";
}

// Regression: a response that reached its nextUpdate while the Stapler was
// busy with other fetches of the same poll (each up to fetch_timeout when a
// responder hangs) stayed published until the poll had done every fetch —
// stapled past its nextUpdate (RFC 6960 §4.2.2.1). The fake fetcher here
// "takes" until after the intermediate's nextUpdate to fail for the leaf.
TEST_F(StaplerFaultsMore, ExpiryIsNotHeldBackBySlowFetches) {
  OcspBehavior day;
  day.now = clock.now();
  OcspBehavior hour = day;
  hour.next_update_offset = hours(1);
  inter_responder->set_behavior(day);   // the leaf's: a day
  root_responder->set_behavior(hour);   // the intermediate's: an hour
  auto st = Stapler::create(options_for(milliseconds(10'000)));
  ASSERT_TRUE(st->add(credential()).ok());
  st->poll();
  ASSERT_FALSE(served(*st, 0).empty());
  ASSERT_FALSE(served(*st, 1).empty());
  const Time inter_expiry = *state_at(*st, 1).serving->next_update;
  st.reset();

  // The same certificates, now with a fetcher that fails every fetch and
  // lets the fake time pass the intermediate's nextUpdate during the
  // leaf's (the first of the poll).
  StaplerOptions o = options_for(milliseconds(10'000));
  const std::string leaf_url = inter_responder->url();
  o.fetcher = [this, leaf_url, inter_expiry](const std::string& url, ByteView) -> Result<Bytes> {
    if (url == leaf_url) clock.set(inter_expiry + seconds(1));
    return fail(Alert::internal_error, "simulated: timed out");
  };
  st = Stapler::create(o);
  ASSERT_TRUE(st->add(credential()).ok());  // both loaded from the cache
  ASSERT_FALSE(served(*st, 1).empty());
  st->refresh_now();
  st->poll();
  EXPECT_TRUE(served(*st, 1).empty()) << "still stapled after its nextUpdate";
  EXPECT_FALSE(served(*st, 0).empty());
  const std::vector<Kind> kinds = log.kinds_at(1);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), Kind::expiring), kinds.end()) << describe(kinds);
}

}  // namespace
}  // namespace vouch
