// One server-side connection of `vouch serve` and `vouch demo`: handshake,
// read an HTTP/1.x request head, answer a plain-text page that describes the
// handshake, close_notify.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "vouch/config.h"

namespace vouch::cli {

struct ServedConnection {
  bool ok = false;
  /// "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ..." or "handshake failed: <alert>: <reason>".
  std::string summary;
};

/// Largest request head read before answering anyway.
inline constexpr size_t kMaxRequestHead = 16 * 1024;

/// Serves one accepted socket. The caller keeps ownership of fd (and closes
/// it afterwards); reads and writes time out after `io_timeout`.
ServedConnection serve_connection(int fd, std::shared_ptr<const ServerConfig> config,
                                  std::chrono::seconds io_timeout);

/// "127.0.0.1:54321" / "[::1]:54321" for the peer of a connected socket.
std::string peer_address(int fd);

}  // namespace vouch::cli
