// The Stapler on a shared store (StaplerOptions::store, issue 16): one fetch
// per certificate for the fleet, every shared response verified before it is
// served, waiting for a lease holder and taking over when it delivers
// nothing, and working alone through store failures. Two Staplers stand for
// two servers; the store is an in-memory fake whose failures the tests
// switch; time is a fake clock; the responder a fake fetcher.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "ocsp/ocsp.h"
#include "support/pki.h"
#include "support/stapler_fakes.h"
#include "tools/ocsp_response_builder.h"
#include "vouch/stapler.h"
#include "vouch/store.h"

namespace vouch {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;
using testing::EventLog;
using testing::FakeClock;
using testing::FakeFetcher;

// A SharedStore in memory. `failing` makes every call fail; `foreign_lease`
// makes every lease look held by another server.
class FakeStore final : public SharedStore {
 public:
  Result<std::optional<Bytes>> get(std::string_view key) override {
    std::lock_guard lock(mu_);
    if (failing) return fail(Alert::internal_error, "fake store down");
    auto it = values_.find(std::string(key));
    if (it == values_.end()) return std::optional<Bytes>();
    return std::optional<Bytes>(it->second);
  }
  Status put(std::string_view key, ByteView value, milliseconds ttl) override {
    std::lock_guard lock(mu_);
    if (failing) return fail(Alert::internal_error, "fake store down");
    values_[std::string(key)] = Bytes(value.begin(), value.end());
    last_ttl = ttl;
    ++puts;
    return {};
  }
  Result<bool> compare_and_set(std::string_view, std::optional<ByteView>, ByteView, milliseconds) override {
    return fail(Alert::internal_error, "not used by the Stapler");
  }
  Result<bool> acquire_lease(std::string_view name, std::string_view owner, milliseconds) override {
    std::lock_guard lock(mu_);
    if (failing) return fail(Alert::internal_error, "fake store down");
    if (foreign_lease) return false;
    auto [it, fresh] = leases_.emplace(std::string(name), std::string(owner));
    return fresh || it->second == owner;
  }
  Status release_lease(std::string_view name, std::string_view owner) override {
    std::lock_guard lock(mu_);
    auto it = leases_.find(std::string(name));
    if (it != leases_.end() && it->second == owner) leases_.erase(it);
    return {};
  }
  std::string describe() const override { return "fake store"; }

  // Replaces every stored value.
  void overwrite_all(const Bytes& v) {
    std::lock_guard lock(mu_);
    for (auto& [k, val] : values_) val = v;
  }
  std::vector<Bytes> values() const {
    std::lock_guard lock(mu_);
    std::vector<Bytes> out;
    for (const auto& [k, v] : values_) out.push_back(v);
    return out;
  }

  std::atomic<bool> failing{false};
  std::atomic<bool> foreign_lease{false};
  std::atomic<int> puts{0};
  milliseconds last_ttl{0};

 private:
  mutable std::mutex mu_;
  std::map<std::string, Bytes> values_;
  std::map<std::string, std::string> leases_;
};

class SharedStaplerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testing::make_ocsp_signers(f().intermediate.cert.get(), f().intermediate.key.get());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    signers = std::move(*s);
  }
  static const testing::PkiFamily& f() { return testing::test_pki().ecdsa(); }

  // One server of the fleet.
  struct Server {
    std::shared_ptr<Stapler> stapler;
    EventLog events;
  };
  std::unique_ptr<Server> server(const std::string& name) {
    auto srv = std::make_unique<Server>();
    StaplerOptions o;
    o.responder_url = "http://ocsp.test/";
    o.clock = [this] { return clock.now(); };
    o.fetcher = [this](const std::string& url, ByteView req) { return fetcher.fetch(url, req); };
    o.random = [] { return 0.5; };
    o.store = store;
    o.store_owner = name;
    o.lease_duration = seconds(20);
    o.on_event = [s = srv.get()](const StaplerEvent& e) { s->events.add(e); };
    srv->stapler = Stapler::create(o);
    EXPECT_TRUE(srv->stapler->add(f().server_credential()).ok());
    return srv;
  }
  static Bytes served(const Stapler& st) {
    auto creds = st.credentials();
    if (!creds || creds->empty()) return {};
    const auto& staples = (*creds)[0].ocsp_staples();
    return staples.empty() ? Bytes() : staples[0];
  }
  static StapleState leaf(const Stapler& st) {
    for (const StapleState& s : st.state()) {
      if (s.position == 0) return s;
    }
    return {};
  }

  const system_clock::time_point t0 = std::chrono::floor<seconds>(system_clock::now());
  FakeClock clock{t0};
  testing::OcspSigners signers;
  FakeFetcher fetcher{clock, signers};
  std::shared_ptr<FakeStore> store = std::make_shared<FakeStore>();
};

TEST_F(SharedStaplerTest, OneFetchServesTheWholeFleet) {
  auto a = server("a"), b = server("b"), c = server("c");
  a->stapler->poll();
  EXPECT_EQ(fetcher.calls(), 1);
  EXPECT_EQ(a->events.count(StaplerEventKind::lease_acquired), 1u);
  EXPECT_EQ(store->puts.load(), 1);
  // Shared until the response's nextUpdate (the builder's: 24 h).
  EXPECT_EQ(store->last_ttl, hours(24));
  b->stapler->poll();
  c->stapler->poll();
  EXPECT_EQ(fetcher.calls(), 1) << "b and c must use a's response";
  EXPECT_FALSE(served(*a->stapler).empty());
  EXPECT_EQ(served(*b->stapler), served(*a->stapler));
  EXPECT_EQ(served(*c->stapler), served(*a->stapler));
  EXPECT_EQ(b->events.count(StaplerEventKind::shared_used), 1u);
  EXPECT_EQ(b->events.count(StaplerEventKind::lease_acquired), 0u);

  // At the refresh point (half the window), the first to poll fetches for
  // everyone again.
  clock.advance(hours(13));
  c->stapler->poll();
  a->stapler->poll();
  b->stapler->poll();
  EXPECT_EQ(fetcher.calls(), 2);
  EXPECT_EQ(served(*a->stapler), served(*c->stapler));
  EXPECT_EQ(served(*b->stapler), served(*c->stapler));
  EXPECT_EQ(served(*c->stapler), fetcher.last_response());
  // The metrics count what the events said.
  for (const auto* srv : {a.get(), b.get(), c.get()}) {
    const StaplerMetrics m = srv->stapler->metrics();
    for (size_t k = 0; k < kStaplerEventKinds; ++k) {
      const auto kind = static_cast<StaplerEventKind>(k);
      EXPECT_EQ(m.count(kind), srv->events.count(kind)) << to_string(kind);
    }
  }
  EXPECT_EQ(b->stapler->metrics().count(StaplerEventKind::shared_used), 2u);  // at start, after the refresh
}

// The responder is down and the fleet's response is due for refresh but not
// expired: a server with nothing to serve (just started) serves the fleet's
// response (its last good one); a server serving a response at least as
// recent keeps its own and counts a failure.
TEST_F(SharedStaplerTest, ResponderDownServesTheFleetsLastGoodResponse) {
  auto a = server("a");
  a->stapler->poll();
  ASSERT_EQ(fetcher.calls(), 1);
  const Bytes shared = served(*a->stapler);
  ASSERT_FALSE(shared.empty());
  clock.advance(hours(13));  // past the refresh point, 11 h before nextUpdate
  fetcher.set_failing(true);
  auto late = server("late");
  late->stapler->poll();
  EXPECT_EQ(served(*late->stapler), shared) << "the fleet's last good response is served";
  const auto failed = late->events.of(StaplerEventKind::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].message.find("last good response"), std::string::npos) << failed[0].message;
  EXPECT_EQ(late->events.count(StaplerEventKind::shared_used), 1u);

  a->stapler->poll();
  EXPECT_EQ(served(*a->stapler), shared);
  EXPECT_EQ(leaf(*a->stapler).consecutive_failures, 1u) << "its own response is as recent: a failure";
  // Past nextUpdate: nobody staples it any more.
  clock.advance(hours(12));
  a->stapler->poll();
  late->stapler->poll();
  EXPECT_TRUE(served(*a->stapler).empty());
  EXPECT_TRUE(served(*late->stapler).empty());
}

TEST_F(SharedStaplerTest, AServerWaitsForTheLeaseHolderThenFetchesAlone) {
  auto b = server("b");
  store->foreign_lease = true;  // "a" holds the lease and never delivers
  b->stapler->poll();
  EXPECT_EQ(fetcher.calls(), 0);
  EXPECT_TRUE(served(*b->stapler).empty());
  EXPECT_EQ(leaf(*b->stapler).consecutive_failures, 0u) << "waiting is not a failure";
  EXPECT_TRUE(b->events.of(StaplerEventKind::failed).empty());
  // It looks again within a quarter of the lease...
  const auto next = leaf(*b->stapler).next_refresh;
  EXPECT_GT(next, clock.now());
  EXPECT_LE(next, clock.now() + seconds(5));
  clock.set(next);
  b->stapler->poll();
  EXPECT_EQ(fetcher.calls(), 0);
  // ... and once a whole lease passed without a response, fetches itself.
  for (int i = 0; i < 10 && fetcher.calls() == 0; ++i) {
    clock.set(leaf(*b->stapler).next_refresh);
    b->stapler->poll();
  }
  EXPECT_EQ(fetcher.calls(), 1);
  EXPECT_GE(clock.now() - t0, seconds(20));
  EXPECT_EQ(served(*b->stapler), fetcher.last_response());
  EXPECT_EQ(store->values().size(), 1u) << "its response is shared too";
}

TEST_F(SharedStaplerTest, ACorruptOrForeignSharedResponseIsNeverServed) {
  auto a = server("a");
  a->stapler->poll();
  const Bytes good = served(*a->stapler);
  ASSERT_FALSE(good.empty());

  struct Case {
    const char* what;
    Bytes value;
  };
  Bytes truncated(good.begin(), good.begin() + static_cast<long>(good.size() / 2));
  Bytes flipped = good;
  flipped[40] ^= 0x01;  // inside the signed tbsResponseData: the signature no longer matches
  // A good response, signed by the right responder, for another certificate.
  testing::CertSpec other_spec;
  other_spec.cn = "other.test";
  auto other = testing::issue(other_spec, f().intermediate);
  testing::OcspBehavior ob;
  ob.now = clock.now();
  auto req = make_ocsp_request(other.cert.get(), f().intermediate.cert.get(), false, nullptr);
  ASSERT_TRUE(req.ok());
  auto foreign = testing::build_ocsp_response(signers, ob, *req);
  ASSERT_TRUE(foreign.ok());
  for (const Case& c : {Case{"garbage", Bytes{1, 2, 3}}, Case{"truncated", truncated}, Case{"bad signature", flipped},
                        Case{"another certificate's", *foreign}}) {
    SCOPED_TRACE(c.what);
    store->overwrite_all(c.value);
    auto b = server(std::string("b-") + c.what);
    const int before = fetcher.calls();
    b->stapler->poll();
    EXPECT_EQ(b->events.count(StaplerEventKind::shared_refused), 1u);
    EXPECT_NE(served(*b->stapler), c.value);
    // b fetched for itself (the lease was free) and serves a good response.
    EXPECT_EQ(fetcher.calls(), before + 1);
    EXPECT_EQ(served(*b->stapler), fetcher.last_response());
  }
}

TEST_F(SharedStaplerTest, AStoreOutageMeansFetchingAloneThenSharingAgain) {
  auto a = server("a");
  store->failing = true;
  a->stapler->poll();
  EXPECT_EQ(fetcher.calls(), 1);
  EXPECT_EQ(served(*a->stapler), fetcher.last_response()) << "a handshake never depends on the store";
  EXPECT_GE(a->events.count(StaplerEventKind::store_error), 1u);
  EXPECT_EQ(store->puts.load(), 0);

  store->failing = false;
  clock.advance(hours(13));
  a->stapler->poll();
  EXPECT_EQ(fetcher.calls(), 2);
  EXPECT_EQ(a->events.count(StaplerEventKind::lease_acquired), 1u);
  EXPECT_EQ(store->puts.load(), 1);
  auto b = server("b");
  b->stapler->poll();
  EXPECT_EQ(fetcher.calls(), 2);
  EXPECT_EQ(served(*b->stapler), served(*a->stapler));
}

TEST_F(SharedStaplerTest, ARevokedSharedAnswerStopsStaplingEverywhere) {
  auto a = server("a"), b = server("b");
  a->stapler->poll();
  b->stapler->poll();
  ASSERT_FALSE(served(*b->stapler).empty());
  testing::OcspBehavior revoked;
  revoked.status = OcspCertStatus::revoked;
  fetcher.set_behavior(revoked);
  clock.advance(hours(13));
  a->stapler->poll();  // fetches "revoked" and shares it
  EXPECT_TRUE(served(*a->stapler).empty());
  b->stapler->poll();
  EXPECT_TRUE(served(*b->stapler).empty());
  EXPECT_EQ(b->events.count(StaplerEventKind::revoked), 1u);
  EXPECT_EQ(fetcher.calls(), 2) << "b believed the verified revoked answer without fetching";
}

}  // namespace
}  // namespace vouch
