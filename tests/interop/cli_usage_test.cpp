// The command-line tool as a new user meets it (issue 14): --version,
// `vouch help [COMMAND]`, one error style for every command
// ("vouch <command>: error: ..."), the exit codes of --help, and the
// messages that used to mislead: a garbage or encrypted key file, a chain
// with the root first, a PEM file given to `ocsp inspect`; and the test
// responder's --help.
#include <openssl/crypto.h>

#include <string>
#include <vector>

#include "interop/interop.h"
#include "vouch/stream.h"

namespace vouch::interop {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

ChildProcess run(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {vouch_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p = ChildProcess::spawn(argv);
  p.wait(kRunTimeout);
  return p;
}

int code(ChildProcess& p) {
  const testing::ExitStatus st = p.wait(kRunTimeout);
  return st.exited ? st.code : -1;
}

void write_file(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

TEST(CliUsage, Version) {
  ChildProcess p = run({"--version"});
  EXPECT_EQ(code(p), 0) << p.transcript();
  EXPECT_EQ(p.out().rfind("vouch 0.", 0), 0u) << p.out();
  EXPECT_TRUE(contains(p.out(), OpenSSL_version(OPENSSL_VERSION))) << p.out();
}

TEST(CliUsage, HelpListsCommandsAndExitCodes) {
  ChildProcess p = run({"help"});
  EXPECT_EQ(code(p), 0) << p.transcript();
  for (const char* cmd : {"serve", "connect", "demo", "ocsp", "help"}) EXPECT_TRUE(contains(p.out(), cmd)) << cmd;
  EXPECT_TRUE(contains(p.out(), "Exit status: 0 success; 1 failure")) << p.out();
  EXPECT_TRUE(contains(p.out(), "2 usage error")) << p.out();
  ChildProcess h = run({"--help"});
  EXPECT_EQ(code(h), 0);
  EXPECT_EQ(h.out(), p.out());
}

TEST(CliUsage, HelpForOneCommand) {
  ChildProcess p = run({"help", "connect"});
  EXPECT_EQ(code(p), 0) << p.transcript();
  EXPECT_TRUE(contains(p.out(), "--keylog FILE")) << p.out();
  EXPECT_TRUE(contains(p.out(), "--trace")) << p.out();
  EXPECT_TRUE(contains(p.out(), "Exit status:")) << p.out();
  ChildProcess same = run({"connect", "--help"});
  EXPECT_EQ(same.out(), p.out());
  ChildProcess nested = run({"help", "ocsp", "inspect"});
  EXPECT_EQ(code(nested), 0) << nested.transcript();
  EXPECT_TRUE(contains(nested.out(), "--response")) << nested.out();
  ChildProcess unknown = run({"help", "frobnicate"});
  EXPECT_EQ(code(unknown), 2);
  EXPECT_EQ(unknown.err().rfind("vouch help: error: unknown command 'frobnicate'", 0), 0u) << unknown.err();
}

// Usage errors of every command: "vouch <command>: error: ...", exit 2.
TEST(CliUsage, OneErrorStyleForUsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string prefix;
  };
  const std::vector<Case> cases = {
      {{}, "vouch: error: "},
      {{"bogus"}, "vouch: error: "},
      {{"connect"}, "vouch connect: error: "},
      {{"connect", "127.0.0.1:1", "--no-such-flag"}, "vouch connect: error: "},
      {{"connect", "127.0.0.1:1", "--no-verify", "--tls1_2", "--tls1_3"}, "vouch connect: error: "},
      {{"serve", "--listen", "nowhere", "--cert", "a", "--key", "b"}, "vouch serve: error: "},
      {{"serve"}, "vouch serve: error: "},
      {{"demo", "--groups", "nope"}, "vouch demo: error: "},
      {{"ocsp", "fetch"}, "vouch ocsp fetch: error: "},
  };
  for (const Case& c : cases) {
    ChildProcess p = run(c.args);
    EXPECT_EQ(code(p), 2) << p.transcript();
    EXPECT_EQ(p.err().rfind(c.prefix, 0), 0u) << p.transcript();
  }
}

// Failures (exit 1) in the same style.
TEST(CliUsage, OneErrorStyleForFailures) {
  const auto& f = family(CertType::ecdsa);
  testing::TempDir dir;
  // A port nobody listens on: bind one, close it.
  Result<int> l = tcp_listen("127.0.0.1", 0);
  ASSERT_TRUE(l.ok());
  const uint16_t port = local_port(*l);
  ::close(*l);
  ChildProcess refused = run({"connect", "127.0.0.1:" + std::to_string(port), "--ca", f.root.cert_path});
  EXPECT_EQ(code(refused), 1) << refused.transcript();
  EXPECT_EQ(refused.err().rfind("vouch connect: error: connect: ", 0), 0u) << refused.err();
  ChildProcess missing = run({"serve", "--listen", "127.0.0.1:0", "--cert", dir.file("none.pem"), "--key",
                              dir.file("none-key.pem")});
  EXPECT_EQ(code(missing), 1) << missing.transcript();
  EXPECT_EQ(missing.err().rfind("vouch serve: error: ", 0), 0u) << missing.err();
  ChildProcess ocsp = run({"ocsp", "inspect", "--response", dir.file("none.der")});
  EXPECT_EQ(code(ocsp), 1) << ocsp.transcript();
  EXPECT_EQ(ocsp.err().rfind("vouch ocsp: error: ", 0), 0u) << ocsp.err();
}

TEST(CliMessages, GarbageKeyIsNotCalledEncrypted) {
  const auto& f = family(CertType::ecdsa);
  testing::TempDir dir;
  write_file(dir.file("garbage.pem"), "this is not a key\n");
  write_file(dir.file("damaged.pem"), "-----BEGIN PRIVATE KEY-----\nAAAAbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
  for (const char* name : {"garbage.pem", "damaged.pem"}) {
    ChildProcess p = run({"serve", "--listen", "127.0.0.1:0", "--cert", f.server.chain_path, "--key", dir.file(name)});
    EXPECT_EQ(code(p), 1) << p.transcript();
    EXPECT_FALSE(contains(p.err(), "encrypted")) << p.err();
    EXPECT_TRUE(contains(p.err(), "not a private key"))
        << p.err();
  }
  // A really encrypted key says so, and how to decrypt it.
  ChildProcess enc = ChildProcess::spawn({require_program("openssl"), "pkey", "-in", f.server.key_path, "-aes128",
                                          "-passout", "pass:secret", "-out", dir.file("encrypted.pem")});
  ASSERT_TRUE(enc.wait(kRunTimeout).success()) << enc.transcript();
  ChildProcess p = run({"serve", "--listen", "127.0.0.1:0", "--cert", f.server.chain_path, "--key",
                        dir.file("encrypted.pem")});
  EXPECT_EQ(code(p), 1) << p.transcript();
  EXPECT_TRUE(contains(p.err(), "the private key is encrypted")) << p.err();
}

TEST(CliMessages, RootFirstChainGetsAHint) {
  const auto& f = family(CertType::ecdsa);
  testing::TempDir dir;
  write_file(dir.file("root-first.pem"), testing::read_text_file(f.root.cert_path) +
                                             testing::read_text_file(f.intermediate.cert_path) +
                                             testing::read_text_file(f.server.cert_path));
  ChildProcess p =
      run({"serve", "--listen", "127.0.0.1:0", "--cert", dir.file("root-first.pem"), "--key", f.server.key_path});
  EXPECT_EQ(code(p), 1) << p.transcript();
  EXPECT_TRUE(contains(p.err(), "the key belongs to certificate 3 of the chain")) << p.err();
  EXPECT_TRUE(contains(p.err(), "the leaf must come first")) << p.err();
  // A client chain in the same order.
  ChildProcess c = run({"connect", "127.0.0.1:1", "--ca", f.root.cert_path, "--cert", dir.file("root-first.pem"),
                        "--key", f.server.key_path});
  EXPECT_EQ(code(c), 1) << c.transcript();
  EXPECT_TRUE(contains(c.err(), "the leaf must come first")) << c.err();
}

TEST(CliMessages, OcspInspectGivenPem) {
  const auto& f = family(CertType::ecdsa);
  ChildProcess p = run({"ocsp", "inspect", "--response", f.server.cert_path});
  EXPECT_EQ(code(p), 1) << p.transcript();
  EXPECT_EQ(p.err().rfind("vouch ocsp: error: ", 0), 0u) << p.err();
  EXPECT_TRUE(contains(p.err(), "is PEM (CERTIFICATE), not an OCSP response: the response file is DER")) << p.err();
}

TEST(CliMessages, TestResponderHelp) {
  ChildProcess p = ChildProcess::spawn({VOUCH_BINARY_DIR "/bin/vouch-test-ocsp-responder", "--help"});
  const testing::ExitStatus st = p.wait(kRunTimeout);
  EXPECT_TRUE(st.success()) << p.transcript();
  EXPECT_EQ(p.out().rfind("usage: vouch-test-ocsp-responder --issuer-cert PEM", 0), 0u) << p.out();
  EXPECT_TRUE(contains(p.out(), "modes: good revoked")) << p.out();
  EXPECT_TRUE(p.err().empty()) << p.err();
}

}  // namespace
}  // namespace vouch::interop
