// The test OCSP responder (tests/tools) over real sockets on 127.0.0.1: raw
// HTTP POST and GET written here, fetch_ocsp (src/ocsp/fetch.cpp) in
// every responder mode, the standalone program, and the real `openssl ocsp`
// client against it.
#include "tools/ocsp_responder.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <thread>

#include "ocsp/ocsp.h"
#include "ocsp/fetch.h"
#include "support/pki.h"
#include "support/process.h"

namespace vouch {
namespace {

using std::chrono::milliseconds;
using testing::OcspBehavior;
using testing::OcspResponder;
using testing::test_pki;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// --- a minimal HTTP client, written for these tests -------------------------

struct RawReply {
  bool ok = false;  // connected, sent, and read until the server closed
  std::string status_line;
  std::string headers;
  Bytes body;
};

// Sends `request` to 127.0.0.1:port and reads until EOF (at most 1 MiB, with
// a 10 s receive timeout per read).
RawReply raw_exchange(uint16_t port, const std::string& request) {
  RawReply out;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return out;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string data;
  bool eof = false;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    for (int i = 0; i < 1024 && data.size() < (1u << 20); ++i) {
      char buf[4096];
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n == 0) eof = true;
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  const size_t head_end = data.find("\r\n\r\n");
  if (!eof || head_end == std::string::npos) return out;
  const size_t line_end = data.find("\r\n");
  out.status_line = data.substr(0, line_end);
  out.headers = data.substr(line_end + 2, head_end - line_end - 2);
  out.body.assign(data.begin() + static_cast<std::ptrdiff_t>(head_end + 4), data.end());
  out.ok = true;
  return out;
}

std::string post(const Bytes& der, const std::string& path = "/") {
  return "POST " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/ocsp-request\r\n" +
         "Content-Length: " + std::to_string(der.size()) + "\r\n\r\n" + std::string(der.begin(), der.end());
}

std::string base64_url_encoded(const Bytes& der) {
  std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
  b64.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), der.data(),
                                                 static_cast<int>(der.size()))));
  std::string out;
  for (char c : b64) {
    if (c == '+')
      out += "%2B";
    else if (c == '/')
      out += "%2F";
    else if (c == '=')
      out += "%3D";
    else
      out += c;
  }
  return out;
}

// --- fixture ------------------------------------------------------------------

class OcspResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = OcspResponder::create(issuer(), f().intermediate.key.get());
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    responder = std::move(*r);
    auto s = responder->start();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    auto req = make_ocsp_request(cert(), issuer(), false, nullptr);
    ASSERT_TRUE(req.ok());
    request = std::move(*req);
  }

  static const testing::PkiFamily& f() { return test_pki().ecdsa(); }
  static X509* cert() { return f().server.cert.get(); }
  static X509* issuer() { return f().intermediate.cert.get(); }

  void set_mode(const std::string& name) {
    auto b = testing::ocsp_behavior_named(name);
    ASSERT_TRUE(b.has_value()) << name;
    responder->set_behavior(*b);
  }
  Result<Bytes> fetch(milliseconds timeout = milliseconds(10'000)) {
    return fetch_ocsp(responder->url(), request, timeout, kMaxOcspResponseBytes);
  }
  Result<OcspStatus> verify(ByteView der, const OcspVerifyOptions& opts = {}) {
    return verify_ocsp_response(der, cert(), issuer(), {}, opts);
  }

  std::unique_ptr<OcspResponder> responder;
  Bytes request;
};

// --- raw HTTP -------------------------------------------------------------------

TEST_F(OcspResponderTest, PostAnswersTheCertIdAskedFor) {
  const RawReply reply = raw_exchange(responder->port(), post(request));
  ASSERT_TRUE(reply.ok);
  EXPECT_EQ(reply.status_line, "HTTP/1.0 200 OK");
  EXPECT_TRUE(contains(reply.headers, "Content-Type: application/ocsp-response")) << reply.headers;
  EXPECT_TRUE(contains(reply.headers, "Content-Length: " + std::to_string(reply.body.size())))
      << reply.headers;
  auto status = verify(reply.body);
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_EQ(status->status, OcspCertStatus::good);
  EXPECT_EQ(responder->requests(), 1u);
  EXPECT_EQ(responder->last_request(), request);

  // Another certificate of the same issuer gets its own answer.
  auto other = make_ocsp_request(f().client.cert.get(), issuer(), false, nullptr);
  ASSERT_TRUE(other.ok());
  const RawReply second = raw_exchange(responder->port(), post(*other, "/some/path"));
  ASSERT_TRUE(second.ok);
  EXPECT_TRUE(verify_ocsp_response(second.body, f().client.cert.get(), issuer(), {}, {}).ok());
  EXPECT_FALSE(verify(second.body).ok());
  EXPECT_EQ(responder->requests(), 2u);
}

TEST_F(OcspResponderTest, GetWithBase64Path) {
  for (const std::string& path :
       {"/" + base64_url_encoded(request), "/ocsp/base/" + base64_url_encoded(request)}) {
    const RawReply reply = raw_exchange(responder->port(), "GET " + path + " HTTP/1.0\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(reply.ok) << path;
    EXPECT_EQ(reply.status_line, "HTTP/1.0 200 OK");
    auto status = verify(reply.body);
    EXPECT_TRUE(status.ok()) << path << ": " << status.error().to_string();
  }
  EXPECT_EQ(responder->requests(), 2u);
}

TEST_F(OcspResponderTest, BadRequests) {
  const RawReply bad_http = raw_exchange(responder->port(), "HELLO\r\n\r\n");
  ASSERT_TRUE(bad_http.ok);
  EXPECT_EQ(bad_http.status_line, "HTTP/1.0 400 Bad Request");

  // Well-formed HTTP, but the body is no OCSPRequest: malformedRequest
  // (RFC 6960 §2.3).
  const RawReply not_ocsp = raw_exchange(responder->port(), post(Bytes{'h', 'i'}));
  ASSERT_TRUE(not_ocsp.ok);
  EXPECT_EQ(not_ocsp.status_line, "HTTP/1.0 200 OK");
  auto r = verify(not_ocsp.body);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().reason, "malformedrequest")) << r.error().reason;
}

// --- fetch_ocsp in every mode ---------------------------------------------------

TEST_F(OcspResponderTest, FetchInEveryAnsweringMode) {
  struct Case {
    const char* mode;
    bool verifies;
    const char* expect;  // the status, or a part of the rejection reason
  } cases[] = {
      {"good", true, "good"},
      {"revoked", true, "revoked"},
      {"unknown", true, "unknown"},
      {"delegated", true, "good"},
      {"delegated-no-eku", false, "lacks id-kp-OCSPSigning"},
      {"wrong-signer", false, "is not issued by"},
      {"expired", false, "has expired"},
      {"not-yet-valid", false, "not yet valid"},
      {"no-next-update", false, "no nextUpdate"},
      {"wrong-serial", false, "no status for the certificate"},
      {"try-later", false, "trylater"},
      {"internal-error", false, "internalerror"},
      {"unauthorized", false, "unauthorized"},
      {"garbage", false, "cannot be parsed"},
  };
  uint64_t expected_requests = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mode);
    set_mode(c.mode);
    auto body = fetch();
    ASSERT_TRUE(body.ok()) << body.error().to_string();
    EXPECT_EQ(responder->requests(), ++expected_requests);
    if (std::string(c.mode) == "garbage") {
      EXPECT_EQ(*body, testing::ocsp_garbage_body());
    }
    auto status = verify(*body);
    if (c.verifies) {
      ASSERT_TRUE(status.ok()) << status.error().to_string();
      EXPECT_STREQ(to_string(status->status), c.expect);
    } else {
      ASSERT_FALSE(status.ok()) << describe(*status);
      EXPECT_EQ(status.error().alert, Alert::bad_certificate_status_response);
      EXPECT_TRUE(contains(status.error().reason, c.expect)) << status.error().reason;
    }
  }
}

TEST_F(OcspResponderTest, FetchOversizedFails) {
  set_mode("oversized");
  auto body = fetch();
  ASSERT_FALSE(body.ok());
  EXPECT_TRUE(contains(body.error().reason, responder->url())) << body.error().reason;
  // The same bytes are there for a client allowing more.
  auto big = fetch_ocsp(responder->url(), request, milliseconds(10'000), 2 * kMaxOcspResponseBytes);
  ASSERT_TRUE(big.ok()) << big.error().to_string();
  EXPECT_EQ(big->size(), kMaxOcspResponseBytes + 1);
  auto status = verify(*big);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error().reason, "limit")) << status.error().reason;
}

TEST_F(OcspResponderTest, SlowWithinTheTimeout) {
  OcspBehavior b;
  b.delay = milliseconds(300);
  responder->set_behavior(b);
  auto body = fetch(milliseconds(10'000));
  ASSERT_TRUE(body.ok()) << body.error().to_string();
  EXPECT_TRUE(verify(*body).ok());
}

TEST_F(OcspResponderTest, HangTimesOut) {
  set_mode("hang");
  auto body = fetch(milliseconds(1000));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.error().alert, Alert::internal_error);
  EXPECT_TRUE(contains(body.error().reason, "timeout")) << body.error().reason;
  // The hung connection does not keep stop() from finishing.
  responder->stop();
}

TEST_F(OcspResponderTest, DownRefusesThenRecovers) {
  set_mode("down");
  auto body = fetch();
  ASSERT_FALSE(body.ok());
  // Refused at once (not retried until the 10 s timeout, which would fail
  // the same way but slowly): the reason says which.
  EXPECT_TRUE(contains(body.error().reason, "cannot connect to 127.0.0.1:")) << body.error().reason;
  EXPECT_EQ(responder->requests(), 0u);

  set_mode("good");
  auto again = fetch();
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_TRUE(verify(*again).ok());
  EXPECT_EQ(responder->requests(), 1u);
}

TEST_F(OcspResponderTest, NonceRoundTrip) {
  Bytes nonce;
  auto req = make_ocsp_request(cert(), issuer(), true, &nonce);
  ASSERT_TRUE(req.ok());
  OcspVerifyOptions opts;
  opts.expected_nonce = nonce;
  auto body = fetch_ocsp(responder->url(), *req, milliseconds(10'000), kMaxOcspResponseBytes);
  ASSERT_TRUE(body.ok()) << body.error().to_string();
  EXPECT_TRUE(verify(*body, opts).ok());

  set_mode("no-nonce");
  body = fetch_ocsp(responder->url(), *req, milliseconds(10'000), kMaxOcspResponseBytes);
  ASSERT_TRUE(body.ok());
  auto status = verify(*body, opts);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(contains(status.error().reason, "no nonce")) << status.error().reason;
}

TEST_F(OcspResponderTest, BehaviourChangesWhileServing) {
  // One thread fetches while this one flips between good and revoked: every
  // answer is one of the two, well formed.
  std::vector<std::string> seen;
  std::thread client([&] {
    for (int i = 0; i < 16; ++i) {
      auto body = fetch();
      if (!body.ok()) {
        seen.push_back(body.error().to_string());
        continue;
      }
      auto status = verify(*body);
      seen.push_back(status.ok() ? to_string(status->status) : status.error().to_string());
    }
  });
  for (int i = 0; i < 16; ++i) set_mode(i % 2 == 0 ? "revoked" : "good");
  client.join();
  ASSERT_EQ(seen.size(), 16u);
  for (const std::string& s : seen) EXPECT_TRUE(s == "good" || s == "revoked") << s;
}

// refuse: the request is read (and counted), the connection closed
// unanswered: the client gets no answer, and the next request is served.
TEST_F(OcspResponderTest, RefuseClosesUnanswered) {
  set_mode("refuse");
  auto body = fetch();
  ASSERT_FALSE(body.ok());
  EXPECT_TRUE(contains(body.error().reason, responder->url())) << body.error().reason;
  EXPECT_EQ(responder->requests(), 1u);
  EXPECT_EQ(responder->last_request(), request);
  set_mode("good");
  EXPECT_TRUE(fetch().ok());
}

// wrong-nonce: a nonce that is not the request's (RFC 6960 §4.4.1); the
// response is otherwise valid, so only the nonce check refuses it.
TEST_F(OcspResponderTest, WrongNonceFailsOnlyTheNonceCheck) {
  Bytes nonce;
  auto req = make_ocsp_request(cert(), issuer(), true, &nonce);
  ASSERT_TRUE(req.ok());
  ASSERT_FALSE(nonce.empty());
  OcspVerifyOptions with_nonce;
  with_nonce.expected_nonce = nonce;
  for (const char* mode : {"good", "wrong-nonce"}) {
    SCOPED_TRACE(mode);
    set_mode(mode);
    auto body = fetch_ocsp(responder->url(), *req, milliseconds(10'000), kMaxOcspResponseBytes);
    ASSERT_TRUE(body.ok()) << body.error().to_string();
    EXPECT_TRUE(verify(*body).ok());  // without a nonce expected
    auto checked = verify(*body, with_nonce);
    if (std::string(mode) == "good") {
      EXPECT_TRUE(checked.ok()) << checked.error().to_string();
    } else {
      ASSERT_FALSE(checked.ok());
      EXPECT_TRUE(contains(checked.error().reason, "nonce does not match")) << checked.error().reason;
    }
  }
  // A request without a nonce gets one anyway: still not a match for anybody.
  set_mode("wrong-nonce");
  auto body = fetch();
  ASSERT_TRUE(body.ok());
  EXPECT_FALSE(verify(*body, with_nonce).ok());
}

TEST_F(OcspResponderTest, FetchRejectsBadUrls) {
  for (const char* url : {"not a url", "https://127.0.0.1:1/", "ftp://x/"}) {
    auto r = fetch_ocsp(url, request, milliseconds(1000), kMaxOcspResponseBytes);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_TRUE(contains(r.error().reason, url)) << r.error().reason;
  }
  EXPECT_FALSE(fetch_ocsp(responder->url(), Bytes{}, milliseconds(1000), kMaxOcspResponseBytes).ok());
}

TEST(OcspResponderLifecycle, StopEndsAHungConnection) {
  const auto& f = test_pki().ecdsa();
  auto r = OcspResponder::create(f.intermediate.cert.get(), f.intermediate.key.get());
  ASSERT_TRUE(r.ok());
  OcspResponder& responder = **r;
  responder.set_behavior(*testing::ocsp_behavior_named("hang"));
  ASSERT_TRUE(responder.start().ok());
  EXPECT_FALSE(responder.start().ok());  // once only
  auto req = make_ocsp_request(f.server.cert.get(), f.intermediate.cert.get(), false, nullptr);
  ASSERT_TRUE(req.ok());
  RawReply reply;
  std::thread client([&] { reply = raw_exchange(responder.port(), post(*req)); });
  // Whether or not the request was read yet, stop() closes the connection
  // unanswered, and the client sees the end of the stream.
  responder.stop();
  client.join();
  EXPECT_FALSE(reply.ok);
  responder.stop();  // idempotent
}

TEST(OcspResponderLifecycle, RejectsMismatchedKeys) {
  const auto& f = test_pki().ecdsa();
  auto r = OcspResponder::create(f.intermediate.cert.get(), f.root.key.get());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(contains(r.error().reason, "does not match")) << r.error().reason;
}

// --- the program --------------------------------------------------------------

TEST(OcspResponderProgram, ServesFromPemFiles) {
  const auto& f = test_pki().ecdsa();
  testing::TempDir dir;
  const std::string program = std::string(VOUCH_BINARY_DIR) + "/bin/vouch-test-ocsp-responder";
  testing::ChildProcess child =
      testing::ChildProcess::spawn({program, "--issuer-cert", f.intermediate.cert_path, "--issuer-key",
                                    f.intermediate.key_path, "--port-file", dir.file("port"), "--mode",
                                    "revoked", "--revocation-reason", "4", "--max-seconds", "60"});
  ASSERT_TRUE(child.running()) << child.error();
  const auto port_text = testing::wait_for_file(dir.file("port"), milliseconds(20'000));
  ASSERT_TRUE(port_text.has_value()) << child.transcript();
  const std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(*port_text)) + "/";

  auto req = make_ocsp_request(f.server.cert.get(), f.intermediate.cert.get(), true, nullptr);
  ASSERT_TRUE(req.ok());
  auto body = fetch_ocsp(url, *req, milliseconds(10'000), kMaxOcspResponseBytes);
  ASSERT_TRUE(body.ok()) << body.error().to_string() << "\n" << child.transcript();
  auto status = verify_ocsp_response(*body, f.server.cert.get(), f.intermediate.cert.get(), {}, {});
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_EQ(status->status, OcspCertStatus::revoked);
  EXPECT_EQ(status->revocation_reason, 4);  // superseded

  const testing::ExitStatus exit = child.stop();
  EXPECT_TRUE(exit.success()) << child.transcript();
  EXPECT_TRUE(contains(child.out(), "after 1 requests")) << child.transcript();
}

TEST(OcspResponderProgram, DelegatedSignerAndWindowOptions) {
  const auto& f = test_pki().ecdsa();
  auto delegate = testing::mint_responder_cert(f.intermediate.cert.get(), f.intermediate.key.get());
  ASSERT_TRUE(delegate.ok()) << delegate.error().to_string();
  testing::TempDir dir;
  testing::write_file(dir.file("responder.pem"), testing::to_pem(delegate->cert.get()));
  testing::write_file(dir.file("responder-key.pem"), testing::to_pem(delegate->key.get()));
  const std::string program = std::string(VOUCH_BINARY_DIR) + "/bin/vouch-test-ocsp-responder";
  testing::ChildProcess child = testing::ChildProcess::spawn(
      {program, "--issuer-cert", f.intermediate.cert_path, "--issuer-key", f.intermediate.key_path,
       "--responder-cert", dir.file("responder.pem"), "--responder-key", dir.file("responder-key.pem"),
       "--port-file", dir.file("port"), "--next-update-offset", "none", "--by-key", "--max-seconds", "60"});
  ASSERT_TRUE(child.running()) << child.error();
  const auto port_text = testing::wait_for_file(dir.file("port"), milliseconds(20'000));
  ASSERT_TRUE(port_text.has_value()) << child.transcript();
  const std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(*port_text)) + "/";

  auto req = make_ocsp_request(f.server.cert.get(), f.intermediate.cert.get(), false, nullptr);
  ASSERT_TRUE(req.ok());
  auto body = fetch_ocsp(url, *req, milliseconds(10'000), kMaxOcspResponseBytes);
  ASSERT_TRUE(body.ok()) << body.error().to_string() << "\n" << child.transcript();
  auto strict = verify_ocsp_response(*body, f.server.cert.get(), f.intermediate.cert.get(), {}, {});
  ASSERT_FALSE(strict.ok());
  EXPECT_TRUE(contains(strict.error().reason, "no nextUpdate")) << strict.error().reason;
  OcspVerifyOptions lenient;
  lenient.require_next_update = false;
  auto status = verify_ocsp_response(*body, f.server.cert.get(), f.intermediate.cert.get(), {}, lenient);
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_TRUE(status->delegated);
  EXPECT_EQ(status->responder.rfind("key:", 0), 0u) << status->responder;
  EXPECT_TRUE(child.stop().success()) << child.transcript();
}

TEST(OcspResponderProgram, RejectsBadArguments) {
  const std::string program = std::string(VOUCH_BINARY_DIR) + "/bin/vouch-test-ocsp-responder";
  const auto& f = test_pki().ecdsa();
  const std::vector<std::vector<std::string>> bad = {
      {program},
      {program, "--issuer-cert", f.intermediate.cert_path, "--issuer-key", f.intermediate.key_path, "--mode",
       "nope"},
      {program, "--issuer-cert", f.intermediate.cert_path, "--issuer-key", f.root.key_path},
      {program, "--issuer-cert", "/nonexistent.pem", "--issuer-key", f.intermediate.key_path},
      {program, "--bogus"},
  };
  for (const auto& argv : bad) {
    testing::ChildProcess child = testing::ChildProcess::spawn(argv);
    ASSERT_TRUE(child.running()) << child.error();
    const testing::ExitStatus exit = child.wait(milliseconds(20'000));
    EXPECT_TRUE(exit.exited && exit.code != 0) << child.transcript();
  }
}

// --- interop: the real `openssl ocsp` client ------------------------------------

TEST_F(OcspResponderTest, OpensslOcspClientAgrees) {
  const auto openssl = testing::find_program("openssl");
  // A missing tool is a broken test environment, not a reason to pass:
  // `make deps` installs openssl, so its absence must be seen.
  ASSERT_TRUE(openssl.has_value()) << "the openssl program is not installed (or not on PATH); "
                                      "install it (`make deps`, Debian: apt-get install openssl) to run this test";
  struct Case {
    const char* mode;
    const char* expect;
  } cases[] = {{"good", ": good"}, {"delegated", ": good"}, {"revoked", ": revoked"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mode);
    set_mode(c.mode);
    testing::ChildProcess child = testing::ChildProcess::spawn(
        {*openssl, "ocsp", "-issuer", f().intermediate.cert_path, "-cert", f().server.cert_path, "-url",
         responder->url(), "-CAfile", f().root.cert_path, "-timeout", "10"});
    ASSERT_TRUE(child.running()) << child.error();
    const testing::ExitStatus exit = child.wait(milliseconds(30'000));
    EXPECT_TRUE(exit.success()) << child.transcript();
    EXPECT_TRUE(contains(child.out(), f().server.cert_path + c.expect)) << child.transcript();
    EXPECT_TRUE(contains(child.err() + child.out(), "Response verify OK")) << child.transcript();
  }
  // A signer openssl must refuse too.
  set_mode("delegated-no-eku");
  testing::ChildProcess child = testing::ChildProcess::spawn(
      {*openssl, "ocsp", "-issuer", f().intermediate.cert_path, "-cert", f().server.cert_path, "-url",
       responder->url(), "-CAfile", f().root.cert_path, "-timeout", "10"});
  ASSERT_TRUE(child.running());
  child.wait(milliseconds(30'000));
  EXPECT_TRUE(contains(child.err() + child.out(), "Response Verify Failure")) << child.transcript();
}

}  // namespace
}  // namespace vouch
