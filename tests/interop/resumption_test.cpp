// TLS 1.3 PSK resumption with real peers (RFC 8446 §2.2, §4.6.1): tickets
// issued by vouch resumed by openssl and gnutls, and tickets issued by
// openssl resumed by vouch connect through its session file.
#include "interop/interop.h"
#include "tools/ocsp_staple.h"

namespace vouch::interop {
namespace {

// Resumption depends on the suite's hash (SHA-256 or SHA-384 PSKs).
class Resumption : public ::testing::TestWithParam<Suite> {};

std::string suite_name(const ::testing::TestParamInfo<Suite>& i) { return i.param.short_name; }

TEST_P(Resumption, OpenSslClientResumesWithVouchServer) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--ciphersuites", GetParam().iana});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  const std::string sess = dir.file("s_client.sess");
  auto s_client = [&](const char* sess_flag) {
    ChildProcess c = ChildProcess::spawn(
        {require_program("openssl"), "s_client", "-tls1_3", "-connect",
         "127.0.0.1:" + std::to_string(server.port), "-CAfile", f.root.cert_path,
         "-verify_return_error", "-servername", "localhost", "-ign_eof", sess_flag, sess},
        {StdinMode::data, kHttpRequest, {}});
    c.wait(kRunTimeout);
    return c;
  };
  ChildProcess first = s_client("-sess_out");
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  EXPECT_NE(first.out().find(std::string("New, TLSv1.3, Cipher is ") + GetParam().iana),
            std::string::npos)
      << first.out();
  ChildProcess second = s_client("-sess_in");
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
  EXPECT_NE(second.out().find(std::string("Reused, TLSv1.3, Cipher is ") + GetParam().iana),
            std::string::npos)
      << second.transcript() << server.process.transcript();
  EXPECT_NE(second.out().find("\nresumed: yes\n"), std::string::npos) << second.out();
  server.process.stop();
}

TEST_P(Resumption, VouchClientResumesWithOpenSslServer) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-ciphersuites", GetParam().iana, "-www", "-naccept", "2"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  const std::string sess = dir.file("vouch.sess");
  const std::vector<std::string> common = {"--ca", f.root.cert_path, "--servername", "localhost",
                                           "--request", "GET / HTTP/1.0\\r\\n\\r\\n"};
  std::vector<std::string> first_args = common;
  first_args.insert(first_args.end(), {"--sess-out", sess});
  ChildProcess first = run_vouch_client(server.port, first_args);
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(first.err(), "resumed"), "no");
  ASSERT_FALSE(testing::read_text_file(sess).empty()) << first.transcript();

  std::vector<std::string> second_args = common;
  second_args.insert(second_args.end(), {"--sess-in", sess});
  ChildProcess second = run_vouch_client(server.port, second_args);
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(second.err(), "resumed"), "yes") << second.err();
  EXPECT_EQ(summary_value(second.err(), "cipher"), GetParam().iana);
  // s_server's page says so too.
  EXPECT_NE(second.out().find(std::string("Reused, TLSv1.3, Cipher is ") + GetParam().iana),
            std::string::npos)
      << second.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, Resumption, ::testing::ValuesIn(suites()), suite_name);

TEST(ResumptionMisc, GnuTlsClientResumesWithVouchServer) {
  const testing::PkiFamily& f = family(CertType::rsa);
  testing::TempDir dir;
  Server server = start_vouch_server(dir, vouch_cert_args(f.server));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  // --resume: a full handshake, disconnect, then a resumed one; the request
  // is read from stdin only after the second.
  ChildProcess client = ChildProcess::spawn(
      {require_program("gnutls-cli"), "-p", std::to_string(server.port), "127.0.0.1",
       "--x509cafile", f.root.cert_path, "--verify-hostname", "localhost", "--resume"},
      {StdinMode::pipe, {}, {}});
  client.write_stdin(kHttpRequest);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_NE(client.out().find("*** This is a resumed session"), std::string::npos) << client.out();
  EXPECT_NE(client.out().find("\nresumed: yes\n"), std::string::npos) << client.out();
  server.process.stop();
}

TEST(ResumptionMisc, VouchClientResumesWithVouchServer) {
  const testing::PkiFamily& f = family(CertType::rsa);
  testing::TempDir dir;
  Server server = start_vouch_server(dir, vouch_cert_args(f.server));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const std::string sess = dir.file("vouch.sess");
  const std::vector<std::string> common = {"--ca", f.root.cert_path, "--servername", "localhost",
                                           "--request", "GET / HTTP/1.0\\r\\n\\r\\n"};
  std::vector<std::string> first_args = common;
  first_args.insert(first_args.end(), {"--sess-out", sess});
  ChildProcess first = run_vouch_client(server.port, first_args);
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript();
  std::vector<std::string> second_args = common;
  second_args.insert(second_args.end(), {"--sess-in", sess});
  ChildProcess second = run_vouch_client(server.port, second_args);
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript();
  EXPECT_EQ(summary_value(second.err(), "resumed"), "yes");
  EXPECT_NE(second.out().find("\nresumed: yes\n"), std::string::npos) << second.out();
  server.process.stop();
}

// The session file keeps what the full handshake proved: resuming from it
// reports the OCSP status verified then (no Certificate, hence no staple, is
// exchanged in a resumption), not "not requested".
TEST(ResumptionMisc, VouchClientKeepsTheVerifiedStapleInItsSessionFile) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  auto staple = testing::make_ocsp_staple(f.server.cert.get(), f.intermediate.cert.get(),
                                          f.intermediate.key.get(), {});
  ASSERT_TRUE(staple.ok()) << staple.error().to_string();
  const std::string staple_path = dir.file("staple.der");
  testing::write_file(staple_path, *staple);
  std::vector<std::string> server_args = vouch_cert_args(f.server);
  server_args.insert(server_args.end(), {"--staple", staple_path});
  Server server = start_vouch_server(dir, server_args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const std::string sess = dir.file("vouch.sess");
  const std::vector<std::string> common = {"--ca", f.root.cert_path, "--servername", "localhost", "--ocsp",
                                           "require", "--request", "GET / HTTP/1.0\\r\\n\\r\\n"};
  std::vector<std::string> first_args = common;
  first_args.insert(first_args.end(), {"--sess-out", sess});
  ChildProcess first = run_vouch_client(server.port, first_args);
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  const std::string first_ocsp = summary_value(first.err(), "ocsp");
  EXPECT_EQ(first_ocsp.rfind("good (produced ", 0), 0u) << first.err();
  EXPECT_EQ(testing::read_text_file(sess).rfind("vouch-session 2\nsession ", 0), 0u);

  std::vector<std::string> second_args = common;
  second_args.insert(second_args.end(), {"--sess-in", sess});
  ChildProcess second = run_vouch_client(server.port, second_args);
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(second.err(), "resumed"), "yes") << second.err();
  EXPECT_EQ(summary_value(second.err(), "ocsp"), first_ocsp + " [from the resumed session]") << second.err();
  server.process.stop();
}

// A damaged session file is refused before any connection is made.
TEST(ResumptionMisc, CorruptSessionFileIsAnError) {
  testing::TempDir dir;
  const std::string sess = dir.file("bad.sess");
  testing::ChildProcess writer =
      ChildProcess::spawn({"sh", "-c", "printf 'vouch-session 2\\nsession zz\\n' > \"$0\"", sess});
  ASSERT_TRUE(writer.wait(kRunTimeout).success());
  // Port 1 is never contacted: the file is read first.
  ChildProcess client = run_vouch_client(
      1, {"--ca", family(CertType::ecdsa).root.cert_path, "--sess-in", sess});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_NE(client.err().find("--sess-in"), std::string::npos) << client.err();
  EXPECT_NE(client.err().find("bad hex digit"), std::string::npos) << client.err();
}

// A file of the first format (written by an older vouch) is refused with a
// message that says what to do.
TEST(ResumptionMisc, FormatOneSessionFileIsRefused) {
  testing::TempDir dir;
  const std::string sess = dir.file("old.sess");
  testing::write_file(sess, std::string("vouch-session 1\nversion 0304\ncipher_suite 1301\n"));
  ChildProcess client = run_vouch_client(
      1, {"--ca", family(CertType::ecdsa).root.cert_path, "--sess-in", sess});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_NE(client.err().find("session file format 1 is no longer read; save the session again"),
            std::string::npos)
      << client.err();
}


// --ocsp require never resumes a session whose full handshake did not verify
// a good staple (here: one made with --ocsp ignore, which asks for none): the
// session is not offered, the full handshake verifies the server's staple.
// In both versions.
class RequireRefusesUnverifiedSession : public ::testing::TestWithParam<std::string> {};

TEST_P(RequireRefusesUnverifiedSession, FullHandshakeInstead) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  auto staple = testing::make_ocsp_staple(f.server.cert.get(), f.intermediate.cert.get(),
                                          f.intermediate.key.get(), {});
  ASSERT_TRUE(staple.ok()) << staple.error().to_string();
  const std::string staple_path = dir.file("staple.der");
  testing::write_file(staple_path, *staple);
  std::vector<std::string> server_args = vouch_cert_args(f.server);
  server_args.insert(server_args.end(), {"--staple", staple_path});
  Server server = start_vouch_server(dir, server_args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const std::string sess = dir.file("vouch.sess");
  const std::vector<std::string> common = {"--ca", f.root.cert_path, "--servername", "localhost", GetParam(),
                                           "--request", "GET / HTTP/1.0\\r\\n\\r\\n"};
  std::vector<std::string> first_args = common;
  first_args.insert(first_args.end(), {"--ocsp", "ignore", "--sess-out", sess});
  ChildProcess first = run_vouch_client(server.port, first_args);
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(first.err(), "ocsp"), "not requested") << first.err();

  // Control: the session file is resumable as such (soft accepts it).
  std::vector<std::string> soft_args = common;
  soft_args.insert(soft_args.end(), {"--ocsp", "soft", "--sess-in", sess});
  ChildProcess soft = run_vouch_client(server.port, soft_args);
  ASSERT_TRUE(soft.wait(kRunTimeout).success()) << soft.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(soft.err(), "resumed"), "yes") << soft.err();

  std::vector<std::string> second_args = common;
  second_args.insert(second_args.end(), {"--ocsp", "require", "--sess-in", sess});
  ChildProcess second = run_vouch_client(server.port, second_args);
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(second.err(), "resumed"), "no") << second.err();
  EXPECT_EQ(summary_value(second.err(), "ocsp").rfind("good (produced ", 0), 0u) << second.err();
  server.process.stop();
}

INSTANTIATE_TEST_SUITE_P(BothVersions, RequireRefusesUnverifiedSession,
                         ::testing::Values(std::string("--tls1_2"), std::string("--tls1_3")),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           return p.param == "--tls1_2" ? std::string("tls12") : std::string("tls13");
                         });

}  // namespace
}  // namespace vouch::interop
