// Mutual TLS against real peers (RFC 8446 §4.3.2, §4.4.2, §4.6.2):
//  - vouch connect --cert against openssl s_server -Verify and gnutls-serv -r;
//  - openssl s_client -cert and gnutls-cli --x509certfile against
//    vouch serve --verify required, including the CA names vouch sends;
//  - refusals both ways (no certificate, no clientAuth, unknown CA);
//  - post-handshake authentication: vouch connect --pha answering the
//    CertificateRequest s_server sends on its "c" command.
// Client chains are leaf + intermediate; every verifier trusts the root only.
#include "interop/interop.h"

namespace vouch::interop {
namespace {

const std::string kEscapedRequest = "GET / HTTP/1.0\\r\\n\\r\\n";

std::string client_cn(CertType c) { return std::string("client-") + cert_name(c); }

// vouch connect's mutual-TLS arguments for one credential.
std::vector<std::string> vouch_client_cert_args(const testing::PkiCert& cert) {
  return {"--cert", cert.chain_path, "--key", cert.key_path};
}

// s_client with full verification of "localhost"; the request comes on
// stdin and -ign_eof makes it wait for the server to close.
std::vector<std::string> s_client_args(uint16_t port, const std::string& ca) {
  return {require_program("openssl"), "s_client", "-tls1_3", "-connect",
          "127.0.0.1:" + std::to_string(port), "-CAfile", ca, "-verify_return_error",
          "-servername", "localhost", "-verify_hostname", "localhost", "-ign_eof"};
}

// s_client's client-certificate arguments: leaf, key and the intermediate it sends.
std::vector<std::string> s_client_cert_args(const testing::PkiFamily& f, const testing::PkiCert& cert) {
  return {"-cert", cert.cert_path, "-key", cert.key_path, "-cert_chain", f.intermediate.cert_path};
}

ChildProcess run_s_client(const std::vector<std::string>& argv) {
  ChildProcess c = ChildProcess::spawn(argv, {StdinMode::data, kHttpRequest, {}});
  c.wait(kRunTimeout);
  return c;
}

// vouch serve requiring a client certificate that chains to `client_ca`; one connection.
Server start_vouch_mtls_server(const testing::TempDir& dir, const testing::PkiFamily& f,
                               const std::string& client_ca) {
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--verify", "required", "--client-ca", client_ca, "--once"});
  return start_vouch_server(dir, args);
}

class MutualTls : public ::testing::TestWithParam<CertType> {
 protected:
  const testing::PkiFamily& fam() const { return family(GetParam()); }
};

std::string family_name(const ::testing::TestParamInfo<CertType>& i) { return cert_name(i.param); }

// ------------------------------------------------ vouch as the client

TEST_P(MutualTls, VouchClientToOpenSslServer) {
  const testing::PkiFamily& f = fam();
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-Verify", "1", "-CAfile", f.root.cert_path, "-verify_return_error",
                           "-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  std::vector<std::string> argv = {"--ca", f.root.cert_path, "--servername", "localhost",
                                   "--request", kEscapedRequest};
  const std::vector<std::string> cert = vouch_client_cert_args(f.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess client = run_vouch_client(server.port, argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  EXPECT_NE(err.find("client-cert: chose CN=" + client_cn(GetParam())), std::string::npos) << err;
  EXPECT_NE(err.find(": meets the request"), std::string::npos) << err;
  // s_server's verify callback printed the client chain it verified.
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  const std::string server_err = server.process.err();
  EXPECT_NE(server_err.find("depth=0 O = vouch-test, CN = " + client_cn(GetParam()) +
                            "\nverify return:1"),
            std::string::npos)
      << server.process.transcript();
  EXPECT_EQ(server_err.find("verify error"), std::string::npos) << server.process.transcript();
}

TEST_P(MutualTls, VouchClientToGnuTlsServer) {
  const testing::PkiFamily& f = fam();
  // -r: require a client certificate; --verify-client-cert: verify it
  // against --x509cafile.
  Server server = start_gnutls_server({"-r", "--verify-client-cert", "--http", "--x509cafile", f.root.cert_path,
                                       "--x509certfile", f.server.chain_path, "--x509keyfile",
                                       f.server.key_path});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = {"--ca", f.root.cert_path, "--servername", "localhost",
                                   "--request", kEscapedRequest};
  const std::vector<std::string> cert = vouch_client_cert_args(f.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess client = run_vouch_client(server.port, argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.err().find("client-cert: chose CN=" + client_cn(GetParam())), std::string::npos)
      << client.err();
  // gnutls-serv's page describes the client certificate it verified.
  const std::string out = client.out();
  EXPECT_EQ(out.rfind("HTTP/1.0 200 OK", 0), 0u) << out;
  EXPECT_NE(out.find("\tSubject: CN=" + client_cn(GetParam()) + ",O=vouch-test\n"),
            std::string::npos)
      << out;
}

// ------------------------------------------------ vouch as the server

TEST_P(MutualTls, OpenSslClientToVouchServer) {
  const testing::PkiFamily& f = fam();
  testing::TempDir dir;
  Server server = start_vouch_mtls_server(dir, f, f.root.cert_path);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  std::vector<std::string> argv = s_client_args(server.port, f.root.cert_path);
  const std::vector<std::string> cert = s_client_cert_args(f, f.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess client = run_s_client(argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  // The CA names vouch sent: the subject of the one root in --client-ca
  // (s_client prints them in its one-line name format).
  const std::string section = "Acceptable client certificate CA names\n";
  const size_t names = out.find(section);
  ASSERT_NE(names, std::string::npos) << out;
  EXPECT_EQ(out.substr(names + section.size(), out.find('\n', names + section.size()) + 1 -
                                                   (names + section.size())),
            "O = vouch-test, CN = vouch test root " + std::string(cert_name(GetParam())) + "\n")
      << out;
  // vouch's page names the client and its issuer (the intermediate).
  EXPECT_NE(out.find("\nclient: CN=" + client_cn(GetParam())), std::string::npos) << out;
  EXPECT_NE(out.find("\nclient-issuer: CN="), std::string::npos) << out;

  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find(" client=CN=" + client_cn(GetParam())), std::string::npos)
      << server.process.transcript();
}

TEST_P(MutualTls, GnuTlsClientToVouchServer) {
  const testing::PkiFamily& f = fam();
  testing::TempDir dir;
  Server server = start_vouch_mtls_server(dir, f, f.root.cert_path);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  // gnutls-cli ends its session at stdin EOF, possibly before the page has
  // arrived, so stdin stays an open pipe; vouch's close_notify ends it.
  ChildProcess client = ChildProcess::spawn(
      {require_program("gnutls-cli"), "-p", std::to_string(server.port), "127.0.0.1",
       "--x509cafile", f.root.cert_path, "--verify-hostname", "localhost", "--sni-hostname",
       "localhost", "--x509certfile", f.client.chain_path, "--x509keyfile", f.client.key_path},
      {StdinMode::pipe, {}, {}});
  client.write_stdin(kHttpRequest);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("\nclient: CN=" + client_cn(GetParam())), std::string::npos)
      << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find(" client=CN=" + client_cn(GetParam())), std::string::npos)
      << server.process.transcript();
}

// ------------------------------------------------ post-handshake authentication

// s_server without -verify sends no CertificateRequest in the handshake; its
// "c" command (typed on stdin) calls SSL_verify_client_post_handshake, which
// vouch connect --pha answers inside Connection::receive() (RFC 8446 §4.6.2).
TEST_P(MutualTls, VouchClientPostHandshakeAuthToOpenSslServer) {
  const testing::PkiFamily& f = fam();
  const std::string cn = client_cn(GetParam());
  ChildProcess server;
  uint16_t port = 0;
  for (int attempt = 0; attempt < kPortAttempts && port == 0; ++attempt) {
    const uint16_t candidate = testing::free_port();
    std::vector<std::string> argv = {require_program("openssl"), "s_server", "-tls1_3", "-accept",
                                     "127.0.0.1:" + std::to_string(candidate), "-naccept", "1",
                                     "-CAfile", f.root.cert_path, "-verify_return_error"};
    const std::vector<std::string> cert = openssl_cert_args(f, f.server);
    argv.insert(argv.end(), cert.begin(), cert.end());
    server = ChildProcess::spawn(argv, {StdinMode::pipe, {}, {}});
    if (server.running() && server.wait_for_output("ACCEPT", kStartTimeout)) port = candidate;
  }
  ASSERT_NE(port, 0) << server.transcript();

  std::vector<std::string> argv = {vouch_binary(), "connect", "127.0.0.1:" + std::to_string(port),
                                   "--ca", f.root.cert_path, "--servername", "localhost", "--pha"};
  const std::vector<std::string> cert = vouch_client_cert_args(f.client);
  argv.insert(argv.end(), cert.begin(), cert.end());
  ChildProcess client = ChildProcess::spawn(argv, {StdinMode::pipe, {}, {}});
  // Both ends have finished the handshake: no request during it.
  ASSERT_TRUE(client.wait_for_output("client-cert: none requested\n", kRunTimeout, true))
      << client.transcript() << server.transcript();
  ASSERT_TRUE(server.wait_for_output("CIPHER is ", kRunTimeout)) << server.transcript();

  ASSERT_TRUE(server.write_stdin("c\n")) << server.transcript();
  EXPECT_TRUE(client.wait_for_output(
      "post-handshake client-cert: chose CN=" + cn + ",O=vouch-test: meets the request", kRunTimeout,
      true))
      << client.transcript() << server.transcript();
  // s_server's verify callback saw the chain, up to the root.
  EXPECT_TRUE(server.wait_for_output("depth=0 O = vouch-test, CN = " + cn + "\nverify return:1",
                                     kRunTimeout, true))
      << client.transcript() << server.transcript();

  // Our close_notify ends the session; s_server (one accept) then exits.
  client.close_stdin();
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << client.transcript() << server.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, MutualTls, ::testing::Values(CertType::ecdsa, CertType::rsa),
                         family_name);

// Two credentials, the RSA family's first: s_server names only the ECDSA
// root (from -CAfile) in its CertificateRequest, so the built-in selector
// must skip the first and send the second.
TEST(MutualTlsSelection, VouchClientPicksByOpenSslServerCaNames) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  const testing::PkiFamily& other = family(CertType::rsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-Verify", "1", "-CAfile", f.root.cert_path, "-verify_return_error",
                           "-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = {"--ca", f.root.cert_path, "--servername", "localhost",
                                   "--request", kEscapedRequest};
  for (const testing::PkiCert* c : {&other.client, &f.client}) {
    const std::vector<std::string> cert = vouch_client_cert_args(*c);
    argv.insert(argv.end(), cert.begin(), cert.end());
  }
  ChildProcess client = run_vouch_client(server.port, argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  const size_t skipped = err.find(
      "client-cert: skipped CN=client-rsa,O=vouch-test: no certificate in the chain is issued by "
      "a CA the server accepts\n");
  const size_t chose = err.find("client-cert: chose CN=client-ecdsa,O=vouch-test: meets the request");
  ASSERT_NE(skipped, std::string::npos) << err;
  ASSERT_NE(chose, std::string::npos) << err;
  EXPECT_LT(skipped, chose) << err;
  server.process.wait(kRunTimeout);
  EXPECT_NE(server.process.err().find("depth=0 O = vouch-test, CN = client-ecdsa\nverify return:1"),
            std::string::npos)
      << server.process.transcript();
}

// ------------------------------------------------ refusals

// vouch serve --verify required must refuse each of these clients with the
// alert RFC 8446 §4.4.2.4 / §6.2 call for, and log it.
class VouchServerRefusesClient : public ::testing::Test {
 protected:
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;

  // Runs s_client with `cert_args` against a fresh server and returns the
  // server's log once it has exited.
  std::string refused(const std::vector<std::string>& cert_args) {
    Server server = start_vouch_mtls_server(dir, f, f.root.cert_path);
    EXPECT_NE(server.port, 0) << server.process.transcript();
    if (server.port == 0) return {};
    std::vector<std::string> argv = s_client_args(server.port, f.root.cert_path);
    argv.insert(argv.end(), cert_args.begin(), cert_args.end());
    ChildProcess client = run_s_client(argv);
    // The server (--once) exits 1 when its one connection failed.
    const testing::ExitStatus st = server.process.wait(kRunTimeout);
    EXPECT_TRUE(st.exited && st.code == 1) << server.process.transcript() << client.transcript();
    // No page was served.
    EXPECT_EQ(client.out().find("\nclient: "), std::string::npos) << client.transcript();
    return server.process.err();
  }
};

TEST_F(VouchServerRefusesClient, NoCertificate) {
  const std::string log = refused({});
  EXPECT_NE(log.find("handshake failed: certificate_required"), std::string::npos) << log;
}

TEST_F(VouchServerRefusesClient, CertificateWithoutClientAuth) {
  const std::string log = refused(s_client_cert_args(f, f.client_noauth));
  EXPECT_NE(log.find("handshake failed: unsupported_certificate"), std::string::npos) << log;
}

TEST_F(VouchServerRefusesClient, CertificateFromUntrustedRoot) {
  // A proper client certificate (clientAuth), but from a root the server
  // does not trust; the key is reused to keep the test fast.
  testing::CertSpec spec;
  spec.cn = "client-untrusted-ecdsa";
  spec.eku = testing::CertSpec::Eku::client;
  spec.reuse_key = f.client.key.get();
  const testing::Issued cert = testing::issue(spec, f.untrusted_root);
  testing::write_file(dir.file("untrusted-client.pem"), cert.cert_pem);
  testing::write_file(dir.file("untrusted-client-key.pem"), cert.key_pem);
  const std::string log = refused({"-cert", dir.file("untrusted-client.pem"), "-key",
                                   dir.file("untrusted-client-key.pem")});
  EXPECT_NE(log.find("handshake failed: unknown_ca"), std::string::npos) << log;
}

// vouch connect without a certificate, s_server -Verify: s_server refuses
// after vouch's Finished; vouch must say why in one line.
TEST(VouchClientRefused, NoCertificateForOpenSslServer) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-Verify", "1", "-CAfile", f.root.cert_path, "-verify_return_error",
                           "-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--request",
                    kEscapedRequest});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  const std::string err = client.err();
  EXPECT_NE(err.find("client-cert: requested (1 acceptable CA names), but no --cert was given; "
                     "sending no certificate\n"),
            std::string::npos)
      << err;
  const std::vector<std::string> lines = nonempty_lines(err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("vouch connect: error: ", 0), 0u) << err;
  EXPECT_NE(lines.back().find("certificate_required"), std::string::npos) << err;
  server.process.wait(kRunTimeout);
  EXPECT_NE(server.process.err().find("peer did not return a certificate"), std::string::npos)
      << server.process.transcript();
}

}  // namespace
}  // namespace vouch::interop
