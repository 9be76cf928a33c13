// `vouch connect`: a TLS client in the spirit of `openssl s_client`. After the
// handshake it prints a summary to stderr, then copies stdin to the
// connection and the connection to stdout until both sides are done.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cerrno>
#include <cstring>
#include <fmt/core.h>
#include <memory>
#include <string>

#include "commands.h"
#include "options.h"
#include "session_file.h"
#include "summary.h"
#include "vouch/stream.h"

namespace vouch::cli {
namespace {

struct ConnectArgs {
  std::string target;
  std::string ca;
  std::string servername;
  TlsFlags tls;
  std::string key_share_groups;
  std::string sess_out;
  std::string sess_in;
  bool no_verify = false;
  std::string request;
};

int usage_error(const std::string& msg) {
  fmt::print(stderr, "vouch connect: {}\n", msg);
  return kExitUsage;
}

int failure(const std::string& what, const Error& e) {
  fmt::print(stderr, "vouch: {}: {}\n", what, e.to_string());
  return kExitFailure;
}

// Writes all of data to a (blocking) file descriptor; false if it is gone.
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// Sends everything the Connection has queued (records, alerts, KeyUpdate
// answers).
Status send_pending(int fd, Connection& conn) {
  while (!conn.pending_output().empty()) {
    const ByteView out = conn.pending_output();
    const ssize_t n = send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Alert::internal_error, std::string("send: ") + std::strerror(errno));
    conn.consume_output(static_cast<size_t>(n));
  }
  return {};
}

Result<std::shared_ptr<ClientConfig>> build_config(const ConnectArgs& args) {
  auto config = std::make_shared<ClientConfig>();
  VOUCH_TRY(apply_tls_flags(args.tls, *config));
  if (!args.key_share_groups.empty()) {
    VOUCH_ASSIGN(config->key_share_groups, parse_groups(args.key_share_groups));
  } else if (!args.tls.groups.empty()) {
    // Without an explicit choice, send a key share for the most preferred
    // group so that restricting --groups does not force a HelloRetryRequest.
    config->key_share_groups = {config->groups.front()};
  }
  config->verify_peer = !args.no_verify;
  return config;
}

// The data phase. Drives the Connection directly rather than through
// Stream::read(), because a read that only brings post-handshake messages (a
// NewSessionTicket) must not block the copy from stdin.
class Pump {
 public:
  Pump(Stream& stream, const std::string& sess_out) : stream_(stream), sess_out_(sess_out) {}

  int run() {
    Connection& conn = stream_.connection();
    const int sock = stream_.fd();
    // What arrived together with the end of the handshake is already inside
    // the Connection; poll() would not report it again.
    if (!drain_application_data(conn)) {
      return failure("write to stdout", fail(Alert::internal_error, std::strerror(errno)));
    }
    save_sessions(conn);
    if (conn.peer_closed()) {
      if (int rc = send_close(); rc >= 0) return rc;
      return finish();
    }
    // Bounded by the peer: every iteration consumes input from stdin or the
    // socket, and ends at EOF/close on both.
    while (true) {
      pollfd fds[2] = {{sock, POLLIN, 0}, {stdin_open_ ? STDIN_FILENO : -1, POLLIN, 0}};
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return failure("poll", fail(Alert::internal_error, std::strerror(errno)));
      }
      // POLLNVAL: stdin was closed before we started; treat it as EOF.
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
        if (int rc = from_stdin(); rc >= 0) return rc;
      }
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (int rc = from_socket(conn, sock); rc >= 0) return rc;
      }
    }
  }

 private:
  // Returns an exit code to stop with, or -1 to continue.
  int from_stdin() {
    std::array<char, 16384> buf;
    const ssize_t n = read(STDIN_FILENO, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) return -1;
    if (n > 0) {
      const ByteView data(reinterpret_cast<const uint8_t*>(buf.data()), static_cast<size_t>(n));
      if (Status st = stream_.write(data); !st) return failure("write", st.error());
      return -1;
    }
    // EOF (or an unreadable stdin): we have nothing more to say.
    stdin_open_ = false;
    return send_close();
  }

  int send_close() {
    if (closed_) return -1;
    closed_ = true;
    if (Status st = stream_.close(); !st) return failure("close", st.error());
    return -1;
  }

  int from_socket(Connection& conn, int sock) {
    std::array<uint8_t, 16 * 1024 + 512> buf;
    const ssize_t n = recv(sock, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) return -1;
    if (n < 0) {
      return failure("recv", fail(Alert::internal_error, std::strerror(errno)));
    }
    if (n == 0) {
      // After our close_notify, the peer may simply close the socket; before
      // it, an EOF without close_notify could be a truncation (RFC 8446 §6.1).
      if (closed_) return finish();
      return failure("read", fail(Alert::close_notify, "connection closed without close_notify"));
    }
    const Status st = conn.receive(ByteView(buf.data(), static_cast<size_t>(n)));
    // Whatever arrived before a failure is still delivered.
    if (!drain_application_data(conn)) {
      return failure("write to stdout", fail(Alert::internal_error, std::strerror(errno)));
    }
    save_sessions(conn);
    const Status sent = send_pending(sock, conn);  // our alert, or a KeyUpdate answer
    if (!st) return failure("read", st.error());
    if (!sent) return failure("write", sent.error());
    if (conn.peer_closed()) {
      // RFC 8446 §6.1: answer close_notify with close_notify.
      if (int rc = send_close(); rc >= 0) return rc;
      return finish();
    }
    return -1;
  }

  bool drain_application_data(Connection& conn) {
    std::array<uint8_t, 16384> buf;
    // Bounded: each round removes bytes from the Connection's buffer.
    while (conn.pending_application_data() > 0) {
      const size_t got = conn.read(buf);
      if (got == 0) break;
      if (stdout_ok_ && !write_all(STDOUT_FILENO, reinterpret_cast<const char*>(buf.data()), got)) {
        stdout_ok_ = false;
        return false;
      }
    }
    return true;
  }

  void save_sessions(Connection& conn) {
    for (auto& s : conn.take_sessions()) {
      if (sess_out_.empty() || session_saved_) continue;
      // The first ticket is kept; RFC 8446 §C.4 wants each used only once.
      if (Status st = write_session_file(sess_out_, *s); !st) {
        fmt::print(stderr, "vouch: --sess-out: {}\n", st.error().reason);
      } else {
        session_saved_ = true;
      }
    }
  }

  int finish() {
    if (!sess_out_.empty() && !session_saved_) {
      fmt::print(stderr, "vouch: --sess-out: the server sent no session ticket\n");
    }
    return kExitOk;
  }

  Stream& stream_;
  const std::string& sess_out_;
  bool stdin_open_ = true;
  bool closed_ = false;
  bool stdout_ok_ = true;
  bool session_saved_ = false;
};

int run_connect(const ConnectArgs& args) {
  Result<HostPort> target = parse_host_port(args.target, /*allow_port_zero=*/false);
  if (!target) return usage_error(target.error().reason);
  if (args.ca.empty() && !args.no_verify) return usage_error("--ca is required (or --no-verify)");
  Result<std::shared_ptr<ClientConfig>> config = build_config(args);
  if (!config) return usage_error(config.error().reason);
  if (!args.ca.empty()) {
    Result<TrustStore> trust = TrustStore::from_pem_file(args.ca);
    if (!trust) return failure("--ca", trust.error());
    (*config)->trust = std::move(trust).value();
  }
  std::string request;
  if (!args.request.empty()) {
    Result<std::string> r = unescape(args.request);
    if (!r) return usage_error("--request: " + r.error().reason);
    request = std::move(r).value();
  }
  std::shared_ptr<const Session> session;
  if (!args.sess_in.empty()) {
    Result<std::shared_ptr<const Session>> s = read_session_file(args.sess_in);
    if (!s) return failure("--sess-in", s.error());
    session = std::move(s).value();
  }
  // The name to verify (and to send as SNI unless it is an IP literal, which
  // RFC 6066 §3 forbids in SNI; the Connection then checks the IP SAN).
  const std::string server_name = args.servername.empty() ? target->host : args.servername;

  Result<int> fd = tcp_connect(target->host, target->port);
  if (!fd) return failure("connect", fd.error());
  Stream stream(*fd, Connection::client(std::move(config).value(), server_name, session),
                /*own_fd=*/true);
  if (Status st = stream.handshake(); !st) return failure("handshake failed", st.error());
  fmt::print(stderr, "{}", handshake_summary(stream.connection()));
  std::fflush(stderr);

  if (!request.empty()) {
    const ByteView r(reinterpret_cast<const uint8_t*>(request.data()), request.size());
    if (Status st = stream.write(r); !st) return failure("write", st.error());
  }
  return Pump(stream, args.sess_out).run();
}

}  // namespace

Command add_connect_command(CLI::App& parent) {
  auto args = std::make_shared<ConnectArgs>();
  CLI::App* cmd = parent.add_subcommand(
      "connect", "Connect to a TLS server; copy stdin to it and its answers to stdout");
  cmd->add_option("target", args->target, "HOST:PORT ([ADDRESS]:PORT for IPv6)")->required();
  cmd->add_option("--ca", args->ca, "PEM file of trusted root certificates");
  cmd->add_option("--servername", args->servername,
                  "name to send as SNI and to verify (default: HOST)");
  add_tls_flags(*cmd, args->tls);
  cmd->add_option("--key-share-groups", args->key_share_groups,
                  "groups with a key share in the first ClientHello, separated by ':'");
  cmd->add_option("--sess-out", args->sess_out, "save the first session ticket to this file");
  cmd->add_option("--sess-in", args->sess_in, "resume the session saved in this file");
  cmd->add_flag("--no-verify", args->no_verify, "do not verify the server (testing only!)");
  cmd->add_option("--request", args->request,
                  "bytes to send right after the handshake (\\r \\n \\t \\\\ are unescaped)");
  return Command{cmd, [args] { return run_connect(*args); }};
}

}  // namespace vouch::cli
