// `vouch serve`: a small HTTPS test server on Asio (vouch::asio::stream): a
// few io_context threads serve every connection, with no fixed cap; each
// connection runs on its own strand with a handshake deadline and an idle
// deadline (serve_async.h), and answers a plain-text page describing its
// handshake. SIGTERM/SIGINT stop it; SIGHUP makes the Stapler (--staple
// auto) refresh every staple now; SIGUSR1 prints the metrics (OCSP and fleet
// counters), which are printed at exit too. --store shares staples and
// ticket keys with the other servers of a fleet (serve_fleet.h).
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <asio/strand.hpp>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/core.h>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "options.h"
#include "descriptor_reserve.h"
#include "serve_async.h"
#include "serve_fleet.h"
#include "serve_stapling.h"

namespace vouch::cli {
namespace {

// After SIGTERM/SIGINT, how long open connections may take to finish: less
// than a supervisor's usual wait before SIGKILL (the tests' is 2 s).
constexpr std::chrono::milliseconds kStopGrace{1500};

struct ServeArgs {
  std::string listen;
  std::string cert;
  std::string key;
  TlsFlags tls;
  unsigned num_tickets = 2;
  bool require_cookie = false;
  bool once = false;
  std::string port_file;
  unsigned timeout_seconds = 10;
  unsigned handshake_timeout_seconds = 0;  // 0: --timeout
  unsigned threads = 0;  // 0: min(4, cores)
  std::string client_ca;
  std::string verify = "none";
  StaplingArgs stapling;
  FleetArgs fleet;   // --store, --store-key, --ticket-rotation
  DebugFlags debug;  // --keylog, --trace
};

// One line of counters: what the Stapler reported (fetches, fleet sharing)
// and what the ticket-key syncs did.
std::string metrics_line(const Stapler* stapler, const FleetTicketKeys* tickets) {
  std::string line = "vouch serve: metrics:";
  if (stapler != nullptr) {
    const StaplerMetrics m = stapler->metrics();
    for (size_t i = 0; i < kStaplerEventKinds; ++i)
      line += fmt::format(" ocsp_{}={}", to_string(static_cast<StaplerEventKind>(i)), m.events[i]);
  }
  if (tickets != nullptr) {
    const auto c = tickets->counts();
    for (size_t i = 0; i < c.size(); ++i)
      line += fmt::format(" ticket_keys_{}={}", to_string(static_cast<TicketKeySyncResult>(i)), c[i]);
  }
  if (stapler == nullptr && tickets == nullptr) line += " (none: no --staple auto, no --store-key)";
  return line;
}

// --store and --store-key: the shared store, and ticket keys on it.
struct Fleet {
  std::shared_ptr<SharedStore> store;
  std::unique_ptr<FleetTicketKeys> tickets;
};

Result<Fleet> setup_fleet(const ServeArgs& args, ServerConfig& config) {
  Fleet fleet;
  if (args.fleet.store.empty()) {
    if (!args.fleet.store_key.empty()) return config_error("--store-key needs --store");
    return fleet;
  }
  if (args.fleet.store_key.empty() && args.stapling.staple != "auto")
    return config_error("--store shares OCSP staples (--staple auto) and ticket keys (--store-key): give at "
                        "least one of them");
  if (args.fleet.ticket_rotation_seconds < 60) return config_error("--ticket-rotation: at least 60 seconds");
  Result<std::shared_ptr<SharedStore>> store = open_store(args.fleet.store);
  if (!store) {
    // An unreachable Redis is not among these (open_store opens it lazily):
    // a bad URL, a refusing Redis, a directory that cannot be made.
    Error e = std::move(store).error();
    e.reason = "--store: " + e.reason;
    return e;
  }
  fleet.store = std::move(*store);
  fmt::print(stderr, "vouch serve: sharing {} through {}\n",
             args.fleet.store_key.empty() ? "OCSP staples"
             : args.stapling.staple == "auto" ? "OCSP staples and ticket keys"
                                              : "ticket keys",
             fleet.store->describe());
  if (!args.fleet.store_key.empty()) {
    VOUCH_ASSIGN(Bytes key, read_wrapping_key(args.fleet.store_key));
    // The key moves into SharedTicketKeys, which wipes it once its AEAD
    // context holds it.
    auto tickets = FleetTicketKeys::start(fleet.store, std::move(key),
                                          std::chrono::seconds(args.fleet.ticket_rotation_seconds), config);
    if (!tickets) {
      Error e = std::move(tickets).error();
      e.reason = "--store-key: " + e.reason;
      return e;
    }
    fleet.tickets = std::move(*tickets);
  }
  return fleet;
}

Status write_port_file(const std::string& path, uint16_t port) {
  // Written to a temporary name and renamed, so a test polling for the file
  // never reads half of it.
  const std::string tmp = path + ".tmp";
  const std::string text = std::to_string(port) + "\n";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(tmp + ": " + std::strerror(errno));
  const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (close(fd) != 0 || !written || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return io_error(path + ": cannot write the port file");
  }
  return {};
}

// --verify and --client-ca (RFC 8446 §4.3.2). A usage error comes back as
// internal_error, a CA file that does not load as bad_certificate.
Status apply_client_auth(const ServeArgs& args, ServerConfig& config) {
  if (args.verify == "none") {
    config.client_auth = ClientAuth::none;
  } else if (args.verify == "optional") {
    config.client_auth = ClientAuth::optional;
  } else if (args.verify == "required") {
    config.client_auth = ClientAuth::required;
  } else {
    return config_error(
                "--verify: expected none, optional or required, got '" + args.verify + "'");
  }
  if (config.client_auth != ClientAuth::none && args.client_ca.empty()) {
    return config_error("--verify " + args.verify + " needs --client-ca");
  }
  if (!args.client_ca.empty()) {
    Result<TrustStore> trust = TrustStore::from_pem_file(args.client_ca);
    if (!trust) {
      Error e = std::move(trust).error();
      e.reason = "--client-ca: " + e.reason;
      return e;
    }
    config.client_trust = std::move(trust).value();
  }
  return {};
}

// Soft limit on open files up to the hard one: every connection is a
// descriptor, and there is no cap on connections.
void raise_open_file_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

// Binds and listens on host:port (a name, an IPv4 or IPv6 literal; port 0:
// any free port), with the largest backlog the system allows.
Status open_acceptor(::asio::ip::tcp::acceptor& acceptor, const std::string& host, uint16_t port) {
  using tcp = ::asio::ip::tcp;
  std::error_code ec;
  tcp::resolver resolver(acceptor.get_executor());
  const auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec) return io_error("cannot resolve '" + host + "': " + ec.message());
  std::string last = "no address";
  for (const auto& r : results) {
    acceptor.close(ec);
    if (acceptor.open(r.endpoint().protocol(), ec)) {
      last = ec.message();
      continue;
    }
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (acceptor.bind(r.endpoint(), ec) || acceptor.listen(::asio::socket_base::max_listen_connections, ec)) {
      last = ec.message();
      continue;
    }
    return {};
  }
  acceptor.close(ec);
  return io_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + last);
}

int run_serve(const ServeArgs& args) {
  Result<HostPort> where = parse_host_port(args.listen, /*allow_port_zero=*/true);
  if (!where) {
    print_error("serve", "--listen: " + where.error().reason);
    return kExitUsage;
  }
  // SIGTERM/SIGINT/SIGHUP are blocked before any thread — the Stapler's —
  // starts (threads inherit the mask), then unblocked for the io_context
  // threads once Asio's signal_set listens for them: its handlers run as
  // ordinary completions, never at a random point.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);   // not a stop: refreshes OCSP staples now
  sigaddset(&stop_signals, SIGUSR1);  // not a stop: prints the metrics
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  auto config = std::make_shared<ServerConfig>();
  if (Status st = apply_tls_flags(args.tls, *config); !st) {
    print_error("serve", st.error().reason);
    return kExitUsage;
  }
  if (Status st = apply_client_auth(args, *config); !st) {
    print_error("serve", st.error().reason);
    return st.error().alert == Alert::bad_certificate ? kExitFailure : kExitUsage;
  }
  Result<Credential> cred = Credential::from_pem_files(args.cert, args.key);
  if (!cred) {
    print_error("serve", cred.error().to_string());
    return kExitFailure;
  }
  config->credentials.push_back(std::move(cred).value());
  if (Status st = apply_debug_flags(args.debug, "vouch serve", /*numbered=*/true, *config); !st) {
    print_error("serve", st.error().reason);
    return kExitFailure;
  }
  config->num_tickets = args.num_tickets;
  config->require_cookie = args.require_cookie;
  Result<Fleet> fleet = setup_fleet(args, *config);
  if (!fleet) {
    print_error("serve", fleet.error().reason);
    return fleet.error().kind == ErrorKind::config ? kExitUsage : kExitFailure;
  }
  // Stapling is set up before listening (auto makes its first fetch now,
  // or reads the fleet's response from the store).
  Result<std::shared_ptr<Stapler>> stapler = setup_stapling(args.stapling, *config, fleet->store);
  if (!stapler) {
    print_error("serve", stapler.error().reason);
    return kExitUsage;
  }
  std::shared_ptr<const ServerConfig> shared_config = std::move(config);

  raise_open_file_limit();
  namespace net = ::asio;
  using tcp = net::ip::tcp;
  const unsigned threads =
      args.threads > 0 ? args.threads : std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  net::io_context io(static_cast<int>(threads));
  // The acceptor, the signals and the shutdown timer share one strand: the
  // signal handler closes the acceptor, which must not race an accept.
  auto control = net::make_strand(io);
  tcp::acceptor acceptor(control);
  if (Status st = open_acceptor(acceptor, where->host, where->port); !st) {
    print_error("serve", st.error().reason);
    return kExitFailure;
  }
  const uint16_t port = acceptor.local_endpoint().port();
  if (!args.port_file.empty()) {
    if (Status st = write_port_file(args.port_file, port); !st) {
      print_error("serve", st.error().reason);
      return kExitFailure;
    }
  }
  fmt::print(stderr, "vouch serve: listening on {}:{}\n", where->host, port);

  // The signals, now delivered to the io_context threads (the Stapler's
  // thread, started above, keeps them blocked).
  net::signal_set signals(control, SIGTERM, SIGINT, SIGHUP);
  signals.add(SIGUSR1);
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  const ServeTimeouts timeouts{
      std::chrono::seconds(args.handshake_timeout_seconds > 0 ? args.handshake_timeout_seconds : args.timeout_seconds),
      std::chrono::seconds(args.timeout_seconds)};
  std::atomic<bool> any_failed{false};
  std::atomic<long> active{0};
  // Set by the first SIGTERM/SIGINT: no new connections; the open ones get
  // kStopGrace to finish (and log their line), then are cut short.
  std::atomic<bool> stopping{false};
  net::steady_timer stop_grace(control);
  bool accepted_any = false;
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](std::error_code ec, int signo) {
      if (ec) return;
      if (signo == SIGHUP) {
        if (*stapler) {
          fmt::print(stderr, "vouch serve: SIGHUP, refreshing OCSP staples\n");
          (*stapler)->refresh_now();
        }
        wait_signal();
        return;
      }
      if (signo == SIGUSR1) {
        fmt::print(stderr, "{}\n", metrics_line(stapler->get(), fleet->tickets.get()));
        wait_signal();
        return;
      }
      if (stopping.exchange(true)) {
        // A second stop signal: do not wait for the open connections.
        fmt::print(stderr, "vouch serve: {} again, stopping now\n", strsignal(signo));
        io.stop();
        return;
      }
      // Closed before saying so: whoever reads the line may rely on it.
      std::error_code ignored;
      acceptor.close(ignored);
      fmt::print(stderr, "vouch serve: {}, shutting down\n", strsignal(signo));
      if (active.load() == 0) {
        io.stop();
        return;
      }
      // Connections in flight finish and log their line first (a peer that
      // got its response must find it in the log); those still open after
      // the grace period are cut short (their peers see a reset or EOF).
      stop_grace.expires_after(kStopGrace);
      stop_grace.async_wait([&](std::error_code timer_ec) {
        if (timer_ec) return;
        fmt::print(stderr, "vouch serve: {} connection(s) still open after {} ms, cut short\n", active.load(),
                   kStopGrace.count());
        io.stop();
      });
      wait_signal();
    });
  };
  wait_signal();
  // Each connection on its own strand: its steps never run concurrently,
  // while different connections use every thread.
  DescriptorReserve descriptors(io);
  std::function<void()> accept_next = [&] {
    // The accepted socket's reactor state comes from a reserved batch
    // (descriptor_reserve.h): RSS returns to idle after a burst.
    descriptors.ensure(static_cast<size_t>(active.load()) + 2);
    acceptor.async_accept(net::make_strand(io), [&](std::error_code ec, tcp::socket socket) {
      if (ec) {
        if (!acceptor.is_open()) return;
        // The peer gave up before we accepted, or a transient resource
        // error (EMFILE ...): the next connection may well succeed.
        if (ec != net::error::connection_aborted && ec != net::error::try_again)
          print_warning("serve", "accept: " + ec.message());
        accept_next();
        return;
      }
      accepted_any = true;
      ++active;
      const bool last = args.once;
      if (last) acceptor.close();
      auto ex = socket.get_executor();
      net::co_spawn(ex, serve_connection_async(std::move(socket), shared_config, timeouts),
                    [&, last](std::exception_ptr e, ServedConnection r) {
                      if (e || !r.ok) any_failed = true;
                      // Idle again: give the heap the connections used back to
                      // the system (glibc keeps freed memory otherwise), so the
                      // resident size returns to its idle level.
                      if (--active == 0) {
                        malloc_trim(0);
                        if (stopping.load()) io.stop();  // the last open connection at shutdown
                      }
                      if (last) {
                        std::error_code ignored;
                        signals.cancel(ignored);  // nothing left to wait for: run() returns
                      }
                    });
      if (!last) accept_next();
    });
  };
  accept_next();
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&] { io.run(); });
  io.run();
  for (std::thread& t : pool) t.join();
  if (*stapler || fleet->tickets) fmt::print(stderr, "{}\n", metrics_line(stapler->get(), fleet->tickets.get()));
  if (args.once) return any_failed || !accepted_any ? kExitFailure : kExitOk;
  return kExitOk;
}

}  // namespace

Command add_serve_command(CLI::App& parent) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = parent.add_subcommand(
      "serve", "Accept TLS connections and answer each with a page describing its handshake");
  cmd->footer(
      "Signals: SIGTERM or SIGINT stops accepting and gives open connections 1.5 s to finish (a second "
      "one stops at once); SIGHUP refreshes the OCSP staples now; SIGUSR1 prints the metrics.");
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->required();
  cmd->add_option("--cert", args->cert, "PEM certificate chain, leaf first")->required();
  cmd->add_option("--key", args->key, "PEM private key of the leaf")->required();
  add_tls_flags(*cmd, args->tls);
  cmd->add_option("--num-tickets", args->num_tickets,
                  "NewSessionTickets sent after each handshake (default 2)");
  cmd->add_flag("--require-cookie", args->require_cookie,
                "answer every first ClientHello with a HelloRetryRequest carrying a cookie");
  cmd->add_flag("--once", args->once,
                "serve one connection, then exit (status 0 only if it succeeded)");
  cmd->add_option("--port-file", args->port_file, "write the bound port to this file");
  cmd->add_option("--timeout", args->timeout_seconds,
                  "seconds a connection may stay silent before it is dropped (default 10)");
  cmd->add_option("--handshake-timeout", args->handshake_timeout_seconds,
                  "seconds from accept to the end of the handshake (default: --timeout)");
  cmd->add_option("--threads", args->threads, "io_context threads (default: the cores, at most 4)");
  cmd->add_option("--client-ca", args->client_ca,
                  "PEM file of the roots client certificates must chain to; their subjects are "
                  "sent as acceptable CA names");
  cmd->add_option("--verify", args->verify,
                  "ask for a client certificate: none (default), optional or required "
                  "(optional/required need --client-ca)");
  cmd->add_option("--staple", args->stapling.staple,
                  "OCSP stapling: off (default), auto (fetch, verify, cache and refresh from the "
                  "certificate's responder), or a DER OCSP response file to staple as is");
  cmd->add_option("--ocsp-cache", args->stapling.cache_dir,
                  "with --staple auto: directory where verified responses are kept across restarts");
  cmd->add_option("--ocsp-url", args->stapling.responder_url,
                  "with --staple auto: responder URL to use instead of the certificates'");
  cmd->add_option("--ocsp-issuer", args->stapling.issuers,
                  "with --staple auto: PEM file of the CA that issued the chain's last certificate "
                  "(usually the root, which is not sent), so that its status is stapled too");
  cmd->add_option("--ocsp-fetch-timeout", args->stapling.fetch_timeout_seconds,
                  "with --staple auto: seconds one fetch from the responder may take (default 10); with "
                  "--store, a server fetching for the fleet holds its lease for 2 × this + 5 s");
  cmd->add_option("--store", args->fleet.store,
                  "share OCSP staples (with --staple auto) and ticket keys (with --store-key) with the "
                  "other servers of a fleet: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or a directory");
  cmd->add_option("--store-key", args->fleet.store_key,
                  "with --store: file holding the fleet's 32-byte ticket-key wrapping key (raw, or 64 hex "
                  "digits: openssl rand -hex 32); the same on every server, kept like a private key");
  cmd->add_option("--ticket-rotation", args->fleet.ticket_rotation_seconds,
                  "with --store-key: seconds between the fleet's ticket-key rotations (default 43200, at "
                  "least 60)");
  add_debug_flags(*cmd, args->debug);
  return Command{cmd, [args] { return run_serve(*args); }};
}

}  // namespace vouch::cli
