// TLS 1.2 (RFC 5246) with OpenSSL, both directions: every suite × group
// (vouch connect --tls1_2 against `openssl s_server -tls1_2`, `openssl
// s_client -tls1_2` against vouch serve --tls1_2), each side's own account
// of the session, and version negotiation between the default ranges and
// peers of one version (RFC 8446 §4.2.1, §D.1).
#include "interop/interop12.h"

namespace vouch::interop {
namespace {

class VouchClientToOpenSsl12 : public ::testing::TestWithParam<Combo12> {};

// Both sides pinned: vouch by --cipher with the OpenSSL name, s_server by
// -cipher and -groups.
TEST_P(VouchClientToOpenSsl12, Handshake) {
  const Combo12& p = GetParam();
  const testing::PkiFamily& f = family(p.suite.cert);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-cipher", p.suite.openssl, "-groups", p.group.openssl, "-www",
                           "-naccept", "1"});
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--tls1_2", "--cipher",
                    p.suite.openssl, "--groups", client_groups12(p.suite, p.group, false), "--request",
                    kEscapedHttpRequest});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  EXPECT_EQ(summary_value(err, "protocol"), "TLSv1.2");
  EXPECT_EQ(summary_value(err, "cipher"), p.suite.iana);
  EXPECT_EQ(summary_value(err, "group"), p.group.iana);
  EXPECT_EQ(summary_value(err, "resumed"), "no");
  EXPECT_NE(summary_value(err, "peer").find("CN=localhost"), std::string::npos) << err;
  // s_server's -www page: its view of the session.
  const std::string out = client.out();
  EXPECT_EQ(out.rfind("HTTP/1.0 200 ok", 0), 0u) << out;
  EXPECT_NE(out.find(std::string("New, TLSv1.2, Cipher is ") + p.suite.openssl + "\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("    Protocol  : TLSv1.2\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("    Cipher    : ") + p.suite.openssl + "\n"), std::string::npos) << out;
  // RFC 7627: vouch always offers the extended master secret.
  EXPECT_NE(out.find("Extended master secret: yes"), std::string::npos) << out;
  // RFC 5746: vouch's renegotiation_info in the ClientHello.
  EXPECT_NE(out.find("Secure Renegotiation IS supported"), std::string::npos) << out;
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, VouchClientToOpenSsl12, ::testing::ValuesIn(all_combos12()), combo12_name);

class OpenSslClientToVouch12 : public ::testing::TestWithParam<Combo12> {};

// Both sides pinned: vouch serve by --cipher with the IANA name, s_client by
// -cipher and -groups.
TEST_P(OpenSslClientToVouch12, Handshake) {
  const Combo12& p = GetParam();
  const testing::PkiFamily& f = family(p.suite.cert);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--tls1_2", "--cipher", p.suite.iana, "--groups", p.group.iana, "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  std::vector<std::string> argv = s_client12_args(server.port, f.root.cert_path);
  argv.insert(argv.end(), {"-cipher", p.suite.openssl, "-groups", client_groups12(p.suite, p.group, true)});
  ChildProcess client = run_with_request(argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();

  const std::string out = client.out();
  EXPECT_NE(out.find("Verify return code: 0 (ok)"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("New, TLSv1.2, Cipher is ") + p.suite.openssl + "\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("    Protocol  : TLSv1.2\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("    Cipher    : ") + p.suite.openssl + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("Server Temp Key: ") + p.group.openssl_temp), std::string::npos) << out;
  EXPECT_NE(out.find("    Extended master secret: yes\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Secure Renegotiation IS supported"), std::string::npos) << out;
  // vouch's page, as s_client received it.
  EXPECT_NE(out.find("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nprotocol: TLSv1.2\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ncipher: ") + p.suite.iana + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ngroup: ") + p.group.iana + "\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nsni: localhost\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nresumed: no\n"), std::string::npos) << out;

  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find(std::string("TLSv1.2 ") + p.suite.iana + " " + p.group.iana + " "),
            std::string::npos)
      << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, OpenSslClientToVouch12, ::testing::ValuesIn(all_combos12()), combo12_name);

// ------------------------------------------------ certificate curves (RFC 8422 §5.3)

// "If the client has used a Supported Elliptic Curves Extension, the public
// key in the server's certificate MUST respect the client's choice of
// elliptic curves. A server that cannot satisfy this requirement MUST NOT
// choose an ECC cipher suite." s_client offering X25519 alone: vouch, whose
// only certificate is on P-256, must refuse the ECDSA suite (and s_client
// would refuse the P-256 signature, "wrong curve"); with P-256 offered too
// the same server completes the handshake on X25519.
TEST(Tls12OpenSslMisc, VouchServerRespectsTheClientsCurvesForItsEcdsaCertificate) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--tls1_2", "--groups", "x25519"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  std::vector<std::string> refused_argv = s_client12_args(server.port, f.root.cert_path);
  refused_argv.insert(refused_argv.end(), {"-groups", "X25519"});
  ChildProcess refused = run_with_request(refused_argv);
  const testing::ExitStatus st = refused.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code != 0) << refused.transcript();
  EXPECT_NE(refused.err().find("SSL alert number 40"), std::string::npos) << refused.transcript();
  EXPECT_EQ(refused.err().find("wrong curve"), std::string::npos) << refused.transcript();

  std::vector<std::string> argv = s_client12_args(server.port, f.root.cert_path);
  argv.insert(argv.end(), {"-groups", "X25519:P-256"});
  ChildProcess accepted = run_with_request(argv);
  ASSERT_TRUE(accepted.wait(kRunTimeout).success()) << accepted.transcript() << server.process.transcript();
  EXPECT_NE(accepted.out().find("New, TLSv1.2, Cipher is ECDHE-ECDSA-"), std::string::npos) << accepted.out();
  EXPECT_NE(accepted.out().find("Server Temp Key: X25519"), std::string::npos) << accepted.out();

  server.process.stop();
  EXPECT_NE(server.process.err().find("handshake failed: handshake_failure: no TLS 1.2 cipher suite in common that "
                                     "a certificate fits: no certificate fits"),
            std::string::npos)
      << server.process.transcript();
}

// ------------------------------------------------ ALPN (RFC 7301) in TLS 1.2

TEST(Tls12OpenSslMisc, AlpnBothWays) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  {
    std::vector<std::string> args = openssl_cert_args(f, f.server);
    args.insert(args.end(), {"-alpn", "http/1.1", "-www", "-naccept", "1"});
    Server server = start_openssl_server12(args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = run_vouch_client(
        server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--tls1_2", "--alpn",
                      "h2,http/1.1", "--request", kEscapedHttpRequest});
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2");
    EXPECT_EQ(summary_value(client.err(), "alpn"), "http/1.1");
  }
  {
    testing::TempDir dir;
    std::vector<std::string> args = vouch_cert_args(f.server);
    args.insert(args.end(), {"--tls1_2", "--alpn", "http/1.1", "--once"});
    Server server = start_vouch_server(dir, args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    std::vector<std::string> argv = s_client12_args(server.port, f.root.cert_path);
    argv.insert(argv.end(), {"-alpn", "h2,http/1.1"});
    ChildProcess client = run_with_request(argv);
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    EXPECT_NE(client.out().find("ALPN protocol: http/1.1"), std::string::npos) << client.out();
    EXPECT_NE(client.out().find("\nalpn: http/1.1\n"), std::string::npos) << client.out();
    EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  }
}

// Records larger than 2^14 bytes are split (RFC 5246 §6.2.1) and every
// record gets its own explicit nonce (RFC 5288 §3): s_server -rev reverses
// each line, in both directions more than one record's worth.
TEST(Tls12OpenSslMisc, LargeLinesAreFragmentedAndReassembled) {
  const testing::PkiFamily& f = family(CertType::rsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-rev", "-naccept", "1"});
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::string line;
  for (int i = 0; i < 3000; ++i) line += "0123456789"[i % 10];
  std::string input;
  for (int i = 0; i < 8; ++i) input += line + "\n";
  ChildProcess client = ChildProcess::spawn(
      {vouch_binary(), "connect", "127.0.0.1:" + std::to_string(server.port), "--ca", f.root.cert_path,
       "--servername", "localhost", "--tls1_2", "--cipher", "ECDHE-RSA-AES256-GCM-SHA384"},
      {StdinMode::pipe, {}, {}});
  ASSERT_TRUE(client.write_stdin(input));
  const std::string reversed(line.rbegin(), line.rend());
  std::string expected;
  for (int i = 0; i < 8; ++i) expected += reversed + "\n";
  EXPECT_TRUE(client.wait_for_output(expected, kRunTimeout)) << client.transcript();
  EXPECT_EQ(summary_value(client.err(), "cipher"), "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
  client.close_stdin();  // vouch sends close_notify; s_server -rev closes
  EXPECT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
}

// ------------------------------------------------ version negotiation

// A 1.3-capable vouch client (default range) and a server of TLS 1.2 only:
// TLS 1.2, and no false downgrade alarm (s_server speaks no 1.3, so it puts
// no sentinel in its random, RFC 8446 §4.1.3).
TEST(Tls12Versions, DefaultVouchClientToOpenSslServerOfTls12Only) {
  for (CertType c : {CertType::ecdsa, CertType::rsa}) {
    const testing::PkiFamily& f = family(c);
    std::vector<std::string> args = openssl_cert_args(f, f.server);
    args.insert(args.end(), {"-www", "-naccept", "1"});
    Server server = start_openssl_server12(args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = run_vouch_client(
        server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--request", kEscapedHttpRequest});
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2") << cert_name(c);
    const std::string expected = c == CertType::ecdsa ? "TLS_ECDHE_ECDSA_" : "TLS_ECDHE_RSA_";
    EXPECT_EQ(summary_value(client.err(), "cipher").rfind(expected, 0), 0u) << client.err();
    EXPECT_NE(client.out().find("New, TLSv1.2, Cipher is ECDHE-"), std::string::npos) << client.out();
  }
}

// The other way round: a 1.3-capable s_server (no version flag) and a vouch
// client of TLS 1.2 only (--tls1_2, or the range --max-protocol TLSv1.2).
// s_server ends its random with the "DOWNGRD\x01" sentinel (RFC 8446
// §4.1.3), which only clients that offered 1.3 may act on.
TEST(Tls12Versions, VouchClientOfTls12OnlyToOpenSslServerOfBothVersions) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-www", "-naccept", "2"});
  Server server = start_openssl_server_version("", args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  for (const std::vector<std::string>& versions :
       {std::vector<std::string>{"--tls1_2"}, std::vector<std::string>{"--max-protocol", "TLSv1.2"}}) {
    std::vector<std::string> argv = {"--ca", f.root.cert_path, "--servername", "localhost", "--request",
                                     kEscapedHttpRequest};
    argv.insert(argv.end(), versions.begin(), versions.end());
    ChildProcess client = run_vouch_client(server.port, argv);
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2") << versions.front();
    EXPECT_NE(client.out().find("New, TLSv1.2, Cipher is ECDHE-ECDSA-"), std::string::npos) << client.out();
  }
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

// A default vouch serve: s_client's default (1.3) wins; s_client -tls1_2 gets 1.2.
TEST(Tls12Versions, DefaultVouchServerToOpenSslClientOfEachVersion) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  Server server = start_vouch_server(dir, vouch_cert_args(f.server));
  ASSERT_NE(server.port, 0) << server.process.transcript();

  ChildProcess any = run_with_request(s_client12_args(server.port, f.root.cert_path, ""));
  ASSERT_TRUE(any.wait(kRunTimeout).success()) << any.transcript() << server.process.transcript();
  EXPECT_NE(any.out().find("New, TLSv1.3, Cipher is TLS_"), std::string::npos) << any.out();
  EXPECT_NE(any.out().find("\nprotocol: TLSv1.3\n"), std::string::npos) << any.out();

  ChildProcess v12 = run_with_request(s_client12_args(server.port, f.root.cert_path, "-tls1_2"));
  ASSERT_TRUE(v12.wait(kRunTimeout).success()) << v12.transcript() << server.process.transcript();
  EXPECT_NE(v12.out().find("New, TLSv1.2, Cipher is ECDHE-ECDSA-"), std::string::npos) << v12.out();
  EXPECT_NE(v12.out().find("\nprotocol: TLSv1.2\n"), std::string::npos) << v12.out();

  server.process.stop();
  const std::string log = server.process.err();
  EXPECT_NE(log.find(": TLSv1.3 TLS_"), std::string::npos) << log;
  EXPECT_NE(log.find(": TLSv1.2 TLS_ECDHE_ECDSA_"), std::string::npos) << log;
}

// A vouch client of TLS 1.3 only and a server of TLS 1.2 only share no
// version: s_server answers the ClientHello (which offers only 1.3 in
// supported_versions) with protocol_version (RFC 8446 §4.2.1).
TEST(Tls12Versions, VouchClientOfTls13OnlyRefusedByOpenSslServerOfTls12Only) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-www", "-naccept", "1"});
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", f.root.cert_path, "--servername", "localhost", "--tls1_3", "--request",
                    kEscapedHttpRequest});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_EQ(client.err().rfind("vouch connect: error: handshake failed: peer sent alert protocol_version", 0), 0u)
      << client.transcript() << server.process.transcript();
}

// And the other way: vouch serve --tls1_3 refuses s_client -tls1_2 with
// protocol_version (RFC 8446 §4.2.1: no supported_versions, legacy_version
// 1.2, and 1.2 is not in the server's range).
TEST(Tls12Versions, VouchServerOfTls13OnlyRefusesOpenSslClientOfTls12Only) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--tls1_3", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_with_request(s_client12_args(server.port, f.root.cert_path));
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code != 0) << client.transcript();
  EXPECT_NE(client.err().find("SSL alert number 70"), std::string::npos) << client.transcript();
  const testing::ExitStatus sst = server.process.wait(kRunTimeout);
  EXPECT_TRUE(sst.exited && sst.code == 1) << server.process.transcript();
  EXPECT_NE(server.process.err().find("handshake failed: protocol_version"), std::string::npos)
      << server.process.transcript();
}

// --min-protocol/--max-protocol: a server whose range is 1.2..1.2 (given as
// a range) serves a default s_client in TLS 1.2.
TEST(Tls12Versions, VouchServerWithMaxProtocolTls12) {
  const testing::PkiFamily& f = family(CertType::rsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--max-protocol", "TLSv1.2", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_with_request(s_client12_args(server.port, f.root.cert_path, ""));
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("New, TLSv1.2, Cipher is ECDHE-RSA-"), std::string::npos) << client.out();
  EXPECT_NE(client.out().find("\nprotocol: TLSv1.2\n"), std::string::npos) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

}  // namespace
}  // namespace vouch::interop
