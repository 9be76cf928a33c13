#include "serve_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <fmt/core.h>

#include "summary.h"
#include "vouch/stream.h"

namespace vouch::cli {
namespace {

void set_timeouts(int fd, std::chrono::seconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count());
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// True once `head` holds a whole request head, or a first line that is not
// HTTP (answered after that line; there is no echo mode).
bool head_complete(const std::string& head) {
  if (head.find("\r\n\r\n") != std::string::npos || head.find("\n\n") != std::string::npos) {
    return true;
  }
  const size_t nl = head.find('\n');
  if (nl == std::string::npos) return false;
  return head.substr(0, nl).find(" HTTP/1.") == std::string::npos;
}

// Closes our direction and reads (and discards) what the peer still sends,
// typically its close_notify, until it closes too. Closing a socket with
// unread received data makes the kernel send a RST, which can destroy the
// response the peer has not read yet. Bounded in bytes and by a short timeout.
void drain_before_close(int fd) {
  (void)shutdown(fd, SHUT_WR);
  set_timeouts(fd, std::chrono::seconds(1));
  std::array<char, 4096> buf;
  size_t total = 0;
  while (total < 64 * 1024) {
    const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
}

ServedConnection failed(std::string what, const Error& e) {
  return ServedConnection{false, std::move(what) + ": " + e.to_string()};
}

}  // namespace

std::string peer_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    return fmt::format("{}:{}", host, ntohs(a->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    return fmt::format("[{}]:{}", host, ntohs(a->sin6_port));
  }
  return "?";
}

ServedConnection serve_connection(int fd, std::shared_ptr<const ServerConfig> config,
                                  std::chrono::seconds io_timeout) {
  set_timeouts(fd, io_timeout);
  const int one = 1;
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  Stream stream(fd, Connection::server(std::move(config)));
  // After a fatal alert of ours, Stream has closed gracefully (write side
  // shut down, the client's late bytes read and discarded, bounded), so the
  // caller's close() does not reset a client that is still writing.
  if (Status st = stream.handshake(); !st) return failed("handshake failed", st.error());
  const std::string summary = server_log_line(stream.connection());

  std::string head;
  bool peer_closed = false;
  std::array<uint8_t, 4096> buf;
  // Bounded by kMaxRequestHead; each read blocks at most io_timeout.
  while (!head_complete(head) && head.size() < kMaxRequestHead) {
    Result<size_t> n = stream.read(buf);
    if (!n) return failed(summary + ": reading the request", n.error());
    if (*n == 0) {
      peer_closed = true;
      break;
    }
    head.append(reinterpret_cast<const char*>(buf.data()), *n);
  }

  if (!(peer_closed && head.empty())) {
    const std::string response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" +
                                 server_page(stream.connection());
    const std::string_view r(response);
    if (Status st = stream.write(ByteView(reinterpret_cast<const uint8_t*>(r.data()), r.size()));
        !st) {
      return failed(summary + ": writing the response", st.error());
    }
  }
  // RFC 8446 §6.1: close_notify, also in answer to the peer's.
  if (Status st = stream.close(); !st) return failed(summary + ": sending close_notify", st.error());
  drain_before_close(fd);
  return ServedConnection{true, peer_closed && head.empty() ? summary + " (closed without a request)"
                                                            : summary};
}

}  // namespace vouch::cli
