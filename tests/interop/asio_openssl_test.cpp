// vouch::asio::stream (vouch/asio.h) against OpenSSL, in TLS 1.3 and 1.2:
//  - an Asio client with a client certificate that requires a good OCSP
//    staple, against `openssl s_server -Verify 1 -status_file`;
//  - an Asio server that staples and requires a client certificate, against
//    `openssl s_client -cert -status`;
//  - the same server whose key is behind an asynchronous signer completed
//    from another thread.
#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "support/signing.h"
#include "interop/interop.h"
#include "support/staples.h"
#include "vouch/asio.h"

namespace vouch::interop {
namespace {

namespace net = ::asio;
using tcp = net::ip::tcp;
using TlsStream = vouch::asio::stream<tcp::socket>;

const testing::PkiFamily& f() { return testing::test_pki().ecdsa(); }

class AsioOpenSsl : public ::testing::TestWithParam<const char*> {
 protected:
  const char* version_flag() const { return GetParam(); }
  bool tls12() const { return std::string(GetParam()) == "-tls1_2"; }
};

std::string version_name(const ::testing::TestParamInfo<const char*>& i) {
  return std::string(i.param) == "-tls1_2" ? "tls12" : "tls13";
}

// ---- an Asio client against s_server

struct ClientResult {
  std::error_code handshake, io;
  std::string response;
  std::string ocsp;
  ProtocolVersion version{};
  bool done = false;
};

net::awaitable<void> asio_client(uint16_t port, std::shared_ptr<const ClientConfig> cc, ClientResult& r) {
  TlsStream tls(co_await net::this_coro::executor, std::move(cc), "localhost");
  co_await tls.next_layer().async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                          net::redirect_error(net::use_awaitable, r.handshake));
  if (!r.handshake) co_await tls.async_handshake(net::redirect_error(net::use_awaitable, r.handshake));
  if (!r.handshake) {
    r.ocsp = tls.connection().peer_ocsp().summary();
    r.version = tls.connection().info().version;
    co_await net::async_write(tls, net::buffer(kHttpRequest), net::redirect_error(net::use_awaitable, r.io));
    // s_server -www answers and closes; read until then (bounded by the
    // peer: it closes after one page).
    std::array<char, 4096> buf;
    while (!r.io) {
      const size_t n = co_await tls.async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, r.io));
      r.response.append(buf.data(), n);
    }
  }
  r.done = true;
}

TEST_P(AsioOpenSsl, AsioClientWithCertificateAndStapleToOpenSslServer) {
  testing::TempDir dir;
  const std::string staple = dir.file("staple.der");
  testing::write_file(staple, testing::leaf_staple());
  std::vector<std::string> args = openssl_cert_args(f(), f().server);
  args.insert(args.end(), {"-status_file", staple, "-Verify", "1", "-CAfile", f().root.cert_path,
                           "-verify_return_error", "-www", "-naccept", "1"});
  Server server = start_openssl_server_version(version_flag(), args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  auto cc = std::make_shared<ClientConfig>();
  cc->trust = f().trust();
  cc->ocsp_policy = OcspPolicy::require;
  cc->client_credentials = {f().client_credential()};
  net::io_context io;
  ClientResult r;
  net::co_spawn(io, asio_client(server.port, cc, r), net::detached);
  io.run_for(kRunTimeout);
  ASSERT_TRUE(r.done);
  ASSERT_FALSE(r.handshake) << r.handshake.message() << "\n" << server.process.transcript();
  EXPECT_EQ(r.version, tls12() ? ProtocolVersion::tls12 : ProtocolVersion::tls13);
  EXPECT_EQ(r.ocsp.rfind("good (produced ", 0), 0u) << r.ocsp;
  EXPECT_EQ(r.response.rfind("HTTP/1.0 200 ok", 0), 0u) << r.response;
  // The page ended with the server's close_notify, or (s_server may just
  // close) the end of the stream.
  EXPECT_TRUE(r.io == net::error::eof || r.io == make_error_code(errc::stream_truncated)) << r.io.message();
  // s_server verified the client's certificate.
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find("depth=0 O = vouch-test, CN = client-ecdsa\nverify return:1"),
            std::string::npos)
      << server.process.transcript();
}

// ---- an Asio server against s_client

struct ServerResult {
  std::error_code handshake, io;
  std::string request;
  std::string client_subject;
  bool done = false;
};

// Serves one connection: handshake, one request, a small page naming the
// client, close_notify.
net::awaitable<void> asio_server(tcp::acceptor& acceptor, std::shared_ptr<const ServerConfig> sc, ServerResult& r) {
  tcp::socket sock = co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, r.handshake));
  if (!r.handshake) {
    TlsStream tls(std::move(sock), std::move(sc));
    co_await tls.async_handshake(net::redirect_error(net::use_awaitable, r.handshake));
    if (!r.handshake) {
      r.client_subject = tls.connection().peer_subject();
      std::array<char, 4096> buf;
      // Bounded: s_client sends one request of a few bytes.
      while (!r.io && r.request.find("\r\n\r\n") == std::string::npos) {
        const size_t n =
            co_await tls.async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, r.io));
        r.request.append(buf.data(), n);
      }
      const std::string page = "HTTP/1.0 200 ok\r\n\r\nasio client: " + r.client_subject + "\n";
      if (!r.io) co_await net::async_write(tls, net::buffer(page), net::redirect_error(net::use_awaitable, r.io));
      std::error_code ignored;  // s_client may close without its own close_notify
      if (!r.io) co_await tls.async_shutdown(net::redirect_error(net::use_awaitable, ignored));
    }
  }
  r.done = true;
}

std::shared_ptr<ServerConfig> stapling_mtls_server(Credential credential) {
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {testing::stapled(credential, {testing::leaf_staple(), testing::intermediate_staple()})};
  sc->client_auth = ClientAuth::required;
  sc->client_trust = f().trust();
  return sc;
}

// s_client with a client certificate, asking for status; the request on stdin.
ChildProcess run_s_client(const char* version_flag, uint16_t port) {
  ChildProcess c = ChildProcess::spawn(
      {require_program("openssl"), "s_client", version_flag, "-connect", "127.0.0.1:" + std::to_string(port),
       "-CAfile", f().root.cert_path, "-verify_return_error", "-servername", "localhost", "-verify_hostname",
       "localhost", "-status", "-cert", f().client.cert_path, "-key", f().client.key_path, "-cert_chain",
       f().intermediate.cert_path, "-ign_eof"},
      {StdinMode::data, kHttpRequest, {}});
  c.wait(kRunTimeout);
  return c;
}

void expect_served(const ServerResult& r, const ChildProcess& client) {
  ASSERT_TRUE(r.done);
  EXPECT_FALSE(r.handshake) << r.handshake.message() << "\n" << client.transcript();
  EXPECT_FALSE(r.io) << r.io.message();
  EXPECT_EQ(r.request, kHttpRequest);
  EXPECT_NE(r.client_subject.find("CN=client-ecdsa"), std::string::npos) << r.client_subject;
  const std::string out = client.out();
  EXPECT_NE(out.find("OCSP Response Status: successful"), std::string::npos) << client.transcript();
  EXPECT_NE(out.find("Cert Status: good"), std::string::npos) << client.transcript();
  EXPECT_NE(out.find("Verify return code: 0 (ok)"), std::string::npos) << client.transcript();
  EXPECT_NE(out.find("asio client: "), std::string::npos) << client.transcript();
}

TEST_P(AsioOpenSsl, OpenSslClientToAsioServerWithStapleAndClientCertificate) {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  ServerResult r;
  net::co_spawn(io, asio_server(acceptor, stapling_mtls_server(f().server_credential()), r), net::detached);
  std::thread runner([&] { io.run_for(kRunTimeout); });
  ChildProcess client = run_s_client(version_flag(), acceptor.local_endpoint().port());
  runner.join();
  expect_served(r, client);
}

// The server's key behind a signer that answers from another thread.
class ThreadSigner : public PrivateKeySigner {
 public:
  explicit ThreadSigner(EVP_PKEY* key) : key_(key) {}
  ~ThreadSigner() override {
    for (auto& t : threads_) t.join();
  }
  Result<std::optional<Bytes>> sign(SignatureScheme scheme, ByteView message,
                                    std::shared_ptr<PendingSignature> pending) override {
    ++calls;
    threads_.emplace_back([key = key_, scheme, m = Bytes(message.begin(), message.end()), pending] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      testing::answer_signature(*pending, scheme, key, m);
    });
    return std::optional<Bytes>();
  }
  int calls = 0;

 private:
  EVP_PKEY* key_;
  std::vector<std::thread> threads_;
};

TEST_P(AsioOpenSsl, OpenSslClientToAsioServerWithAsyncSigner) {
  auto signer = std::make_shared<ThreadSigner>(f().server.key.get());
  auto credential = Credential::from_signer({f().server.cert.get(), f().intermediate.cert.get()}, signer);
  ASSERT_TRUE(credential.ok()) << credential.error().to_string();
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  ServerResult r;
  net::co_spawn(io, asio_server(acceptor, stapling_mtls_server(*credential), r), net::detached);
  std::thread runner([&] { io.run_for(kRunTimeout); });
  ChildProcess client = run_s_client(version_flag(), acceptor.local_endpoint().port());
  runner.join();
  expect_served(r, client);
  EXPECT_EQ(signer->calls, 1);
}

INSTANTIATE_TEST_SUITE_P(Versions, AsioOpenSsl, ::testing::Values("-tls1_3", "-tls1_2"), version_name);

}  // namespace
}  // namespace vouch::interop
