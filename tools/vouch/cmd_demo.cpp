// `vouch demo`: the whole library in one command. It makes a throw-away PKI,
// runs a vouch server on 127.0.0.1 in a thread, connects a vouch client to it
// over real TCP, sends one request and prints what happened. The server
// requires a client certificate from client CA B; the client holds one from
// CA A and one from CA B (A first) and picks B's by the CA names the server
// sends (RFC 8446 §4.2.4).
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <array>
#include <fmt/core.h>
#include <memory>
#include <string>
#include <thread>

#include "commands.h"
#include "demo_pki.h"
#include "options.h"
#include "serve_connection.h"
#include "summary.h"
#include "vouch/stream.h"

namespace vouch::cli {
namespace {

constexpr auto kDemoTimeout = std::chrono::seconds(10);

struct DemoArgs {
  TlsFlags tls;
};

int demo_failure(const std::string& what, const Error& e) {
  print_error("demo", what + ": " + e.to_string());
  return kExitFailure;
}

// The server half: accepts exactly one connection and serves it.
ServedConnection serve_one(int listen_fd, std::shared_ptr<const ServerConfig> config) {
  const int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return ServedConnection{false, "accept failed"};
  ServedConnection r = serve_connection(fd, std::move(config), kDemoTimeout);
  close(fd);
  return r;
}

// The client half: handshake, print the summary, one request, print the reply.
int run_client(uint16_t port, std::shared_ptr<const ClientConfig> config) {
  Result<int> fd = tcp_connect("127.0.0.1", port);
  if (!fd) return demo_failure("client", fd.error());
  // The certificate is for "localhost"; this name is sent as SNI and checked.
  Stream stream(*fd, Connection::client(std::move(config), "localhost"), /*own_fd=*/true);
  if (Status st = stream.handshake(); !st) return demo_failure("client handshake failed", st.error());
  fmt::print("--- client: handshake ---\n{}", handshake_summary(stream.connection()));
  // The built-in selector's reasons, one line per credential.
  fmt::print("--- client: certificate selection ---\n{}",
             selection_lines(stream.connection().client_certificate_notes(), ""));

  const std::string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
  const ByteView r(reinterpret_cast<const uint8_t*>(request.data()), request.size());
  if (Status st = stream.write(r); !st) return demo_failure("client write", st.error());

  std::string response;
  std::array<uint8_t, 4096> buf;
  // Ends at the server's close_notify; bounded by the server's page size.
  while (response.size() < 64 * 1024) {
    Result<size_t> n = stream.read(buf);
    if (!n) return demo_failure("client read", n.error());
    if (*n == 0) break;
    response.append(reinterpret_cast<const char*>(buf.data()), *n);
  }
  if (Status st = stream.close(); !st) return demo_failure("client close", st.error());
  fmt::print("--- client: response ---\n{}", response);
  return kExitOk;
}

int run_demo(const DemoArgs& args) {
  Result<DemoPki> pki = DemoPki::create();
  if (!pki) return demo_failure("PKI", pki.error());
  fmt::print("vouch demo: throw-away PKI in {} (removed at exit)\n", pki->dir());

  auto server_config = std::make_shared<ServerConfig>();
  auto client_config = std::make_shared<ClientConfig>();
  if (Status st = apply_tls_flags(args.tls, *server_config); !st) {
    print_error("demo", st.error().reason);
    return kExitUsage;
  }
  (void)apply_tls_flags(args.tls, *client_config);  // same flags, already validated
  client_config->key_share_groups = {client_config->groups.front()};

  Result<Credential> cred = Credential::from_pem_files(pki->chain_path(), pki->key_path());
  if (!cred) return demo_failure("server credential", cred.error());
  server_config->credentials.push_back(std::move(cred).value());
  Result<TrustStore> trust = TrustStore::from_pem_file(pki->root_path());
  if (!trust) return demo_failure("client trust store", trust.error());
  client_config->trust = std::move(trust).value();

  // Mutual TLS (RFC 8446 §4.3.2): only CA B's clients are accepted.
  server_config->client_auth = ClientAuth::required;
  Result<TrustStore> client_trust = TrustStore::from_pem_file(pki->client_ca_path('B'));
  if (!client_trust) return demo_failure("server client trust store", client_trust.error());
  server_config->client_trust = std::move(client_trust).value();
  for (const char ca : {'A', 'B'}) {
    Result<Credential> client_cred =
        Credential::from_pem_files(pki->client_chain_path(ca), pki->client_key_path(ca));
    if (!client_cred) return demo_failure("client credential", client_cred.error());
    client_config->client_credentials.push_back(std::move(client_cred).value());
  }

  Result<int> listener = tcp_listen("127.0.0.1", 0);
  if (!listener) return demo_failure("server", listener.error());
  const int listen_fd = *listener;
  const uint16_t port = local_port(listen_fd);
  fmt::print("vouch demo: server listening on 127.0.0.1:{}\n", port);

  ServedConnection served;
  std::thread server([&] { served = serve_one(listen_fd, server_config); });
  const int client_rc = run_client(port, client_config);
  if (client_rc != kExitOk) {
    // Unblocks the server if the client never connected.
    shutdown(listen_fd, SHUT_RDWR);
  }
  server.join();
  close(listen_fd);
  fmt::print("--- server ---\n{}\n", served.summary);
  if (client_rc != kExitOk) return client_rc;
  if (!served.ok) {
    print_error("demo", "the server side failed");
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Command add_demo_command(CLI::App& parent) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = parent.add_subcommand(
      "demo", "Run a vouch server and client against each other with a throw-away PKI");
  add_tls_flags(*cmd, args->tls);
  return Command{cmd, [args] { return run_demo(*args); }};
}

}  // namespace vouch::cli
