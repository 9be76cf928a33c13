// A responder that closes the connection while the request is still being
// written must cost one failed fetch, never the process: libcrypto writes
// with plain send(), which raises SIGPIPE, whose default action ends the
// program (base/sigpipe_guard.h). Seen first as a silent death of the
// Stapler's fault tests under load.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/sigpipe_guard.h"
#include "ocsp/ocsp.h"
#include "ocsp/fetch.h"

namespace vouch {
namespace {

// A listener on 127.0.0.1 whose thread accepts connections and closes each
// at once, without reading (bounded: `accepts` connections, then it stops).
class ClosingListener {
 public:
  explicit ClosingListener(int accepts) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 8) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      return;
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, accepts] {
      for (int i = 0; i < accepts; ++i) {
        const int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        close(c);
      }
    });
  }
  ~ClosingListener() {
    shutdown(fd_, SHUT_RDWR);  // ends a pending accept()
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

bool sigpipe_blocked() {
  sigset_t mask;
  sigemptyset(&mask);
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, SIGPIPE) == 1;
}

bool sigpipe_pending() {
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

// Several fetches of a request far larger than the socket buffers: the
// listener's close turns the connection into a reset while the request is
// still being written.
void fetch_into_closed_connections() {
  constexpr int kFetches = 5;
  ClosingListener listener(kFetches);
  ASSERT_NE(listener.port(), 0);
  const Bytes request(8u << 20, 0x30);
  const std::string url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/";
  for (int i = 0; i < kFetches; ++i) {
    auto got = fetch_ocsp(url, request, std::chrono::seconds(10), kMaxOcspResponseBytes);
    EXPECT_FALSE(got.ok());
  }
}

TEST(OcspFetchSigpipe, ClosedConnectionIsAFailedFetchNotADeadProcess) {
  // SIGPIPE's default action (the test runner may have ignored it, which
  // would hide the bug).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  struct sigaction old {};
  ASSERT_EQ(sigaction(SIGPIPE, &dfl, &old), 0);
  ASSERT_FALSE(sigpipe_blocked());
  fetch_into_closed_connections();
  // Nothing left behind: not blocked, nothing pending.
  EXPECT_FALSE(sigpipe_blocked());
  EXPECT_FALSE(sigpipe_pending());
  sigaction(SIGPIPE, &old, nullptr);
}

TEST(OcspFetchSigpipe, AnApplicationsOwnBlockIsLeftAlone) {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigset_t old;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &pipe_only, &old), 0);
  {
    const SigpipeGuard guard;
    EXPECT_TRUE(sigpipe_blocked());
  }
  EXPECT_TRUE(sigpipe_blocked()) << "the guard unblocked a signal the application blocked";
  // A SIGPIPE the application has pending is the application's.
  ASSERT_EQ(pthread_kill(pthread_self(), SIGPIPE), 0);
  ASSERT_TRUE(sigpipe_pending());
  { const SigpipeGuard guard; }
  EXPECT_TRUE(sigpipe_pending()) << "the guard consumed a SIGPIPE it did not cause";
  const timespec no_wait{0, 0};
  sigtimedwait(&pipe_only, nullptr, &no_wait);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

}  // namespace
}  // namespace vouch
