// `vouch serve` on Asio: one connection as a coroutine over
// vouch::asio::stream, with a handshake deadline and an idle deadline, so
// that silent clients never hold the server (issue 14).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <memory>

#include "serve_connection.h"
#include "vouch/config.h"

namespace vouch::cli {

struct ServeTimeouts {
  /// From accept to the end of the handshake.
  std::chrono::seconds handshake{10};
  /// Longest silence while the request head is read.
  std::chrono::seconds idle{10};
};

/// Serves one accepted socket (handshake, one HTTP/1.x request head, the
/// page describing the handshake, close_notify) on the socket's executor
/// (a strand when the io_context has several threads) and logs
/// "vouch serve: PEER: SUMMARY" on stderr. After a fatal alert of ours the
/// socket's write side is shut down and what the client still sends is read
/// and dropped (at most 64 KiB and one second) before it is closed, so the
/// alert is not destroyed by a reset.
::asio::awaitable<ServedConnection> serve_connection_async(::asio::ip::tcp::socket socket,
                                                           std::shared_ptr<const ServerConfig> config,
                                                           ServeTimeouts timeouts);

}  // namespace vouch::cli
