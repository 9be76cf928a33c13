// TLS 1.2 resumption with real peers (RFC 5246 §7.3 abbreviated handshake),
// by session ticket (RFC 5077) and by session ID:
//  - openssl s_client -tls1_2 -reconnect and gnutls-cli --resume against
//    vouch serve: every reconnection is resumed, with the identity of a
//    client that authenticated in the full handshake;
//  - vouch connect --sess-out / --sess-in against openssl s_server -tls1_2
//    and gnutls-serv, and the OCSP status the session file carries.
// The PRF hash of the suite (SHA-256 or SHA-384) goes into the master
// secret, so each ECDSA suite is resumed.
#include "interop/interop12.h"
#include "tools/ocsp_staple.h"

namespace vouch::interop {
namespace {

enum class By { ticket, session_id };
const char* by_name(By b) { return b == By::ticket ? "ticket" : "session_id"; }

struct ResumeCase {
  Suite12 suite;
  By by;
};
void PrintTo(const ResumeCase& c, std::ostream* os) { *os << c.suite.openssl << " / " << by_name(c.by); }

std::vector<ResumeCase> resume_cases() {
  std::vector<ResumeCase> out;
  for (const Suite12& s : suites12())
    if (s.cert == CertType::ecdsa)
      for (By b : {By::ticket, By::session_id}) out.push_back({s, b});
  return out;
}
std::string resume_case_name(const ::testing::TestParamInfo<ResumeCase>& i) {
  return std::string(i.param.suite.short_name) + "_" + by_name(i.param.by);
}

// The "Session-ID: ..." values s_client printed, in order.
std::vector<std::string> session_ids(const std::string& out) {
  std::vector<std::string> ids;
  for (const std::string& line : nonempty_lines(out))
    if (line.rfind("    Session-ID: ", 0) == 0) ids.push_back(line.substr(16));
  return ids;
}

class Resumption12 : public ::testing::TestWithParam<ResumeCase> {};

// s_client -reconnect: one full handshake, then five reconnections offering
// the session (by ticket unless -no_ticket); the request goes out on the last.
TEST_P(Resumption12, OpenSslClientReconnectsToVouchServer) {
  const ResumeCase& p = GetParam();
  const testing::PkiFamily& f = family(p.suite.cert);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--tls1_2", "--cipher", p.suite.iana});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> argv = s_client12_args(server.port, f.root.cert_path);
  argv.push_back("-reconnect");
  if (p.by == By::session_id) argv.push_back("-no_ticket");
  ChildProcess client = run_with_request(argv);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  EXPECT_EQ(testing::count_occurrences(out, std::string("New, TLSv1.2, Cipher is ") + p.suite.openssl + "\n"), 1u)
      << out;
  EXPECT_EQ(testing::count_occurrences(out, std::string("Reused, TLSv1.2, Cipher is ") + p.suite.openssl + "\n"),
            5u)
      << out;
  EXPECT_NE(out.find("    Extended master secret: yes\n"), std::string::npos) << out;
  const std::vector<std::string> ids = session_ids(out);
  ASSERT_EQ(ids.size(), 6u) << out;
  if (p.by == By::ticket) {
    // RFC 5077 §3.3: vouch issued a ticket, with its lifetime hint.
    EXPECT_NE(out.find("TLS session ticket lifetime hint: "), std::string::npos) << out;
  } else {
    // RFC 5246 §7.4.1.3: the server resumes by echoing the session ID.
    EXPECT_EQ(out.find("TLS session ticket lifetime hint: "), std::string::npos) << out;
    EXPECT_FALSE(ids[0].empty()) << out;
    for (const std::string& id : ids) EXPECT_EQ(id, ids[0]) << out;
  }
  // vouch's page on the last (resumed) connection.
  EXPECT_NE(out.find("\nresumed: yes\n"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("\ncipher: ") + p.suite.iana + "\n"), std::string::npos) << out;
  server.process.stop();
  const std::string log = server.process.err();
  EXPECT_EQ(testing::count_occurrences(log, " resumed=no "), 1u) << log;
  EXPECT_EQ(testing::count_occurrences(log, " resumed=yes "), 5u) << log;
}

// vouch connect saves the session s_server gives (a ticket, or with
// -no_ticket a session ID) and resumes it.
TEST_P(Resumption12, VouchClientResumesWithOpenSslServer) {
  const ResumeCase& p = GetParam();
  const testing::PkiFamily& f = family(p.suite.cert);
  testing::TempDir dir;
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-cipher", p.suite.openssl, "-www", "-naccept", "2"});
  if (p.by == By::session_id) args.push_back("-no_ticket");
  Server server = start_openssl_server12(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  const std::string sess = dir.file("vouch.sess");
  const std::vector<std::string> common = {"--ca", f.root.cert_path, "--servername", "localhost", "--tls1_2",
                                           "--request", kEscapedHttpRequest};
  std::vector<std::string> first_args = common;
  first_args.insert(first_args.end(), {"--sess-out", sess});
  ChildProcess first = run_vouch_client(server.port, first_args);
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(first.err(), "resumed"), "no");
  EXPECT_NE(first.out().find(std::string("New, TLSv1.2, Cipher is ") + p.suite.openssl), std::string::npos)
      << first.out();
  const std::string file = testing::read_text_file(sess);
  EXPECT_EQ(file.rfind("vouch-session 2\nsession ", 0), 0u) << file;
  EXPECT_EQ(first.err().find("--sess-out"), std::string::npos) << first.err();

  std::vector<std::string> second_args = common;
  second_args.insert(second_args.end(), {"--sess-in", sess});
  ChildProcess second = run_vouch_client(server.port, second_args);
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(second.err(), "protocol"), "TLSv1.2");
  EXPECT_EQ(summary_value(second.err(), "resumed"), "yes") << second.err();
  EXPECT_EQ(summary_value(second.err(), "cipher"), p.suite.iana);
  // No Certificate in an abbreviated handshake: the peer comes from the session.
  EXPECT_NE(summary_value(second.err(), "peer").find("CN=localhost"), std::string::npos) << second.err();
  EXPECT_NE(second.out().find(std::string("Reused, TLSv1.2, Cipher is ") + p.suite.openssl), std::string::npos)
      << second.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  // s_server counts the hit in its session cache only for an ID.
  if (p.by == By::session_id) {
    EXPECT_NE(server.process.out().find("   1 session cache hits"), std::string::npos) << server.process.out();
  }
}

INSTANTIATE_TEST_SUITE_P(All, Resumption12, ::testing::ValuesIn(resume_cases()), resume_case_name);

// ------------------------------------------------ mutual TLS across resumption

// A client that authenticated in the full handshake keeps its identity in
// every resumed connection (no Certificate is sent then), by ticket and by
// session ID; --verify required resumes such sessions.
TEST(Resumption12Misc, ResumedOpenSslClientKeepsItsIdentity) {
  const testing::PkiFamily& f = family(CertType::rsa);
  for (By by : {By::ticket, By::session_id}) {
    testing::TempDir dir;
    std::vector<std::string> args = vouch_cert_args(f.server);
    args.insert(args.end(), {"--tls1_2", "--verify", "required", "--client-ca", f.root.cert_path});
    Server server = start_vouch_server(dir, args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    std::vector<std::string> argv = s_client12_args(server.port, f.root.cert_path);
    const std::vector<std::string> cert = s_client_cert_args(f, f.client);
    argv.insert(argv.end(), cert.begin(), cert.end());
    argv.push_back("-reconnect");
    if (by == By::session_id) argv.push_back("-no_ticket");
    ChildProcess client = run_with_request(argv);
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    const std::string out = client.out();
    EXPECT_EQ(testing::count_occurrences(out, "Reused, TLSv1.2, Cipher is ECDHE-RSA-"), 5u) << by_name(by) << out;
    EXPECT_NE(out.find("\nresumed: yes\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\nclient: CN=client-rsa,O=vouch-test\n"), std::string::npos) << out;
    server.process.stop();
    const std::string log = server.process.err();
    EXPECT_EQ(testing::count_occurrences(log, " resumed=yes hrr=no peer=CN=client-rsa,O=vouch-test client=CN=client-rsa"),
              5u)
        << by_name(by) << log;
  }
}

// ------------------------------------------------ GnuTLS

TEST(Resumption12Misc, GnuTlsClientResumesWithVouchServer) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  for (By by : {By::ticket, By::session_id}) {
    testing::TempDir dir;
    Server server = start_vouch_server(dir, vouch_cert_args(f.server));
    ASSERT_NE(server.port, 0) << server.process.transcript();
    // --resume: a full handshake, disconnect, then a resumed one; the
    // request is read from stdin only after the second.
    std::vector<std::string> extra = {"--resume"};
    if (by == By::session_id) extra.push_back("--noticket");
    ChildProcess client = run_gnutls_cli(server.port, f.root.cert_path, kGnutlsTls12Only, extra);
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    EXPECT_NE(client.out().find("*** This is a resumed session"), std::string::npos) << by_name(by) << client.out();
    EXPECT_NE(client.out().find("- Description: (TLS1.2-X.509)-"), std::string::npos) << client.out();
    EXPECT_NE(client.out().find("\nresumed: yes\n"), std::string::npos) << client.out();
    EXPECT_NE(client.out().find("\nprotocol: TLSv1.2\n"), std::string::npos) << client.out();
    server.process.stop();
    EXPECT_EQ(testing::count_occurrences(server.process.err(), " resumed=yes "), 1u) << server.process.err();
  }
}

TEST(Resumption12Misc, VouchClientResumesWithGnuTlsServer) {
  const testing::PkiFamily& f = family(CertType::rsa);
  for (By by : {By::ticket, By::session_id}) {
    std::vector<std::string> args = {"-a", "--http", "--priority", kGnutlsTls12Only, "--x509certfile",
                                     f.server.chain_path, "--x509keyfile", f.server.key_path};
    if (by == By::session_id) args.push_back("--noticket");
    Server server = start_gnutls_server(args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    testing::TempDir dir;
    const std::string sess = dir.file("vouch.sess");
    const std::vector<std::string> common = {"--ca", f.root.cert_path, "--servername", "localhost", "--request",
                                             kEscapedHttpRequest};
    std::vector<std::string> first_args = common;
    first_args.insert(first_args.end(), {"--sess-out", sess});
    ChildProcess first = run_vouch_client(server.port, first_args);
    ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(first.err(), "resumed"), "no");
    std::vector<std::string> second_args = common;
    second_args.insert(second_args.end(), {"--sess-in", sess});
    ChildProcess second = run_vouch_client(server.port, second_args);
    ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(second.err(), "protocol"), "TLSv1.2");
    EXPECT_EQ(summary_value(second.err(), "resumed"), "yes") << by_name(by) << second.err();
    // gnutls-serv's page shows the session ID it resumed: the same as the first.
    const std::string id_tag = "<p>Session ID: <i>";
    const size_t a = first.out().find(id_tag), b = second.out().find(id_tag);
    ASSERT_NE(a, std::string::npos) << first.out();
    ASSERT_NE(b, std::string::npos) << second.out();
    if (by == By::session_id) {
      EXPECT_EQ(first.out().substr(a, first.out().find('<', a + id_tag.size()) - a),
                second.out().substr(b, second.out().find('<', b + id_tag.size()) - b));
    }
  }
}

// ------------------------------------------------ the OCSP status in the session file

// As the TLS 1.3 case (resumption_test.cpp): the session file keeps what the
// full handshake verified, and resuming from it reports that status (no
// Certificate, hence no CertificateStatus, in an abbreviated handshake,
// RFC 6066 §8), by ticket and by session ID.
TEST(Resumption12Misc, VouchClientKeepsTheVerifiedStapleInItsSessionFile) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  for (By by : {By::ticket, By::session_id}) {
    testing::TempDir dir;
    auto staple = testing::make_ocsp_staple(f.server.cert.get(), f.intermediate.cert.get(),
                                            f.intermediate.key.get(), {});
    ASSERT_TRUE(staple.ok()) << staple.error().to_string();
    const std::string staple_path = dir.file("staple.der");
    testing::write_file(staple_path, *staple);
    std::vector<std::string> args = openssl_cert_args(f, f.server);
    args.insert(args.end(), {"-status_file", staple_path, "-www", "-naccept", "2"});
    if (by == By::session_id) args.push_back("-no_ticket");
    Server server = start_openssl_server12(args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    const std::string sess = dir.file("vouch.sess");
    const std::vector<std::string> common = {"--ca", f.root.cert_path, "--servername", "localhost", "--ocsp",
                                             "require", "--request", kEscapedHttpRequest};
    std::vector<std::string> first_args = common;
    first_args.insert(first_args.end(), {"--sess-out", sess});
    ChildProcess first = run_vouch_client(server.port, first_args);
    ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(first.err(), "protocol"), "TLSv1.2");
    const std::string first_ocsp = summary_value(first.err(), "ocsp");
    EXPECT_EQ(first_ocsp.rfind("good (produced ", 0), 0u) << first.err();
    EXPECT_EQ(testing::read_text_file(sess).rfind("vouch-session 2\nsession ", 0), 0u);

    std::vector<std::string> second_args = common;
    second_args.insert(second_args.end(), {"--sess-in", sess});
    ChildProcess second = run_vouch_client(server.port, second_args);
    ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(second.err(), "resumed"), "yes") << by_name(by) << second.err();
    EXPECT_EQ(summary_value(second.err(), "ocsp"), first_ocsp + " [from the resumed session]") << second.err();
    EXPECT_NE(second.out().find("Reused, TLSv1.2, Cipher is ECDHE-ECDSA-"), std::string::npos) << second.out();
    EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  }
}

}  // namespace
}  // namespace vouch::interop
