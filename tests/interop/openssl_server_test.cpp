// vouch connect (client) against openssl s_server, every suite × group ×
// certificate type, plus HelloRetryRequest, ALPN and IP-literal checks.
#include "interop/interop.h"

namespace vouch::interop {
namespace {

std::string root_of(CertType c) { return family(c).root.cert_path; }

class VouchClientToOpenSsl : public ::testing::TestWithParam<Combo> {};

TEST_P(VouchClientToOpenSsl, Handshake) {
  const Combo& p = GetParam();
  const testing::PkiFamily& f = family(p.cert);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-ciphersuites", p.suite.iana, "-groups", p.group.openssl, "-www",
                           "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  ChildProcess client = run_vouch_client(
      server.port, {"--ca", root_of(p.cert), "--servername", "localhost", "--ciphersuites",
                    p.suite.iana, "--groups", p.group.iana, "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  EXPECT_EQ(summary_value(err, "protocol"), "TLSv1.3");
  EXPECT_EQ(summary_value(err, "cipher"), p.suite.iana);
  EXPECT_EQ(summary_value(err, "group"), p.group.iana);
  EXPECT_EQ(summary_value(err, "alpn"), "none");
  EXPECT_EQ(summary_value(err, "resumed"), "no");
  EXPECT_NE(summary_value(err, "peer").find("CN=localhost"), std::string::npos) << err;
  // The s_server -www status page, as seen through vouch.
  const std::string out = client.out();
  EXPECT_EQ(out.rfind("HTTP/1.0 200 ok", 0), 0u) << out;
  EXPECT_NE(out.find(std::string("New, TLSv1.3, Cipher is ") + p.suite.iana), std::string::npos) << out;
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, VouchClientToOpenSsl, ::testing::ValuesIn(all_combos()), combo_name);

// The client's key share (x25519) is not acceptable to the server (P-256
// only): s_server answers with a HelloRetryRequest (RFC 8446 §4.1.4).
TEST(VouchClientToOpenSslMisc, HelloRetryRequestForAnotherGroup) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-groups", "P-256", "-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--groups",
                    "x25519:secp256r1", "--key-share-groups", "x25519", "--request",
                    "GET / HTTP/1.0\\r\\n\\r\\n"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "group"), "secp256r1");
  EXPECT_EQ(client.out().rfind("HTTP/1.0 200 ok", 0), 0u) << client.out();
}

TEST(VouchClientToOpenSslMisc, Alpn) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-alpn", "http/1.1", "-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--alpn", "h2,http/1.1",
                    "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "alpn"), "http/1.1");
}

// Without --servername the target 127.0.0.1 is verified against the
// certificate's iPAddress SAN (RFC 6125 §6.2.1 via RFC 5280 §4.2.1.6); no SNI
// is sent for an address (RFC 6066 §3).
TEST(VouchClientToOpenSslMisc, IpLiteralIsCheckedAgainstIpSan) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.3");
}

// Data larger than one record (2^14 bytes) in both directions: s_server -rev
// reverses each line it receives.
TEST(VouchClientToOpenSslMisc, LargeLineIsFragmentedAndReassembled) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-rev", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  std::string line;
  for (int i = 0; i < 3000; ++i) line += "0123456789"[i % 10];  // 3000 bytes
  // s_server reads lines with a 16 KiB buffer; several lines make > 2^14.
  std::string input;
  for (int i = 0; i < 8; ++i) input += line + "\n";
  std::vector<std::string> argv = {vouch_binary(), "connect", "127.0.0.1:" + std::to_string(server.port),
                                   "--ca", f.root.cert_path, "--servername", "localhost"};
  ChildProcess client = ChildProcess::spawn(argv, {StdinMode::pipe, {}, {}});
  ASSERT_TRUE(client.write_stdin(input));
  std::string reversed(line.rbegin(), line.rend());
  std::string expected;
  for (int i = 0; i < 8; ++i) expected += reversed + "\n";
  EXPECT_TRUE(client.wait_for_output(expected, kRunTimeout)) << client.transcript();
  client.close_stdin();  // vouch sends close_notify; s_server -rev closes
  EXPECT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
}

// s_server's interactive "K" sends a KeyUpdate with update_requested (RFC 8446
// §4.6.3): vouch must switch its read key, answer with its own KeyUpdate and
// write under the new key. Each step waits for the previous one to show.
TEST(VouchClientToOpenSslMisc, KeyUpdateRequestedByServer) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  const uint16_t port = testing::free_port();
  std::vector<std::string> server_argv = {require_program("openssl"), "s_server", "-tls1_3",
                                          "-accept", "127.0.0.1:" + std::to_string(port)};
  const std::vector<std::string> cert = openssl_cert_args(f, f.server);
  server_argv.insert(server_argv.end(), cert.begin(), cert.end());
  server_argv.insert(server_argv.end(), {"-naccept", "1"});
  ChildProcess server = ChildProcess::spawn(server_argv, {StdinMode::pipe, {}, {}});
  ASSERT_TRUE(server.wait_for_output("ACCEPT", kStartTimeout)) << server.transcript();

  ChildProcess client = ChildProcess::spawn(
      {vouch_binary(), "connect", "127.0.0.1:" + std::to_string(port), "--ca", f.root.cert_path,
       "--servername", "localhost"},
      {StdinMode::pipe, {}, {}});
  ASSERT_TRUE(client.write_stdin("before-update\n"));
  ASSERT_TRUE(server.wait_for_output("before-update\n", kRunTimeout)) << server.transcript();
  ASSERT_TRUE(server.write_stdin("K\n"));
  // s_server prints this once it has sent the KeyUpdate.
  ASSERT_TRUE(server.wait_for_output("SSL_do_handshake -> 1", kRunTimeout)) << server.transcript();
  ASSERT_TRUE(client.write_stdin("after-update\n"));
  EXPECT_TRUE(server.wait_for_output("after-update\n", kRunTimeout))
      << server.transcript() << client.transcript();
  ASSERT_TRUE(server.write_stdin("from-server\n"));
  EXPECT_TRUE(client.wait_for_output("from-server\n", kRunTimeout)) << client.transcript();
  client.close_stdin();  // close_notify; s_server closes too
  EXPECT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.transcript();
}

}  // namespace
}  // namespace vouch::interop
