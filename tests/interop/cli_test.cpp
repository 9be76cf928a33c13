// The vouch command line itself: argument errors (exit 2, one clear line),
// runtime failures (exit 1), `vouch demo`, and `vouch serve` shutting down on
// SIGTERM (openssl s_client holds a connection open for the shutdown tests;
// no other third-party peer).
#include <signal.h>
#include <unistd.h>

#include "interop/interop.h"
#include "support/late_writer.h"

namespace vouch::interop {
namespace {

ChildProcess run_vouch(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {vouch_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess c = ChildProcess::spawn(argv);
  c.wait(kRunTimeout);
  return c;
}

struct UsageCase {
  const char* name;
  std::vector<std::string> args;
  const char* message;  // part of the error text
};

// Readable test parameters in gtest's messages.
void PrintTo(const UsageCase& c, std::ostream* os) { *os << c.name; }

class CliUsage : public ::testing::TestWithParam<UsageCase> {};

TEST_P(CliUsage, ExitsTwoWithMessage) {
  ChildProcess c = run_vouch(GetParam().args);
  const testing::ExitStatus st = c.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 2) << c.transcript();
  EXPECT_NE(c.err().find(GetParam().message), std::string::npos) << c.transcript();
}

std::vector<UsageCase> usage_cases() {
  return {
      {"no_subcommand", {}, "subcommand"},
      {"unknown_subcommand", {"frobnicate"}, "A subcommand is required"},
      {"connect_without_target", {"connect", "--ca", "x.pem"}, "target"},
      {"connect_without_ca", {"connect", "127.0.0.1:1"}, "--ca is required"},
      {"connect_port_missing", {"connect", "localhost", "--no-verify"}, "expected HOST:PORT"},
      {"connect_port_zero", {"connect", "localhost:0", "--no-verify"}, "bad port '0'"},
      {"connect_port_too_big", {"connect", "localhost:65536", "--no-verify"}, "bad port"},
      {"connect_port_junk", {"connect", "localhost:44x", "--no-verify"}, "bad port"},
      {"connect_ipv6_unbracketed", {"connect", "::1:443", "--no-verify"}, "expected HOST:PORT"},
      {"connect_ipv6_unclosed", {"connect", "[::1:443", "--no-verify"}, "expected [ADDRESS]:PORT"},
      {"connect_empty_host", {"connect", ":443", "--no-verify"}, "missing host"},
      {"unknown_suite",
       {"connect", "127.0.0.1:1", "--no-verify", "--ciphersuites", "TLS_AES_128_GCM_SHA256:TLS_NOPE"},
       "unknown cipher suite 'TLS_NOPE'"},
      {"unknown_group", {"connect", "127.0.0.1:1", "--no-verify", "--groups", "x25519:p999"},
       "unknown group 'p999'"},
      {"empty_group", {"connect", "127.0.0.1:1", "--no-verify", "--groups", "x25519:"},
       "unknown group ''"},
      {"unknown_key_share_group",
       {"connect", "127.0.0.1:1", "--no-verify", "--key-share-groups", "ffdhe2048"},
       "unknown group 'ffdhe2048'"},
      {"empty_alpn", {"connect", "127.0.0.1:1", "--no-verify", "--alpn", "h2,,http/1.1"},
       "bad ALPN protocol name ''"},
      {"bad_request_escape", {"connect", "127.0.0.1:1", "--no-verify", "--request", "GET\\q"},
       "unknown escape"},
      {"serve_without_cert", {"serve", "--listen", "127.0.0.1:0", "--key", "k.pem"}, "--cert"},
      {"serve_bad_listen", {"serve", "--listen", "127.0.0.1", "--cert", "c", "--key", "k"},
       "expected HOST:PORT"},
      {"serve_unknown_group",
       {"serve", "--listen", "127.0.0.1:0", "--cert", "c", "--key", "k", "--groups", "nope"},
       "unknown group 'nope'"},
      {"serve_verify_without_client_ca",
       {"serve", "--listen", "127.0.0.1:0", "--cert", "c", "--key", "k", "--verify", "required"},
       "--verify required needs --client-ca"},
      {"serve_bad_verify",
       {"serve", "--listen", "127.0.0.1:0", "--cert", "c", "--key", "k", "--client-ca", "ca",
        "--verify", "sometimes"},
       "--verify: expected none, optional or required, got 'sometimes'"},
      {"connect_cert_without_key",
       {"connect", "127.0.0.1:1", "--no-verify", "--cert", "a.pem", "--cert", "b.pem", "--key",
        "k.pem"},
       "give one --key per --cert (2 --cert, 1 --key)"},
  };
}

INSTANTIATE_TEST_SUITE_P(All, CliUsage, ::testing::ValuesIn(usage_cases()),
                         [](const ::testing::TestParamInfo<UsageCase>& i) { return i.param.name; });

TEST(Cli, HelpExitsZero) {
  ChildProcess c = run_vouch({"--help"});
  EXPECT_TRUE(c.wait(kRunTimeout).success()) << c.transcript();
  for (const char* sub : {"serve", "connect", "demo"}) {
    EXPECT_NE(c.out().find(sub), std::string::npos) << c.out();
  }
}

TEST(Cli, ConnectToClosedPortFails) {
  const uint16_t port = testing::free_port();
  ChildProcess c = run_vouch({"connect", "127.0.0.1:" + std::to_string(port), "--no-verify"});
  const testing::ExitStatus st = c.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << c.transcript();
  EXPECT_EQ(c.err().rfind("vouch connect: error: connect: ", 0), 0u) << c.err();
}

TEST(Cli, ConnectWithMissingCaFileFails) {
  ChildProcess c = run_vouch({"connect", "127.0.0.1:1", "--ca", "/nonexistent/roots.pem"});
  const testing::ExitStatus st = c.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << c.transcript();
  EXPECT_NE(c.err().find("/nonexistent/roots.pem"), std::string::npos) << c.err();
}

TEST(Cli, ServeWithMissingKeyFails) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  ChildProcess c = run_vouch({"serve", "--listen", "127.0.0.1:0", "--cert", f.server.chain_path,
                              "--key", "/nonexistent/key.pem", "--once"});
  const testing::ExitStatus st = c.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << c.transcript();
  EXPECT_NE(c.err().find("/nonexistent/key.pem"), std::string::npos) << c.err();
}

TEST(Cli, ServeWithMismatchedKeyFails) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  ChildProcess c = run_vouch({"serve", "--listen", "127.0.0.1:0", "--cert", f.server.chain_path,
                              "--key", f.root.key_path, "--once"});
  const testing::ExitStatus st = c.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << c.transcript();
}

TEST(Cli, DemoSucceedsAndPrintsBothSides) {
  ChildProcess c = run_vouch({"demo"});
  ASSERT_TRUE(c.wait(kRunTimeout).success()) << c.transcript();
  const std::string out = c.out();
  for (const char* line : {"\nprotocol: TLSv1.3\n", "\ncipher: TLS_AES_128_GCM_SHA256\n",
                           "\ngroup: x25519\n", "\nresumed: no\n", "HTTP/1.0 200 OK\r\n",
                           "\nsni: localhost\n",
                           // Mutual TLS: the server trusts client CA B only; the client
                           // holds A's credential first and must pick B's.
                           "\nclient-cert: skipped CN=demo client A,O=vouch demo: ",
                           "\nclient-cert: chose CN=demo client B,O=vouch demo: meets the request",
                           "\nclient: CN=demo client B,O=vouch demo\n",
                           "\nclient-issuer: CN=vouch demo client CA B,O=vouch demo\n",
                           " client=CN=demo client B,O=vouch demo client-issuer="}) {
    EXPECT_NE(out.find(line), std::string::npos) << line << "\n" << out;
  }
  // The temporary PKI is gone afterwards.
  const size_t at = out.find("throw-away PKI in ");
  ASSERT_NE(at, std::string::npos) << out;
  const size_t start = at + std::string("throw-away PKI in ").size();
  const std::string dir = out.substr(start, out.find(' ', start) - start);
  EXPECT_NE(::access(dir.c_str(), F_OK), 0) << dir;
}

TEST(Cli, DemoHonoursSuiteAndGroup) {
  ChildProcess c = run_vouch(
      {"demo", "--ciphersuites", "TLS_CHACHA20_POLY1305_SHA256", "--groups", "secp384r1"});
  ASSERT_TRUE(c.wait(kRunTimeout).success()) << c.transcript();
  EXPECT_NE(c.out().find("\ncipher: TLS_CHACHA20_POLY1305_SHA256\n"), std::string::npos) << c.out();
  EXPECT_NE(c.out().find("\ngroup: secp384r1\n"), std::string::npos) << c.out();
}

// `vouch serve` with one TLS 1.3 connection open: openssl s_client, its
// handshake done and verified (so the server has accepted it), waiting for a
// request on stdin (-ign_eof: it stays until the server closes).
class ServeShutdown : public ::testing::Test {
 protected:
  void SetUp() override {
    const testing::PkiFamily& f = family(CertType::ecdsa);
    server_ = start_vouch_server(dir_, vouch_cert_args(f.server));
    ASSERT_NE(server_.port, 0) << server_.process.transcript();
    client_ = ChildProcess::spawn({require_program("openssl"), "s_client", "-tls1_3", "-connect",
                                   "127.0.0.1:" + std::to_string(server_.port), "-servername", "localhost",
                                   "-CAfile", f.root.cert_path, "-verify_return_error", "-ign_eof"},
                                  SpawnOptions{StdinMode::pipe, {}, {}});
    ASSERT_TRUE(client_.running()) << client_.error();
    ASSERT_TRUE(client_.wait_for_output("Verify return code: 0 (ok)", kRunTimeout)) << client_.transcript();
  }

  testing::TempDir dir_;
  Server server_;
  ChildProcess client_;
};

TEST(Cli, IdleServeExitsCleanlyOnSigterm) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  Server server = start_vouch_server(dir, vouch_cert_args(f.server));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ASSERT_EQ(::kill(server.process.pid(), SIGTERM), 0);
  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << server.process.transcript();
  EXPECT_FALSE(st.timed_out);
}

// SIGTERM stops accepting at once, but a connection in flight finishes and
// logs its line: a client that has its response must find it in the log
// (tests that count log lines right after their client exits rely on it).
TEST_F(ServeShutdown, FinishesAnOpenConnectionOnSigterm) {
  Server& server = server_;
  ChildProcess& client = client_;
  ASSERT_EQ(::kill(server.process.pid(), SIGTERM), 0);
  ASSERT_TRUE(server.process.wait_for_output("shutting down", kRunTimeout, /*on_stderr=*/true))
      << server.process.transcript();
  // New connections are refused once the signal came (the server is still
  // running: its open connection has not finished).
  const int fd = testing::connect_loopback(server.port);
  EXPECT_LT(fd, 0);
  if (fd >= 0) ::close(fd);
  // The request comes after the signal, and is still answered.
  ASSERT_TRUE(client.write_stdin("GET / HTTP/1.0\r\n\r\n"));
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_NE(client.out().find("\nprotocol: TLSv1.3\n"), std::string::npos) << client.out();
  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << server.process.transcript();
  EXPECT_EQ(testing::count_occurrences(server.process.err(), " resumed=no "), 1u) << server.process.err();
  EXPECT_EQ(server.process.err().find("cut short"), std::string::npos) << server.process.err();
}

// A connection that does not finish within the grace period is cut short,
// and the server says so and still exits cleanly, well before a SIGKILL.
TEST_F(ServeShutdown, CutsShortAConnectionThatDoesNotFinish) {
  // No request ever comes.
  Server& server = server_;
  ChildProcess& client = client_;
  ASSERT_EQ(::kill(server.process.pid(), SIGTERM), 0);
  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << server.process.transcript();
  EXPECT_NE(server.process.err().find("1 connection(s) still open after 1500 ms, cut short"), std::string::npos)
      << server.process.transcript();
  // The client sees the connection end.
  EXPECT_TRUE(client.wait(kRunTimeout).exited) << client.transcript();
}

// A client that connects and says nothing is dropped after --timeout, and
// the server says why.
TEST(Cli, SilentClientTimesOut) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f.server);
  args.insert(args.end(), {"--timeout", "1", "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  // A plain TCP connection that sends nothing and stays open.
  const int fd = testing::connect_loopback(server.port);
  ASSERT_GE(fd, 0);
  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  ::close(fd);
  EXPECT_TRUE(st.exited && st.code == 1) << server.process.transcript();
  EXPECT_NE(server.process.err().find("timed out"), std::string::npos) << server.process.transcript();
}

}  // namespace
}  // namespace vouch::interop
