// vouch — a blocking TLS stream over a connected socket file descriptor.
#pragma once

#include <memory>

#include "vouch/connection.h"
#include "vouch/export.h"

namespace vouch {

/// Drives a Connection over a blocking socket. Does not own the fd unless
/// `own_fd` is set (then the destructor closes it).
class VOUCH_EXPORT Stream {
 public:
  Stream(int fd, std::unique_ptr<Connection> conn, bool own_fd = false);
  ~Stream();
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;

  /// Runs the handshake to completion. On failure the alert has been sent
  /// (best effort) and the error says why.
  ///
  /// After sending a fatal alert of its own (here or in read()), the stream
  /// closes gracefully: it shuts down the socket's write side (the peer sees
  /// the alert, then EOF) and reads and discards what the peer still sends
  /// until it closes too, for at most 64 KiB and one second. Closing at once
  /// would make the kernel answer the peer's next bytes with a reset, which
  /// can destroy the alert before the peer reads it (it would report
  /// "connection reset" or "broken pipe" instead). The socket is not usable
  /// for writing afterwards, whether or not the stream owns it.
  Status handshake();
  /// Reads application data; returns 0 at clean end of stream (close_notify
  /// or, after a completed handshake, TCP EOF is an error: truncation).
  /// A client's answer to a post-handshake CertificateRequest that its
  /// selector gave later goes out with the next read() or write() after it
  /// was given (a read blocked in recv() sends it once data arrives).
  Result<size_t> read(std::span<uint8_t> out);
  /// Writes all of data.
  Status write(ByteView data);
  /// Sends close_notify and flushes (does not wait for the peer's).
  Status close();

  Connection& connection() { return *conn_; }
  int fd() const { return fd_; }

 private:
  Status flush();
  /// One recv() into the connection. With `out`, application data is
  /// decrypted straight into it (Connection::receive with a buffer) and
  /// *read_count says how much.
  Status fill(std::span<uint8_t> out = {}, size_t* read_count = nullptr);
  Status send_late_answers();
  /// Sends what is queued (the alert), then the graceful close above, once.
  void close_after_fatal_alert();
  int fd_ = -1;
  bool own_fd_ = false;
  bool lingered_ = false;
  std::unique_ptr<Connection> conn_;
};

/// Opens a TCP connection to host:port (numeric or name; loopback in tests).
/// Returns the fd, or an ErrorKind::io error naming host:port with the
/// system's reason (name not resolved, connection refused, ...).
VOUCH_EXPORT Result<int> tcp_connect(const std::string& host, uint16_t port);
/// Listens on host:port; port 0 picks a free one. Returns the fd.
VOUCH_EXPORT Result<int> tcp_listen(const std::string& host, uint16_t port, int backlog = 64);
/// The local port of a bound socket.
VOUCH_EXPORT uint16_t local_port(int fd);

}  // namespace vouch
