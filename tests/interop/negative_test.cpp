// Bad server certificates, both ways: vouch connect must refuse them with the
// right alert (and openssl s_server must receive that alert), and openssl
// s_client must refuse them when vouch serve presents them (and vouch must
// log the alert s_client sent).
#include "interop/interop.h"

namespace vouch::interop {
namespace {

struct BadCert {
  const char* name;
  const testing::PkiCert testing::PkiFamily::*cert;
  bool has_intermediate;       // the untrusted leaf is issued by its root directly
  const char* alert;           // RFC 8446 §6.2 name, as vouch prints it
  int alert_number;            // as s_server prints it ("SSL alert number 42")
  const char* s_client_verify; // s_client's "Verify return code: ..."
};

const BadCert kBadCerts[] = {
    // RFC 8446 §6.2 leaves the choice among certificate alerts to the
    // implementation; OpenSSL's mapping (ssl_x509err2alert) is the reference
    // both sides are held to here.
    {"wrong_host", &testing::PkiFamily::server_wrong_host, true, "bad_certificate", 42,
     "62 (hostname mismatch)"},
    {"untrusted_root", &testing::PkiFamily::untrusted_server, false, "unknown_ca", 48,
     "20 (unable to get local issuer certificate)"},
    {"expired", &testing::PkiFamily::server_expired, true, "certificate_expired", 45,
     "10 (certificate has expired)"},
};

struct NegativeCase {
  BadCert bad;
  CertType cert;
};

void PrintTo(const NegativeCase& c, std::ostream* os) {
  *os << c.bad.name << " / " << cert_name(c.cert);
}

std::vector<NegativeCase> negative_cases() {
  std::vector<NegativeCase> out;
  for (const BadCert& b : kBadCerts)
    for (CertType c : {CertType::ecdsa, CertType::rsa}) out.push_back({b, c});
  return out;
}

std::string case_name(const ::testing::TestParamInfo<NegativeCase>& i) {
  return std::string(i.param.bad.name) + "_" + cert_name(i.param.cert);
}

class BadServerCertificate : public ::testing::TestWithParam<NegativeCase> {
 protected:
  const testing::PkiFamily& fam() const { return family(GetParam().cert); }
  const testing::PkiCert& bad_cert() const { return fam().*(GetParam().bad.cert); }
};

TEST_P(BadServerCertificate, VouchClientRefusesOpenSslServer) {
  const BadCert& bad = GetParam().bad;
  std::vector<std::string> args =
      bad.has_intermediate ? openssl_cert_args(fam(), bad_cert())
                           : std::vector<std::string>{"-cert", bad_cert().cert_path, "-key",
                                                      bad_cert().key_path};
  args.insert(args.end(), {"-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  ChildProcess client = run_vouch_client(
      server.port, {"--ca", fam().root.cert_path, "--servername", "localhost", "--request",
                    "GET / HTTP/1.0\\r\\n\\r\\n"});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_EQ(client.out(), "");
  // Exactly one line, naming the alert first.
  const std::vector<std::string> lines = nonempty_lines(client.err());
  ASSERT_EQ(lines.size(), 1u) << client.err();
  EXPECT_EQ(lines[0].rfind(std::string("vouch connect: error: handshake failed: ") + bad.alert + ": ", 0), 0u)
      << lines[0];

  // The alert reached the peer.
  server.process.wait(kRunTimeout);
  const std::string peer_log = server.process.out() + server.process.err();
  EXPECT_NE(peer_log.find("SSL alert number " + std::to_string(bad.alert_number)), std::string::npos)
      << server.process.transcript();
}

TEST_P(BadServerCertificate, OpenSslClientRefusesVouchServer) {
  const BadCert& bad = GetParam().bad;
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(bad_cert());
  args.push_back("--once");
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();

  ChildProcess client = ChildProcess::spawn(
      {require_program("openssl"), "s_client", "-tls1_3", "-connect",
       "127.0.0.1:" + std::to_string(server.port), "-CAfile", fam().root.cert_path,
       "-verify_return_error", "-servername", "localhost", "-verify_hostname", "localhost",
       "-ign_eof"},
      {StdinMode::data, kHttpRequest, {}});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code != 0) << client.transcript();
  EXPECT_NE(client.out().find(std::string("Verify return code: ") + bad.s_client_verify),
            std::string::npos)
      << client.transcript();
  EXPECT_EQ(client.out().find("vouch test server"), std::string::npos) << client.out();

  // vouch serve --once exits 1 and logs the alert s_client sent.
  const testing::ExitStatus sst = server.process.wait(kRunTimeout);
  EXPECT_TRUE(sst.exited && sst.code == 1) << server.process.transcript();
  EXPECT_NE(server.process.err().find(std::string("handshake failed: peer sent alert ") + bad.alert),
            std::string::npos)
      << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(All, BadServerCertificate, ::testing::ValuesIn(negative_cases()), case_name);

// A name the certificate does not cover, given explicitly: the same check as
// wrong_host, from the other side (a good certificate, a wrong expectation).
TEST(NegativeMisc, VouchClientRefusesNameNotInCertificate) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client =
      run_vouch_client(server.port, {"--ca", f.root.cert_path, "--servername", "not-localhost.example"});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_EQ(client.err().rfind("vouch connect: error: handshake failed: bad_certificate: ", 0), 0u) << client.err();
}

// Trusting the other family's root only: the chain does not verify.
TEST(NegativeMisc, VouchClientRefusesChainFromAnotherRoot) {
  const testing::PkiFamily& f = family(CertType::ecdsa);
  std::vector<std::string> args = openssl_cert_args(f, f.server);
  args.insert(args.end(), {"-www", "-naccept", "1"});
  Server server = start_openssl_server(args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_vouch_client(
      server.port, {"--ca", family(CertType::rsa).root.cert_path, "--servername", "localhost"});
  const testing::ExitStatus st = client.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << client.transcript();
  EXPECT_EQ(client.err().rfind("vouch connect: error: handshake failed: unknown_ca: ", 0), 0u) << client.err();
}

}  // namespace
}  // namespace vouch::interop
