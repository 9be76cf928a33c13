// A fleet of `vouch serve` processes sharing OCSP staples and ticket keys
// through Debian's redis-server (issue 16, docs/fleet.md): Redis on
// 127.0.0.1 with a free port, the project's test OCSP responder (in this
// process, counting the requests it gets), each server started with
// --staple auto --store redis://… --store-key FILE, and `openssl s_client`
// as the client. Every case checks that no handshake fails because of the
// store and that no server staples a bad response:
//   - one fetch per certificate per refresh period for three servers, the
//     same response stapled by all;
//   - a client resumes on B and C with a ticket from A, TLS 1.3 and 1.2;
//   - Redis down at start, Redis killed and restarted mid-run;
//   - the lease holder killed during its fetch (another takes over when
//     the lease runs out);
//   - garbage and another certificate's response written into Redis;
//   - the responder down while Redis is up (the last good shared response
//     served until its nextUpdate, then no staple);
//   - one server's clock two hours ahead (libfaketime): it refuses what its
//     own clock calls expired, the others staple.
#include <signal.h>
#include <sys/stat.h>

#include <fstream>

#include "interop/interop.h"
#include "stapler/staple_cache.h"
#include "support/redis_server.h"
#include "tools/ocsp_responder.h"
#include "tools/ocsp_staple.h"
#include "vouch/redis_store.h"

namespace vouch::interop {
namespace {

using testing::OcspBehavior;
using testing::OcspResponder;
using testing::RedisServer;

const testing::PkiFamily& f() { return family(CertType::ecdsa); }

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// Polls `done` every 100 ms for at most `limit`.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

// What one `openssl s_client -status` saw.
struct Visit {
  bool ok = false;  // the handshake and the request worked
  bool stapled = false;
  bool good = false;
  bool reused = false;
  std::string this_update;  // the stapled response's "This Update:" line
  std::string transcript;
};

Visit visit(uint16_t port, const std::string& version = "-tls1_3", const std::string& sess_flag = "",
            const std::string& sess = "") {
  std::vector<std::string> argv = {require_program("openssl"), "s_client", version, "-connect",
                                   "127.0.0.1:" + std::to_string(port), "-CAfile", f().root.cert_path,
                                   "-verify_return_error", "-servername", "localhost", "-status", "-ign_eof"};
  if (!sess_flag.empty()) argv.insert(argv.end(), {sess_flag, sess});
  ChildProcess c = ChildProcess::spawn(argv, {StdinMode::data, kHttpRequest, {}});
  Visit v;
  v.ok = c.wait(kRunTimeout).success() && c.out().find("\nresumed: ") != std::string::npos;
  const std::string out = c.out();
  v.stapled = out.find("OCSP Response Status: successful") != std::string::npos;
  v.good = out.find("Cert Status: good") != std::string::npos;
  v.reused = out.find("Reused, TLSv1.") != std::string::npos;
  if (const size_t at = out.find("This Update: "); at != std::string::npos)
    v.this_update = out.substr(at, out.find('\n', at) - at);
  v.transcript = c.transcript();
  return v;
}

class Fleet : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::have_redis_server()) << "redis-server not found (Debian: redis-server; make test installs it)";
    auto r = OcspResponder::create(f().intermediate.cert.get(), f().intermediate.key.get());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    responder = std::move(*r);
    ASSERT_TRUE(responder->start().ok());
    key_file = dir.file("wrapping.key");
    std::ofstream(key_file) << "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
    ::chmod(key_file.c_str(), 0600);
  }

  // A response good for `validity` after a thisUpdate one minute ago.
  void set_validity(std::chrono::seconds validity) {
    OcspBehavior b;
    b.this_update_offset = -60s;
    b.next_update_offset = validity;
    responder->set_behavior(b);
  }

  std::vector<std::string> server_args(const std::string& store_url) const {
    std::vector<std::string> args = vouch_cert_args(f().server);
    args.insert(args.end(), {"--staple", "auto", "--ocsp-url", responder->url(), "--ocsp-fetch-timeout", "2",
                             "--store", store_url, "--store-key", key_file, "--ticket-rotation", "60"});
    return args;
  }

  Server start(const std::string& store_url, const std::vector<std::string>& prefix = {}) {
    if (prefix.empty()) return start_vouch_server(dir, server_args(store_url));
    // A wrapped server (faketime): the same command after the wrapper.
    static int counter = 0;
    const std::string port_file = dir.file("wrapped-port-" + std::to_string(counter++));
    std::vector<std::string> argv = prefix;
    argv.insert(argv.end(), {vouch_binary(), "serve", "--listen", "127.0.0.1:0", "--port-file", port_file});
    const auto rest = server_args(store_url);
    argv.insert(argv.end(), rest.begin(), rest.end());
    Server s{ChildProcess::spawn(argv), 0};
    if (auto text = testing::wait_for_file(port_file, kStartTimeout)) s.port = static_cast<uint16_t>(std::stoul(*text));
    return s;
  }

  // `n` servers on `store_url`, one after the other; false (with the
  // transcript as a failure) if one did not start.
  bool start_servers(const std::string& store_url, int n, std::vector<Server>& out) {
    for (int i = 0; i < n; ++i) {
      out.push_back(start(store_url));
      if (out.back().port == 0) {
        ADD_FAILURE() << out.back().process.transcript();
        return false;
      }
    }
    return true;
  }

  // The key under which the fleet shares the server certificate's response.
  std::string shared_key() const {
    auto name = staple_cache_name(f().server_credential().chain_der()[0]);
    EXPECT_TRUE(name.ok());
    return "ocsp:" + (name.ok() ? *name : std::string());
  }

  testing::TempDir dir;
  std::unique_ptr<OcspResponder> responder;
  std::string key_file;
};

// Three servers: the responder sees one request per certificate (only the
// leaf is managed here) per refresh period, not three; all staple the
// response that one fetch brought.
TEST_F(Fleet, OneFetchPerCertificatePerRefreshPeriod) {
  // thisUpdate 60 s ago, nextUpdate in 120 s: refreshed halfway, 30 s from
  // the fetch (the Stapler's minimum interval).
  set_validity(120s);
  RedisServer redis = RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  std::vector<Server> servers;
  ASSERT_TRUE(start_servers(redis.url(), 3, servers));
  EXPECT_EQ(responder->requests(), 1u);
  std::string first_update;
  for (const Server& s : servers) {
    Visit v = visit(s.port);
    ASSERT_TRUE(v.ok) << v.transcript;
    EXPECT_TRUE(v.stapled && v.good) << v.transcript;
    if (first_update.empty()) first_update = v.this_update;
    EXPECT_EQ(v.this_update, first_update) << "not the fleet's one response";
  }
  EXPECT_EQ(count_of(servers[0].process.err(), "ocsp lease_acquired"), 1u) << servers[0].process.err();
  for (int i = 1; i < 3; ++i)
    EXPECT_EQ(count_of(servers[i].process.err(), "ocsp shared_used"), 1u) << servers[i].process.err();

  // The refresh period ends: one server fetches for all, the others take
  // what it shared.
  ASSERT_TRUE(eventually([&] { return responder->requests() >= 2; }, 45s)) << servers[0].process.err();
  ASSERT_TRUE(eventually(
      [&] {
        for (const Server& s : servers) {
          const std::string err = s.process.err();
          if (count_of(err, "ocsp refreshed") + count_of(err, "ocsp shared_used") < 2) return false;
        }
        return true;
      },
      20s));
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(responder->requests(), 2u) << "more than one fetch for the fleet in one refresh period";
  std::string second_update;
  for (const Server& s : servers) {
    Visit v = visit(s.port);
    ASSERT_TRUE(v.ok) << v.transcript;
    EXPECT_TRUE(v.stapled && v.good) << v.transcript;
    EXPECT_NE(v.this_update, first_update);
    if (second_update.empty()) second_update = v.this_update;
    EXPECT_EQ(v.this_update, second_update);
  }
  // SIGUSR1: the counters agree with the log.
  for (Server& s : servers) {
    ::kill(s.process.pid(), SIGUSR1);
    EXPECT_TRUE(s.process.wait_for_output("vouch serve: metrics:", kStartTimeout, /*on_stderr=*/true));
  }
  const std::string err0 = servers[0].process.err() + servers[1].process.err() + servers[2].process.err();
  EXPECT_NE(err0.find(" ocsp_shared_used="), std::string::npos) << err0;
  EXPECT_EQ(count_of(err0, "ocsp store_error"), 0u) << err0;
  EXPECT_EQ(count_of(err0, "ocsp shared_refused"), 0u) << err0;
}

// Tickets from server A resume on B and C, TLS 1.3 and 1.2 (RFC 8446
// §4.6.1, RFC 5077): the servers hold the fleet's keys.
TEST_F(Fleet, ClientResumesOnAnyServerWithATicketFromAnother) {
  set_validity(24h);
  RedisServer redis = RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  std::vector<Server> servers;
  ASSERT_TRUE(start_servers(redis.url(), 3, servers));
  EXPECT_NE(servers[0].process.err().find("ticket keys rotated"), std::string::npos) << servers[0].process.err();
  EXPECT_NE(servers[1].process.err().find("ticket keys imported"), std::string::npos) << servers[1].process.err();
  for (const char* version : {"-tls1_3", "-tls1_2"}) {
    SCOPED_TRACE(version);
    const std::string sess = dir.file(std::string("a") + version + ".sess");
    Visit first = visit(servers[0].port, version, "-sess_out", sess);
    ASSERT_TRUE(first.ok) << first.transcript;
    EXPECT_FALSE(first.reused);
    for (int i = 1; i < 3; ++i) {
      Visit again = visit(servers[i].port, version, "-sess_in", sess);
      ASSERT_TRUE(again.ok) << again.transcript;
      EXPECT_TRUE(again.reused) << again.transcript << servers[i].process.err();
    }
  }
  // At exit a server prints its counters.
  servers[0].process.stop();
  EXPECT_NE(servers[0].process.err().find("vouch serve: metrics:"), std::string::npos) << servers[0].process.err();
  EXPECT_NE(servers[0].process.err().find(" ticket_keys_rotated=1"), std::string::npos) << servers[0].process.err();
}

// `--store DIR`: the processes of one machine share through a directory
// (no Redis): one fetch, and A's tickets resume on B.
TEST_F(Fleet, ADirectoryStoreSharesBetweenProcessesOfOneMachine) {
  set_validity(24h);
  const std::string store_dir = dir.file("store");
  std::vector<Server> servers;
  ASSERT_TRUE(start_servers(store_dir, 2, servers));
  EXPECT_EQ(responder->requests(), 1u);
  EXPECT_NE(servers[1].process.err().find("ocsp shared_used"), std::string::npos) << servers[1].process.err();
  const std::string sess = dir.file("dir.sess");
  Visit first = visit(servers[0].port, "-tls1_3", "-sess_out", sess);
  ASSERT_TRUE(first.ok) << first.transcript;
  EXPECT_TRUE(first.stapled && first.good) << first.transcript;
  Visit again = visit(servers[1].port, "-tls1_3", "-sess_in", sess);
  ASSERT_TRUE(again.ok) << again.transcript;
  EXPECT_TRUE(again.reused) << again.transcript << servers[1].process.err();
  // (A resumed TLS 1.3 handshake sends no Certificate, so no staple.)
  Visit full = visit(servers[1].port);
  ASSERT_TRUE(full.ok) << full.transcript;
  EXPECT_TRUE(full.stapled && full.good) << full.transcript;
}

// Redis down when the servers start: they start anyway, staple on their own
// and serve; when Redis comes up they join (the ticket keys are published
// and imported at the next sync) and resume each other's tickets.
TEST_F(Fleet, RedisDownAtStartThenUp) {
  set_validity(24h);
  const uint16_t port = testing::free_port();
  ASSERT_NE(port, 0);
  const std::string url = "redis://127.0.0.1:" + std::to_string(port);
  Server a = start(url), b = start(url);
  ASSERT_NE(a.port, 0) << a.process.transcript();
  ASSERT_NE(b.port, 0) << b.process.transcript();
  EXPECT_NE(a.process.err().find("working alone"), std::string::npos) << a.process.err();
  for (const Server* s : {&a, &b}) {
    Visit v = visit(s->port);
    ASSERT_TRUE(v.ok) << v.transcript;
    EXPECT_TRUE(v.stapled && v.good) << v.transcript << s->process.err();
  }
  EXPECT_EQ(responder->requests(), 2u) << "each server fetches alone while Redis is down";

  RedisServer redis = RedisServer::start(port);
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  // Rotation 60 s: the servers sync every 6 s.
  ASSERT_TRUE(eventually(
      [&] {
        const std::string all = a.process.err() + b.process.err();
        return all.find("ticket keys rotated") != std::string::npos &&
               all.find("ticket keys imported") != std::string::npos;
      },
      20s))
      << a.process.err() << b.process.err();
  const std::string sess = dir.file("a.sess");
  const bool a_rotated = a.process.err().find("ticket keys rotated") != std::string::npos;
  const Server& issuer = a_rotated ? a : b;
  const Server& other = a_rotated ? b : a;
  Visit first = visit(issuer.port, "-tls1_3", "-sess_out", sess);
  ASSERT_TRUE(first.ok) << first.transcript;
  Visit again = visit(other.port, "-tls1_3", "-sess_in", sess);
  ASSERT_TRUE(again.ok) << again.transcript;
  EXPECT_TRUE(again.reused) << again.transcript;
}

// Redis killed mid-run: handshakes, staples and resumption on the same
// server go on; store errors are logged; Redis restarted (empty): the keys
// are published again and the servers resume each other's tickets.
TEST_F(Fleet, RedisKilledAndRestartedMidRun) {
  set_validity(24h);
  RedisServer redis = RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  const uint16_t port = redis.port;
  Server a = start(redis.url()), b = start(redis.url());
  ASSERT_NE(a.port, 0) << a.process.transcript();
  ASSERT_NE(b.port, 0) << b.process.transcript();

  ::kill(redis.proc.pid(), SIGKILL);
  redis.proc.wait(kStartTimeout);
  const std::string sess = dir.file("a.sess");
  Visit first = visit(a.port, "-tls1_3", "-sess_out", sess);
  ASSERT_TRUE(first.ok) << first.transcript;
  EXPECT_TRUE(first.stapled && first.good) << first.transcript;
  Visit across = visit(b.port, "-tls1_3", "-sess_in", sess);
  ASSERT_TRUE(across.ok) << across.transcript;
  EXPECT_TRUE(across.reused) << "the keys held before the outage still open the tickets";
  ASSERT_TRUE(eventually([&] { return a.process.err().find("ticket keys store_error") != std::string::npos; }, 20s))
      << a.process.err();
  Visit during = visit(b.port);
  ASSERT_TRUE(during.ok) << during.transcript;
  EXPECT_TRUE(during.stapled && during.good) << during.transcript;

  RedisServer again = RedisServer::start(port);
  ASSERT_TRUE(again.ok()) << again.proc.err();
  // The restarted Redis is empty: one server publishes new keys (rotation),
  // the other imports them.
  const size_t imported_before = count_of(a.process.err() + b.process.err(), "ticket keys imported");
  ASSERT_TRUE(eventually(
      [&] { return count_of(a.process.err() + b.process.err(), "ticket keys imported") > imported_before; }, 25s))
      << a.process.err() << b.process.err();
  const std::string sess2 = dir.file("b.sess");
  Visit from_a = visit(a.port, "-tls1_2", "-sess_out", sess2);
  ASSERT_TRUE(from_a.ok) << from_a.transcript;
  Visit on_b = visit(b.port, "-tls1_2", "-sess_in", sess2);
  ASSERT_TRUE(on_b.ok) << on_b.transcript;
  EXPECT_TRUE(on_b.reused) << on_b.transcript << a.process.err() << b.process.err();
}

// The lease holder dies during its fetch (SIGKILL while the responder is
// slow): the next server finds the lease held, serves without a staple
// meanwhile, and fetches itself once the lease (2 × 2 s + 5 s) runs out.
TEST_F(Fleet, LeaseHolderKilledDuringItsFetch) {
  RedisServer redis = RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  OcspBehavior slow;
  slow.delay = 10s;
  responder->set_behavior(slow);
  // A takes the lease and waits for the responder: it never listens.
  std::vector<std::string> argv = {vouch_binary(), "serve", "--listen", "127.0.0.1:0"};
  const auto rest = server_args(redis.url());
  argv.insert(argv.end(), rest.begin(), rest.end());
  ChildProcess a = ChildProcess::spawn(argv);
  ASSERT_TRUE(eventually([&] { return responder->requests() >= 1; }, kStartTimeout)) << a.transcript();
  const auto killed_at = std::chrono::steady_clock::now();
  ::kill(a.pid(), SIGKILL);
  a.wait(kStartTimeout);
  // The dead server's lease is still in Redis (events are logged after a
  // fetch, so A had nothing to say yet).
  auto raw = open_redis_store(redis.url());
  ASSERT_TRUE(raw.ok()) << raw.error().to_string();
  auto held = (*raw)->get("lease:" + shared_key());
  ASSERT_TRUE(held.ok()) << held.error().to_string();
  EXPECT_TRUE(held->has_value()) << "A did not hold the lease when it was killed";
  set_validity(24h);

  Server b = start(redis.url());
  ASSERT_NE(b.port, 0) << b.process.transcript();
  Visit waiting = visit(b.port);
  ASSERT_TRUE(waiting.ok) << waiting.transcript;
  EXPECT_FALSE(waiting.stapled) << "nothing to staple while the dead holder's lease runs";
  ASSERT_TRUE(eventually([&] { return b.process.err().find("ocsp refreshed") != std::string::npos; }, 20s))
      << b.process.err();
  EXPECT_GE(std::chrono::steady_clock::now() - killed_at, 8s) << "fetched before the lease ran out";
  Visit after = visit(b.port);
  ASSERT_TRUE(after.ok) << after.transcript;
  EXPECT_TRUE(after.stapled && after.good) << after.transcript;
}

// What is in Redis is not trusted: garbage, and a valid response for
// another certificate, are refused (shared_refused), never stapled; the
// server fetches its own.
TEST_F(Fleet, PlantedResponsesAreNeverStapled) {
  set_validity(24h);
  RedisServer redis = RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  auto raw = open_redis_store(redis.url());
  ASSERT_TRUE(raw.ok()) << raw.error().to_string();
  auto other = testing::make_ocsp_staple(f().server_wrong_host.cert.get(), f().intermediate.cert.get(),
                                         f().intermediate.key.get());
  ASSERT_TRUE(other.ok()) << other.error().to_string();
  const Bytes garbage = {0x30, 0x03, 0x0a, 0x01, 0x00};
  for (const Bytes* planted : std::vector<const Bytes*>{&garbage, &*other}) {
    SCOPED_TRACE(planted == &garbage ? "garbage" : "another certificate's response");
    ASSERT_TRUE((*raw)->put(shared_key(), *planted, std::chrono::hours(1)).ok());
    const uint64_t before = responder->requests();
    Server s = start(redis.url());
    ASSERT_NE(s.port, 0) << s.process.transcript();
    EXPECT_NE(s.process.err().find("ocsp shared_refused"), std::string::npos) << s.process.err();
    EXPECT_EQ(responder->requests(), before + 1) << "the server fetches its own";
    Visit v = visit(s.port);
    ASSERT_TRUE(v.ok) << v.transcript;
    EXPECT_TRUE(v.stapled && v.good) << v.transcript;
    // Its own good response replaced the planted one in Redis.
    auto now_shared = (*raw)->get(shared_key());
    ASSERT_TRUE(now_shared.ok() && now_shared->has_value());
    EXPECT_NE(**now_shared, *planted);
  }
}

// The responder goes down while Redis is up: the last good shared response
// is stapled until its nextUpdate — by the servers that had it and by one
// that starts during the outage (its own fetch fails; it serves the
// fleet's) — then stapling stops; handshakes go on.
TEST_F(Fleet, ResponderDownServesTheLastGoodUntilItsNextUpdate) {
  set_validity(25s);  // nextUpdate 25 s after the fetch
  RedisServer redis = RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  const auto fetched = std::chrono::steady_clock::now();
  Server a = start(redis.url()), b = start(redis.url());
  ASSERT_NE(a.port, 0) << a.process.transcript();
  ASSERT_NE(b.port, 0) << b.process.transcript();
  OcspBehavior down;
  down.mode = testing::OcspResponderMode::down;
  responder->set_behavior(down);
  Server c = start(redis.url());
  ASSERT_NE(c.port, 0) << c.process.transcript();
  EXPECT_NE(c.process.err().find("serving the fleet's last good response"), std::string::npos) << c.process.err();
  for (const Server* s : {&a, &b, &c}) {
    Visit v = visit(s->port);
    ASSERT_TRUE(v.ok) << v.transcript;
    EXPECT_TRUE(v.stapled && v.good) << v.transcript << s->process.err();
  }
  ASSERT_LT(std::chrono::steady_clock::now() - fetched, 22s) << "too slow to see the staples before they expire";
  std::this_thread::sleep_until(fetched + 28s);
  for (const Server* s : {&a, &b, &c}) {
    Visit v = visit(s->port);
    ASSERT_TRUE(v.ok) << v.transcript;
    EXPECT_FALSE(v.stapled) << "an expired response was stapled\n" << v.transcript << s->process.err();
    EXPECT_NE(s->process.err().find("ocsp expiring"), std::string::npos) << s->process.err();
  }
}

// One server's clock is two hours ahead (libfaketime): the shared response
// is expired by its clock, so it refuses it and what it fetches itself, and
// staples nothing; the others staple; every handshake works.
TEST_F(Fleet, ServerWithClockSkewNeverStaplesWhatItsClockCallsExpired) {
  const auto faketime = testing::find_program("faketime");
  ASSERT_TRUE(faketime) << "faketime not found (Debian: faketime; make test installs it)";
  set_validity(24h);
  OcspBehavior b;
  b.this_update_offset = -60s;
  b.next_update_offset = 30min;
  responder->set_behavior(b);
  RedisServer redis = RedisServer::start();
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  Server a = start(redis.url());
  ASSERT_NE(a.port, 0) << a.process.transcript();
  Server skewed = start(redis.url(), {*faketime, "-f", "+2h"});
  ASSERT_NE(skewed.port, 0) << skewed.process.transcript();
  EXPECT_NE(skewed.process.err().find("ocsp shared_refused"), std::string::npos) << skewed.process.err();
  Visit ok = visit(a.port);
  ASSERT_TRUE(ok.ok) << ok.transcript;
  EXPECT_TRUE(ok.stapled && ok.good) << ok.transcript;
  Visit v = visit(skewed.port);
  // s_client checks the certificate against the real clock: the handshake
  // works; no staple is sent.
  ASSERT_TRUE(v.ok) << v.transcript << skewed.process.err();
  EXPECT_FALSE(v.stapled) << v.transcript << skewed.process.err();
  // The skewed server did not overwrite the fleet's good response.
  Visit still = visit(a.port);
  ASSERT_TRUE(still.ok && still.stapled && still.good) << still.transcript;
}

// Usage errors are refused before listening, with the reason and exit 2;
// a Redis that answers and refuses the password is a configuration error
// too (an unreachable one is not: see RedisDownAtStartThenUp).
TEST_F(Fleet, UsageErrorsAreRefusedWithTheReason) {
  RedisServer redis = RedisServer::start(0, {"--requirepass", "s3cret"});
  ASSERT_TRUE(redis.ok()) << redis.proc.err();
  const std::string short_key = dir.file("short.key");
  std::ofstream(short_key) << "abcd\n";
  ::chmod(short_key.c_str(), 0600);
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--store-key", key_file}, "--store-key needs --store"},
      {{"--store", redis.url("s3cret")}, "give at least one of them"},
      {{"--store", "memcached://127.0.0.1:1", "--store-key", key_file}, "expected redis://"},
      {{"--store", redis.url("s3cret"), "--store-key", short_key}, "expected 32 bytes or 64 hexadecimal digits"},
      {{"--store", redis.url("wrong"), "--store-key", key_file}, "AUTH refused"},
      {{"--store", redis.url("s3cret"), "--store-key", key_file, "--ticket-rotation", "5"}, "at least 60 seconds"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {vouch_binary(), "serve", "--listen", "127.0.0.1:0"};
    const auto cert = vouch_cert_args(f().server);
    argv.insert(argv.end(), cert.begin(), cert.end());
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    ChildProcess p = ChildProcess::spawn(argv);
    const auto st = p.wait(kRunTimeout);
    EXPECT_TRUE(st.exited && st.code == 2) << p.transcript();
    EXPECT_NE(p.err().find(c.says), std::string::npos) << p.transcript();
  }
  // The right password: it serves, sharing ticket keys.
  Server ok = start_vouch_server(dir, [&] {
    auto args = vouch_cert_args(f().server);
    args.insert(args.end(), {"--store", redis.url("s3cret"), "--store-key", key_file});
    return args;
  }());
  ASSERT_NE(ok.port, 0) << ok.process.transcript();
  EXPECT_NE(ok.process.err().find("ticket keys rotated"), std::string::npos) << ok.process.err();
}

}  // namespace
}  // namespace vouch::interop
