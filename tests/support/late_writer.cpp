#include "support/late_writer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

namespace vouch::testing {
namespace {

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

}  // namespace

LateWriterResult write_after_alert(int fd, int chunks, std::chrono::milliseconds pause,
                                   std::chrono::milliseconds timeout) {
  LateWriterResult r;
  r.alert_arrived = wait_readable(fd, timeout);
  if (!r.alert_arrived) return r;
  std::this_thread::sleep_for(pause);
  const std::array<uint8_t, 1024> junk{};
  for (int i = 0; i < chunks; ++i) {
    if (i > 0) std::this_thread::sleep_for(pause);
    ssize_t n;
    do {
      n = ::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) r.write_errors.push_back(std::strerror(errno));
  }
  std::array<uint8_t, 4096> buf;
  // Bounded: each turn reads bytes, or ends on EOF, an error or the timeout.
  for (;;) {
    if (!wait_readable(fd, timeout)) {
      r.read_error = "timed out";
      return r;
    }
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.read_error = std::strerror(errno);
      return r;
    }
    if (n == 0) {
      r.eof = true;
      return r;
    }
    r.received.insert(r.received.end(), buf.begin(), buf.begin() + n);
  }
}

int connect_loopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace vouch::testing
