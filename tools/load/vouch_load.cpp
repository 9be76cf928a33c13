// vouch-load: many concurrent, idle TLS connections against a server (made
// for `vouch serve`, issue 14), on Asio with vouch::asio::stream.
//
//   vouch-load --port P --ca ROOTS.pem [--host 127.0.0.1] [--servername localhost]
//              [--connections N] [--concurrency C] [--hold SECONDS] [--server-pid PID] [--max-rss-growth-kib N]
//
// Opens N connections, at most C handshakes in flight at a time, and keeps
// every one open (idle: no request) until all are established, then holds
// them for --hold seconds, then closes each with close_notify. Prints the
// failures, the handshake latency (TCP connect + TLS handshake) p50/p99/max,
// and, with --server-pid, the server's resident memory (VmRSS) before,
// while holding the connections (and per connection), and after they closed.
// Exit status: 0 when every connection was established and closed cleanly.
#include <sys/resource.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vouch/asio.h"

namespace net = ::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = vouch::asio::stream<tcp::socket>;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string servername = "localhost";
  uint16_t port = 0;
  std::string ca;
  long connections = 1000;
  long concurrency = 256;
  double hold_seconds = 1;
  long server_pid = 0;
  long max_rss_growth_kib = 0;  // > 0: fail if RSS after close exceeds idle by more
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    if (a == "--host") o.host = v;
    else if (a == "--servername") o.servername = v;
    else if (a == "--port") o.port = static_cast<uint16_t>(std::atoi(v));
    else if (a == "--ca") o.ca = v;
    else if (a == "--connections") o.connections = std::atol(v);
    else if (a == "--concurrency") o.concurrency = std::atol(v);
    else if (a == "--hold") o.hold_seconds = std::atof(v);
    else if (a == "--server-pid") o.server_pid = std::atol(v);
    else if (a == "--max-rss-growth-kib") o.max_rss_growth_kib = std::atol(v);
    else return false;
  }
  return o.port != 0 && !o.ca.empty() && o.connections > 0 && o.concurrency > 0;
}

// VmRSS of a process in KiB, or nullopt.
std::optional<long> rss_kib(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return std::nullopt;
}

void raise_open_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
  return v[i];
}

struct Run {
  const Options& o;
  std::shared_ptr<const vouch::ClientConfig> config;
  tcp::endpoint endpoint;
  std::vector<std::unique_ptr<TlsStream>> streams;  // the established ones, held open
  std::vector<double> handshake_ms;
  long started = 0, finished = 0, failures = 0, close_failures = 0, closed = 0;

  void failure(const std::string& what) {
    if (++failures <= 5) std::fprintf(stderr, "vouch-load: %s\n", what.c_str());
  }
};

// Opens connections until N were started: `concurrency` of these run at once.
net::awaitable<void> opener(Run& run) {
  auto ex = co_await net::this_coro::executor;
  while (run.started < run.o.connections) {
    ++run.started;
    auto tls = std::make_unique<TlsStream>(ex, run.config, run.o.servername);
    const auto t0 = Clock::now();
    std::error_code ec;
    co_await tls->next_layer().async_connect(run.endpoint, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      run.failure("connect: " + ec.message());
    } else {
      co_await tls->async_handshake(net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        const vouch::Error* e = tls->connection().error();
        run.failure("handshake: " + (e ? e->to_string() : ec.message()));
      } else {
        run.handshake_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        run.streams.push_back(std::move(tls));
      }
    }
    ++run.finished;
  }
}

net::awaitable<void> closer(Run& run, size_t from, size_t step) {
  for (size_t i = from; i < run.streams.size(); i += step) {
    std::error_code ec;
    co_await run.streams[i]->async_shutdown(net::redirect_error(net::use_awaitable, ec));
    if (ec && ++run.close_failures <= 5) std::fprintf(stderr, "vouch-load: close: %s\n", ec.message().c_str());
    std::error_code ignored;
    run.streams[i]->lowest_layer().close(ignored);
    run.streams[i].reset();
    ++run.closed;
  }
}

// Runs the io_context until `done` or the deadline; false on the deadline.
template <class Done>
bool run_until(net::io_context& io, Done done, std::chrono::seconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(50));
  }
  return true;
}

long settle_rss(long pid) {
  // The server frees what the connections held once it has served their
  // close: wait until its RSS stops falling (bounded: 5 s).
  long last = rss_kib(pid).value_or(0);
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const long now = rss_kib(pid).value_or(0);
    if (now >= last) return now;
    last = now;
  }
  return last;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::fprintf(stderr,
                 "usage: %s --port P --ca ROOTS.pem [--host H] [--servername NAME] [--connections N] "
                 "[--concurrency C] [--hold SECONDS] [--server-pid PID] [--max-rss-growth-kib N]\n",
                 argv[0]);
    return 2;
  }
  raise_open_file_limit();
  auto trust = vouch::TrustStore::from_pem_file(o.ca);
  if (!trust) {
    std::fprintf(stderr, "vouch-load: %s\n", trust.error().to_string().c_str());
    return 1;
  }
  auto config = std::make_shared<vouch::ClientConfig>();
  config->trust = *trust;
  std::error_code ec;
  const auto address = net::ip::make_address(o.host, ec);
  if (ec) {
    std::fprintf(stderr, "vouch-load: --host must be an IP address: %s\n", ec.message().c_str());
    return 2;
  }
  Run run{o, config, tcp::endpoint(address, o.port), {}, {}};
  run.streams.reserve(static_cast<size_t>(o.connections));
  const long rss_start = o.server_pid ? rss_kib(o.server_pid).value_or(0) : 0;

  net::io_context io(1);
  // One connection first: the code and library pages a handshake touches
  // are paged in, so that "idle" below is the server's resting size, not
  // the size of a server that never served anyone.
  Options one = o;
  one.connections = 1;
  Run warm{one, config, tcp::endpoint(address, o.port), {}, {}};
  net::co_spawn(io, opener(warm), net::detached);
  run_until(io, [&] { return warm.finished == 1; }, std::chrono::seconds(60));
  if (!warm.streams.empty()) {
    net::co_spawn(io, closer(warm, 0, 1), net::detached);
    run_until(io, [&] { return warm.closed == 1; }, std::chrono::seconds(60));
  }
  const long rss_before = o.server_pid ? settle_rss(o.server_pid) : 0;

  const auto t0 = Clock::now();
  for (long i = 0; i < std::min(o.concurrency, o.connections); ++i) net::co_spawn(io, opener(run), net::detached);
  const bool opened = run_until(io, [&] { return run.finished == o.connections; }, std::chrono::seconds(600));
  const double open_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const long established = static_cast<long>(run.streams.size());

  // Held: every connection open and idle.
  const auto hold_until = Clock::now() + std::chrono::duration<double>(o.hold_seconds);
  run_until(io, [&] { return Clock::now() >= hold_until; }, std::chrono::seconds(3600));
  const long rss_held = o.server_pid ? rss_kib(o.server_pid).value_or(0) : 0;

  for (long i = 0; i < std::min<long>(o.concurrency, std::max<long>(established, 1)); ++i)
    net::co_spawn(io, closer(run, static_cast<size_t>(i), static_cast<size_t>(o.concurrency)), net::detached);
  const bool closed_all = run_until(io, [&] { return run.closed == established; }, std::chrono::seconds(600));
  const long rss_after = o.server_pid ? settle_rss(o.server_pid) : 0;

  std::printf("connections: %ld, established: %ld, failures: %ld%s\n", o.connections, established, run.failures,
              opened ? "" : " (gave up waiting)");
  std::printf("opened in %.1f s (%.0f handshakes/s, %ld at a time)\n", open_seconds,
              static_cast<double>(established) / std::max(open_seconds, 1e-9), o.concurrency);
  std::printf("handshake (connect + TLS) ms: p50 %.1f, p99 %.1f, max %.1f\n", percentile(run.handshake_ms, 0.5),
              percentile(run.handshake_ms, 0.99), percentile(run.handshake_ms, 1.0));
  if (o.server_pid) {
    std::printf("server RSS: at start %ld KiB, idle after one connection %ld KiB, holding %ld connections "
                "%ld KiB (%.1f KiB per connection), after close %ld KiB\n",
                rss_start, rss_before, established, rss_held,
                established > 0 ? static_cast<double>(rss_held - rss_before) / static_cast<double>(established) : 0.0,
                rss_after);
  }
  std::printf("closed: %ld, close failures: %ld%s\n", run.closed, run.close_failures,
              closed_all ? "" : " (gave up waiting)");
  // The memory a burst leaves behind (issue 14): Asio's descriptor pool,
  // kept for reuse, and what the allocator cannot give back.
  bool memory_ok = true;
  if (o.server_pid && o.max_rss_growth_kib > 0 && rss_after - rss_before > o.max_rss_growth_kib) {
    std::printf("server RSS after close is %ld KiB above idle (limit %ld KiB)\n", rss_after - rss_before,
                o.max_rss_growth_kib);
    memory_ok = false;
  }
  return run.failures == 0 && established == o.connections && run.close_failures == 0 && closed_all && memory_ok
             ? 0
             : 1;
}
