// openssl s_client against vouch serve, every suite × group × certificate
// type, plus HelloRetryRequest (group mismatch and cookie), ALPN, and several
// clients at once followed by a SIGTERM shutdown.
#include <signal.h>

#include "interop/interop.h"

namespace vouch::interop {
namespace {

// s_client with full verification of "localhost"; it reads the request from
// stdin and, with -ign_eof, waits for the server to close.
std::vector<std::string> s_client_args(uint16_t port, const std::string& ca) {
  return {require_program("openssl"), "s_client", "-tls1_3", "-connect",
          "127.0.0.1:" + std::to_string(port), "-CAfile", ca, "-verify_return_error",
          "-servername", "localhost", "-verify_hostname", "localhost", "-ign_eof"};
}

ChildProcess run_s_client(std::vector<std::string> argv) {
  ChildProcess c = ChildProcess::spawn(argv, {StdinMode::data, kHttpRequest, {}});
  c.wait(kRunTimeout);
  return c;
}

class OpenSslClientToVouch : public ::testing::TestWithParam<Combo> {};

TEST_P(OpenSslClientToVouch, Handshake) {
  const Combo& p = GetParam();
  const testing::PkiFamily& f = family(p.cert);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--ciphersuites", p.suite.iana, "--groups", p.group.iana, "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  std::vector<std::string> argv = s_client_args(server.port, f.root.cert_path);
  argv.insert(argv.end(), {"-ciphersuites", p.suite.iana, "-groups", p.group.openssl});
  ChildProcess client = run_s_client(argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();

  const std::string out = client.out();
  EXPECT_NE(out.find("Verify return code: 0 (ok)"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("New, TLSv1.3, Cipher is ") + p.suite.iana), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("Server Temp Key: ") + p.group.openssl_temp), std::string::npos) << out;
  // vouch's page, as s_client received it.
  EXPECT_NE(out.find("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ncipher: ") + p.suite.iana + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ngroup: ") + p.group.iana + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nsni: localhost\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nresumed: no\n"), std::string::npos) << out;

  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find(std::string("TLSv1.3 ") + p.suite.iana + " " + p.group.iana),
            std::string::npos)
      << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, OpenSslClientToVouch, ::testing::ValuesIn(all_combos()), combo_name);

// s_client sends a key share for X25519 only; the server accepts only
// secp256r1 and must ask again with a HelloRetryRequest (RFC 8446 §4.1.4).
TEST(OpenSslClientToVouchMisc, HelloRetryRequestForAnotherGroup) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--groups", "secp256r1", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = s_client_args(server.port, f.root.cert_path);
  argv.insert(argv.end(), {"-groups", "X25519:P-256"});
  ChildProcess client = run_s_client(argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("\ngroup: secp256r1\n"), std::string::npos) << client.out();
  EXPECT_NE(client.out().find("\nhello_retry_request: yes\n"), std::string::npos) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

// --require-cookie: every first ClientHello gets a HelloRetryRequest with a
// cookie the client must echo (RFC 8446 §4.2.2).
TEST(OpenSslClientToVouchMisc, CookieHelloRetryRequest) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--require-cookie", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_s_client(s_client_args(server.port, f.root.cert_path));
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("\nhello_retry_request: yes\n"), std::string::npos) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

TEST(OpenSslClientToVouchMisc, Alpn) {
  const testing::PkiFamily& f = family(CertType::rsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--alpn", "http/1.1", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = s_client_args(server.port, f.root.cert_path);
  argv.insert(argv.end(), {"-alpn", "h2,http/1.1"});
  ChildProcess client = run_s_client(argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("ALPN protocol: http/1.1"), std::string::npos) << client.out();
  EXPECT_NE(client.out().find("\nalpn: http/1.1\n"), std::string::npos) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

// Several clients at once against one server (a thread per connection), then
// SIGTERM: the server exits cleanly with status 0.
TEST(OpenSslClientToVouchMisc, ConcurrentClientsThenSigterm) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  Server server = start_vouch_server(dir, vouch_cert_args(f.server));
  ASSERT_NE(server.port, 0) << server.process.transcript();

  constexpr int kClients = 4;
  std::vector<ChildProcess> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(ChildProcess::spawn(s_client_args(server.port, f.root.cert_path),
                                          {StdinMode::data, kHttpRequest, {}}));
  }
  for (ChildProcess& c : clients) {
    EXPECT_TRUE(c.wait(kRunTimeout).success()) << c.transcript();
    EXPECT_NE(c.out().find("\nprotocol: TLSv1.3\n"), std::string::npos) << c.out();
  }
  ASSERT_EQ(::kill(server.process.pid(), SIGTERM), 0);
  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << server.process.transcript();
  // One log line per connection.
  size_t lines = 0;
  for (const std::string& l : nonempty_lines(server.process.err()))
    if (l.find(" TLSv1.3 TLS_") != std::string::npos) ++lines;
  EXPECT_EQ(lines, static_cast<size_t>(kClients)) << server.process.err();
}

}  // namespace
}  // namespace vouch::interop
