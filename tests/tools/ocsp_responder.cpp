#include "tools/ocsp_responder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tools/ocsp_http.h"

namespace vouch::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// How long one connection may take to send its request, or to take our answer.
constexpr milliseconds kIoDeadline{10'000};
// How long set_behavior waits for the server thread to act on a down/up switch.
constexpr milliseconds kApplyDeadline{5'000};

Error sys_error(const std::string& what) {
  return fail(Alert::internal_error, "test OCSP responder: " + what + ": " + std::strerror(errno));
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

// A TCP socket bound to 127.0.0.1:port (SO_REUSEADDR, so that a port
// released by down mode can be taken again at once); -1 on failure.
int bound_socket(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

// Waits until `fd` is ready for `events`, the stop pipe is readable, or the
// deadline passes. True only when `fd` is ready.
bool wait_ready(int fd, short events, int stop_fd, Clock::time_point deadline) {
  for (int round = 0; round < 1000; ++round) {  // EINTR retries, bounded
    pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
    const int n = poll(fds, 2, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (fds[1].revents != 0) return false;
    return fds[0].revents != 0;
  }
  return false;
}

bool send_all(int fd, const std::string& data, int stop_fd) {
  const auto deadline = Clock::now() + kIoDeadline;
  size_t sent = 0;
  while (sent < data.size()) {  // bounded by the deadline
    if (!wait_ready(fd, POLLOUT, stop_fd, deadline)) return false;
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

void close_fd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

Result<std::unique_ptr<OcspResponder>> OcspResponder::create(X509* issuer, EVP_PKEY* issuer_key,
                                                             X509* delegate, EVP_PKEY* delegate_key) {
  VOUCH_ASSIGN(OcspSigners signers, make_ocsp_signers(issuer, issuer_key, delegate, delegate_key));
  return std::make_unique<OcspResponder>(Token{}, std::move(signers));
}

OcspResponder::OcspResponder(Token, OcspSigners signers) : signers_(std::move(signers)) {}

OcspResponder::~OcspResponder() { stop(); }

std::string OcspResponder::url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

Status OcspResponder::start(uint16_t port) {
  if (started_) return fail(Alert::internal_error, "test OCSP responder: already started");
  started_ = true;
  if (pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0 || pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
    return sys_error("pipe");
  int fd = bound_socket(port);
  if (fd < 0) return sys_error("bind 127.0.0.1:" + std::to_string(port));
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close_fd(fd);
    return sys_error("getsockname");
  }
  port_ = ntohs(addr.sin_port);
  bool down = false;
  {
    std::lock_guard lock(mu_);
    down = behavior_.mode == OcspResponderMode::down;
  }
  if (down) {
    close_fd(fd);  // the port number is ours to report; nothing listens
  } else if (listen(fd, 64) != 0) {
    close_fd(fd);
    return sys_error("listen");
  }
  listen_fd_ = fd;
  running_ = true;
  thread_ = std::thread([this] { run(); });
  return {};
}

void OcspResponder::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (stop_pipe_[1] >= 0) (void)!write(stop_pipe_[1], "s", 1);
  if (thread_.joinable()) thread_.join();
  running_ = false;
  for (int* p : {wake_pipe_, stop_pipe_}) {
    close_fd(p[0]);
    close_fd(p[1]);
  }
}

void OcspResponder::set_behavior(const OcspBehavior& b) {
  uint64_t gen = 0;
  {
    std::lock_guard lock(mu_);
    behavior_ = b;
    gen = ++generation_;
  }
  if (!running_) return;
  (void)!write(wake_pipe_[1], "w", 1);
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, kApplyDeadline, [&] { return applied_generation_ >= gen || stopping_; });
}

OcspBehavior OcspResponder::behavior() const {
  std::lock_guard lock(mu_);
  return behavior_;
}

Bytes OcspResponder::last_request() const {
  std::lock_guard lock(mu_);
  return last_request_;
}

bool OcspResponder::open_listener() {
  int fd = bound_socket(port_);
  if (fd < 0) return false;
  if (listen(fd, 64) != 0) {
    close_fd(fd);
    return false;
  }
  listen_fd_ = fd;
  return true;
}

void OcspResponder::close_listener() { close_fd(listen_fd_); }

bool OcspResponder::wait_stop_for(milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopping_; });
  return stopping_;
}

void OcspResponder::run() {
  for (;;) {  // until stop()
    uint64_t gen = 0;
    bool want_listen = false;
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      gen = generation_;
      want_listen = behavior_.mode != OcspResponderMode::down;
    }
    bool listen_failed = false;
    if (want_listen && listen_fd_ < 0) listen_failed = !open_listener();
    if (!want_listen && listen_fd_ >= 0) close_listener();
    {
      std::lock_guard lock(mu_);
      applied_generation_ = std::max(applied_generation_, gen);
    }
    cv_.notify_all();

    // Reap finished connections so the list stays short.
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }

    pollfd fds[3] = {{wake_pipe_[0], POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    const nfds_t nfds = listen_fd_ >= 0 ? 3 : 2;
    // A failed re-listen (port briefly taken) is retried after a pause.
    const int n = poll(fds, nfds, listen_failed ? 100 : 1000);
    if (n <= 0) continue;
    if (fds[0].revents != 0) {
      char buf[64];
      while (read(wake_pipe_[0], buf, sizeof buf) > 0) {
      }
    }
    if (fds[1].revents != 0) break;
    if (nfds == 3 && (fds[2].revents & POLLIN) != 0) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      if (active_.load() >= kMaxConnections) {
        close(fd);
        continue;
      }
      ++active_;
      auto done = std::make_shared<std::atomic<bool>>(false);
      workers_.push_back(Worker{std::thread([this, fd, done] {
                                  serve(fd);
                                  --active_;
                                  done->store(true);
                                }),
                                done});
    }
  }
  close_listener();
  for (Worker& w : workers_) w.thread.join();  // they all see the stop pipe
  workers_.clear();
}

void OcspResponder::serve(int fd) {
  // Read one request.
  const auto deadline = Clock::now() + kIoDeadline;
  std::string data;
  HttpRequest req;
  std::string error;
  HttpParse parsed = HttpParse::incomplete;
  while (parsed == HttpParse::incomplete) {  // bounded: deadline, and the parser caps sizes
    if (!wait_ready(fd, POLLIN, stop_pipe_[0], deadline)) {
      close(fd);
      return;
    }
    char buf[4096];
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) {
      close(fd);
      return;
    }
    data.append(buf, static_cast<size_t>(n));
    parsed = parse_http_request(data, req, error);
  }
  if (parsed == HttpParse::bad) {
    const std::string text = error + "\n";
    (void)send_all(fd,
                   http_response(400, "Bad Request", "text/plain",
                                 ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size())),
                   stop_pipe_[0]);
    close(fd);
    return;
  }

  ++requests_;
  const Bytes der = ocsp_request_der(req).value_or(Bytes());
  OcspBehavior b;
  {
    std::lock_guard lock(mu_);
    if (!der.empty()) last_request_ = der;
    b = behavior_;
  }

  if (b.mode == OcspResponderMode::hang) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopping_; });  // ends at stop()
  }
  if (b.mode == OcspResponderMode::hang || b.mode == OcspResponderMode::down ||
      b.mode == OcspResponderMode::refuse) {
    // refuse: the whole request was read, so closing sends a plain FIN (no
    // reset racing the client's write); the client reads an empty answer.
    close(fd);
    return;
  }
  if (b.delay.count() > 0 && wait_stop_for(std::min(b.delay, kMaxOcspResponderDelay))) {
    close(fd);
    return;
  }

  auto body = build_ocsp_response(signers_, b, der);
  std::string answer;
  if (body) {
    answer = http_response(200, "OK", "application/ocsp-response", *body);
  } else {
    const std::string text = body.error().to_string() + "\n";
    answer = http_response(500, "Internal Server Error", "text/plain",
                           ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  if (send_all(fd, answer, stop_pipe_[0])) shutdown(fd, SHUT_WR);
  close(fd);
}

}  // namespace vouch::testing
