// vouch::Stream — a blocking driver for the sans-I/O Connection over a socket.
//
// The Connection does all of TLS; this file only moves bytes between it and a
// file descriptor: pending_output() → send(), recv() → receive(). Every system
// call retries on EINTR. A receive timeout set by the application
// (SO_RCVTIMEO) surfaces as an error instead of a hang.
#include "vouch/stream.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace vouch {
namespace {

// One TLS record is at most 2^14 + 256 bytes of ciphertext plus a 5-byte header
// (RFC 8446 §5.2); reading a little more than that per call keeps the number of
// system calls low without holding much memory per connection.
constexpr size_t kReadChunk = 16 * 1024 + 512;

// Application writes are handed to the Connection in slices so that a large
// write() does not first encrypt everything into one huge output buffer.
constexpr size_t kWriteSlice = 64 * 1024;

std::string errno_text(const char* what, int err) {
  std::string s = what;
  s += ": ";
  s += std::strerror(err);
  return s;
}

Error io_error(const char* what, int err) {
  // A timeout set with SO_RCVTIMEO/SO_SNDTIMEO reports EAGAIN on a blocking
  // socket; say so plainly.
  if (err == EAGAIN || err == EWOULDBLOCK) {
    return vouch::io_error(std::string(what) + ": timed out waiting for the peer");
  }
  return vouch::io_error(errno_text(what, err));
}

const char* wait_name(Wait w) {
  switch (w) {
    case Wait::none: return "nothing";
    case Wait::read: return "peer data";
    case Wait::client_certificate: return "a client certificate";
    case Wait::private_key_operation: return "an external private key operation";
    case Wait::ocsp_staple: return "an asynchronous OCSP staple";
    case Wait::server_certificate: return "an asynchronous server credential source";
  }
  return "an unknown event";
}

// After a fatal alert of ours: how long and how much the stream keeps reading
// (and discarding) while the peer finishes sending and closes.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerBytes = 64 * 1024;

// Closes the write side (FIN after the alert) and reads what the peer still
// sends until it closes too, bounded by kLingerBytes and kLingerTime. A socket
// closed with unread data, or receiving data once closed, makes the kernel
// send a reset, and a reset can reach the peer before it reads the alert.
void linger_after_alert(int fd) {
  if (::shutdown(fd, SHUT_WR) != 0) return;  // not a connected socket
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + kLingerTime;
  std::array<uint8_t, 4096> buf;
  size_t total = 0;
  // Bounded: each turn reads at least one byte, or waits until the deadline.
  while (total < kLingerBytes) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) return;  // the peer closed (or reset) its side
    total += static_cast<size_t>(n);
  }
}

// Makes a failed Status out of the connection's first error (or a generic one).
Error connection_error(const Connection& conn) {
  if (const Error* e = conn.error()) return *e;
  return vouch::io_error("connection failed");
}

// After a failed send the peer may already have closed the connection, having
// first sent an alert that explains why (e.g. bad_certificate). Reads what is
// already buffered, without blocking, so that the peer's reason is reported
// rather than "broken pipe". Returns the peer's error if one was found.
std::optional<Error> peer_alert_after_send_failure(int fd, Connection& conn) {
  std::array<uint8_t, 4096> buf;
  // Bounded: at most a few buffered chunks are examined.
  for (int i = 0; i < 16 && !conn.failed(); ++i) {
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n <= 0) break;
    (void)conn.receive(ByteView(buf.data(), static_cast<size_t>(n)));
  }
  if (const Error* e = conn.error(); e != nullptr && e->from_peer) return *e;
  return std::nullopt;
}

struct AddrInfoDeleter {
  void operator()(addrinfo* ai) const noexcept { freeaddrinfo(ai); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrInfoDeleter>;

Result<AddrInfo> resolve(const std::string& host, uint16_t port, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  if (passive) hints.ai_flags |= AI_PASSIVE;
  const std::string service = std::to_string(port);
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) {
    return vouch::io_error("cannot resolve '" + host + "': " + std::string(gai_strerror(rc)));
  }
  return AddrInfo(res);
}

}  // namespace

Stream::Stream(int fd, std::unique_ptr<Connection> conn, bool own_fd)
    : fd_(fd), own_fd_(own_fd), conn_(std::move(conn)) {}

Stream::~Stream() {
  if (own_fd_ && fd_ >= 0) ::close(fd_);
}

Stream::Stream(Stream&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      own_fd_(std::exchange(other.own_fd_, false)),
      lingered_(std::exchange(other.lingered_, false)),
      conn_(std::move(other.conn_)) {}

Stream& Stream::operator=(Stream&& other) noexcept {
  if (this != &other) {
    if (own_fd_ && fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    own_fd_ = std::exchange(other.own_fd_, false);
    lingered_ = std::exchange(other.lingered_, false);
    conn_ = std::move(other.conn_);
  }
  return *this;
}

Status Stream::flush() {
  // Bounded: every iteration either sends at least one byte or returns.
  while (true) {
    const ByteView out = conn_->pending_output();
    if (out.empty()) return {};
    // MSG_NOSIGNAL: a peer that went away must be an error value, not SIGPIPE.
    const ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("send", errno);
    }
    conn_->consume_output(static_cast<size_t>(n));
  }
}

void Stream::close_after_fatal_alert() {
  // Best effort: a send error is not interesting; the original error is.
  (void)flush();
  // Only after an alert we sent: a peer that sent one is closing already.
  const Error* e = conn_->error();
  if (e == nullptr || e->from_peer || lingered_) return;
  lingered_ = true;
  linger_after_alert(fd_);
}

Status Stream::fill(std::span<uint8_t> out, size_t* read_count) {
  std::array<uint8_t, kReadChunk> buf;
  ssize_t n;
  do {
    n = ::recv(fd_, buf.data(), buf.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return io_error("recv", errno);
  if (n == 0) {
    // TCP EOF. Without a preceding close_notify this may be a truncation
    // attack (RFC 8446 §6.1), so it is never reported as a clean end.
    if (conn_->handshake_complete()) {
      return fail(Alert::close_notify, "connection closed without close_notify");
    }
    return fail(Alert::handshake_failure, "connection closed by the peer during the handshake");
  }
  // Even when receive() fails, the Connection has queued the alert to send.
  const ByteView got(buf.data(), static_cast<size_t>(n));
  if (read_count) return conn_->receive(got, out, *read_count);
  return conn_->receive(got);
}

Status Stream::handshake() {
  if (!conn_) return config_error("stream has no connection");
  auto failed_with = [this](Error e) -> Status {
    // The queued alert tells the peer why (RFC 8446 §6.2).
    close_after_fatal_alert();
    return e;
  };
  if (Status st = conn_->start(); !st) return failed_with(std::move(st).error());
  // Each iteration sends what is queued and then receives at least one byte
  // (or fails), so the loop ends when the peer stops talking or the receive
  // timeout fires.
  while (true) {
    if (Status st = flush(); !st) {
      if (auto peer = peer_alert_after_send_failure(fd_, *conn_)) return *peer;
      return st;
    }
    if (conn_->failed()) return failed_with(connection_error(*conn_));
    if (conn_->handshake_complete()) return {};
    const Wait w = conn_->wait();
    if (w != Wait::read) {
      return failed_with(config_error(std::string("handshake waits for ") + wait_name(w) +
                                      ", which a blocking Stream cannot provide"));
    }
    if (Status st = fill(); !st) return failed_with(std::move(st).error());
  }
}

Status Stream::send_late_answers() {
  // A post-handshake CertificateRequest whose selector answered later
  // (RFC 8446 §4.6.2 allows the delay): the answer, once given, goes out.
  if (conn_->wait() != Wait::client_certificate) return {};
  VOUCH_TRY(conn_->resume());
  return flush();
}

Result<size_t> Stream::read(std::span<uint8_t> out) {
  if (!conn_) return config_error("stream has no connection");
  if (out.empty()) return size_t{0};
  while (true) {
    if (conn_->pending_application_data() > 0) return conn_->read(out);
    if (conn_->peer_closed()) return size_t{0};
    if (conn_->failed()) return connection_error(*conn_);
    if (!conn_->handshake_complete()) {
      // The records that end the handshake may carry application data too:
      // look at the buffer again before blocking in recv().
      VOUCH_TRY(handshake());
      continue;
    }
    VOUCH_TRY(send_late_answers());
    // Records that fit in `out` are decrypted straight into it.
    size_t got = 0;
    if (Status st = fill(out, &got); !st) {
      close_after_fatal_alert();  // the alert, if the Connection queued one
      // Data authenticated before the bad record is delivered first; the
      // error comes with the next read() (the connection stays failed).
      if (got > 0) return got;
      return std::move(st).error();
    }
    // Post-handshake messages (a KeyUpdate asking for ours) may queue output.
    VOUCH_TRY(flush());
    if (got > 0) return got;
  }
}

Status Stream::write(ByteView data) {
  if (!conn_) return config_error("stream has no connection");
  if (!conn_->handshake_complete()) VOUCH_TRY(handshake());
  VOUCH_TRY(send_late_answers());
  while (!data.empty()) {
    const ByteView slice = data.first(std::min(data.size(), kWriteSlice));
    VOUCH_TRY(conn_->write(slice));
    VOUCH_TRY(flush());
    data = data.subspan(slice.size());
  }
  return {};
}

Status Stream::close() {
  if (!conn_) return config_error("stream has no connection");
  VOUCH_TRY(conn_->close());
  return flush();
}

Result<int> tcp_connect(const std::string& host, uint16_t port) {
  VOUCH_ASSIGN(AddrInfo list, resolve(host, port, false));
  std::string last = "no address";
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = errno_text("socket", errno);
      continue;
    }
    int rc;
    do {
      rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    } while (rc < 0 && errno == EINTR);
    // Note: after EINTR a connect may continue asynchronously; the retry then
    // reports EISCONN/EALREADY. Treat EISCONN as success.
    if (rc == 0 || errno == EISCONN) {
      // Handshake flights are small and latency-bound: do not let Nagle's
      // algorithm hold back the second half of a flight.
      const int one = 1;
      (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    last = errno_text("connect", errno);
    ::close(fd);
  }
  return vouch::io_error("cannot connect to " + host + ":" + std::to_string(port) + ": " + last);
}

Result<int> tcp_listen(const std::string& host, uint16_t port, int backlog) {
  VOUCH_ASSIGN(AddrInfo list, resolve(host, port, true));
  std::string last = "no address";
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = errno_text("socket", errno);
      continue;
    }
    // Restarting a server must not wait for TIME_WAIT sockets to expire.
    const int one = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, backlog) != 0) {
      last = errno_text("bind/listen", errno);
      ::close(fd);
      continue;
    }
    return fd;
  }
  return vouch::io_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + last);
}

uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

}  // namespace vouch
