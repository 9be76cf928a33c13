// A mutual-TLS echo server on Asio with C++20 coroutines: one io_context
// thread serves every connection (vouch::asio::stream over a TCP socket).
// Each client must present a certificate issued under CLIENT_ROOTS.pem; it
// sends a line and gets back "hello <its certificate subject>: <line>".
//
//   asio_server CHAIN.pem KEY.pem CLIENT_ROOTS.pem PORT_FILE [CONNECTIONS]
//
// Listens on 127.0.0.1 on a free port, written to PORT_FILE once it is
// ready; stops after CONNECTIONS connections (default: on SIGINT/SIGTERM).
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/signal_set.hpp>
#include <asio/streambuf.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "vouch/asio.h"

namespace net = asio;
using tcp = net::ip::tcp;

namespace {

net::awaitable<void> serve(tcp::socket socket, std::shared_ptr<const vouch::ServerConfig> config) {
  vouch::asio::stream<tcp::socket> tls(std::move(socket), std::move(config));
  try {
    co_await tls.async_handshake(net::use_awaitable);
    std::string line;
    co_await net::async_read_until(tls, net::dynamic_buffer(line, 4096), '\n', net::use_awaitable);
    line.resize(line.find('\n'));
    const std::string reply = "hello " + tls.connection().peer_subject() + ": " + line + "\n";
    co_await net::async_write(tls, net::buffer(reply), net::use_awaitable);
    co_await tls.async_shutdown(net::use_awaitable);
  } catch (const std::system_error& e) {
    // The alert and its reason: connection().error() (a "vouch" error code),
    // or the socket's error.
    const vouch::Error* why = tls.connection().error();
    std::fprintf(stderr, "connection: %s\n", why ? why->to_string().c_str() : e.code().message().c_str());
  }
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<const vouch::ServerConfig> config,
                                 long connections) {
  for (long served = 0; connections <= 0 || served < connections; ++served) {
    tcp::socket socket = co_await acceptor.async_accept(net::use_awaitable);
    if (connections > 0 && served + 1 == connections) {
      co_await serve(std::move(socket), config);  // the last one: finish it, then stop
    } else {
      net::co_spawn(acceptor.get_executor(), serve(std::move(socket), config), net::detached);
    }
  }
  acceptor.close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s CHAIN.pem KEY.pem CLIENT_ROOTS.pem PORT_FILE [CONNECTIONS]\n", argv[0]);
    return 2;
  }
  auto credential = vouch::Credential::from_pem_files(argv[1], argv[2]);
  auto client_roots = vouch::TrustStore::from_pem_file(argv[3]);
  if (!credential || !client_roots) {
    std::fprintf(stderr, "%s\n", (!credential ? credential.error() : client_roots.error()).to_string().c_str());
    return 1;
  }
  auto config = std::make_shared<vouch::ServerConfig>();
  config->credentials = {*credential};
  config->client_auth = vouch::ClientAuth::required;
  config->client_trust = *client_roots;
  const long connections = argc > 5 ? std::atol(argv[5]) : 0;

  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  std::ofstream(argv[4]) << acceptor.local_endpoint().port() << "\n";
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code, int) { io.stop(); });
  net::co_spawn(io, accept_loop(acceptor, config, connections), [&](std::exception_ptr) { signals.cancel(); });
  io.run();
  return 0;
}
