// The Stapler's cache directory (src/stapler/staple_cache.cpp and its use by
// the Stapler): a restart staples from the cache with the responder down;
// corrupt, mismatched, expired or revoked files are ignored with an event;
// writes are atomic — a writer killed at any point leaves either the old or
// the new complete file, and its temporary file is cleaned up.
#include "stapler/staple_cache.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "ocsp/ocsp.h"
#include "support/pki.h"
#include "tools/ocsp_response_builder.h"
#include "vouch/stapler.h"

namespace vouch {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::system_clock;
using testing::OcspBehavior;
using testing::OcspSigners;
using testing::test_pki;
using Time = system_clock::time_point;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

Bytes read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void write_raw(const fs::path& p, const Bytes& b) { testing::write_file(p.string(), b); }
std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (contains(name, ".tmp.")) out.push_back(name);
  }
  return out;
}

class StapleCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = testing::make_ocsp_signers(f().intermediate.cert.get(), f().intermediate.key.get());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    signers = std::move(*s);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir = fs::path(::testing::TempDir()) /
          ("vouch-staple-cache-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir);
    auto name = staple_cache_name(server().chain_der()[0]);
    ASSERT_TRUE(name.ok());
    cache_name = *name;
  }
  void TearDown() override { fs::remove_all(dir); }

  static const testing::PkiFamily& f() { return test_pki().ecdsa(); }
  static Credential server() { return f().server_credential(); }

  // A response for `cert` (issued by the intermediate) built for time `at`.
  Bytes response_for(X509* cert, Time at, OcspCertStatus status = OcspCertStatus::good) {
    auto req = make_ocsp_request(cert, f().intermediate.cert.get(), false, nullptr);
    EXPECT_TRUE(req.ok());
    OcspBehavior b;
    b.now = at;
    b.status = status;
    auto r = testing::build_ocsp_response(signers, b, *req);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : Bytes();
  }
  Bytes server_response(Time at) { return response_for(f().server.cert.get(), at); }

  StaplerOptions options(bool responder_up) {
    StaplerOptions o;
    o.cache_dir = dir;
    o.responder_url = "http://ocsp.test/";
    o.clock = [this] {
      std::lock_guard<std::mutex> lock(mu);
      return now;
    };
    o.fetcher = [this, responder_up](const std::string&, ByteView req) -> Result<Bytes> {
      std::lock_guard<std::mutex> lock(mu);
      ++fetches;
      if (!responder_up) return fail(Alert::internal_error, "fake: responder down");
      OcspBehavior b;
      b.now = now;
      return testing::build_ocsp_response(signers, b, Bytes(req.begin(), req.end()));
    };
    o.random = [] { return 0.5; };
    o.on_event = [this](const StaplerEvent& e) {
      std::lock_guard<std::mutex> lock(mu);
      events.push_back(e);
    };
    return o;
  }
  std::vector<StaplerEvent> events_of(StaplerEventKind k) {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<StaplerEvent> out;
    for (const auto& e : events) {
      if (e.kind == k) out.push_back(e);
    }
    return out;
  }
  static Bytes served(const Stapler& st) {
    auto creds = st.credentials();
    if (creds->empty() || (*creds)[0].ocsp_staples().empty()) return {};
    return (*creds)[0].ocsp_staples()[0];
  }
  fs::path cache_file() const { return dir / (cache_name + ".der"); }

  const Time t0 = std::chrono::floor<seconds>(system_clock::now());
  std::mutex mu;
  Time now = t0;
  int fetches = 0;
  std::vector<StaplerEvent> events;
  OcspSigners signers;
  fs::path dir;
  std::string cache_name;
};

// --- the cache itself ----------------------------------------------------------

TEST_F(StapleCacheTest, NameIsTheSha256OfTheCertificate) {
  EXPECT_EQ(cache_name.size(), 64u);
  EXPECT_EQ(cache_name.find_first_not_of("0123456789abcdef"), std::string::npos);
  auto other = staple_cache_name(f().client_credential().chain_der()[0]);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, cache_name);
}

TEST_F(StapleCacheTest, WriteThenReadRoundTrips) {
  StapleCache cache(dir / "created" / "on demand");
  auto none = cache.read(cache_name);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  const Bytes data = server_response(t0);
  ASSERT_TRUE(cache.write(cache_name, data).ok());
  auto back = cache.read(cache_name);
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ(**back, data);
  EXPECT_TRUE(temp_files(cache.dir()).empty());
  ASSERT_TRUE(cache.remove(cache_name).ok());
  EXPECT_FALSE(cache.read(cache_name)->has_value());
  EXPECT_TRUE(cache.remove(cache_name).ok());  // already gone is fine
}

TEST_F(StapleCacheTest, DisabledCacheDoesNothing) {
  StapleCache cache{fs::path()};
  EXPECT_FALSE(cache.enabled());
  EXPECT_TRUE(cache.write(cache_name, Bytes{1, 2, 3}).ok());
  auto r = cache.read(cache_name);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST_F(StapleCacheTest, ReadRefusesOversizedAndEmptyFiles) {
  StapleCache cache(dir);
  fs::create_directories(dir);
  write_raw(cache_file(), Bytes(kMaxOcspResponseBytes + 1, 0x30));
  auto big = cache.read(cache_name);
  ASSERT_FALSE(big.ok());
  EXPECT_TRUE(contains(big.error().reason, "more than")) << big.error().reason;
  write_raw(cache_file(), Bytes());
  auto empty = cache.read(cache_name);
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(contains(empty.error().reason, "empty")) << empty.error().reason;
}

TEST_F(StapleCacheTest, WriteFailureLeavesNothingBehind) {
  // The "directory" is a file: creating it fails, with a reason.
  fs::create_directories(dir);
  write_raw(dir / "not-a-dir", Bytes{1});
  StapleCache cache(dir / "not-a-dir");
  auto s = cache.write(cache_name, Bytes{1, 2, 3});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(contains(s.error().reason, "not-a-dir")) << s.error().reason;
}

// --- restart from the cache --------------------------------------------------------

TEST_F(StapleCacheTest, RestartStaplesFromTheCacheWithTheResponderDown) {
  Bytes first;
  {
    auto st = Stapler::create(options(true));
    ASSERT_TRUE(st->add(server()).ok());
    st->poll();
    first = served(*st);
    ASSERT_FALSE(first.empty());
  }
  ASSERT_TRUE(fs::exists(cache_file()));
  EXPECT_EQ(read_file(cache_file()), first);
  EXPECT_TRUE(temp_files(dir).empty());

  // A restart an hour later, the responder down: stapled from add() on.
  now = t0 + hours(1);
  fetches = 0;
  events.clear();
  auto st = Stapler::create(options(false));
  ASSERT_TRUE(st->add(server()).ok());
  EXPECT_EQ(served(*st), first);
  ASSERT_EQ(events_of(StaplerEventKind::loaded).size(), 1u);
  EXPECT_TRUE(contains(events_of(StaplerEventKind::loaded)[0].message, cache_file().string()));
  const StapleState s = st->state().at(0);
  ASSERT_TRUE(s.serving.has_value());
  EXPECT_EQ(s.serving->this_update, t0 - seconds(60));
  // Mid-window: the next fetch waits for the refresh point.
  EXPECT_EQ(s.next_refresh, t0 + hours(12) - seconds(30));  // thisUpdate + (24 h + 60 s) / 2
  st->poll();
  EXPECT_EQ(fetches, 0);
}

TEST_F(StapleCacheTest, CachedResponsePastItsRefreshPointIsRefreshedAtOnce) {
  StapleCache cache(dir);
  const Bytes old = server_response(t0);
  ASSERT_TRUE(cache.write(cache_name, old).ok());
  now = t0 + hours(20);  // past half-life, still valid
  auto st = Stapler::create(options(false));
  ASSERT_TRUE(st->add(server()).ok());
  EXPECT_EQ(served(*st), old);
  EXPECT_EQ(st->state().at(0).next_refresh, now);
  st->poll();
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(served(*st), old);  // kept through the failure
}

TEST_F(StapleCacheTest, AttachedAndCachedTheLaterWins) {
  StapleCache cache(dir);
  const Bytes older = server_response(t0 - hours(2));
  const Bytes newer = server_response(t0 - hours(1));
  {
    ASSERT_TRUE(cache.write(cache_name, newer).ok());
    auto with = server().with_ocsp_staples({older});
    ASSERT_TRUE(with.ok());
    auto st = Stapler::create(options(false));
    ASSERT_TRUE(st->add(*with).ok());
    EXPECT_EQ(served(*st), newer);
  }
  {
    ASSERT_TRUE(cache.write(cache_name, older).ok());
    auto with = server().with_ocsp_staples({newer});
    ASSERT_TRUE(with.ok());
    auto st = Stapler::create(options(false));
    ASSERT_TRUE(st->add(*with).ok());
    EXPECT_EQ(served(*st), newer);
  }
}

TEST_F(StapleCacheTest, RevokedAnswerRemovesTheCachedResponse) {
  StapleCache cache(dir);
  ASSERT_TRUE(cache.write(cache_name, server_response(t0)).ok());
  auto o = options(true);
  o.fetcher = [this](const std::string&, ByteView req) {
    OcspBehavior b;
    b.now = now;
    b.status = OcspCertStatus::revoked;
    return testing::build_ocsp_response(signers, b, Bytes(req.begin(), req.end()));
  };
  auto st = Stapler::create(o);
  ASSERT_TRUE(st->add(server()).ok());
  EXPECT_FALSE(served(*st).empty());
  st->refresh_now();
  st->poll();
  EXPECT_TRUE(served(*st).empty());
  // A restart must not serve the old good answer again.
  EXPECT_FALSE(fs::exists(cache_file()));
}

TEST_F(StapleCacheTest, ExpiredResponseIsRemovedWhenItStopsBeingServed) {
  {
    auto st = Stapler::create(options(true));
    ASSERT_TRUE(st->add(server()).ok());
    st->poll();
    ASSERT_TRUE(fs::exists(cache_file()));
  }
  // Restarted with the responder down: served from the cache until it
  // expires, then the expiring event, and the file goes (a later restart
  // would only ignore it).
  auto down = Stapler::create(options(false));
  ASSERT_TRUE(down->add(server()).ok());
  EXPECT_EQ(events_of(StaplerEventKind::loaded).size(), 1u);
  ASSERT_FALSE(served(*down).empty());
  now = t0 + hours(25);
  down->poll();
  EXPECT_TRUE(served(*down).empty());
  EXPECT_EQ(events_of(StaplerEventKind::expiring).size(), 1u);
  EXPECT_FALSE(fs::exists(cache_file()));
}

// --- corrupt cache files -------------------------------------------------------------

TEST_F(StapleCacheTest, CorruptFilesAreIgnoredWithAnEvent) {
  const Bytes valid = server_response(t0);
  struct Case {
    const char* name;
    Bytes content;
    const char* reason_part;
  };
  std::vector<Case> cases{
      {"garbage", testing::ocsp_garbage_body(), "parse"},
      {"truncated", Bytes(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(valid.size() / 2)), "parse"},
      {"empty", Bytes(), "empty"},
      {"oversized", Bytes(kMaxOcspResponseBytes + 1, 0x30), "more than"},
      {"for another certificate", response_for(f().client.cert.get(), t0), "no status for the certificate"},
      {"expired", server_response(t0 - hours(48)), "expired"},
      {"revoked", response_for(f().server.cert.get(), t0, OcspCertStatus::revoked), "revoked"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    events.clear();
    fs::create_directories(dir);
    write_raw(cache_file(), c.content);
    auto st = Stapler::create(options(false));
    auto slot = st->add(server());
    ASSERT_TRUE(slot.ok()) << slot.error().to_string();
    EXPECT_TRUE(served(*st).empty());
    EXPECT_FALSE(st->state().at(0).serving.has_value());
    const auto ignored = events_of(StaplerEventKind::cache_ignored);
    ASSERT_EQ(ignored.size(), 1u);
    EXPECT_TRUE(contains(ignored[0].message, c.reason_part)) << ignored[0].message;
    EXPECT_TRUE(events_of(StaplerEventKind::loaded).empty());
    // The first fetch is due at once.
    EXPECT_EQ(st->state().at(0).next_refresh, now);
  }
}

TEST_F(StapleCacheTest, UnreadableCacheEntryDoesNotBlockStart) {
  // A directory where the file should be.
  fs::create_directories(cache_file());
  auto st = Stapler::create(options(true));
  ASSERT_TRUE(st->add(server()).ok());
  EXPECT_EQ(events_of(StaplerEventKind::cache_ignored).size(), 1u);
  st->poll();
  EXPECT_FALSE(served(*st).empty());  // fetched and served; only the save fails
  const auto failed = events_of(StaplerEventKind::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_TRUE(contains(failed[0].message, "OCSP cache")) << failed[0].message;
  EXPECT_FALSE(failed[0].must_staple_unserved);
}

// --- kill during write ----------------------------------------------------------------

TEST_F(StapleCacheTest, StaleTempFilesAreIgnoredAndRemoved) {
  StapleCache cache(dir);
  const Bytes valid = server_response(t0);
  ASSERT_TRUE(cache.write(cache_name, valid).ok());
  // What a writer killed mid-way leaves: a partial temporary file. The pid
  // 999999999 is beyond any pid_max, so that writer is certainly gone.
  const fs::path stale = dir / (cache_name + ".tmp.999999999.0011223344556677");
  write_raw(stale, Bytes(valid.begin(), valid.begin() + 10));
  const fs::path garbled = dir / (cache_name + ".tmp.notapid");
  write_raw(garbled, Bytes{1});
  // A running writer's temporary file (this process) is left alone.
  const fs::path live = dir / (cache_name + ".tmp." + std::to_string(::getpid()) + ".aa");
  write_raw(live, Bytes{2});
  // Another certificate's temporary files are not this load's business.
  const fs::path other = dir / "0000.tmp.999999999.aa";
  write_raw(other, Bytes{3});

  auto st = Stapler::create(options(false));
  ASSERT_TRUE(st->add(server()).ok());
  EXPECT_EQ(served(*st), valid);
  EXPECT_TRUE(events_of(StaplerEventKind::cache_ignored).empty());
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(garbled));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));
}

TEST_F(StapleCacheTest, KilledWriterLeavesOnlyCompleteFiles) {
  StapleCache cache(dir);
  const Bytes a = server_response(t0);
  const Bytes b = server_response(t0 + seconds(1));
  ASSERT_NE(a, b);
  ASSERT_TRUE(cache.write(cache_name, a).ok());

  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay_us(0, 3000);
  int killed_mid_write = 0;  // rounds that left a temporary file (informational)
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // Alternate the two responses as fast as possible until killed (or,
      // bounded, for 20 s); say so after the first write, so that the kill
      // lands among writes rather than during the child's start.
      ::close(ready[0]);
      const auto end = std::chrono::steady_clock::now() + seconds(20);
      for (int i = 0; std::chrono::steady_clock::now() < end; ++i) {
        (void)cache.write(cache_name, i % 2 ? a : b);
        if (i == 0) {
          const char c = 'w';
          (void)!::write(ready[1], &c, 1);
        }
      }
      ::_exit(0);
    }
    ::close(ready[1]);
    pollfd p{ready[0], POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 10'000), 1) << "the writer did not start";
    ::close(ready[0]);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    ASSERT_EQ(::kill(child, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status));

    // The final file is always one of the two complete responses.
    const Bytes now_there = read_file(cache_file());
    EXPECT_TRUE(now_there == a || now_there == b) << now_there.size() << " bytes";
    if (!temp_files(dir).empty()) ++killed_mid_write;
    // And a load sees it, verifies it and removes the dead writer's temp file.
    auto st = Stapler::create(options(false));
    ASSERT_TRUE(st->add(server()).ok());
    EXPECT_EQ(served(*st), now_there);
    EXPECT_TRUE(temp_files(dir).empty());
  }
  RecordProperty("killed_mid_write", killed_mid_write);
  std::cout << "rounds killed with a temporary file left: " << killed_mid_write << " of 20\n";
}

}  // namespace
}  // namespace vouch
