#include "serve_async.h"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <array>
#include <fmt/core.h>
#include <string>

#include "summary.h"
#include "vouch/asio.h"

namespace vouch::cli {
namespace {

namespace net = ::asio;
using tcp = net::ip::tcp;
using namespace net::experimental::awaitable_operators;
using TlsStream = vouch::asio::stream<tcp::socket>;

// The same rule as the blocking server: a whole request head, or a first
// line that is not HTTP.
bool head_complete(const std::string& head) {
  if (head.find("\r\n\r\n") != std::string::npos || head.find("\n\n") != std::string::npos) return true;
  const size_t nl = head.find('\n');
  if (nl == std::string::npos) return false;
  return head.substr(0, nl).find(" HTTP/1.") == std::string::npos;
}

std::string peer_of(const tcp::socket& s) {
  std::error_code ec;
  const tcp::endpoint ep = s.remote_endpoint(ec);
  if (ec) return "?";
  if (ep.address().is_v6()) return fmt::format("[{}]:{}", ep.address().to_string(), ep.port());
  return fmt::format("{}:{}", ep.address().to_string(), ep.port());
}

// The connection's deadline: re-armed by the session before each step; when
// it passes, the socket is closed and a wait for the application ended, so
// the step in progress fails at once.
net::awaitable<void> watchdog(net::steady_timer& deadline, TlsStream& tls, bool& timed_out) {
  // Bounded: each turn waits until the deadline, which only moves forward
  // while the session makes progress.
  while (deadline.expiry() > net::steady_timer::clock_type::now()) {
    std::error_code ec;
    co_await deadline.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  timed_out = true;
  std::error_code ignored;
  tls.lowest_layer().close(ignored);
  tls.cancel();
}

Error error_of(const TlsStream& tls, const std::error_code& ec, bool timed_out, std::chrono::seconds limit,
               const char* step) {
  if (timed_out) return fail(Alert::internal_error, fmt::format("{} timed out after {}s", step, limit.count()));
  if (const Error* e = tls.connection().error()) return *e;
  return fail(Alert::internal_error, ec.message());
}

// After our fatal alert (or a transport error): FIN after the alert, then
// read and drop what the client still sends until it closes, bounded.
net::awaitable<void> linger(TlsStream& tls, net::steady_timer& deadline) {
  std::error_code ec;
  tls.lowest_layer().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  deadline.expires_after(std::chrono::seconds(1));
  std::array<uint8_t, 4096> buf;
  size_t total = 0;
  while (total < 64 * 1024) {
    const size_t n = co_await tls.next_layer().async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, ec));
    if (ec) break;
    total += n;
  }
}

// `on_timeout` always holds what to report if the deadline passes now.
net::awaitable<ServedConnection> session(TlsStream& tls, net::steady_timer& deadline, bool& timed_out,
                                         ServedConnection& on_timeout, ServeTimeouts limits) {
  std::error_code ec;
  deadline.expires_after(limits.handshake);
  on_timeout = {false, fmt::format("handshake failed: timed out after {}s", limits.handshake.count())};
  co_await tls.async_handshake(net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    const Error e = error_of(tls, ec, timed_out, limits.handshake, "the handshake");
    on_timeout = {false, "handshake failed: " + e.to_string()};
    if (!timed_out) co_await linger(tls, deadline);
    co_return on_timeout;
  }
  const std::string summary = server_log_line(tls.connection());
  on_timeout = {false, fmt::format("{}: reading the request: silent for {}s", summary, limits.idle.count())};

  std::string head;
  bool peer_closed = false;
  std::array<char, 4096> buf;
  // Bounded by kMaxRequestHead; each read by the idle deadline.
  while (!head_complete(head) && head.size() < kMaxRequestHead) {
    deadline.expires_after(limits.idle);
    const size_t n = co_await tls.async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::eof) {
      peer_closed = true;
      break;
    }
    if (ec) {
      const Error e = error_of(tls, ec, timed_out, limits.idle, "reading the request");
      on_timeout = {false, summary + ": reading the request: " + e.to_string()};
      if (!timed_out) co_await linger(tls, deadline);
      co_return on_timeout;
    }
    head.append(buf.data(), n);
  }
  if (!(peer_closed && head.empty())) {
    const std::string response =
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + server_page(tls.connection());
    deadline.expires_after(limits.idle);
    on_timeout = {false, fmt::format("{}: writing the response: timed out after {}s", summary, limits.idle.count())};
    co_await net::async_write(tls, net::buffer(response), net::redirect_error(net::use_awaitable, ec));
    if (ec)
      co_return ServedConnection{false, summary + ": writing the response: " +
                                            error_of(tls, ec, timed_out, limits.idle, "writing").to_string()};
  }
  // RFC 8446 §6.1: close_notify, also in answer to the peer's; the peer's
  // is awaited a short while (a client that just closes is no failure).
  deadline.expires_after(std::chrono::seconds(1));
  on_timeout = {true, summary};  // the peer's close_notify did not come: no failure
  co_await tls.async_shutdown(net::redirect_error(net::use_awaitable, ec));
  if (ec && tls.connection().failed())
    co_return ServedConnection{false, summary + ": sending close_notify: " + tls.connection().error()->to_string()};
  co_return ServedConnection{true, peer_closed && head.empty() ? summary + " (closed without a request)" : summary};
}

}  // namespace

net::awaitable<ServedConnection> serve_connection_async(tcp::socket socket, std::shared_ptr<const ServerConfig> config,
                                                        ServeTimeouts timeouts) {
  std::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const std::string peer = peer_of(socket);
  TlsStream tls(std::move(socket), std::move(config));
  net::steady_timer deadline(co_await net::this_coro::executor);
  deadline.expires_after(timeouts.handshake);
  bool timed_out = false;
  ServedConnection on_timeout;
  // Whichever ends first ends the other: the session, or its deadline
  // (which closes the socket, so the session ends at once too).
  auto r = co_await (session(tls, deadline, timed_out, on_timeout, timeouts) || watchdog(deadline, tls, timed_out));
  const ServedConnection served = r.index() == 0 ? std::get<0>(r) : on_timeout;
  fmt::print(stderr, "vouch serve: {}: {}\n", peer, served.summary);
  co_return served;
}

}  // namespace vouch::cli
