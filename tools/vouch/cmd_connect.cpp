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
#include <optional>
#include <string>
#include <vector>

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
  std::vector<std::string> certs;  // --cert, in order; --key i belongs to --cert i
  std::vector<std::string> keys;
  bool pha = false;
  std::string ocsp = "soft";       // --ocsp ignore|report|soft|require
  std::vector<std::string> crls;   // --crl FILE (repeatable)
  std::string crl_dir;             // --crl-dir DIR
  std::string renegotiation = "never";  // --renegotiation never|once (TLS 1.2)
  DebugFlags debug;                     // --keylog, --trace
};

int usage_error(const std::string& msg) {
  print_error("connect", msg);
  return kExitUsage;
}

int failure(const std::string& what, const Error& e) {
  print_error("connect", what + ": " + e.to_string());
  return kExitFailure;
}

// A send that failed because the peer closed the connection usually follows
// a fatal alert the peer sent first (in TLS 1.3 a server refuses a client
// certificate after the client's handshake is complete, RFC 8446 §4.4.2.4).
// Whatever already arrived is read without blocking and decoded; the peer's
// alert, if there is one, is the error worth reporting instead of EPIPE.
Error peer_reason(Stream& stream, const Error& send_error) {
  Connection& conn = stream.connection();
  std::array<uint8_t, 16 * 1024 + 512> buf;
  // Bounded: at most a few records, each recv is non-blocking.
  for (int i = 0; i < 8 && !conn.failed(); ++i) {
    const ssize_t n = recv(stream.fd(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n <= 0) break;
    (void)conn.receive(ByteView(buf.data(), static_cast<size_t>(n)));
  }
  if (conn.failed() && conn.error() != nullptr) return *conn.error();
  return send_error;
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
    if (n < 0) return io_error(std::string("send: ") + std::strerror(errno));
    conn.consume_output(static_cast<size_t>(n));
  }
  return {};
}

// What the server asked for and what we answered, per CertificateRequest.
// The selector below records it because Connection::client_certificate_notes()
// cannot say whether a request came at all (with no --cert it stays empty) nor
// whether it came after the handshake (--pha).
struct SelectionLog {
  size_t requests = 0;  // CertificateRequests seen so far
  bool post_handshake = false;
  size_t acceptable_cas = 0;
  std::vector<SelectionNote> notes;
};

// "client-cert: ..." lines for the last CertificateRequest. Without --cert
// and without a request there is nothing to say (the output stays as before).
std::string describe_selection(const SelectionLog& log, bool have_credentials) {
  if (log.requests == 0) return have_credentials ? "client-cert: none requested\n" : "";
  const std::string prefix = log.post_handshake ? "post-handshake " : "";
  if (!have_credentials) {
    return prefix + "client-cert: requested (" + std::to_string(log.acceptable_cas) +
           " acceptable CA names), but no --cert was given; sending no certificate\n";
  }
  return selection_lines(log.notes, prefix);
}

Result<std::shared_ptr<ClientConfig>> build_config(const ConnectArgs& args,
                                                   std::vector<Credential> credentials,
                                                   std::shared_ptr<SelectionLog> log) {
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
  // Mutual TLS: the first credential, in the order given, that meets the
  // server's CertificateRequest (RFC 8446 §4.3.2) is sent.
  config->client_credentials = std::move(credentials);
  // The built-in rule (select_client_credential), run here so that every
  // request is recorded, including post-handshake ones answered inside
  // Connection::receive() (RFC 8446 §4.6.2).
  config->client_certificate_selector =
      [creds = config->client_credentials, log = std::move(log)](
          const CertificateRequestInfo& request,
          std::shared_ptr<PendingClientCertificate>) -> ClientCertificateChoice {
    ++log->requests;
    log->post_handshake = request.post_handshake;
    log->acceptable_cas = request.certificate_authorities.size();
    log->notes.clear();
    const std::optional<size_t> idx = select_client_credential(creds, request, &log->notes);
    if (!idx) return ClientCertificateChoice::no_certificate();
    return ClientCertificateChoice::use(creds[*idx]);
  };
  // RFC 8446 §4.2.6: offer to answer a CertificateRequest after the handshake.
  config->post_handshake_auth = args.pha;
  // TLS 1.2: a server's HelloRequest (RFC 5246 §7.4.1.1), answered by a
  // secure renegotiation (RFC 5746) or refused with a warning.
  VOUCH_ASSIGN(config->renegotiation, parse_renegotiation(args.renegotiation));
  // OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1) and CRLs (RFC 5280 §6.3).
  const std::optional<OcspPolicy> policy = parse_ocsp_policy(args.ocsp);
  if (!policy)
    return config_error("--ocsp: expected ignore, report, soft or require, not '" + args.ocsp + "'");
  config->ocsp_policy = *policy;
  if (!args.crls.empty() || !args.crl_dir.empty()) {
    CrlOptions crl;
    crl.files = args.crls;
    if (!args.crl_dir.empty()) crl.directories = {args.crl_dir};
    auto provider = crl_provider(crl);
    if (!provider) return provider.error();
    config->revocation_providers.push_back(std::move(*provider));
  }
  return config;
}

// The data phase. Drives the Connection directly rather than through
// Stream::read(), because a read that only brings post-handshake messages (a
// NewSessionTicket) must not block the copy from stdin.
class Pump {
 public:
  Pump(Stream& stream, const std::string& sess_out, const SelectionLog& log, bool have_credentials)
      : stream_(stream), sess_out_(sess_out), log_(log), have_credentials_(have_credentials) {}

  int run() {
    Connection& conn = stream_.connection();
    const int sock = stream_.fd();
    // What arrived together with the end of the handshake is already inside
    // the Connection; poll() would not report it again.
    if (!drain_application_data(conn)) {
      return failure("write to stdout", io_error(std::strerror(errno)));
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
        return failure("poll", io_error(std::strerror(errno)));
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
      if (Status st = stream_.write(data); !st) {
        return failure("write", peer_reason(stream_, st.error()));
      }
      return -1;
    }
    // EOF (or an unreadable stdin): we have nothing more to say.
    stdin_open_ = false;
    return send_close();
  }

  int send_close() {
    if (closed_) return -1;
    closed_ = true;
    if (Status st = stream_.close(); !st) return failure("close", peer_reason(stream_, st.error()));
    return -1;
  }

  int from_socket(Connection& conn, int sock) {
    std::array<uint8_t, 16 * 1024 + 512> buf;
    const ssize_t n = recv(sock, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) return -1;
    if (n < 0) {
      return failure("recv", io_error(std::strerror(errno)));
    }
    if (n == 0) {
      // After our close_notify, the peer may simply close the socket; before
      // it, an EOF without close_notify could be a truncation (RFC 8446 §6.1).
      if (closed_) return finish();
      return failure("read", fail(Alert::close_notify, "connection closed without close_notify"));
    }
    const size_t requests_before = log_.requests;
    const Status st = conn.receive(ByteView(buf.data(), static_cast<size_t>(n)));
    if (log_.requests != requests_before) {
      // A post-handshake CertificateRequest was answered inside receive().
      fmt::print(stderr, "{}", describe_selection(log_, have_credentials_));
      std::fflush(stderr);
    }
    // Whatever arrived before a failure is still delivered.
    if (!drain_application_data(conn)) {
      return failure("write to stdout", io_error(std::strerror(errno)));
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
        print_warning("connect", "--sess-out: " + st.error().reason);
      } else {
        session_saved_ = true;
      }
    }
  }

  int finish() {
    if (!sess_out_.empty() && !session_saved_) {
      print_warning("connect", "--sess-out: the server sent no resumable session");
    }
    return kExitOk;
  }

  Stream& stream_;
  const std::string& sess_out_;
  const SelectionLog& log_;
  const bool have_credentials_;
  bool stdin_open_ = true;
  bool closed_ = false;
  bool stdout_ok_ = true;
  bool session_saved_ = false;
};

int run_connect(const ConnectArgs& args) {
  Result<HostPort> target = parse_host_port(args.target, /*allow_port_zero=*/false);
  if (!target) return usage_error(target.error().reason);
  if (args.ca.empty() && !args.no_verify) return usage_error("--ca is required (or --no-verify)");
  if (args.certs.size() != args.keys.size()) {
    return usage_error("give one --key per --cert (" + std::to_string(args.certs.size()) +
                       " --cert, " + std::to_string(args.keys.size()) + " --key)");
  }
  auto log = std::make_shared<SelectionLog>();
  const bool have_credentials = !args.certs.empty();
  std::vector<Credential> credentials;
  for (size_t i = 0; i < args.certs.size(); ++i) {
    Result<Credential> cred = Credential::from_pem_files(args.certs[i], args.keys[i]);
    if (!cred) return failure("--cert " + args.certs[i], cred.error());
    credentials.push_back(std::move(cred).value());
  }
  Result<std::shared_ptr<ClientConfig>> config = build_config(args, std::move(credentials), log);
  if (!config) return usage_error(config.error().reason);
  if (Status st = apply_debug_flags(args.debug, "vouch connect", /*numbered=*/false, **config); !st) {
    return failure("--keylog", st.error());
  }
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
  if (Status st = stream.handshake(); !st) {
    // Which certificate went out (if one was asked for) explains many failures.
    if (log->requests > 0) fmt::print(stderr, "{}", describe_selection(*log, have_credentials));
    return failure("handshake failed", st.error());
  }
  fmt::print(stderr, "{}", handshake_summary(stream.connection()));
  fmt::print(stderr, "{}", describe_selection(*log, have_credentials));
  std::fflush(stderr);

  if (!request.empty()) {
    const ByteView r(reinterpret_cast<const uint8_t*>(request.data()), request.size());
    if (Status st = stream.write(r); !st) return failure("write", peer_reason(stream, st.error()));
  }
  return Pump(stream, args.sess_out, *log, have_credentials).run();
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
  cmd->add_option("--sess-out", args->sess_out,
                  "save the first session the server offers (a TLS 1.3 ticket, a TLS 1.2 session) to "
                  "this file, with the server's verified chain and OCSP status");
  cmd->add_option("--sess-in", args->sess_in,
                  "resume the session saved in this file (by --sess-out of this version of vouch)");
  cmd->add_flag("--no-verify", args->no_verify, "do not verify the server (testing only!)");
  cmd->add_option("--request", args->request,
                  "bytes to send right after the handshake (\\r \\n \\t \\\\ are unescaped)");
  // One value per occurrence, so that the options can repeat and pair up.
  cmd->add_option("--cert", args->certs,
                  "client certificate chain (PEM, leaf first); repeat for several credentials, "
                  "the first that meets the server's request is sent")
      ->allow_extra_args(false);
  cmd->add_option("--key", args->keys, "private key (PEM) of the --cert in the same position")
      ->allow_extra_args(false);
  cmd->add_flag("--pha", args->pha,
                "offer post-handshake client authentication (RFC 8446 §4.6.2)");
  cmd->add_option("--ocsp", args->ocsp,
                  "what to do with the server's OCSP staples (the leaf's, and its intermediates': "
                  "TLS 1.3, or TLS 1.2 with status_request_v2): ignore (do not ask), report (ask, "
                  "verify and print, never reject), soft (default: reject bad or revoked staples, "
                  "accept none), require (a good staple for the leaf is needed)");
  cmd->add_option("--crl", args->crls, "also check the server's leaf against the CRLs in this PEM/DER file "
                                       "(repeatable; a leaf without a CRL from its issuer fails)")
      ->allow_extra_args(false);
  cmd->add_option("--crl-dir", args->crl_dir, "... and against the CRLs of this hashed directory (openssl rehash)");
  cmd->add_option("--renegotiation", args->renegotiation,
                  "TLS 1.2: when the server asks to renegotiate (HelloRequest): never (default: refuse with "
                  "a warning, the connection goes on) or once (one secure renegotiation, RFC 5746)");
  add_debug_flags(*cmd, args->debug);
  return Command{cmd, [args] { return run_connect(*args); }};
}

}  // namespace vouch::cli
