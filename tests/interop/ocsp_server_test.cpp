// A vouch server stapling with its Stapler, against real peers: the
// responder is `openssl ocsp -index ... -port` (a real OCSP responder), the
// clients are `openssl s_client -status` and `gnutls-cli --ocsp`.
#include <openssl/bn.h>

#include <fstream>

#include "interop/interop.h"
#include "tools/ocsp_staple.h"

namespace vouch::interop {
namespace {

const testing::PkiFamily& f() { return family(CertType::ecdsa); }

// The serial of a certificate as openssl's index.txt writes it (hex, upper case).
std::string serial_hex(X509* cert) {
  ossl::Ptr<BIGNUM, BN_free> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  char* hex = bn ? BN_bn2hex(bn.get()) : nullptr;
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  return out;
}

// `openssl ocsp` as the intermediate CA's responder; the index says whether
// the family's server certificate is valid (V) or revoked (R).
struct OpenSslResponder {
  ChildProcess process;
  uint16_t port = 0;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/"; }
};

OpenSslResponder start_openssl_responder(const testing::TempDir& dir, bool revoked) {
  const std::string index = dir.file(revoked ? "index-revoked.txt" : "index.txt");
  {
    std::ofstream out(index);
    // index.txt: status, expiry, revocation time, serial, file, subject (tab-separated).
    out << (revoked ? "R" : "V") << "\t301231235959Z\t" << (revoked ? "251124000000Z,keyCompromise" : "")
        << "\t" << serial_hex(f().server.cert.get()) << "\tunknown\t/CN=localhost\n";
  }
  OpenSslResponder r;
  for (int attempt = 0; attempt < kPortAttempts && r.port == 0; ++attempt) {
    const uint16_t port = testing::free_port();
    // openssl 3.0's ocsp takes a bare port and listens on every interface
    // (like gnutls-serv); the tests only ever contact it on 127.0.0.1.
    r.process = ChildProcess::spawn({require_program("openssl"), "ocsp", "-index", index, "-port",
                                     std::to_string(port), "-rsigner", f().intermediate.cert_path,
                                     "-rkey", f().intermediate.key_path, "-CA", f().intermediate.cert_path,
                                     "-ndays", "1"});
    // Not probed with a connection: openssl ocsp serves one connection at a
    // time and would wait on the probe. It reports readiness on stderr.
    if (r.process.running() &&
        r.process.wait_for_output("waiting for OCSP client connections", kStartTimeout, /*on_stderr=*/true))
      r.port = port;
  }
  return r;
}

// A DER staple for `cert` from the intermediate's responder, written to a
// file of `dir`; "" (with a test failure) if it cannot be made.
std::string staple_file(const testing::TempDir& dir, const std::string& name, X509* cert,
                        const testing::OcspBehavior& b = {}) {
  auto staple = testing::make_ocsp_staple(cert, f().intermediate.cert.get(), f().intermediate.key.get(), b);
  EXPECT_TRUE(staple.ok()) << staple.error().to_string();
  if (!staple.ok()) return "";
  const std::string path = dir.file(name);
  testing::write_file(path, *staple);
  return path;
}

std::vector<std::string> stapling_server_args(const std::string& url, const std::string& cache = "") {
  std::vector<std::string> args = vouch_cert_args(f().server);
  args.insert(args.end(), {"--staple", "auto", "--ocsp-url", url});
  if (!cache.empty()) args.insert(args.end(), {"--ocsp-cache", cache});
  return args;
}

ChildProcess run_s_client_status(uint16_t port) {
  ChildProcess c = ChildProcess::spawn(
      {require_program("openssl"), "s_client", "-tls1_3", "-connect", "127.0.0.1:" + std::to_string(port),
       "-CAfile", f().root.cert_path, "-verify_return_error", "-servername", "localhost", "-status",
       "-ign_eof"},
      {StdinMode::data, kHttpRequest, {}});
  c.wait(kRunTimeout);
  return c;
}

TEST(OcspServerInterop, OpenSslClientSeesTheStaplersGoodResponse) {
  testing::TempDir dir;
  OpenSslResponder responder = start_openssl_responder(dir, /*revoked=*/false);
  ASSERT_NE(responder.port, 0) << responder.process.transcript();
  Server server = start_vouch_server(dir, stapling_server_args(responder.url()));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_s_client_status(server.port);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  EXPECT_NE(out.find("OCSP Response Status: successful"), std::string::npos) << out;
  EXPECT_NE(out.find("Cert Status: good"), std::string::npos) << out;
  server.process.stop();
  EXPECT_NE(server.process.err().find("ocsp refreshed"), std::string::npos) << server.process.err();
}

TEST(OcspServerInterop, RevokedAtTheResponderMeansNoStaple) {
  testing::TempDir dir;
  OpenSslResponder responder = start_openssl_responder(dir, /*revoked=*/true);
  ASSERT_NE(responder.port, 0) << responder.process.transcript();
  Server server = start_vouch_server(dir, stapling_server_args(responder.url()));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_s_client_status(server.port);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_NE(client.out().find("OCSP response: no response sent"), std::string::npos) << client.out();
  server.process.stop();
  EXPECT_NE(server.process.err().find("ocsp revoked"), std::string::npos) << server.process.err();
}

// A restart staples from its first handshake even with the responder down:
// the first server run fills the cache directory, the second loads it.
TEST(OcspServerInterop, RestartStaplesFromCacheWithResponderDown) {
  testing::TempDir dir;
  const std::string cache = dir.file("ocsp-cache");
  std::string url;
  {
    OpenSslResponder responder = start_openssl_responder(dir, /*revoked=*/false);
    ASSERT_NE(responder.port, 0) << responder.process.transcript();
    url = responder.url();
    Server first = start_vouch_server(dir, stapling_server_args(url, cache));
    ASSERT_NE(first.port, 0) << first.process.transcript();
    first.process.stop();
    responder.process.stop();
  }
  Server second = start_vouch_server(dir, stapling_server_args(url, cache));
  ASSERT_NE(second.port, 0) << second.process.transcript();
  ChildProcess client = run_s_client_status(second.port);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_NE(client.out().find("Cert Status: good"), std::string::npos) << client.out();
  second.process.stop();
  EXPECT_NE(second.process.err().find("ocsp loaded"), std::string::npos) << second.process.err();
}

TEST(OcspServerInterop, StaticStapleFile) {
  testing::TempDir dir;
  const std::string path = staple_file(dir, "staple.der", f().server.cert.get());
  ASSERT_FALSE(path.empty());
  std::vector<std::string> args = vouch_cert_args(f().server);
  args.insert(args.end(), {"--staple", path});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_s_client_status(server.port);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_NE(client.out().find("Cert Status: good"), std::string::npos) << client.out();
}

TEST(OcspServerInterop, StaticStapleForAnotherCertificateIsRefusedAtStart) {
  testing::TempDir dir;
  const std::string path = staple_file(dir, "other.der", f().client.cert.get());
  ASSERT_FALSE(path.empty());
  std::vector<std::string> argv = {vouch_binary(), "serve", "--listen", "127.0.0.1:0"};
  for (const std::string& a : vouch_cert_args(f().server)) argv.push_back(a);
  argv.insert(argv.end(), {"--staple", path});
  ChildProcess server = ChildProcess::spawn(argv);
  const testing::ExitStatus st = server.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code != 0) << server.transcript();
  EXPECT_NE(server.err().find("no CertID matches"), std::string::npos) << server.transcript();
}

ChildProcess run_gnutls_cli_ocsp(uint16_t port) {
  ChildProcess c = ChildProcess::spawn(
      {require_program("gnutls-cli"), "-p", std::to_string(port), "127.0.0.1", "--x509cafile", f().root.cert_path,
       "--verify-hostname", "localhost", "--sni-hostname", "localhost", "--ocsp"},
      {StdinMode::pipe, {}, {}});
  c.write_stdin(kHttpRequest);
  c.wait(kRunTimeout);
  return c;
}

TEST(OcspServerInterop, GnuTlsClientVerifiesTheStaple) {
  testing::TempDir dir;
  OpenSslResponder responder = start_openssl_responder(dir, /*revoked=*/false);
  ASSERT_NE(responder.port, 0) << responder.process.transcript();
  Server server = start_vouch_server(dir, stapling_server_args(responder.url()));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_gnutls_cli_ocsp(server.port);
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_NE(client.out().find("- Status: The certificate is trusted."), std::string::npos) << client.transcript();
  // gnutls-cli lists "OCSP status request" once a staple was received and checked.
  EXPECT_NE(client.out().find("- Options: OCSP status request"), std::string::npos) << client.transcript();
}

// The negative control: a revoked response, stapled as is from a file (vouch
// warns but sends static staples as configured), is refused by gnutls-cli.
TEST(OcspServerInterop, GnuTlsClientRefusesARevokedStaticStaple) {
  testing::TempDir dir;
  testing::OcspBehavior revoked;
  revoked.status = OcspCertStatus::revoked;
  const std::string path = staple_file(dir, "revoked.der", f().server.cert.get(), revoked);
  ASSERT_FALSE(path.empty());
  std::vector<std::string> args = vouch_cert_args(f().server);
  args.insert(args.end(), {"--staple", path});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_gnutls_cli_ocsp(server.port);
  EXPECT_FALSE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_NE(client.out().find("revoked"), std::string::npos) << client.transcript();
}

}  // namespace
}  // namespace vouch::interop
