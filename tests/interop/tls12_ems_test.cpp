// The extended master secret (RFC 7627) with real TLS 1.2 peers: vouch
// requires it by default in both roles (a peer without it is refused with
// handshake_failure), --no-ems-required accepts such a peer, and a session
// without it is never resumed (RFC 7627 §5.3; vouch keeps no such session).
//
// OpenSSL 3.0's s_client and s_server have no -no_ems option (it arrived in
// a later release); the same switch, SSL_OP_NO_EXTENDED_MASTER_SECRET, is set
// through an OpenSSL configuration file (Options = -ExtendedMasterSecret in
// the system_default section), which every openssl command applies to its
// SSL_CTX. Each test that uses it also checks that the peer indeed ran
// without it ("Extended master secret: no").
#include "interop/interop12.h"

namespace vouch::interop {
namespace {

// OPENSSL_CONF=<file> for an openssl command without the extended master secret.
std::string write_no_ems_config(const testing::TempDir& dir) {
  const std::string path = dir.file("no-ems.cnf");
  testing::write_file(path,
                      "openssl_conf = openssl_init\n"
                      "[openssl_init]\n"
                      "ssl_conf = ssl_module\n"
                      "[ssl_module]\n"
                      "system_default = no_ems\n"
                      "[no_ems]\n"
                      "Options = -ExtendedMasterSecret\n");
  return "OPENSSL_CONF=" + path;
}

// s_server -tls1_2 -www for one connection, without the extended master secret.
Server start_s_server_without_ems(const testing::TempDir& dir, const testing::PkiFamily& f) {
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-www", "-naccept", "1"});
  return start_openssl_server12(args, {StdinMode::null, {}, {write_no_ems_config(dir)}});
}

// ------------------------------------------------ vouch as the server

TEST(Tls12Ems, VouchServerRefusesOpenSslClientWithoutEms) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--tls1_2", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_with_request(s_client12_args(server.port, f.root.cert_path), {write_no_ems_config(dir)});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code != 0) << client.transcript();
  // RFC 7627 §5.2: the server "MUST abort the handshake" with handshake_failure.
  EXPECT_NE(client.err().find("SSL alert number 40"), std::string::npos) << client.transcript();
  EXPECT_NE(client.out().find("Extended master secret: no"), std::string::npos) << client.out();
  EXPECT_EQ(client.out().find("vouch test server"), std::string::npos) << client.out();
  const testing::ExitStatus sst = server.process.wait(kRunTimeout);
  EXPECT_TRUE(sst.exited && sst.code == 1) << server.process.transcript();
  EXPECT_NE(server.process.err().find("handshake failed: handshake_failure: ClientHello: no "
                                      "extended_master_secret"),
            std::string::npos)
      << server.process.transcript();
}

// With --no-ems-required the same client is served, and its session is never
// resumed: s_client -reconnect makes five more connections offering it.
TEST(Tls12Ems, VouchServerWithNoEmsRequiredServesButNeverResumes) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--tls1_2", "--no-ems-required"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = s_client12_args(server.port, f.root.cert_path);
  argv.push_back("-reconnect");
  ChildProcess client = run_with_request(argv, {write_no_ems_config(dir)});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  EXPECT_NE(out.find("Extended master secret: no"), std::string::npos) << out;
  EXPECT_EQ(out.find("Extended master secret: yes"), std::string::npos) << out;
  EXPECT_EQ(testing::count_occurrences(out, "New, TLSv1.2, Cipher is ECDHE-ECDSA-"), 6u) << out;
  EXPECT_EQ(testing::count_occurrences(out, "Reused, "), 0u) << out;
  EXPECT_NE(out.find("\nprotocol: TLSv1.2\n"), std::string::npos) << out;
  server.process.stop();
  const std::string log = server.process.err();
  EXPECT_EQ(testing::count_occurrences(log, " resumed=no "), 6u) << log;
  EXPECT_EQ(log.find(" resumed=yes "), std::string::npos) << log;
}

TEST(Tls12Ems, VouchServerRefusesGnuTlsClientWithoutEms) {
  const testing::PkiFamily& f = family(CertType::rsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.push_back("--once");
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client =
      run_gnutls_cli(server.port, f.root.cert_path, kGnutlsTls12Only + ":%NO_SESSION_HASH");
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code != 0) << client.transcript();
  EXPECT_NE((client.out() + client.err()).find("Handshake failed"), std::string::npos) << client.transcript();
  const testing::ExitStatus sst = server.process.wait(kRunTimeout);
  EXPECT_TRUE(sst.exited && sst.code == 1) << server.process.transcript();
  EXPECT_NE(server.process.err().find("handshake failed: handshake_failure: ClientHello: no "
                                      "extended_master_secret"),
            std::string::npos)
      << server.process.transcript();
}

// ------------------------------------------------ vouch as the client

// s_server without the extended master secret: vouch refuses its
// ServerHello (RFC 7627 §5.3 leaves it to the client; vouch requires it).
TEST(Tls12Ems, VouchClientRefusesOpenSslServerWithoutEms) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  Server started = start_s_server_without_ems(dir, f);
  ASSERT_NE(started.port, 0) << started.process.transcript();
  ChildProcess& server = started.process;
  const uint16_t port = started.port;
  ChildProcess client = run_vouch_client(
      port, {"--ca", f.root.cert_path, "--servername", "localhost", "--request", kEscapedHttpRequest});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_EQ(client.err().rfind("vouch connect: error: handshake failed: handshake_failure: ServerHello: the server does not "
                               "use the extended master secret",
                               0),
            0u)
      << client.transcript();
  server.wait(kRunTimeout);
  EXPECT_NE(server.err().find("SSL alert number 40"), std::string::npos) << server.transcript();
}

// The same server with --no-ems-required: served (s_server's page says no
// extended master secret), and nothing is saved for resumption.
TEST(Tls12Ems, VouchClientWithNoEmsRequiredConnectsAndSavesNoSession) {
  const testing::PkiFamily& f = family(CertType::rsa);
  testing::TempDir dir;
  Server started = start_s_server_without_ems(dir, f);
  ASSERT_NE(started.port, 0) << started.process.transcript();
  ChildProcess& server = started.process;
  const uint16_t port = started.port;
  const std::string sess = dir.file("vouch.sess");
  ChildProcess client = run_vouch_client(
      port, {"--ca", f.root.cert_path, "--servername", "localhost", "--no-ems-required", "--sess-out", sess,
             "--request", kEscapedHttpRequest});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.transcript();
  EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2");
  EXPECT_NE(client.out().find("Extended master secret: no"), std::string::npos) << client.out();
  EXPECT_NE(client.err().find("vouch connect: warning: --sess-out: the server sent no resumable session"), std::string::npos)
      << client.err();
  EXPECT_EQ(testing::read_text_file(sess), "");
}

TEST(Tls12Ems, VouchClientRefusesGnuTlsServerWithoutEms) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  Server server = start_gnutls_server({"-a", "--http", "--x509certfile", f.server.chain_path, "--x509keyfile",
                                       f.server.key_path, "--priority", kGnutlsTls12Only + ":%NO_SESSION_HASH"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--request", kEscapedHttpRequest});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_NE(client.err().find("handshake_failure: ServerHello: the server does not use the extended master secret"),
            std::string::npos)
      << client.transcript();
  // With --no-ems-required the same server serves it; its page names no EMS.
  ChildProcess lenient = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--no-ems-required", "--request",
                    kEscapedHttpRequest});
  ASSERT_TRUE(lenient.wait(kRunTimeout).success()) << lenient.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(lenient.err(), "protocol"), "TLSv1.2");
  EXPECT_NE(lenient.out().find("<TD>Protocol version:</TD><TD>TLS1.2</TD>"), std::string::npos) << lenient.out();
}

}  // namespace
}  // namespace vouch::interop
