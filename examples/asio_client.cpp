// A mutual-TLS client on Asio with C++20 coroutines: verifies the server,
// answers its CertificateRequest with the credential given, sends a line
// and prints the reply (vouch::asio::stream over a TCP socket).
//
//   asio_client HOST PORT ROOTS.pem [CHAIN.pem KEY.pem] [LINE]
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "vouch/asio.h"

namespace net = asio;
using tcp = net::ip::tcp;

namespace {

net::awaitable<int> run(std::string host, std::string port, std::shared_ptr<const vouch::ClientConfig> config,
                        std::string line) {
  auto executor = co_await net::this_coro::executor;
  vouch::asio::stream<tcp::socket> tls(executor, std::move(config), host);
  try {
    tcp::resolver resolver(executor);
    co_await net::async_connect(tls.next_layer(), co_await resolver.async_resolve(host, port, net::use_awaitable),
                                net::use_awaitable);
    co_await tls.async_handshake(net::use_awaitable);
    std::fprintf(stderr, "connected: %s, %s, server %s\n", vouch::to_string(tls.connection().info().version).c_str(),
                 vouch::to_string(tls.connection().info().cipher_suite).c_str(),
                 tls.connection().peer_subject().c_str());
    line += "\n";
    co_await net::async_write(tls, net::buffer(line), net::use_awaitable);
    std::string reply;
    co_await net::async_read_until(tls, net::dynamic_buffer(reply, 4096), '\n', net::use_awaitable);
    std::fwrite(reply.data(), 1, reply.size(), stdout);
    co_await tls.async_shutdown(net::use_awaitable);
    co_return 0;
  } catch (const std::system_error& e) {
    // A TLS failure carries its alert in the error code ("vouch" category);
    // the connection has the reason.
    const vouch::Error* why = tls.connection().error();
    std::fprintf(stderr, "failed: %s\n", why ? why->to_string().c_str() : e.code().message().c_str());
    co_return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s HOST PORT ROOTS.pem [CHAIN.pem KEY.pem] [LINE]\n", argv[0]);
    return 2;
  }
  auto config = std::make_shared<vouch::ClientConfig>();
  auto trust = vouch::TrustStore::from_pem_file(argv[3]);
  if (!trust) {
    std::fprintf(stderr, "%s\n", trust.error().to_string().c_str());
    return 1;
  }
  config->trust = *trust;
  int next = 4;
  if (argc >= 6) {
    auto credential = vouch::Credential::from_pem_files(argv[4], argv[5]);
    if (!credential) {
      std::fprintf(stderr, "%s\n", credential.error().to_string().c_str());
      return 1;
    }
    config->client_credentials = {*credential};
    next = 6;
  }
  const std::string line = argc > next ? argv[next] : "ping";

  net::io_context io;
  int status = 1;
  net::co_spawn(io, run(argv[1], argv[2], config, line), [&](std::exception_ptr e, int s) {
    if (!e) status = s;
  });
  io.run();
  return status;
}
