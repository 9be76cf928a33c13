// vouch connect (client) against gnutls-serv --http, every suite × group ×
// certificate type (GnuTLS priority strings pin each one).
#include "interop/interop.h"

namespace vouch::interop {
namespace {

// gnutls-serv -a: no CertificateRequest (client certificates are tested in
// the mutual-TLS tests).
Server start_gnutls_http(const testing::PkiCert& cert, const std::string& priority) {
  return start_gnutls_server({"-a", "--http", "--x509certfile", cert.chain_path, "--x509keyfile",
                              cert.key_path, "--priority", priority});
}

class VouchClientToGnuTls : public ::testing::TestWithParam<Combo> {};

TEST_P(VouchClientToGnuTls, Handshake) {
  const Combo& p = GetParam();
  const testing::PkiFamily& f = family(p.cert);
  Server server = start_gnutls_http(f.server, gnutls_priority(p.suite, p.group));
  ASSERT_NE(server.port, 0) << server.process.transcript();

  // No --ciphersuites/--groups: GnuTLS's priority string makes the choice,
  // so this also checks that vouch's defaults offer every suite and group.
  // The key share defaults to x25519, so the other groups take a
  // HelloRetryRequest.
  ChildProcess client = run_vouch_client(
      server.port,
      {"--ca", f.root.cert_path, "--servername", "localhost", "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  EXPECT_EQ(summary_value(err, "protocol"), "TLSv1.3");
  EXPECT_EQ(summary_value(err, "cipher"), p.suite.iana);
  EXPECT_EQ(summary_value(err, "group"), p.group.iana);
  EXPECT_NE(summary_value(err, "peer").find("CN=localhost"), std::string::npos) << err;
  // gnutls-serv's page describes the session from its side.
  const std::string out = client.out();
  EXPECT_EQ(out.rfind("HTTP/1.0 200 OK", 0), 0u) << out;
  EXPECT_NE(out.find(std::string("(TLS1.3-X.509)-(ECDHE-") + p.group.gnutls_print + ")"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(std::string("-(") + p.suite.gnutls + ")"), std::string::npos) << out;
  EXPECT_NE(out.find("Server Name: localhost"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(All, VouchClientToGnuTls, ::testing::ValuesIn(all_combos()), combo_name);

TEST(VouchClientToGnuTlsMisc, Alpn) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  Server server = start_gnutls_server({"-a", "--http", "--x509certfile", f.server.chain_path,
                                       "--x509keyfile", f.server.key_path, "--alpn", "h2"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--alpn", "h2,http/1.1",
                    "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "alpn"), "h2");
}

}  // namespace
}  // namespace vouch::interop
