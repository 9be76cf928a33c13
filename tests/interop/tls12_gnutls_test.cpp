// TLS 1.2 with GnuTLS, both directions, every suite × group: the peer's
// priority string (TLS 1.2 only, one suite, one group) makes the choice and
// vouch runs with its default version range (1.2 and 1.3) and default
// suites, so this also checks that a 1.3-capable vouch negotiates 1.2 with
// a 1.2-only peer and that its defaults offer every 1.2 suite and group.
#include "interop/interop12.h"

namespace vouch::interop {
namespace {

// gnutls-serv -a: no CertificateRequest (mutual TLS has its own tests).
Server start_gnutls_http12(const testing::PkiCert& cert, const std::string& priority) {
  return start_gnutls_server({"-a", "--http", "--x509certfile", cert.chain_path, "--x509keyfile",
                              cert.key_path, "--priority", priority});
}

// How gnutls names the signature in its "Description" for a suite's key.
std::string gnutls_signature_prefix(const Suite12& s) {
  return s.cert == CertType::ecdsa ? "(ECDSA-SHA" : "(RSA-";
}

class VouchClientToGnuTls12 : public ::testing::TestWithParam<Combo12> {};

TEST_P(VouchClientToGnuTls12, Handshake) {
  const Combo12& p = GetParam();
  const testing::PkiFamily& f = family(p.suite.cert);
  Server server = start_gnutls_http12(f.server, gnutls_priority12(p.suite, p.group));
  ASSERT_NE(server.port, 0) << server.process.transcript();

  // No version, suite or group flags: vouch's defaults.
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--request", kEscapedHttpRequest});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  EXPECT_EQ(summary_value(err, "protocol"), "TLSv1.2");
  EXPECT_EQ(summary_value(err, "cipher"), p.suite.iana);
  EXPECT_EQ(summary_value(err, "group"), p.group.iana);
  EXPECT_NE(summary_value(err, "peer").find("CN=localhost"), std::string::npos) << err;
  // gnutls-serv's page describes the session from its side.
  const std::string out = client.out();
  EXPECT_EQ(out.rfind("HTTP/1.0 200 OK", 0), 0u) << out;
  EXPECT_NE(out.find("<TD>Protocol version:</TD><TD>TLS1.2</TD>"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("(TLS1.2-X.509)-(ECDHE-") + p.group.gnutls_print + ")-" +
                     gnutls_signature_prefix(p.suite)),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(std::string("<TD>Key Exchange:</TD><TD>") + p.suite.gnutls_kx + "</TD>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(std::string("<TD>Cipher</TD><TD>") + p.suite.gnutls_cipher + "</TD>"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Server Name: localhost"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(All, VouchClientToGnuTls12, ::testing::ValuesIn(all_combos12()), combo12_name);

class GnuTlsClientToVouch12 : public ::testing::TestWithParam<Combo12> {};

TEST_P(GnuTlsClientToVouch12, Handshake) {
  const Combo12& p = GetParam();
  const testing::PkiFamily& f = family(p.suite.cert);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.push_back("--once");
  // The ECDSA certificate is on P-256, which the client must list too (RFC
  // 8422 §5.3); vouch's group preference would then pick P-256 over P-384,
  // so for ECDSA suites vouch pins the group. Otherwise vouch runs with its
  // default range, suites and groups, and the priority string decides.
  std::string priority = gnutls_priority12(p.suite, p.group);
  if (p.suite.cert == CertType::ecdsa && std::string(p.group.iana) != "secp256r1") {
    priority += ":+GROUP-SECP256R1";
    args.insert(args.end(), {"--groups", p.group.iana});
  }
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  ChildProcess client = run_gnutls_cli(server.port, f.root.cert_path, priority);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  EXPECT_NE(out.find("- Status: The certificate is trusted."), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("- Description: (TLS1.2-X.509)-(ECDHE-") + p.group.gnutls_print + ")-" +
                     gnutls_signature_prefix(p.suite)),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(std::string("-(") + p.suite.gnutls_cipher + ")\n"), std::string::npos) << out;
  // RFC 7627 and RFC 5746, as gnutls-cli saw them negotiated.
  EXPECT_NE(out.find("- Options: extended master secret, safe renegotiation,"), std::string::npos) << out;
  EXPECT_NE(out.find("HTTP/1.0 200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("\nprotocol: TLSv1.2\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ncipher: ") + p.suite.iana + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ngroup: ") + p.group.iana + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nsni: localhost\n"), std::string::npos) << out;
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, GnuTlsClientToVouch12, ::testing::ValuesIn(all_combos12()), combo12_name);

// vouch serve --tls1_2 (one version) against gnutls-cli's default priority
// (1.3 and 1.2): 1.2, with gnutls' own choice of suite.
TEST(Tls12GnuTlsMisc, GnuTlsClientOfBothVersionsToVouchServerOfTls12) {
  const testing::PkiFamily& f = family(CertType::rsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--tls1_2", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_gnutls_cli(server.port, f.root.cert_path, "NORMAL");
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("- Description: (TLS1.2-X.509)-(ECDHE-"), std::string::npos) << client.out();
  EXPECT_NE(client.out().find("\nprotocol: TLSv1.2\n"), std::string::npos) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

}  // namespace
}  // namespace vouch::interop
