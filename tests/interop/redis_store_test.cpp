// The Redis SharedStore (src/store/redis_store.cpp) against Debian's
// redis-server, started here on 127.0.0.1 with a free port and no
// persistence, and killed by PID: values, expiry, compare-and-set, leases
// between two connections, AUTH, SELECT, large values, threads, and an
// outage (Redis killed, then restarted on the same port).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "support/pki.h"
#include "support/process.h"
#include "support/redis_server.h"
#include "support/stapler_fakes.h"
#include "stapler/staple_cache.h"
#include "vouch/redis_store.h"
#include "vouch/shared_ticket_keys.h"
#include "vouch/stapler.h"

namespace vouch {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

using Redis = testing::RedisServer;

bool have_redis() { return testing::have_redis_server(); }

#define REQUIRE_REDIS()                                                                         \
  do {                                                                                          \
    ASSERT_TRUE(have_redis()) << "redis-server not found (Debian: redis-server; make test installs it)"; \
  } while (0)

std::shared_ptr<SharedStore> open_or_die(const std::string& url, RedisStoreOptions o = {}) {
  auto s = open_redis_store(url, o);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().to_string());
  return s.ok() ? *s : nullptr;
}

TEST(RedisStore, ValuesExpiryAndCompareAndSet) {
  REQUIRE_REDIS();
  Redis redis = Redis::start();
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  auto s = open_or_die(redis.url());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->describe(), "redis 127.0.0.1:" + std::to_string(redis.port) + "/0");

  Bytes bin = {0, 1, 2, 0xff, 0, '\r', '\n'};
  ASSERT_TRUE(s->put("k", bin, 0ms).ok());
  auto got = s->get("k");
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, bin);
  EXPECT_FALSE(s->get("absent")->has_value());

  ASSERT_TRUE(s->put("short", b("v"), 100ms).ok());
  EXPECT_TRUE(s->get("short")->has_value());
  std::this_thread::sleep_for(250ms);
  EXPECT_FALSE(s->get("short")->has_value());

  Bytes one = b("one"), two = b("two");
  EXPECT_TRUE(*s->compare_and_set("c", std::nullopt, one, 0ms));
  EXPECT_FALSE(*s->compare_and_set("c", std::nullopt, two, 0ms));
  EXPECT_FALSE(*s->compare_and_set("c", ByteView(two), two, 0ms));
  EXPECT_TRUE(*s->compare_and_set("c", ByteView(one), two, 0ms));
  EXPECT_EQ(**s->get("c"), two);
  // An empty expected value is not "absent".
  EXPECT_FALSE(*s->compare_and_set("c", ByteView(), one, 0ms));
}

TEST(RedisStore, LeasesBetweenTwoConnections) {
  REQUIRE_REDIS();
  Redis redis = Redis::start();
  ASSERT_TRUE(redis.ok());
  auto a = open_or_die(redis.url());
  auto b2 = open_or_die(redis.url());
  ASSERT_TRUE(a && b2);
  EXPECT_TRUE(*a->acquire_lease("fetch", "server-a", 10s));
  EXPECT_FALSE(*b2->acquire_lease("fetch", "server-b", 10s));
  EXPECT_TRUE(*a->acquire_lease("fetch", "server-a", 10s));  // renewal
  ASSERT_TRUE(b2->release_lease("fetch", "server-b").ok());   // not the holder
  EXPECT_FALSE(*b2->acquire_lease("fetch", "server-b", 10s));
  ASSERT_TRUE(a->release_lease("fetch", "server-a").ok());
  EXPECT_TRUE(*b2->acquire_lease("fetch", "server-b", 200ms));
  std::this_thread::sleep_for(400ms);  // b's holder died without releasing
  EXPECT_TRUE(*a->acquire_lease("fetch", "server-a", 10s));
}

TEST(RedisStore, PasswordAndDatabase) {
  REQUIRE_REDIS();
  Redis redis = Redis::start(0, {"--requirepass", "s3cret"});
  ASSERT_TRUE(redis.ok());
  auto no_auth = open_redis_store(redis.url());
  // Connecting works without AUTH; the first command is refused.
  if (no_auth.ok()) {
    auto r = (*no_auth)->get("k");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().reason.find("NOAUTH"), std::string::npos) << r.error().reason;
  }
  auto wrong = open_redis_store(redis.url("wrong"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().reason.find("AUTH refused"), std::string::npos) << wrong.error().reason;
  // Refused is a configuration problem, unlike an outage (io).
  EXPECT_EQ(wrong.error().kind, ErrorKind::config) << wrong.error().to_string();

  auto db0 = open_or_die(redis.url("s3cret"));
  auto db1 = open_or_die(redis.url("s3cret", 1));
  ASSERT_TRUE(db0 && db1);
  ASSERT_TRUE(db1->put("k", b("in db 1"), 0ms).ok());
  EXPECT_FALSE(db0->get("k")->has_value());
  EXPECT_EQ(**db1->get("k"), b("in db 1"));
}

TEST(RedisStore, LargeValuesAndManyThreads) {
  REQUIRE_REDIS();
  Redis redis = Redis::start();
  ASSERT_TRUE(redis.ok());
  auto s = open_or_die(redis.url());
  ASSERT_TRUE(s);
  Bytes big(2 << 20);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 31 + 7);
  ASSERT_TRUE(s->put("big", big, 0ms).ok());
  EXPECT_EQ(**s->get("big"), big);

  // 4 threads × 50 increments through compare-and-set on one connection.
  ASSERT_TRUE(s->put("n", b("0"), 0ms).ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        for (int attempt = 0; attempt < 10000; ++attempt) {
          auto cur = s->get("n");
          if (!cur.ok() || !cur->has_value()) {
            ++failures;
            return;
          }
          const int n = std::stoi(std::string((*cur)->begin(), (*cur)->end()));
          auto won = s->compare_and_set("n", ByteView(**cur), b(std::to_string(n + 1)), 0ms);
          if (!won.ok()) {
            ++failures;
            return;
          }
          if (*won) break;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(**s->get("n"), b("200"));
}

// Redis killed: calls fail within the command timeout, then at once until
// the reconnect interval passed; Redis back on the same port: calls work
// again without reopening the store.
TEST(RedisStore, OutageFailsFastAndReconnects) {
  REQUIRE_REDIS();
  Redis redis = Redis::start();
  ASSERT_TRUE(redis.ok());
  RedisStoreOptions o;
  o.connect_timeout = 300ms;
  o.command_timeout = 300ms;
  o.reconnect_interval = 500ms;
  auto s = open_or_die(redis.url(), o);
  ASSERT_TRUE(s);
  ASSERT_TRUE(s->put("k", b("v"), 0ms).ok());
  const uint16_t port = redis.port;
  redis.proc.stop();

  auto r = s->get("k");
  ASSERT_FALSE(r.ok());
  const auto t0 = std::chrono::steady_clock::now();
  auto fast = s->get("k");  // within the reconnect interval: no attempt
  ASSERT_FALSE(fast.ok());
  EXPECT_NE(fast.error().reason.find("unreachable"), std::string::npos) << fast.error().reason;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);

  Redis again = Redis::start(port);
  ASSERT_TRUE(again.ok()) << again.proc.err();
  bool back = false;
  for (int i = 0; i < 40 && !back; ++i) {  // bounded: 40 × 100 ms
    std::this_thread::sleep_for(100ms);
    back = s->put("k", b("after"), 0ms).ok();
  }
  ASSERT_TRUE(back) << "the store did not reconnect";
  EXPECT_EQ(**s->get("k"), b("after"));
}

// Redis down when the store is opened: eagerly, the open fails as an
// outage (io); with connect_at_open = false it succeeds, calls fail while
// Redis is down, and the store works once Redis starts.
TEST(RedisStore, OpensLazilyWhileRedisIsDown) {
  REQUIRE_REDIS();
  const uint16_t port = testing::free_port();
  ASSERT_NE(port, 0);
  RedisStoreOptions o;
  o.connect_timeout = 300ms;
  o.reconnect_interval = 200ms;
  const std::string url = "redis://127.0.0.1:" + std::to_string(port);
  auto eager = open_redis_store(url, o);
  ASSERT_FALSE(eager.ok());
  EXPECT_EQ(eager.error().kind, ErrorKind::io) << eager.error().to_string();

  o.connect_at_open = false;
  auto lazy = open_redis_store(url, o);
  ASSERT_TRUE(lazy.ok()) << lazy.error().to_string();
  auto down = (*lazy)->get("k");
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().kind, ErrorKind::io);

  Redis redis = Redis::start(port);
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  bool up = false;
  for (int i = 0; i < 40 && !up; ++i) {  // bounded: 40 × 100 ms
    std::this_thread::sleep_for(100ms);
    up = (*lazy)->put("k", b("v"), 0ms).ok();
  }
  ASSERT_TRUE(up) << "the lazily opened store never connected";
  EXPECT_EQ(**(*lazy)->get("k"), b("v"));
}

// Three Staplers (three servers) on one real Redis: one fetch for the
// fleet, the same staple everywhere; a value planted in Redis that is not a
// valid response for the certificate is never served.
TEST(RedisStore, StaplersShareOneFetchThroughRedis) {
  REQUIRE_REDIS();
  Redis redis = Redis::start();
  ASSERT_TRUE(redis.ok());
  const auto& f = testing::test_pki().ecdsa();
  auto signers = testing::make_ocsp_signers(f.intermediate.cert.get(), f.intermediate.key.get());
  ASSERT_TRUE(signers.ok());
  testing::FakeClock clock(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  testing::FakeFetcher fetcher(clock, *signers);
  std::vector<std::shared_ptr<Stapler>> fleet;
  std::vector<std::unique_ptr<testing::EventLog>> logs;
  for (const char* name : {"a", "b", "c"}) {
    StaplerOptions o;
    o.responder_url = "http://ocsp.test/";
    o.clock = [&clock] { return clock.now(); };
    o.fetcher = [&fetcher](const std::string& url, ByteView req) { return fetcher.fetch(url, req); };
    o.store = open_or_die(redis.url());
    ASSERT_TRUE(o.store);
    o.store_owner = name;
    logs.push_back(std::make_unique<testing::EventLog>());
    o.on_event = [log = logs.back().get()](const StaplerEvent& e) { log->add(e); };
    fleet.push_back(Stapler::create(o));
    ASSERT_TRUE(fleet.back()->add(f.server_credential()).ok());
  }
  for (auto& st : fleet) st->poll();
  EXPECT_EQ(fetcher.calls(), 1);
  auto staple = [](const Stapler& st) {
    auto creds = st.credentials();
    return (*creds)[0].ocsp_staples().empty() ? Bytes() : (*creds)[0].ocsp_staples()[0];
  };
  ASSERT_FALSE(staple(*fleet[0]).empty());
  EXPECT_EQ(staple(*fleet[1]), staple(*fleet[0]));
  EXPECT_EQ(staple(*fleet[2]), staple(*fleet[0]));
  EXPECT_EQ(logs[1]->count(StaplerEventKind::shared_used), 1u);

  // Someone writes garbage over the shared response (the key: the
  // prefix, "ocsp:", and the certificate's cache name); a new server
  // refuses it, fetches for itself and serves a good response.
  auto name = staple_cache_name(f.server_credential().chain_der()[0]);
  ASSERT_TRUE(name.ok());
  auto raw = open_or_die(redis.url());
  ASSERT_TRUE(raw);
  auto shared = raw->get("ocsp:" + *name);
  ASSERT_TRUE(shared.ok() && shared->has_value()) << "the fleet's response is not where it should be";
  const Bytes garbage = {0x30, 0x03, 0x0a, 0x01, 0x00};
  ASSERT_TRUE(raw->put("ocsp:" + *name, garbage, std::chrono::hours(1)).ok());
  StaplerOptions o;
  o.responder_url = "http://ocsp.test/";
  o.clock = [&clock] { return clock.now(); };
  o.fetcher = [&fetcher](const std::string& url, ByteView req) { return fetcher.fetch(url, req); };
  o.store = raw;
  testing::EventLog log;
  o.on_event = [&log](const StaplerEvent& e) { log.add(e); };
  auto d = Stapler::create(o);
  ASSERT_TRUE(d->add(f.server_credential()).ok());
  d->poll();
  EXPECT_EQ(log.count(StaplerEventKind::shared_refused), 1u);
  EXPECT_EQ(fetcher.calls(), 2);
  EXPECT_EQ(staple(*d), fetcher.last_response());
  EXPECT_NE(staple(*d), garbage);
}

// Ticket keys through Redis: the first server publishes, the second
// imports, a ticket sealed by one opens on the other; the value in Redis
// does not contain the keys in the clear.
TEST(RedisStore, TicketKeysSharedThroughRedis) {
  REQUIRE_REDIS();
  Redis redis = Redis::start();
  ASSERT_TRUE(redis.ok());
  auto keys_a = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  auto keys_b = std::make_shared<TicketKeys>(std::chrono::seconds(0));
  SharedTicketKeysOptions o;
  o.wrapping_key = Bytes(32, 0x5a);
  o.owner = "a";
  auto sa = SharedTicketKeys::create(open_or_die(redis.url()), keys_a, o);
  o.owner = "b";
  auto sb = SharedTicketKeys::create(open_or_die(redis.url()), keys_b, o);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ((*sa)->sync(), TicketKeySyncResult::rotated) << (*sa)->last_error();
  EXPECT_EQ((*sb)->sync(), TicketKeySyncResult::imported) << (*sb)->last_error();
  auto ticket = keys_a->seal(b("session state"));
  ASSERT_TRUE(ticket.ok());
  auto opened = keys_b->open(*ticket);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  EXPECT_EQ(*opened, b("session state"));

  auto exported = keys_a->export_keys();
  ASSERT_TRUE(exported.ok());
  auto stored = open_or_die(redis.url())->get("ticket-keys");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  // No 32-byte key of the export appears in what Redis holds.
  const Bytes& raw = **stored;
  for (size_t off = 7; off + 32 <= exported->size(); off += 36) {
    const auto key_begin = exported->begin() + static_cast<long>(off + 4);
    EXPECT_EQ(std::search(raw.begin(), raw.end(), key_begin, key_begin + 32), raw.end());
  }
}

}  // namespace
}  // namespace vouch
