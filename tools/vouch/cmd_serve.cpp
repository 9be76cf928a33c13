// `vouch serve`: a small HTTPS test server. Each connection gets its own
// thread (at most kMaxConnections at once); each answers a plain-text page
// describing its handshake. SIGTERM/SIGINT stop it cleanly; SIGHUP makes the
// Stapler (--staple auto) refresh every staple now.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/core.h>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "options.h"
#include "serve_connection.h"
#include "serve_stapling.h"
#include "vouch/stream.h"

namespace vouch::cli {
namespace {

constexpr size_t kMaxConnections = 64;

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
  std::string client_ca;
  std::string verify = "none";
  StaplingArgs stapling;
  DebugFlags debug;  // --keylog, --trace
};

// The connections being served, one thread each. Threads are joined, never
// detached: a thread still running at exit would race libcrypto's cleanup of
// its per-thread state.
class Workers {
 public:
  Workers() {
    if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) wake_[0] = wake_[1] = -1;
  }
  ~Workers() {
    shutdown_all();
    join_all();
    for (int fd : wake_)
      if (fd >= 0) close(fd);
  }
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  bool ok() const { return wake_[0] >= 0; }
  /// Readable whenever a worker has finished; then call reap().
  int wake_fd() const { return wake_[0]; }

  /// Connections started and not yet reaped.
  size_t active() const {
    std::lock_guard lock(mu_);
    return running_.size();
  }
  bool any_failed() const { return any_failed_; }

  /// Serves fd on a new thread, which closes it when done.
  void start(int fd, std::shared_ptr<const ServerConfig> config, std::chrono::seconds timeout) {
    // The entry exists before the thread can look for it: the thread takes
    // the same lock first.
    std::lock_guard lock(mu_);
    const uint64_t id = next_id_++;
    Worker& w = running_[id];
    w.fd = fd;
    w.thread = std::thread([this, id, fd, config = std::move(config), timeout]() mutable {
      const std::string peer = peer_address(fd);
      const ServedConnection r = serve_connection(fd, std::move(config), timeout);
      fmt::print(stderr, "vouch serve: {}: {}\n", peer, r.summary);
      if (!r.ok) any_failed_ = true;
      {
        // Closed under the lock so that shutdown_all() never touches a
        // descriptor number that was already reused.
        std::lock_guard done_lock(mu_);
        close(fd);
        running_[id].fd = -1;
        finished_.push_back(id);
      }
      const char byte = 1;
      (void)!write(wake_[1], &byte, 1);
    });
  }

  /// Joins the threads that have reported completion.
  void reap() {
    char buf[64];
    while (read(wake_[0], buf, sizeof buf) > 0) {
    }
    std::vector<std::thread> done;
    {
      std::lock_guard lock(mu_);
      for (uint64_t id : finished_) {
        done.push_back(std::move(running_[id].thread));
        running_.erase(id);
      }
      finished_.clear();
    }
    // Each has only its last statement left to run.
    for (std::thread& t : done) t.join();
  }

  /// Makes every blocked read/write of the workers return now.
  void shutdown_all() {
    std::lock_guard lock(mu_);
    for (auto& [id, w] : running_)
      if (w.fd >= 0) shutdown(w.fd, SHUT_RDWR);
  }

  /// Waits for every worker. After shutdown_all() their sockets fail at
  /// once, so this is quick.
  void join_all() {
    std::vector<std::thread> all;
    {
      std::lock_guard lock(mu_);
      for (auto& [id, w] : running_) all.push_back(std::move(w.thread));
    }
    for (std::thread& t : all)
      if (t.joinable()) t.join();
    std::lock_guard lock(mu_);
    running_.clear();
    finished_.clear();
  }

 private:
  struct Worker {
    std::thread thread;
    int fd = -1;
  };
  mutable std::mutex mu_;
  std::map<uint64_t, Worker> running_;
  std::vector<uint64_t> finished_;
  uint64_t next_id_ = 0;
  std::atomic<bool> any_failed_{false};
  int wake_[2] = {-1, -1};
};

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

int run_serve(const ServeArgs& args) {
  Result<HostPort> where = parse_host_port(args.listen, /*allow_port_zero=*/true);
  if (!where) {
    print_error("serve", "--listen: " + where.error().reason);
    return kExitUsage;
  }
  // SIGTERM/SIGINT/SIGHUP are blocked in every thread (threads inherit the
  // mask, so this comes before any thread — the Stapler's — starts) and
  // read from a signalfd by the accept loop, so no handler runs at a random
  // point and shutdown is an ordinary event.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);  // not a stop: refreshes OCSP staples now
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
  // Stapling is set up before listening (auto makes its first fetch now).
  Result<std::shared_ptr<Stapler>> stapler = setup_stapling(args.stapling, *config);
  if (!stapler) {
    print_error("serve", stapler.error().reason);
    return kExitUsage;
  }
  std::shared_ptr<const ServerConfig> shared_config = std::move(config);

  const int sig_fd = signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK);
  Workers workers;
  if (sig_fd < 0 || !workers.ok()) {
    print_error("serve", std::string("cannot set up signal handling: ") + std::strerror(errno));
    return kExitFailure;
  }

  Result<int> listener = tcp_listen(where->host, where->port);
  if (!listener) {
    print_error("serve", listener.error().reason);
    close(sig_fd);
    return kExitFailure;
  }
  int listen_fd = *listener;
  const uint16_t port = local_port(listen_fd);
  if (!args.port_file.empty()) {
    if (Status st = write_port_file(args.port_file, port); !st) {
      print_error("serve", st.error().reason);
      close(listen_fd);
      close(sig_fd);
      return kExitFailure;
    }
  }
  fmt::print(stderr, "vouch serve: listening on {}:{}\n", where->host, port);

  const auto timeout = std::chrono::seconds(args.timeout_seconds);
  bool accepted_any = false;
  auto stop_listening = [&] {
    if (listen_fd >= 0) close(listen_fd);
    listen_fd = -1;
  };

  // Each iteration handles at least one event (signal, finished worker or
  // new connection); the loop ends on a signal or, with --once, when the one
  // connection is done.
  while (true) {
    const size_t active = workers.active();
    if (args.once && accepted_any && active == 0) break;
    const bool can_accept = listen_fd >= 0 && active < kMaxConnections;
    pollfd fds[3] = {{sig_fd, POLLIN, 0}, {workers.wake_fd(), POLLIN, 0}, {listen_fd, POLLIN, 0}};
    if (poll(fds, can_accept ? 3 : 2, -1) < 0) {
      if (errno == EINTR) continue;
      print_error("serve", std::string("poll: ") + std::strerror(errno));
      break;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      (void)!read(sig_fd, &info, sizeof info);
      if (info.ssi_signo == SIGHUP) {
        if (*stapler) {
          fmt::print(stderr, "vouch serve: SIGHUP, refreshing OCSP staples\n");
          (*stapler)->refresh_now();
        }
        continue;
      }
      fmt::print(stderr, "vouch serve: {}, shutting down\n",
                 strsignal(static_cast<int>(info.ssi_signo)));
      break;
    }
    if (fds[1].revents & POLLIN) workers.reap();
    if (can_accept && (fds[2].revents & POLLIN)) {
      const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        // The peer gave up before we accepted, or a transient resource error;
        // the next connection may well succeed.
        if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) {
          print_warning("serve", std::string("accept: ") + std::strerror(errno));
        }
        continue;
      }
      accepted_any = true;
      workers.start(fd, shared_config, timeout);
      if (args.once) stop_listening();
    }
  }
  stop_listening();
  // Open connections are cut short (their peers see a reset or EOF).
  workers.shutdown_all();
  workers.join_all();
  close(sig_fd);
  if (args.once) return workers.any_failed() || !accepted_any ? kExitFailure : kExitOk;
  return kExitOk;
}

}  // namespace

Command add_serve_command(CLI::App& parent) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = parent.add_subcommand(
      "serve", "Accept TLS connections and answer each with a page describing its handshake");
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
  add_debug_flags(*cmd, args->debug);
  return Command{cmd, [args] { return run_serve(*args); }};
}

}  // namespace vouch::cli
