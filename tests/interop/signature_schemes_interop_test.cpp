// The handshake signature schemes of the README (ECDSA P-384 and P-521,
// RSA-PSS with RSASSA-PSS keys, Ed25519) against OpenSSL's command-line
// peers, both roles and both directions of trust: vouch serve signs and
// s_client verifies (and names what it verified); s_server signs and vouch
// verifies; vouch signs with a client certificate and s_server verifies (and
// names it); s_client signs with one and vouch serve verifies.
#include <sys/socket.h>

#include <ostream>
#include <thread>

#include "interop/interop.h"
#include "vouch/stream.h"

namespace vouch::interop {
namespace {

using testing::PkiCert;
using testing::PkiFamily;

struct Leaf {
  const char* name;
  PkiCert PkiFamily::*server;
  PkiCert PkiFamily::*client;
  SignatureScheme scheme13;  // what vouch signs with in TLS 1.3
  SignatureScheme scheme12;  // and in TLS 1.2 (ECDSA schemes name only the hash there)
  const char* openssl_type;  // s_client -brief's "Signature type:", s_server's "Peer signature type:"
  const char* hash13;        // their "Hash used:" in TLS 1.3 ("" when not printed)
  const char* hash12;
};

const Leaf kLeaves[] = {
    {"p384", &PkiFamily::server_p384, &PkiFamily::client_p384, SignatureScheme::ecdsa_secp384r1_sha384,
     SignatureScheme::ecdsa_secp256r1_sha256, "ECDSA", "SHA384", "SHA256"},
    {"p521", &PkiFamily::server_p521, &PkiFamily::client_p521, SignatureScheme::ecdsa_secp521r1_sha512,
     SignatureScheme::ecdsa_secp521r1_sha512, "ECDSA", "SHA512", "SHA512"},
    {"ed25519", &PkiFamily::server_ed25519, &PkiFamily::client_ed25519, SignatureScheme::ed25519,
     SignatureScheme::ed25519, "ed25519", "", ""},
    {"rsa_pss", &PkiFamily::server_rsa_pss, &PkiFamily::client_rsa_pss, SignatureScheme::rsa_pss_pss_sha256,
     SignatureScheme::rsa_pss_pss_sha256, "RSA-PSS", "SHA256", "SHA256"},
};

const PkiFamily& f() { return family(CertType::ecdsa); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

struct Param {
  Leaf leaf;
  bool tls13;
};
void PrintTo(const Param& p, std::ostream* os) { *os << p.leaf.name << (p.tls13 ? " TLS 1.3" : " TLS 1.2"); }

std::vector<Param> params() {
  std::vector<Param> out;
  for (const Leaf& l : kLeaves) out.push_back({l, true});
  // A P-521 certificate in TLS 1.2 needs secp521r1 among the client's
  // supported_groups (RFC 8422 §5.3), which vouch does not offer.
  for (const Leaf& l : kLeaves)
    if (std::string(l.name) != "p521") out.push_back({l, false});
  return out;
}

class SchemesInterop : public ::testing::TestWithParam<Param> {
 protected:
  const Leaf& leaf() const { return GetParam().leaf; }
  bool tls13() const { return GetParam().tls13; }
  const char* version_flag() const { return tls13() ? "-tls1_3" : "-tls1_2"; }
  SignatureScheme scheme() const { return tls13() ? leaf().scheme13 : leaf().scheme12; }
  const PkiCert& server_cert() const { return f().*(leaf().server); }
  const PkiCert& client_cert() const { return f().*(leaf().client); }

  // OpenSSL's account of the signature it verified: s_client -brief says
  // "Signature type:"/"Hash used:", s_server (whose -brief would also hide
  // the ACCEPT line the tests wait for) "Peer signature type:"/"Peer
  // signing digest:".
  void expect_openssl_names_it(const std::string& out, bool brief) const {
    const std::string type_label = brief ? "Signature type: " : "Peer signature type: ";
    const std::string hash_label = brief ? "Hash used: " : "Peer signing digest: ";
    EXPECT_TRUE(contains(out, type_label + leaf().openssl_type + "\n")) << out;
    const std::string hash = tls13() ? leaf().hash13 : leaf().hash12;
    if (!hash.empty()) {
      EXPECT_TRUE(contains(out, hash_label + hash + "\n")) << out;
    }
  }
};

// vouch serve signs; s_client verifies the chain and the signature.
TEST_P(SchemesInterop, VouchServerSignsOpensslClientVerifies) {
  testing::TempDir dir;
  Server server = start_vouch_server(
      dir, {"--cert", server_cert().chain_path, "--key", server_cert().key_path, "--once",
            tls13() ? "--tls1_3" : "--tls1_2"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = ChildProcess::spawn(
      {require_program("openssl"), "s_client", version_flag(), "-brief", "-connect",
       "127.0.0.1:" + std::to_string(server.port), "-CAfile", f().root.cert_path, "-verify_return_error",
       "-servername", "localhost", "-verify_hostname", "localhost"},
      {StdinMode::data, kHttpRequest, {}});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_TRUE(contains(client.err() + client.out(), "Verification: OK")) << client.transcript();
  expect_openssl_names_it(client.err() + client.out(), /*brief=*/true);
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

// s_server signs with the key; vouch verifies and reports the scheme.
TEST_P(SchemesInterop, OpensslServerSignsVouchClientVerifies) {
  Server server = start_openssl_server_version(
      version_flag(), {"-cert", server_cert().cert_path, "-key", server_cert().key_path, "-cert_chain",
                       f().intermediate.cert_path, "-www"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = f().trust();
  Result<int> fd = tcp_connect("127.0.0.1", server.port);
  ASSERT_TRUE(fd.ok());
  Stream s(*fd, Connection::client(cc, "localhost"), /*own_fd=*/true);
  ASSERT_TRUE(s.handshake()) << server.process.transcript();
  EXPECT_EQ(s.connection().info().peer_signature_scheme, scheme())
      << to_string(s.connection().info().peer_signature_scheme);
  EXPECT_EQ(s.connection().peer_chain().front(), server_cert().der);
}

// vouch signs its CertificateVerify with a client certificate; s_server,
// requiring one, verifies it and names what it verified.
TEST_P(SchemesInterop, VouchClientSignsOpensslServerVerifies) {
  Server server = start_openssl_server_version(
      version_flag(), {"-cert", f().server.cert_path, "-key", f().server.key_path, "-cert_chain",
                       f().intermediate.cert_path, "-Verify", "2", "-verify_return_error", "-CAfile",
                       f().root.cert_path},
      SpawnOptions{StdinMode::pipe, {}, {}});  // stdin kept open: at EOF s_server quits
  ASSERT_NE(server.port, 0) << server.process.transcript();
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = f().trust();
  Result<Credential> cred = Credential::from_pem_files(client_cert().chain_path, client_cert().key_path);
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  cc->client_credentials.push_back(std::move(*cred));
  Result<int> fd = tcp_connect("127.0.0.1", server.port);
  ASSERT_TRUE(fd.ok());
  Stream s(*fd, Connection::client(cc, "localhost"), /*own_fd=*/true);
  ASSERT_TRUE(s.handshake()) << server.process.transcript();
  const std::string request = "vouch-client-signed\n";
  ASSERT_TRUE(s.write(ByteView(reinterpret_cast<const uint8_t*>(request.data()), request.size())));
  ASSERT_TRUE(server.process.wait_for_output("vouch-client-signed", kRunTimeout)) << server.process.transcript();
  const std::string out = server.process.out() + server.process.err();
  EXPECT_TRUE(contains(out, "subject=O = vouch-test, CN = " + std::string("client-ecdsa-") +
                                (std::string(leaf().name) == "rsa_pss" ? "rsa-pss" : leaf().name)))
      << out;
  expect_openssl_names_it(out, /*brief=*/false);
  (void)s.close();
}

// s_client signs with a client certificate; vouch serve, requiring one,
// verifies it and names the client on its page.
TEST_P(SchemesInterop, OpensslClientSignsVouchServerVerifies) {
  testing::TempDir dir;
  Server server = start_vouch_server(dir, {"--cert", f().server.chain_path, "--key", f().server.key_path,
                                           "--verify", "required", "--client-ca", f().root.cert_path, "--once",
                                           tls13() ? "--tls1_3" : "--tls1_2"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = ChildProcess::spawn(
      {require_program("openssl"), "s_client", version_flag(), "-connect", "127.0.0.1:" + std::to_string(server.port),
       "-CAfile", f().root.cert_path, "-servername", "localhost", "-cert", client_cert().cert_path, "-key",
       client_cert().key_path, "-cert_chain", f().intermediate.cert_path, "-ign_eof"},
      {StdinMode::data, kHttpRequest, {}});
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  EXPECT_TRUE(contains(client.out(), "HTTP/1.0 200 OK")) << client.transcript();
  const std::string cn = std::string("client-ecdsa-") + (std::string(leaf().name) == "rsa_pss" ? "rsa-pss" : leaf().name);
  EXPECT_TRUE(contains(client.out(), "client: CN=" + cn + ",O=vouch-test")) << client.out();
  EXPECT_TRUE(server.process.wait(kRunTimeout).success()) << server.process.transcript();
}

INSTANTIATE_TEST_SUITE_P(Keys, SchemesInterop, ::testing::ValuesIn(params()),
                         [](const ::testing::TestParamInfo<Param>& i) {
                           return std::string(i.param.leaf.name) + (i.param.tls13 ? "_tls13" : "_tls12");
                         });

}  // namespace
}  // namespace vouch::interop
