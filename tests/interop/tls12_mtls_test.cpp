// Mutual TLS in TLS 1.2 with real peers (RFC 5246 §7.4.4 CertificateRequest,
// §7.4.6 client Certificate, §7.4.8 CertificateVerify):
//  - openssl s_client -tls1_2 / gnutls-cli (1.2 priority) against
//    vouch serve --verify required|optional, with the CA names vouch sends;
//  - refusals by vouch serve with the RFC alert (handshake_failure for no
//    certificate, unknown_ca for another CA, unsupported_certificate);
//  - vouch connect --cert (one or several, chosen by the CA names) against
//    openssl s_server -tls1_2 -Verify/-verify and gnutls-serv -r.
// Client chains are leaf + intermediate; every verifier trusts the root only.
#include "interop/interop12.h"

namespace vouch::interop {
namespace {

std::string client_cn(CertType c) { return std::string("client-") + cert_name(c); }

// vouch serve --tls1_2 asking for a client certificate that chains to `client_ca`.
Server start_vouch_mtls12(const testing::TempDir& dir, const testing::PkiFamily& f, const std::string& verify,
                          const std::string& client_ca) {
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--tls1_2", "--verify", verify, "--client-ca", client_ca, "--once"});
  return start_vouch_server(dir, args);
}

class MutualTls12 : public ::testing::TestWithParam<CertType> {
 protected:
  const testing::PkiFamily& fam() const { return family(GetParam()); }
  std::string cn() const { return client_cn(GetParam()); }
};

std::string family_name(const ::testing::TestParamInfo<CertType>& i) { return cert_name(i.param); }

// ------------------------------------------------ vouch as the server

TEST_P(MutualTls12, OpenSslClientToVouchServer) {
  const testing::PkiFamily& f = fam();
  testing::TempDir dir;
  Server server = start_vouch_mtls12(dir, f, "required", f.root.cert_path);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = s_client12_args(server.port, f.root.cert_path);
  const std::vector<std::string> cert = s_client_cert_args(f, f.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess client = run_with_request(argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  EXPECT_NE(out.find("New, TLSv1.2, Cipher is ECDHE-"), std::string::npos) << out;
  // The CertificateRequest: the subject of the one root in --client-ca as
  // the acceptable CA names, and both certificate types (RFC 8422 §5.5).
  EXPECT_EQ(line_after(out, "Acceptable client certificate CA names"),
            "O = vouch-test, CN = vouch test root " + std::string(cert_name(GetParam())))
      << out;
  EXPECT_NE(out.find("Client Certificate Types: ECDSA sign, RSA sign\n"), std::string::npos) << out;
  // vouch's page names the client and its issuer (the intermediate).
  EXPECT_NE(out.find("\nclient: CN=" + cn() + ",O=vouch-test\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nclient-issuer: CN=vouch test intermediate " + std::string(cert_name(GetParam())) +
                     ",O=vouch-test\n"),
            std::string::npos)
      << out;
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find(" TLSv1.2 "), std::string::npos) << server.process.transcript();
  EXPECT_NE(server.process.err().find(" client=CN=" + cn() + ",O=vouch-test client-issuer=CN=vouch test "
                                      "intermediate"),
            std::string::npos)
      << server.process.transcript();
}

TEST_P(MutualTls12, GnuTlsClientToVouchServer) {
  const testing::PkiFamily& f = fam();
  testing::TempDir dir;
  Server server = start_vouch_mtls12(dir, f, "required", f.root.cert_path);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_gnutls_cli(server.port, f.root.cert_path, kGnutlsTls12Only,
                                       {"--x509certfile", f.client.chain_path, "--x509keyfile", f.client.key_path});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("- Description: (TLS1.2-X.509)-"), std::string::npos) << client.out();
  EXPECT_NE(client.out().find("\nclient: CN=" + cn() + ",O=vouch-test\n"), std::string::npos) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find(" client=CN=" + cn()), std::string::npos) << server.process.transcript();
}

// ------------------------------------------------ vouch as the client

// s_server -Verify 1: a certificate is required, verified against -CAfile.
TEST_P(MutualTls12, VouchClientToOpenSslServer) {
  const testing::PkiFamily& f = fam();
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-Verify", "1", "-CAfile", f.root.cert_path, "-verify_return_error", "-www",
                           "-naccept", "1"});
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = {"--ca", f.root.cert_path, "--servername", "localhost", "--tls1_2",
                                   "--request", kEscapedHttpRequest};
  const std::vector<std::string> cert = vouch_client_cert_args(f.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess client = run_vouch_client(server.port, argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  EXPECT_EQ(summary_value(err, "protocol"), "TLSv1.2");
  EXPECT_NE(err.find("client-cert: chose CN=" + cn() + ",O=vouch-test: meets the request"), std::string::npos)
      << err;
  // s_server's page shows the certificate it received.
  EXPECT_NE(client.out().find("Client certificate\n"), std::string::npos) << client.out();
  EXPECT_NE(client.out().find("        Subject: O=vouch-test, CN=" + cn() + "\n"), std::string::npos) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  const std::string server_err = server.process.err();
  EXPECT_NE(server_err.find("depth=0 O = vouch-test, CN = " + cn() + "\nverify return:1"), std::string::npos)
      << server.process.transcript();
  EXPECT_EQ(server_err.find("verify error"), std::string::npos) << server.process.transcript();
}

TEST_P(MutualTls12, VouchClientToGnuTlsServer) {
  const testing::PkiFamily& f = fam();
  Server server = start_gnutls_server({"-r", "--verify-client-cert", "--http", "--priority", kGnutlsTls12Only,
                                       "--x509cafile", f.root.cert_path, "--x509certfile", f.server.chain_path,
                                       "--x509keyfile", f.server.key_path});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = {"--ca", f.root.cert_path, "--servername", "localhost", "--request",
                                   kEscapedHttpRequest};
  const std::vector<std::string> cert = vouch_client_cert_args(f.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess client = run_vouch_client(server.port, argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2");
  EXPECT_NE(client.err().find("client-cert: chose CN=" + cn()), std::string::npos) << client.err();
  const std::string out = client.out();
  EXPECT_EQ(out.rfind("HTTP/1.0 200 OK", 0), 0u) << out;
  EXPECT_NE(out.find("<TD>Protocol version:</TD><TD>TLS1.2</TD>"), std::string::npos) << out;
  EXPECT_NE(out.find("\tSubject: CN=" + cn() + ",O=vouch-test\n"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(All, MutualTls12, ::testing::Values(CertType::ecdsa, CertType::rsa), family_name);

// ------------------------------------------------ vouch serve's refusals and --verify optional

class VouchServer12ClientAuth : public ::testing::Test {
 protected:
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;

  struct Run {
    ChildProcess client;
    testing::ExitStatus server_status;
    std::string server_log;
  };

  // s_client -tls1_2 with `cert_args` against a fresh vouch serve --verify `verify`.
  Run run(const std::string& verify, const std::vector<std::string>& cert_args) {
    Run r;
    Server server = start_vouch_mtls12(dir, f, verify, f.root.cert_path);
    EXPECT_NE(server.port, 0) << server.process.transcript();
    if (server.port == 0) return r;
    std::vector<std::string> argv = s_client12_args(server.port, f.root.cert_path);
    argv.insert(argv.end(), cert_args.begin(), cert_args.end());
    r.client = run_with_request(argv);
    r.server_status = server.process.wait(kRunTimeout);
    r.server_log = server.process.err();
    return r;
  }

  // The server refused: it exits 1 (--once) and logs `alert`; s_client
  // received that alert (`number`) and no page.
  void expect_refused(Run& r, const std::string& alert, int number) {
    EXPECT_TRUE(r.server_status.exited && r.server_status.code == 1) << r.server_log;
    EXPECT_NE(r.server_log.find("handshake failed: " + alert + ": "), std::string::npos) << r.server_log;
    const testing::ExitStatus st = r.client.wait(kRunTimeout);
    EXPECT_TRUE(st.exited && st.code != 0) << r.client.transcript();
    EXPECT_NE(r.client.err().find("SSL alert number " + std::to_string(number)), std::string::npos)
        << r.client.transcript();
    EXPECT_EQ(r.client.out().find("vouch test server"), std::string::npos) << r.client.transcript();
  }

  // A client certificate (clientAuth) issued by a root the server does not
  // trust; the key is reused to keep the test fast.
  std::vector<std::string> untrusted_client_args() {
    testing::CertSpec spec;
    spec.cn = "client-untrusted-ecdsa";
    spec.eku = testing::CertSpec::Eku::client;
    spec.reuse_key = f.client.key.get();
    const testing::Issued cert = testing::issue(spec, f.untrusted_root);
    testing::write_file(dir.file("untrusted-client.pem"), cert.cert_pem);
    testing::write_file(dir.file("untrusted-client-key.pem"), cert.key_pem);
    return {"-cert", dir.file("untrusted-client.pem"), "-key", dir.file("untrusted-client-key.pem")};
  }
};

// RFC 5246 §7.4.6: without a certificate the server "MAY ... respond with a
// fatal handshake_failure alert" — what --verify required does.
TEST_F(VouchServer12ClientAuth, RequiredWithoutCertificateIsHandshakeFailure) {
  Run r = run("required", {});
  expect_refused(r, "handshake_failure", 40);
  EXPECT_NE(r.server_log.find("client sent no certificate"), std::string::npos) << r.server_log;
  // The request itself reached the client.
  EXPECT_EQ(line_after(r.client.out(), "Acceptable client certificate CA names"),
            "O = vouch-test, CN = vouch test root ecdsa")
      << r.client.out();
}

// "... or continue the handshake without client authentication": --verify optional.
TEST_F(VouchServer12ClientAuth, OptionalWithoutCertificateIsServed) {
  Run r = run("optional", {});
  ASSERT_TRUE(r.client.wait(kRunTimeout).success()) << r.client.transcript() << r.server_log;
  EXPECT_TRUE(r.server_status.success()) << r.server_log;
  EXPECT_NE(r.client.out().find("Acceptable client certificate CA names\n"), std::string::npos) << r.client.out();
  EXPECT_NE(r.client.out().find("\nprotocol: TLSv1.2\n"), std::string::npos) << r.client.out();
  EXPECT_NE(r.client.out().find("\nclient: none\n"), std::string::npos) << r.client.out();
  EXPECT_NE(r.server_log.find(" client=none"), std::string::npos) << r.server_log;
}

TEST_F(VouchServer12ClientAuth, OptionalWithCertificateIsVerified) {
  Run r = run("optional", s_client_cert_args(f, f.client));
  ASSERT_TRUE(r.client.wait(kRunTimeout).success()) << r.client.transcript() << r.server_log;
  EXPECT_NE(r.client.out().find("\nclient: CN=client-ecdsa,O=vouch-test\n"), std::string::npos) << r.client.out();
  EXPECT_NE(r.server_log.find(" client=CN=client-ecdsa,O=vouch-test"), std::string::npos) << r.server_log;
}

// A certificate from a CA the server does not trust: unknown_ca (RFC 5246
// §7.2.2 "a valid certificate chain ... could not be built ... the CA
// certificate could not be located"); --verify optional refuses it too.
TEST_F(VouchServer12ClientAuth, CertificateFromUntrustedRootIsUnknownCa) {
  Run r = run("required", untrusted_client_args());
  expect_refused(r, "unknown_ca", 48);
  Run optional = run("optional", untrusted_client_args());
  expect_refused(optional, "unknown_ca", 48);
}

// The RSA family's client certificate: valid, but its root is not in --client-ca.
TEST_F(VouchServer12ClientAuth, CertificateOfAnotherFamilyIsUnknownCa) {
  const testing::PkiFamily& other = family(CertType::rsa);
  Run r = run("required", s_client_cert_args(other, other.client));
  expect_refused(r, "unknown_ca", 48);
}

// A leaf without the clientAuth extended key usage.
TEST_F(VouchServer12ClientAuth, CertificateWithoutClientAuthIsUnsupportedCertificate) {
  Run r = run("required", s_client_cert_args(f, f.client_noauth));
  expect_refused(r, "unsupported_certificate", 43);
}

// ------------------------------------------------ vouch connect's choice and refusals

// Two credentials; the server names one root (s_server from -CAfile,
// gnutls-serv from --x509cafile): the built-in selector skips the other
// family's and sends the one that chains to the named root.
class VouchClient12Selection : public ::testing::TestWithParam<CertType> {};

TEST_P(VouchClient12Selection, PicksByOpenSslServerCaNames) {
  const testing::PkiFamily& named = family(GetParam());
  const testing::PkiFamily& other = family(GetParam() == CertType::ecdsa ? CertType::rsa : CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(named, named.server);
  args.insert(args.end(), {"-Verify", "1", "-CAfile", named.root.cert_path, "-verify_return_error", "-www",
                           "-naccept", "1"});
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = {"--ca", named.root.cert_path, "--servername", "localhost", "--tls1_2",
                                   "--request", kEscapedHttpRequest};
  // The other family's credential first, so that order alone cannot pick right.
  for (const testing::PkiCert* c : {&other.client, &named.client}) {
    const std::vector<std::string> cert = vouch_client_cert_args(*c);
    argv.insert(argv.end(), cert.begin(), cert.end());
  }
  ChildProcess client = run_vouch_client(server.port, argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  const size_t skipped = err.find("client-cert: skipped CN=" + client_cn(GetParam() == CertType::ecdsa
                                                                             ? CertType::rsa
                                                                             : CertType::ecdsa) +
                                  ",O=vouch-test: no certificate in the chain is issued by a CA the server accepts\n");
  const size_t chose = err.find("client-cert: chose CN=" + client_cn(GetParam()) + ",O=vouch-test: meets the request");
  ASSERT_NE(skipped, std::string::npos) << err;
  ASSERT_NE(chose, std::string::npos) << err;
  EXPECT_LT(skipped, chose) << err;
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find("depth=0 O = vouch-test, CN = " + client_cn(GetParam()) + "\nverify return:1"),
            std::string::npos)
      << server.process.transcript();
}

TEST_P(VouchClient12Selection, PicksByGnuTlsServerCaNames) {
  const testing::PkiFamily& named = family(GetParam());
  const testing::PkiFamily& other = family(GetParam() == CertType::ecdsa ? CertType::rsa : CertType::ecdsa);
  Server server = start_gnutls_server({"--require-client-cert", "--verify-client-cert", "--http", "--priority",
                                       kGnutlsTls12Only, "--x509cafile", named.root.cert_path, "--x509certfile",
                                       named.server.chain_path, "--x509keyfile", named.server.key_path});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = {"--ca", named.root.cert_path, "--servername", "localhost", "--request",
                                   kEscapedHttpRequest};
  for (const testing::PkiCert* c : {&other.client, &named.client}) {
    const std::vector<std::string> cert = vouch_client_cert_args(*c);
    argv.insert(argv.end(), cert.begin(), cert.end());
  }
  ChildProcess client = run_vouch_client(server.port, argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2");
  EXPECT_NE(client.err().find("client-cert: chose CN=" + client_cn(GetParam())), std::string::npos) << client.err();
  EXPECT_NE(client.out().find("\tSubject: CN=" + client_cn(GetParam()) + ",O=vouch-test\n"), std::string::npos)
      << client.out();
}

INSTANTIATE_TEST_SUITE_P(All, VouchClient12Selection, ::testing::Values(CertType::ecdsa, CertType::rsa),
                         family_name);

// vouch connect without a certificate, s_server -Verify 1: in TLS 1.2 the
// server refuses during the handshake with handshake_failure (RFC 5246
// §7.4.6), and vouch says so in one line after saying what it was asked.
TEST(VouchClient12Refused, NoCertificateForOpenSslServerThatRequiresOne) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-Verify", "1", "-CAfile", f.root.cert_path, "-verify_return_error", "-www",
                           "-naccept", "1"});
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--request", kEscapedHttpRequest});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  const std::string err = client.err();
  EXPECT_NE(err.find("client-cert: requested (1 acceptable CA names), but no --cert was given; sending no "
                     "certificate\n"),
            std::string::npos)
      << err;
  const std::vector<std::string> lines = nonempty_lines(err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("vouch connect: error: handshake failed: peer sent alert handshake_failure", 0), 0u) << err;
  server.process.wait(kRunTimeout);
  EXPECT_NE(server.process.err().find("peer did not return a certificate"), std::string::npos)
      << server.process.transcript();
}

// s_server -verify 1 asks but does not insist: without a certificate vouch is
// served, and s_server's page says it has none; with one, it shows it.
TEST(VouchClient12Refused, OptionalRequestOfOpenSslServer) {
  const testing::PkiFamily& f = family(CertType::rsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-verify", "1", "-CAfile", f.root.cert_path, "-www", "-naccept", "2"});
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess without = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--request", kEscapedHttpRequest});
  ASSERT_TRUE(without.wait(kRunTimeout).success()) << without.transcript() << server.process.transcript();
  EXPECT_NE(without.err().find("client-cert: requested (1 acceptable CA names), but no --cert was given"),
            std::string::npos)
      << without.err();
  EXPECT_NE(without.out().find("no client certificate available"), std::string::npos) << without.out();

  std::vector<std::string> argv = {"--ca", f.root.cert_path, "--servername", "localhost", "--request",
                                   kEscapedHttpRequest};
  const std::vector<std::string> cert = vouch_client_cert_args(f.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess with = run_vouch_client(server.port, argv);
  ASSERT_TRUE(with.wait(kRunTimeout).success()) << with.transcript() << server.process.transcript();
  EXPECT_NE(with.out().find("        Subject: O=vouch-test, CN=client-rsa\n"), std::string::npos) << with.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

// The only credential chains to a CA the server did not name (RFC 5246
// §7.4.4 certificate_authorities): the built-in selector does not send it but
// answers with an empty Certificate (§7.4.6), which s_server -Verify then
// refuses with handshake_failure.
TEST(VouchClient12Refused, CredentialOfAnUnnamedCaIsNotSent) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  const testing::PkiFamily& other = family(CertType::rsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-Verify", "1", "-CAfile", f.root.cert_path, "-verify_return_error", "-www",
                           "-naccept", "1"});
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = {"--ca", f.root.cert_path, "--servername", "localhost", "--request",
                                   kEscapedHttpRequest};
  const std::vector<std::string> cert = vouch_client_cert_args(other.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess client = run_vouch_client(server.port, argv);
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_NE(client.err().find("client-cert: skipped CN=client-rsa,O=vouch-test: no certificate in the chain is "
                              "issued by a CA the server accepts\nclient-cert: sending no certificate\n"),
            std::string::npos)
      << client.err();
  EXPECT_NE(client.err().find("vouch connect: error: handshake failed: peer sent alert handshake_failure"), std::string::npos)
      << client.err();
  server.process.wait(kRunTimeout);
  EXPECT_NE(server.process.err().find("peer did not return a certificate"), std::string::npos)
      << server.process.transcript();
}

}  // namespace
}  // namespace vouch::interop
