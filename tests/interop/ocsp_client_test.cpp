// The vouch client and OCSP staples from a real peer: openssl s_server
// -status_file staples a fixed DER response (RFC 8446 §4.4.2.1). vouch must
// accept a good staple, reject one for another certificate or a revoked one,
// reject absence under --ocsp require (and accept it under soft), and reject
// a must-staple certificate (RFC 7633) that comes without a staple.
#include "interop/interop.h"
#include "tools/ocsp_staple.h"

namespace vouch::interop {
namespace {

using testing::OcspBehavior;

const testing::PkiFamily& f() { return family(CertType::ecdsa); }

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

// s_server with the family's server certificate, stapling `status_file` if given.
Server start_stapling_server(const std::string& status_file, std::vector<std::string> cert_args = {}) {
  std::vector<std::string> args = cert_args.empty() ? openssl_cert_args(f(), f().server) : cert_args;
  if (!status_file.empty()) args.insert(args.end(), {"-status_file", status_file});
  args.insert(args.end(), {"-www", "-naccept", "1"});
  return start_openssl_server(args);
}

ChildProcess connect(const Server& server, const std::string& policy) {
  return run_vouch_client(server.port, {"--ca", f().root.cert_path, "--servername", "localhost", "--ocsp",
                                        policy, "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
}

TEST(OcspClientInterop, GoodStapleIsAccepted) {
  testing::TempDir dir;
  Server server = start_stapling_server(write_bytes(dir, "good.der", staple_for(f().server.cert.get())));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = connect(server, "require");
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_EQ(summary_value(client.err(), "ocsp").rfind("good (produced ", 0), 0u) << client.err();
  EXPECT_EQ(client.out().rfind("HTTP/1.0 200 ok", 0), 0u) << client.out();
}

TEST(OcspClientInterop, StapleForAnotherCertificateIsRejected) {
  testing::TempDir dir;
  // A genuine, good response — about the client certificate, not the server's.
  Server server = start_stapling_server(write_bytes(dir, "other.der", staple_for(f().client.cert.get())));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = connect(server, "soft");
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_NE(client.err().find("bad_certificate_status_response"), std::string::npos) << client.err();
  EXPECT_NE(client.err().find("no status for the certificate"), std::string::npos) << client.err();
}

TEST(OcspClientInterop, RevokedStapleIsRejected) {
  testing::TempDir dir;
  OcspBehavior revoked;
  revoked.status = OcspCertStatus::revoked;
  Server server =
      start_stapling_server(write_bytes(dir, "revoked.der", staple_for(f().server.cert.get(), revoked)));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = connect(server, "soft");
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_NE(client.err().find("certificate_revoked"), std::string::npos) << client.err();
}

TEST(OcspClientInterop, AbsenceRejectedUnderRequireAcceptedUnderSoft) {
  {
    Server server = start_stapling_server("");
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect(server, "require");
    const testing::ExitStatus st = client.wait(kRunTimeout);
    EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
    EXPECT_NE(client.err().find("bad_certificate_status_response"), std::string::npos) << client.err();
    EXPECT_NE(client.err().find("no OCSP staple"), std::string::npos) << client.err();
  }
  {
    Server server = start_stapling_server("");
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect(server, "soft");
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
    EXPECT_EQ(summary_value(client.err(), "ocsp"), "none (not stapled)") << client.err();
  }
}

TEST(OcspClientInterop, MustStapleWithoutStapleIsRejected) {
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
    Server server = start_stapling_server("", cert_args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect(server, "soft");
    const testing::ExitStatus st = client.wait(kRunTimeout);
    EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
    EXPECT_NE(client.err().find("must-staple"), std::string::npos) << client.err();
  }
  {
    // The same certificate with its staple is fine.
    Server server = start_stapling_server(write_bytes(dir, "ms.der", staple_for(leaf.cert.get())), cert_args);
    ASSERT_NE(server.port, 0) << server.process.transcript();
    ChildProcess client = connect(server, "soft");
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
    EXPECT_EQ(summary_value(client.err(), "ocsp").rfind("good (", 0), 0u) << client.err();
  }
}

TEST(OcspClientInterop, IgnoreDoesNotAskSoNothingIsStapled) {
  testing::TempDir dir;
  OcspBehavior revoked;
  revoked.status = OcspCertStatus::revoked;
  Server server =
      start_stapling_server(write_bytes(dir, "revoked.der", staple_for(f().server.cert.get(), revoked)));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = connect(server, "ignore");
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript();
  EXPECT_EQ(summary_value(client.err(), "ocsp"), "not requested") << client.err();
}

}  // namespace
}  // namespace vouch::interop
