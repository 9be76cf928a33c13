// OCSP stapling (RFC 6066 §8: status_request, CertificateStatus) and mutual
// TLS (RFC 5246 §7.4.4, §7.4.6) in TLS 1.2 against real peers:
//  - vouch serve --tls1_2 stapling a static file or with its Stapler
//    (--staple auto, fed by the project's test OCSP responder) to
//    `openssl s_client -tls1_2 -status` and `gnutls-cli --ocsp` with a TLS 1.2
//    priority;
//  - vouch connect --tls1_2 --ocsp require|soft against
//    `openssl s_server -tls1_2 -status_file`: good, revoked, a response for
//    another certificate, no staple, a must-staple certificate (RFC 7633);
//  - both together: client certificates and staples in one TLS 1.2
//    handshake, each way, and resumption reporting the verified status.
// Every test checks that TLS 1.2 was negotiated.
#include <openssl/ocsp.h>

#include "interop/interop.h"
#include "tools/ocsp_responder.h"
#include "tools/ocsp_staple.h"

namespace vouch::interop {
namespace {

using testing::OcspBehavior;
using testing::OcspResponder;

const testing::PkiFamily& f() { return family(CertType::ecdsa); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::string kEscapedRequest = "GET / HTTP/1.0\\r\\n\\r\\n";

std::string write_bytes(const testing::TempDir& dir, const std::string& name, const Bytes& data) {
  const std::string path = dir.file(name);
  testing::write_file(path, data);
  return path;
}
std::string write_text(const testing::TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.file(name);
  testing::write_file(path, text);
  return path;
}

Bytes staple_for(X509* cert, OcspBehavior b = {}) {
  auto r = testing::make_ocsp_staple(cert, f().intermediate.cert.get(), f().intermediate.key.get(), b);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : Bytes();
}
OcspBehavior revoked_behavior() {
  OcspBehavior b;
  b.status = OcspCertStatus::revoked;
  return b;
}

// ---------------------------------------------------------------- peers

// `openssl s_server -tls1_2 -accept 127.0.0.1:PORT <extra...>`, ready when it
// prints ACCEPT.
Server start_openssl_server12(const std::vector<std::string>& extra) {
  Server s;
  for (int attempt = 0; attempt < kPortAttempts && s.port == 0; ++attempt) {
    const uint16_t port = testing::free_port();
    std::vector<std::string> argv = {require_program("openssl"), "s_server", "-tls1_2", "-accept",
                                     "127.0.0.1:" + std::to_string(port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    s.process = ChildProcess::spawn(argv);
    if (s.process.running() && s.process.wait_for_output("ACCEPT", kStartTimeout)) s.port = port;
  }
  return s;
}

// s_server with the family's server certificate (or `cert_args`), stapling
// `status_file` if given, serving `naccept` connections.
Server start_stapling_s_server(const std::string& status_file, std::vector<std::string> cert_args = {},
                               std::vector<std::string> extra = {}, int naccept = 1) {
  std::vector<std::string> args = cert_args.empty() ? openssl_cert_args(f(), f().server) : cert_args;
  if (!status_file.empty()) args.insert(args.end(), {"-status_file", status_file});
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"-www", "-naccept", std::to_string(naccept)});
  return start_openssl_server12(args);
}

// vouch connect --tls1_2 with the given OCSP policy (and more arguments).
ChildProcess connect12(const Server& server, const std::string& policy, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--tls1_2", "--ca", f().root.cert_path, "--servername", "localhost",
                                   "--ocsp", policy, "--request", kEscapedRequest};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_vouch_client(server.port, args);
}

bool exited_with(ChildProcess& c, int code) {
  const testing::ExitStatus st = c.wait(kRunTimeout);
  return st.exited && st.code == code;
}

// `openssl s_client -tls1_2 -status` (or another version flag, "" for the
// default range) with full verification of "localhost".
ChildProcess run_s_client_status(uint16_t port, const std::string& version = "-tls1_2",
                                 std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {require_program("openssl"), "s_client"};
  if (!version.empty()) argv.push_back(version);
  argv.insert(argv.end(), {"-connect", "127.0.0.1:" + std::to_string(port), "-CAfile", f().root.cert_path,
                           "-verify_return_error", "-servername", "localhost", "-verify_hostname", "localhost",
                           "-status", "-ign_eof"});
  argv.insert(argv.end(), extra.begin(), extra.end());
  ChildProcess c = ChildProcess::spawn(argv, {StdinMode::data, kHttpRequest, {}});
  c.wait(kRunTimeout);
  return c;
}

// `gnutls-cli --ocsp` limited to TLS 1.2; stdin stays open until the server
// closes, so the page always arrives.
ChildProcess run_gnutls_cli12_ocsp(uint16_t port, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {require_program("gnutls-cli"), "-p", std::to_string(port), "127.0.0.1",
                                   "--x509cafile", f().root.cert_path, "--verify-hostname", "localhost",
                                   "--sni-hostname", "localhost", "--ocsp", "--priority",
                                   "NORMAL:-VERS-ALL:+VERS-TLS1.2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  ChildProcess c = ChildProcess::spawn(argv, {StdinMode::pipe, {}, {}});
  c.write_stdin(kHttpRequest);
  c.wait(kRunTimeout);
  return c;
}

// The test OCSP responder (tests/tools) in this process, answering for the
// ECDSA intermediate's certificates.
std::unique_ptr<OcspResponder> start_responder(const std::string& mode = "good") {
  auto r = OcspResponder::create(f().intermediate.cert.get(), f().intermediate.key.get());
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (!r.ok()) return nullptr;
  std::unique_ptr<OcspResponder> responder = std::move(*r);
  std::optional<OcspBehavior> b = testing::ocsp_behavior_named(mode);
  EXPECT_TRUE(b.has_value()) << mode;
  if (b) responder->set_behavior(*b);
  Status s = responder->start();
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return s.ok() ? std::move(responder) : nullptr;
}

std::vector<std::string> vouch_serve12_args(const std::vector<std::string>& extra) {
  std::vector<std::string> args = vouch_cert_args(f().server);
  args.push_back("--tls1_2");
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// ================================================================ vouch serves

TEST(Ocsp12ServerInterop, OpenSslClientSeesTheStaticStaple) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  Server server = start_vouch_server(dir, vouch_serve12_args({"--staple", good}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  // A TLS 1.2 client, and a client of the default range against the TLS 1.2 server.
  for (const std::string version : {"-tls1_2", ""}) {
    SCOPED_TRACE(version.empty() ? "default range" : version);
    ChildProcess client = run_s_client_status(server.port, version);
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    const std::string out = client.out();
    EXPECT_TRUE(contains(out, "Protocol  : TLSv1.2")) << out;
    EXPECT_TRUE(contains(out, "OCSP Response Status: successful")) << out;
    EXPECT_TRUE(contains(out, "Cert Status: good")) << out;
    EXPECT_TRUE(contains(out, "\nprotocol: TLSv1.2\n")) << out;  // vouch's page
  }
}

// Without -status the client asks for nothing and gets nothing (RFC 6066 §8).
TEST(Ocsp12ServerInterop, NoStatusRequestNoStaple) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  Server server = start_vouch_server(dir, vouch_serve12_args({"--staple", good}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = ChildProcess::spawn(
      {require_program("openssl"), "s_client", "-tls1_2", "-connect", "127.0.0.1:" + std::to_string(server.port),
       "-CAfile", f().root.cert_path, "-verify_return_error", "-servername", "localhost", "-ign_eof",
       "-tlsextdebug"},
      {StdinMode::data, kHttpRequest, {}});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "Protocol  : TLSv1.2")) << client.out();
  // -tlsextdebug lists the ServerHello's extensions: no status_request ack.
  EXPECT_TRUE(contains(client.out(), "TLS server extension \"extended master secret\"")) << client.out();
  EXPECT_FALSE(contains(client.out(), "TLS server extension \"status request\"")) << client.out();
  EXPECT_FALSE(contains(client.out(), "OCSP response")) << client.out();
  // The same server staples to a client that asks: the control.
  ChildProcess asking = run_s_client_status(server.port, "-tls1_2", {"-tlsextdebug"});
  ASSERT_TRUE(asking.wait(kRunTimeout).success()) << asking.transcript();
  EXPECT_TRUE(contains(asking.out(), "TLS server extension \"status request\"")) << asking.out();
  EXPECT_TRUE(contains(asking.out(), "Cert Status: good")) << asking.out();
}

TEST(Ocsp12ServerInterop, OpenSslClientSeesTheStaplersResponse) {
  testing::TempDir dir;
  auto responder = start_responder("good");
  ASSERT_TRUE(responder);
  Server server = start_vouch_server(dir, vouch_serve12_args({"--staple", "auto", "--ocsp-url", responder->url()}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  EXPECT_GE(responder->requests(), 1u);  // fetched before listening
  ChildProcess client = run_s_client_status(server.port);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_TRUE(contains(client.out(), "Protocol  : TLSv1.2")) << client.out();
  EXPECT_TRUE(contains(client.out(), "OCSP Response Status: successful")) << client.out();
  EXPECT_TRUE(contains(client.out(), "Cert Status: good")) << client.out();
  server.process.stop();
  EXPECT_TRUE(contains(server.process.err(), "ocsp refreshed")) << server.process.err();
}

TEST(Ocsp12ServerInterop, RevokedAtTheResponderMeansNoStaple) {
  testing::TempDir dir;
  auto responder = start_responder("revoked");
  ASSERT_TRUE(responder);
  Server server = start_vouch_server(dir, vouch_serve12_args({"--staple", "auto", "--ocsp-url", responder->url()}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_s_client_status(server.port);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "Protocol  : TLSv1.2")) << client.out();
  EXPECT_TRUE(contains(client.out(), "OCSP response: no response sent")) << client.out();
  server.process.stop();
  EXPECT_TRUE(contains(server.process.err(), "ocsp revoked")) << server.process.err();
}

// vouch serves a static file as configured; the client sees what it says.
TEST(Ocsp12ServerInterop, OpenSslClientSeesARevokedStaticStaple) {
  testing::TempDir dir;
  const std::string revoked = write_bytes(dir, "revoked.der", staple_for(f().server.cert.get(), revoked_behavior()));
  Server server = start_vouch_server(dir, vouch_serve12_args({"--staple", revoked}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_s_client_status(server.port);
  client.wait(kRunTimeout);
  EXPECT_TRUE(contains(client.out(), "OCSP Response Status: successful")) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "Cert Status: revoked")) << client.transcript();
}

TEST(Ocsp12ServerInterop, GnuTlsClientVerifiesTheStaple) {
  testing::TempDir dir;
  auto responder = start_responder("good");
  ASSERT_TRUE(responder);
  Server server = start_vouch_server(dir, vouch_serve12_args({"--staple", "auto", "--ocsp-url", responder->url()}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_gnutls_cli12_ocsp(server.port);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "- Description: (TLS1.2-X.509)")) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "- Status: The certificate is trusted.")) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "OCSP status request")) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "\nprotocol: TLSv1.2\n")) << client.transcript();
}

TEST(Ocsp12ServerInterop, GnuTlsClientRefusesARevokedStaple) {
  testing::TempDir dir;
  const std::string revoked = write_bytes(dir, "revoked.der", staple_for(f().server.cert.get(), revoked_behavior()));
  Server server = start_vouch_server(dir, vouch_serve12_args({"--staple", revoked}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_gnutls_cli12_ocsp(server.port);
  EXPECT_FALSE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "revoked")) << client.transcript();
  EXPECT_FALSE(contains(client.out(), "HTTP/1.0 200")) << client.transcript();
}

// vouch serve asking for client certificates and stapling in one TLS 1.2
// handshake; s_client sends its certificate and checks the staple.
TEST(Ocsp12ServerInterop, OpenSslClientWithCertificateAndStaple) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  Server server = start_vouch_server(
      dir, vouch_serve12_args({"--staple", good, "--verify", "required", "--client-ca", f().root.cert_path}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_s_client_status(
      server.port, "-tls1_2",
      {"-cert", f().client.cert_path, "-key", f().client.key_path, "-cert_chain", f().intermediate.cert_path});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  EXPECT_TRUE(contains(out, "Protocol  : TLSv1.2")) << out;
  EXPECT_TRUE(contains(out, "Cert Status: good")) << out;
  // The CertificateRequest named the client root (RFC 5246 §7.4.4).
  EXPECT_TRUE(contains(out, "Acceptable client certificate CA names\nO = vouch-test, CN = vouch test root ecdsa\n"))
      << out;
  EXPECT_TRUE(contains(out, "\nclient: CN=client-ecdsa")) << out;

  // Without a certificate: RFC 5246 §7.4.6 handshake_failure.
  ChildProcess anonymous = run_s_client_status(server.port);
  EXPECT_FALSE(anonymous.wait(kRunTimeout).success()) << anonymous.transcript();
  EXPECT_FALSE(contains(anonymous.out(), "\nclient: ")) << anonymous.transcript();
  server.process.stop();
  EXPECT_TRUE(contains(server.process.err(), "handshake_failure")) << server.process.err();
  EXPECT_TRUE(contains(server.process.err(), " client=CN=client-ecdsa")) << server.process.err();
}

// A TLS 1.2 session resumed by s_client keeps the identity its client
// proved in the full handshake (vouch's page names it), though the resumed
// connection sends no certificate.
TEST(Ocsp12ServerInterop, ResumedClientKeepsItsIdentity) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  Server server = start_vouch_server(
      dir, vouch_serve12_args({"--staple", good, "--verify", "required", "--client-ca", f().root.cert_path}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const std::string session = dir.file("session.pem");
  ChildProcess first = run_s_client_status(server.port, "-tls1_2",
                                           {"-cert", f().client.cert_path, "-key", f().client.key_path,
                                            "-cert_chain", f().intermediate.cert_path, "-sess_out", session});
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  EXPECT_TRUE(contains(first.out(), "\nresumed: no\n")) << first.out();
  EXPECT_TRUE(contains(first.out(), "\nclient: CN=client-ecdsa")) << first.out();
  ChildProcess second = run_s_client_status(server.port, "-tls1_2", {"-sess_in", session});
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
  EXPECT_TRUE(contains(second.out(), "Reused, TLSv1.2")) << second.out();
  EXPECT_TRUE(contains(second.out(), "\nresumed: yes\n")) << second.out();
  EXPECT_TRUE(contains(second.out(), "\nclient: CN=client-ecdsa")) << second.out();
  server.process.stop();
  EXPECT_TRUE(contains(server.process.err(), "resumed=yes hrr=no peer=CN=client-ecdsa")) << server.process.err();
}

// A client certificate from a CA the server does not trust (the RSA
// family's) is unknown_ca, never an anonymous connection.
TEST(Ocsp12ServerInterop, ClientFromAnotherCaIsUnknownCa) {
  testing::TempDir dir;
  Server server = start_vouch_server(
      dir, vouch_serve12_args({"--verify", "optional", "--client-ca", f().root.cert_path, "--once"}));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const testing::PkiFamily& rsa = family(CertType::rsa);
  ChildProcess client = run_s_client_status(
      server.port, "-tls1_2", {"-cert", rsa.client.cert_path, "-key", rsa.client.key_path, "-cert_chain",
                               rsa.intermediate.cert_path});
  EXPECT_FALSE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_TRUE(contains(client.err(), "alert unknown ca")) << client.transcript();
  EXPECT_FALSE(contains(client.out(), "\nclient: ")) << client.out();
  server.process.wait(kRunTimeout);
  EXPECT_TRUE(contains(server.process.err(), "unknown_ca")) << server.process.transcript();
}

// ================================================================ vouch connects

TEST(Ocsp12ClientInterop, GoodStapleIsAccepted) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  for (const char* policy : {"require", "soft"}) {
    SCOPED_TRACE(policy);
    Server server = start_stapling_s_server(good);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, policy);
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2") << client.err();
    EXPECT_EQ(summary_value(client.err(), "ocsp").rfind("good (produced ", 0), 0u) << client.err();
    EXPECT_EQ(client.out().rfind("HTTP/1.0 200 ok", 0), 0u) << client.out();
  }
}

// The same against a server of the default range: the client limits the version.
TEST(Ocsp12ClientInterop, DefaultRangeServerStillStaplesInTls12) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  std::vector<std::string> args = openssl_cert_args(f(), f().server);
  args.insert(args.end(), {"-status_file", good, "-www", "-naccept", "1"});
  Server server;
  for (int attempt = 0; attempt < kPortAttempts && server.port == 0; ++attempt) {
    const uint16_t port = testing::free_port();
    std::vector<std::string> argv = {require_program("openssl"), "s_server", "-accept",
                                     "127.0.0.1:" + std::to_string(port)};
    argv.insert(argv.end(), args.begin(), args.end());
    server.process = ChildProcess::spawn(argv);
    if (server.process.running() && server.process.wait_for_output("ACCEPT", kStartTimeout)) server.port = port;
  }
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = connect12(server, "require");
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2") << client.err();
  EXPECT_EQ(summary_value(client.err(), "ocsp").rfind("good (produced ", 0), 0u) << client.err();
}

TEST(Ocsp12ClientInterop, RevokedStapleIsRefused) {
  testing::TempDir dir;
  const std::string revoked = write_bytes(dir, "revoked.der", staple_for(f().server.cert.get(), revoked_behavior()));
  for (const char* policy : {"soft", "require"}) {
    SCOPED_TRACE(policy);
    Server server = start_stapling_s_server(revoked);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, policy);
    EXPECT_TRUE(exited_with(client, 1)) << client.transcript();
    EXPECT_TRUE(contains(client.err(), "certificate_revoked")) << client.err();
    EXPECT_FALSE(contains(client.out(), "HTTP/1.0 200")) << client.out();
  }
}

TEST(Ocsp12ClientInterop, StapleForAnotherCertificateIsRefused) {
  testing::TempDir dir;
  // A genuine, good response — about the client certificate, not the server's.
  const std::string other = write_bytes(dir, "other.der", staple_for(f().client.cert.get()));
  for (const char* policy : {"soft", "require"}) {
    SCOPED_TRACE(policy);
    Server server = start_stapling_s_server(other);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, policy);
    EXPECT_TRUE(exited_with(client, 1)) << client.transcript();
    EXPECT_TRUE(contains(client.err(), "bad_certificate_status_response")) << client.err();
    EXPECT_TRUE(contains(client.err(), "no status for the certificate")) << client.err();
  }
}

TEST(Ocsp12ClientInterop, AbsenceAcceptedUnderSoftRefusedUnderRequire) {
  {
    Server server = start_stapling_s_server("");
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, "soft");
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
    EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2") << client.err();
    EXPECT_EQ(summary_value(client.err(), "ocsp"), "none (not stapled)") << client.err();
  }
  {
    Server server = start_stapling_s_server("");
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, "require");
    EXPECT_TRUE(exited_with(client, 1)) << client.transcript();
    EXPECT_TRUE(contains(client.err(), "bad_certificate_status_response")) << client.err();
    EXPECT_TRUE(contains(client.err(), "no OCSP staple")) << client.err();
  }
}

TEST(Ocsp12ClientInterop, IgnoreDoesNotAsk) {
  testing::TempDir dir;
  const std::string revoked = write_bytes(dir, "revoked.der", staple_for(f().server.cert.get(), revoked_behavior()));
  Server server = start_stapling_s_server(revoked);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = connect12(server, "ignore");
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_EQ(summary_value(client.err(), "ocsp"), "not requested") << client.err();
}

TEST(Ocsp12ClientInterop, MustStapleWithoutStapleIsRefused) {
  testing::TempDir dir;
  testing::CertSpec spec;
  spec.cn = "localhost";
  spec.dns = {"localhost"};
  spec.ips = {"127.0.0.1"};
  spec.eku = testing::CertSpec::Eku::server;
  spec.must_staple = true;
  const testing::Issued leaf = testing::issue(spec, f().intermediate);
  const std::vector<std::string> cert_args = {"-cert", write_text(dir, "ms.pem", leaf.cert_pem), "-key",
                                              write_text(dir, "ms.key", leaf.key_pem), "-cert_chain",
                                              f().intermediate.cert_path};
  {
    Server server = start_stapling_s_server("", cert_args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, "soft");
    EXPECT_TRUE(exited_with(client, 1)) << client.transcript();
    EXPECT_TRUE(contains(client.err(), "bad_certificate_status_response")) << client.err();
    EXPECT_TRUE(contains(client.err(), "must-staple")) << client.err();
  }
  {
    // The same certificate with its staple is fine.
    Server server = start_stapling_s_server(write_bytes(dir, "ms.der", staple_for(leaf.cert.get())), cert_args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, "soft");
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
    EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2") << client.err();
    EXPECT_EQ(summary_value(client.err(), "ocsp").rfind("good (", 0), 0u) << client.err();
  }
}

// gnutls-serv stapling in TLS 1.2 (--ocsp-response): a good response is
// accepted, a revoked one refused.
TEST(Ocsp12ClientInterop, GnuTlsServerStaples) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  const std::string revoked = write_bytes(dir, "revoked.der", staple_for(f().server.cert.get(), revoked_behavior()));
  auto start = [&](const std::string& response) {
    return start_gnutls_server({"--http", "--x509certfile", f().server.chain_path, "--x509keyfile",
                                f().server.key_path, "--ocsp-response", response, "--ignore-ocsp-response-errors",
                                "--priority", "NORMAL:-VERS-ALL:+VERS-TLS1.2"});
  };
  {
    Server server = start(good);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, "require");
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    EXPECT_EQ(summary_value(client.err(), "protocol"), "TLSv1.2") << client.err();
    EXPECT_EQ(summary_value(client.err(), "ocsp").rfind("good (produced ", 0), 0u) << client.err();
    EXPECT_EQ(client.out().rfind("HTTP/1.0 200 OK", 0), 0u) << client.out();
  }
  {
    Server server = start(revoked);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, "soft");
    EXPECT_TRUE(exited_with(client, 1)) << client.transcript() << server.process.transcript();
    EXPECT_TRUE(contains(client.err(), "certificate_revoked")) << client.err();
  }
}

// s_server requiring a client certificate (-Verify 1) and stapling: vouch
// sends the credential of the CA s_server names and checks the staple.
TEST(Ocsp12ClientInterop, ClientCertificateAndStapleTogether) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  Server server = start_stapling_s_server(
      good, {}, {"-Verify", "1", "-CAfile", f().root.cert_path, "-verify_return_error"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  // Two credentials, the RSA family's first: s_server names only the ECDSA root.
  const testing::PkiFamily& rsa = family(CertType::rsa);
  ChildProcess client = connect12(server, "require",
                                  {"--cert", rsa.client.chain_path, "--key", rsa.client.key_path, "--cert",
                                   f().client.chain_path, "--key", f().client.key_path});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  EXPECT_EQ(summary_value(err, "protocol"), "TLSv1.2") << err;
  EXPECT_EQ(summary_value(err, "ocsp").rfind("good (produced ", 0), 0u) << err;
  EXPECT_TRUE(contains(err, "client-cert: chose CN=client-ecdsa")) << err;
  EXPECT_TRUE(contains(err, "client-cert: skipped CN=client-rsa")) << err;
  EXPECT_EQ(client.out().rfind("HTTP/1.0 200 ok", 0), 0u) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
  const std::string server_err = server.process.err();
  EXPECT_TRUE(contains(server_err, "depth=0 O = vouch-test, CN = client-ecdsa\nverify return:1"))
      << server.process.transcript();
  EXPECT_FALSE(contains(server_err, "verify error")) << server.process.transcript();
}

// Without a certificate to offer, s_server -Verify refuses the empty
// Certificate (RFC 5246 §7.4.6: handshake_failure) — the staple was good.
TEST(Ocsp12ClientInterop, RequiredClientCertificateMissing) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  Server server = start_stapling_s_server(
      good, {}, {"-Verify", "1", "-CAfile", f().root.cert_path, "-verify_return_error"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = connect12(server, "require");
  EXPECT_TRUE(exited_with(client, 1)) << client.transcript();
  EXPECT_TRUE(contains(client.err(), "handshake_failure")) << client.err();
  EXPECT_TRUE(contains(client.err(), "sending no certificate")) << client.err();
}

// A saved TLS 1.2 session keeps the verified status and the client
// identity; the resumed connection reports the status from the session.
TEST(Ocsp12ClientInterop, ResumedSessionReportsTheVerifiedStatus) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  Server server = start_stapling_s_server(
      good, {}, {"-Verify", "1", "-CAfile", f().root.cert_path, "-verify_return_error"}, /*naccept=*/2);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const std::string session = dir.file("session");
  const std::vector<std::string> cert = {"--cert", f().client.chain_path, "--key", f().client.key_path};
  std::vector<std::string> first_args = cert;
  first_args.insert(first_args.end(), {"--sess-out", session});
  ChildProcess first = connect12(server, "require", first_args);
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(first.err(), "resumed"), "no") << first.err();
  const std::string status = summary_value(first.err(), "ocsp");
  ASSERT_EQ(status.rfind("good (produced ", 0), 0u) << first.err();

  ChildProcess second = connect12(server, "require", {"--sess-in", session});
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(second.err(), "protocol"), "TLSv1.2") << second.err();
  EXPECT_EQ(summary_value(second.err(), "resumed"), "yes") << second.err();
  EXPECT_EQ(summary_value(second.err(), "ocsp"), status + " [from the resumed session]") << second.err();
  // s_server's page of the resumed connection: it reused the session in
  // which the client authenticated (no --cert was given this time).
  EXPECT_TRUE(contains(second.out(), "Reused, TLSv1.2")) << second.out();
  EXPECT_EQ(second.out().rfind("HTTP/1.0 200 ok", 0), 0u) << second.out();
}

// A good response for `cert` grown past kMaxOcspResponseBytes by extra
// certificates in BasicOCSPResponse.certs (outside what its signature
// covers), so that s_server, which parses -status_file, sends it whole.
Bytes oversized_staple_for(X509* cert) {
  const Bytes good = staple_for(cert);
  const unsigned char* p = good.data();
  ossl::Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free> resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(good.size())));
  if (!resp) return {};
  ossl::Ptr<OCSP_BASICRESP, OCSP_BASICRESP_free> basic(OCSP_response_get1_basic(resp.get()));
  if (!basic) return {};
  for (int i = 0; i < 400 && i2d_OCSP_BASICRESP(basic.get(), nullptr) <= static_cast<int>(kMaxOcspResponseBytes); ++i)
    if (OCSP_basic_add1_cert(basic.get(), f().root.cert.get()) != 1) return {};
  ossl::Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free> big(
      OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic.get()));
  if (!big) return {};
  const int len = i2d_OCSP_RESPONSE(big.get(), nullptr);
  if (len <= 0) return {};
  Bytes out(static_cast<size_t>(len));
  unsigned char* q = out.data();
  i2d_OCSP_RESPONSE(big.get(), &q);
  return out;
}

// RFC 6066 §8 lets a TLS 1.2 CertificateStatus be far larger than any
// response vouch verifies: soft refuses it, report lets the handshake go on,
// and the saved session can be resumed from its file.
TEST(Ocsp12ClientInterop, OversizedStaple) {
  testing::TempDir dir;
  const Bytes big = oversized_staple_for(f().server.cert.get());
  ASSERT_GT(big.size(), kMaxOcspResponseBytes);
  const std::string path = write_bytes(dir, "big.der", big);
  {
    Server server = start_stapling_s_server(path);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect12(server, "soft");
    EXPECT_TRUE(exited_with(client, 1)) << client.transcript();
    EXPECT_TRUE(contains(client.err(), "bad_certificate_status_response")) << client.err();
  }
  Server server = start_stapling_s_server(path, {}, {}, /*naccept=*/2);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const std::string session = dir.file("session");
  ChildProcess first = connect12(server, "report", {"--sess-out", session});
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(first.err(), "protocol"), "TLSv1.2") << first.err();
  EXPECT_TRUE(contains(summary_value(first.err(), "ocsp"), "limit")) << first.err();
  ChildProcess second = connect12(server, "report", {"--sess-in", session});
  ASSERT_TRUE(second.wait(kRunTimeout).success()) << second.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(second.err(), "resumed"), "yes") << second.err();
  EXPECT_TRUE(contains(summary_value(second.err(), "ocsp"), "[from the resumed session]")) << second.err();
}

// A client requiring a staple does not offer a saved session whose full
// handshake verified none (RFC 6066 §8 status is only in full handshakes):
// it does a full handshake and checks a fresh staple. A client that does
// not require one resumes the same session.
TEST(Ocsp12ClientInterop, RequireDoesNotResumeASessionWithoutAStaple) {
  testing::TempDir dir;
  const std::string good = write_bytes(dir, "good.der", staple_for(f().server.cert.get()));
  Server server = start_stapling_s_server(good, {}, {}, /*naccept=*/3);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const std::string session = dir.file("session");
  ChildProcess first = connect12(server, "ignore", {"--sess-out", session});  // asks for no status
  ASSERT_TRUE(first.wait(kRunTimeout).success()) << first.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(first.err(), "ocsp"), "not requested") << first.err();

  ChildProcess strict = connect12(server, "require", {"--sess-in", session});
  ASSERT_TRUE(strict.wait(kRunTimeout).success()) << strict.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(strict.err(), "resumed"), "no") << strict.err();
  EXPECT_EQ(summary_value(strict.err(), "ocsp").rfind("good (produced ", 0), 0u) << strict.err();

  ChildProcess lenient = connect12(server, "soft", {"--sess-in", session});
  ASSERT_TRUE(lenient.wait(kRunTimeout).success()) << lenient.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(lenient.err(), "resumed"), "yes") << lenient.err();
}

}  // namespace
}  // namespace vouch::interop
