// fetch_ocsp's HTTP proxy path (src/ocsp/fetch.cpp) against a tiny
// test proxy on 127.0.0.1 that records each request line and forwards the
// request to the in-process test OCSP responder.
//
// Everything here is on loopback, and fetch_ocsp reaches loopback hosts
// directly whatever http_proxy says (a proxy elsewhere cannot reach this
// host's 127.0.0.1). So the proxy is either given explicitly (the `proxy`
// argument / StaplerOptions::http_proxy, which applies to every host), or the
// URL names a host fetch_ocsp does not take for loopback (127.0.0.2: nothing
// listens there; through a proxy the client never connects to it).
//
// Through an HTTP proxy a plain-http request carries the absolute form of
// its target, "POST http://host:port/path HTTP/1.x" (RFC 9112 §3.2.2): that
// line is the proof the fetch went through the proxy.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ocsp/ocsp.h"
#include "ocsp/fetch.h"
#include "support/pki.h"
#include "tools/ocsp_responder.h"
#include "vouch/stapler.h"

namespace vouch {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
using testing::OcspResponder;
using testing::test_pki;

constexpr milliseconds kIoDeadline{10'000};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline; false on timeout or error.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
  for (int round = 0; round < 100; ++round) {  // EINTR retries, bounded
    pollfd p{fd, events, 0};
    const int n = poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
  return false;
}

bool send_all(int fd, const std::string& data, Clock::time_point deadline) {
  size_t sent = 0;
  while (sent < data.size()) {  // bounded by the deadline
    if (!wait_fd(fd, POLLOUT, deadline)) return false;
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// A forward HTTP proxy good for one request per connection, one connection
// at a time: reads the request (headers and a Content-Length body), records
// its request line, sends it on to 127.0.0.1:<upstream> in origin form, and
// relays the answer until the upstream closes. Test-only: no CONNECT, no
// chunked bodies, no keep-alive.
class TestProxy {
 public:
  explicit TestProxy(uint16_t upstream) : upstream_(upstream) {}
  ~TestProxy() { stop(); }

  bool start() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // a free port
    socklen_t len = sizeof addr;
    if (bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listen_fd_, 16) != 0 || getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      return false;
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
    return true;
  }
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    if (listen_fd_ >= 0) close(listen_fd_);
    listen_fd_ = -1;
  }

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> request_lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  void run() {
    while (!stopping_.load()) {  // bounded: stop() ends it within one poll interval
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      serve(fd);
      close(fd);
    }
  }

  void serve(int fd) {
    const auto deadline = Clock::now() + kIoDeadline;
    std::string data;
    size_t header_end = std::string::npos;
    size_t body_len = 0;
    for (int round = 0; round < 1000; ++round) {  // bounded in count and by the deadline
      if (header_end != std::string::npos && data.size() >= header_end + 4 + body_len) break;
      if (!wait_fd(fd, POLLIN, deadline)) return;
      char buf[4096];
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos && (header_end = data.find("\r\n\r\n")) != std::string::npos)
        body_len = content_length(data.substr(0, header_end));
      if (data.size() > 256 * 1024) return;
    }
    if (header_end == std::string::npos) return;
    const size_t line_end = data.find("\r\n");
    const std::string line = data.substr(0, line_end);
    {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(line);
    }
    // "METHOD http://host:port/path VERSION" -> "METHOD /path VERSION".
    const size_t sp1 = line.find(' ');
    const size_t sp2 = line.rfind(' ');
    if (sp1 == std::string::npos || sp2 <= sp1) return;
    std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (target.rfind("http://", 0) == 0) {
      const size_t slash = target.find('/', 7);
      target = slash == std::string::npos ? "/" : target.substr(slash);
    }
    const std::string forwarded = line.substr(0, sp1) + " " + target + line.substr(sp2) + data.substr(line_end);

    const int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (up < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(upstream_);
    if (connect(up, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        !send_all(up, forwarded, deadline)) {
      close(up);
      return;
    }
    std::string answer;
    for (int round = 0; round < 10'000; ++round) {  // until EOF; bounded by the deadline
      if (!wait_fd(up, POLLIN, deadline)) break;
      char buf[16384];
      const ssize_t n = recv(up, buf, sizeof buf, 0);
      if (n <= 0) break;
      answer.append(buf, static_cast<size_t>(n));
    }
    close(up);
    if (send_all(fd, answer, deadline)) shutdown(fd, SHUT_WR);
  }

  static size_t content_length(const std::string& headers) {
    std::string lower = headers;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t at = lower.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    return static_cast<size_t>(std::strtoul(lower.c_str() + at + 17, nullptr, 10));
  }

  const uint16_t upstream_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// Sets an environment variable for the scope of a test, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = std::string(old);
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class OcspFetchProxy : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = OcspResponder::create(issuer(), f().intermediate.key.get());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    responder = std::move(*r);
    auto s = responder->start();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    proxy = std::make_unique<TestProxy>(responder->port());
    ASSERT_TRUE(proxy->start()) << "cannot start the test proxy: " << std::strerror(errno);
    auto req = make_ocsp_request(cert(), issuer(), false, nullptr);
    ASSERT_TRUE(req.ok());
    request = std::move(*req);
  }
  void TearDown() override {
    if (proxy) proxy->stop();
    if (responder) responder->stop();
  }

  static const testing::PkiFamily& f() { return test_pki().ecdsa(); }
  static X509* cert() { return f().server.cert.get(); }
  static X509* issuer() { return f().intermediate.cert.get(); }

  Result<Bytes> fetch(const std::string& url, const std::optional<std::string>& via) {
    return fetch_ocsp(url, request, milliseconds(10'000), kMaxOcspResponseBytes, via);
  }
  void expect_good(const Result<Bytes>& body) {
    ASSERT_TRUE(body.ok()) << body.error().to_string();
    auto status = verify_ocsp_response(*body, cert(), issuer(), {}, {});
    ASSERT_TRUE(status.ok()) << status.error().to_string();
    EXPECT_EQ(status->status, OcspCertStatus::good);
  }
  // The absolute-form request line a proxied POST to `url` carries.
  static bool absolute_form_post(const std::string& line, const std::string& url) {
    return line == "POST " + url + " HTTP/1.0" || line == "POST " + url + " HTTP/1.1";
  }

  std::unique_ptr<OcspResponder> responder;
  std::unique_ptr<TestProxy> proxy;
  Bytes request;
};

TEST_F(OcspFetchProxy, ExplicitProxyCarriesTheFetchToALoopbackResponder) {
  // Also with http_proxy pointing nowhere useful and no_proxy naming the
  // host: an explicit proxy outranks the environment.
  ScopedEnv http_proxy("http_proxy", "http://127.0.0.1:1");
  ScopedEnv no_proxy("no_proxy", "127.0.0.1,localhost");
  for (const std::string& via : {proxy->url(), "127.0.0.1:" + std::to_string(proxy->port())}) {
    SCOPED_TRACE(via);
    const size_t before = proxy->request_lines().size();
    expect_good(fetch(responder->url(), via));
    const auto lines = proxy->request_lines();
    ASSERT_EQ(lines.size(), before + 1);
    EXPECT_TRUE(absolute_form_post(lines.back(), responder->url())) << lines.back();
  }
  EXPECT_EQ(responder->requests(), 2u);
}

TEST_F(OcspFetchProxy, WithoutAProxyTheFetchIsDirect) {
  {  // nothing in the environment
    ScopedEnv http_proxy("http_proxy", nullptr);
    ScopedEnv upper("HTTP_PROXY", nullptr);
    expect_good(fetch(responder->url(), std::nullopt));
  }
  {  // http_proxy set, but a loopback responder is reached directly
    ScopedEnv http_proxy("http_proxy", proxy->url().c_str());
    ScopedEnv no_proxy("no_proxy", nullptr);
    expect_good(fetch(responder->url(), std::nullopt));
  }
  {  // "" means direct, whatever the environment says and whatever the host
    ScopedEnv http_proxy("http_proxy", proxy->url().c_str());
    ScopedEnv no_proxy("no_proxy", nullptr);
    const auto direct = fetch("http://127.0.0.2:" + std::to_string(responder->port()) + "/", std::string());
    EXPECT_FALSE(direct.ok());  // nothing listens on 127.0.0.2
  }
  EXPECT_TRUE(proxy->request_lines().empty());
  EXPECT_EQ(responder->requests(), 2u);
}

TEST_F(OcspFetchProxy, EnvironmentProxyAndNoProxyForOtherHosts) {
  // 127.0.0.2 is not one of the names fetch_ocsp takes for loopback, so the
  // environment decides. Nothing listens there: a direct fetch fails, a
  // proxied one reaches the responder through the proxy.
  const std::string url = "http://127.0.0.2:" + std::to_string(responder->port()) + "/";
  ScopedEnv upper("HTTP_PROXY", nullptr);
  {
    ScopedEnv http_proxy("http_proxy", proxy->url().c_str());
    ScopedEnv no_proxy("no_proxy", nullptr);
    expect_good(fetch(url, std::nullopt));
    const auto lines = proxy->request_lines();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_TRUE(absolute_form_post(lines[0], url)) << lines[0];
  }
  {
    ScopedEnv http_proxy("http_proxy", proxy->url().c_str());
    ScopedEnv no_proxy("no_proxy", "127.0.0.2");
    const auto direct = fetch(url, std::nullopt);
    ASSERT_FALSE(direct.ok());
    EXPECT_NE(direct.error().reason.find("connect"), std::string::npos) << direct.error().reason;
    EXPECT_EQ(proxy->request_lines().size(), 1u);  // not through the proxy
  }
  EXPECT_EQ(responder->requests(), 1u);
}

// The Stapler's default fetcher takes StaplerOptions::http_proxy.
TEST_F(OcspFetchProxy, StaplerUsesItsConfiguredProxy) {
  testing::CertSpec spec;
  spec.cn = "proxied.test";
  spec.ocsp_url = responder->url();
  const testing::Issued leaf = testing::issue(spec, f().intermediate);
  for (const bool proxied : {true, false}) {
    SCOPED_TRACE(proxied ? "proxied" : "direct");
    const size_t before = proxy->request_lines().size();
    StaplerOptions options;
    options.fetch_timeout = milliseconds(10'000);
    if (proxied) options.http_proxy = proxy->url();
    auto st = Stapler::create(options);
    ASSERT_TRUE(st->add(testing::credential_from(leaf, {&f().intermediate})).ok());
    st->poll();
    const StapleState state = st->state().at(0);
    EXPECT_TRUE(state.serving.has_value()) << state.last_error;
    const auto lines = proxy->request_lines();
    if (proxied) {
      ASSERT_EQ(lines.size(), before + 1);
      EXPECT_TRUE(absolute_form_post(lines.back(), responder->url())) << lines.back();
    } else {
      EXPECT_EQ(lines.size(), before);
    }
  }
  EXPECT_EQ(responder->requests(), 2u);
}

}  // namespace
}  // namespace vouch
