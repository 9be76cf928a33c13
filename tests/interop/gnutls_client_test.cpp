// gnutls-cli against vouch serve, every suite × group × certificate type.
#include "interop/interop.h"

namespace vouch::interop {
namespace {

// gnutls-cli verifying "localhost" (the target is the address 127.0.0.1). It
// ends its session at stdin EOF, possibly before the answer has arrived, so
// stdin stays an open pipe; vouch's close_notify after the page ends it.
ChildProcess run_gnutls_cli(uint16_t port, const std::string& ca, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {require_program("gnutls-cli"), "-p", std::to_string(port),
                                   "127.0.0.1", "--x509cafile", ca, "--verify-hostname", "localhost",
                                   "--sni-hostname", "localhost"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ChildProcess c = ChildProcess::spawn(argv, {StdinMode::pipe, {}, {}});
  c.write_stdin(kHttpRequest);
  c.wait(kRunTimeout);
  return c;
}

class GnuTlsClientToVouch : public ::testing::TestWithParam<Combo> {};

TEST_P(GnuTlsClientToVouch, Handshake) {
  const Combo& p = GetParam();
  const testing::PkiFamily& f = family(p.cert);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.push_back("--once");
  // No --ciphersuites/--groups on vouch: the client's priority string decides.
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  ChildProcess client =
      run_gnutls_cli(server.port, f.root.cert_path, {"--priority", gnutls_priority(p.suite, p.group)});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  EXPECT_NE(out.find("- Status: The certificate is trusted."), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("- Description: (TLS1.3-X.509)-(ECDHE-") + p.group.gnutls_print +
                     ")"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(std::string("-(") + p.suite.gnutls + ")\n"), std::string::npos) << out;
  EXPECT_NE(out.find("HTTP/1.0 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ncipher: ") + p.suite.iana + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ngroup: ") + p.group.iana + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nsni: localhost\n"), std::string::npos) << out;
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, GnuTlsClientToVouch, ::testing::ValuesIn(all_combos()), combo_name);

TEST(GnuTlsClientToVouchMisc, Alpn) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--alpn", "h2,http/1.1", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_gnutls_cli(server.port, f.root.cert_path, {"--alpn", "http/1.1"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("\nalpn: http/1.1\n"), std::string::npos) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

}  // namespace
}  // namespace vouch::interop
