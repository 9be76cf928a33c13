// status_request_v2 (RFC 6961) against real peers, in TLS 1.2:
//  - Java's JSSE (OpenJDK 17, tests/interop/java/VouchJsse.java), which
//    implements RFC 6961 in both roles: a JSSE client, checking revocation
//    with a hard-fail PKIXRevocationChecker, accepts the staples
//    `vouch serve --staple auto` keeps for the leaf and the intermediate (and
//    prints exactly what it received), and refuses a revoked intermediate; a
//    vouch client verifies the ocsp_multi staples a JSSE server fetched
//    itself, and refuses a revoked intermediate with certificate_revoked;
//  - OpenSSL (`s_client -status`) and GnuTLS (`gnutls-cli --ocsp`), which
//    speak status_request only: the same vouch server gives them the leaf's
//    staple the RFC 6066 way.
//
// Each test makes its own chain — the test root, an intermediate and a
// localhost leaf — whose authorityInfoAccess URLs name two responders the
// test runs (tests/tools: one answering for the root's certificates, one for
// the intermediate's), because JSSE servers fetch OCSP from there and JSSE
// clients would for any certificate without a staple.
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

#include "crypto/hash.h"
#include "base/hex.h"
#include "interop/interop.h"
#include "tools/ocsp_responder.h"
#include "tools/ocsp_staple.h"
#include "vouch/stream.h"

namespace vouch::interop {
namespace {

using testing::OcspBehavior;
using testing::OcspResponder;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const testing::PkiFamily& f() { return family(CertType::ecdsa); }

// vouch connect's --request, escaped (vouch unescapes it).
const std::string kEscapedRequest = "GET / HTTP/1.0\\r\\n\\r\\n";

// A JVM starts in about a second; on a loaded 2-core machine give it more.
constexpr testing::milliseconds kJavaTimeout = 60s;

// ---------------------------------------------------------------- the chain

std::unique_ptr<OcspResponder> start_responder(X509* issuer, EVP_PKEY* key) {
  auto r = OcspResponder::create(issuer, key);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (!r.ok()) return nullptr;
  Status s = (*r)->start();
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return s.ok() ? std::move(*r) : nullptr;
}

OcspBehavior behavior(OcspCertStatus status) {
  OcspBehavior b;
  b.status = status;
  return b;
}

struct Chain {
  std::unique_ptr<OcspResponder> root_responder;          // answers for the intermediate
  std::unique_ptr<OcspResponder> intermediate_responder;  // answers for the leaf
  testing::Issued intermediate, leaf;
  std::string chain_path;            // leaf, intermediate: what a server sends
  std::string chain_with_root_path;  // leaf, intermediate, root: what a JSSE server needs
  std::string key_path;
  std::string root_path;  // the trust anchor (and --ocsp-issuer)
};

Chain make_chain(const testing::TempDir& dir) {
  Chain c;
  c.root_path = f().root.cert_path;
  c.root_responder = start_responder(f().root.cert.get(), f().root.key.get());
  if (!c.root_responder) return c;
  testing::CertSpec ca;
  ca.cn = "vouch v2 interop intermediate";
  ca.ca = true;
  ca.path_len = 0;
  ca.ocsp_url = c.root_responder->url();
  c.intermediate = testing::issue(ca, f().root);
  c.intermediate_responder = start_responder(c.intermediate.cert.get(), c.intermediate.key.get());
  if (!c.intermediate_responder) return c;
  testing::CertSpec leaf;
  leaf.cn = "localhost";
  leaf.dns = {"localhost"};
  leaf.ips = {"127.0.0.1"};
  leaf.eku = testing::CertSpec::Eku::server;
  leaf.ocsp_url = c.intermediate_responder->url();
  c.leaf = testing::issue(leaf, c.intermediate);
  c.chain_path = dir.file("chain.pem");
  testing::write_file(c.chain_path, c.leaf.cert_pem + c.intermediate.cert_pem);
  c.chain_with_root_path = dir.file("chain-with-root.pem");
  testing::write_file(c.chain_with_root_path, c.leaf.cert_pem + c.intermediate.cert_pem + f().root.cert_pem);
  c.key_path = dir.file("key.pem");
  testing::write_file(c.key_path, c.leaf.key_pem);
  return c;
}

bool ready(const Chain& c) { return c.root_responder && c.intermediate_responder && !c.chain_path.empty(); }

std::string sha256_hex(ByteView data) {
  auto d = digest(HashAlg::sha256, data);
  EXPECT_TRUE(d.ok());
  return d.ok() ? to_hex(*d) : std::string();
}

Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// ---------------------------------------------------------------- JSSE

// The compiled VouchJsse (tests/CMakeLists.txt runs javac into the build
// directory when VOUCH_INTEROP_TESTS is on).
std::string jsse_classes() { return VOUCH_JAVA_CLASSES; }

::testing::AssertionResult jsse_available() {
  if (!testing::find_program("java"))
    return ::testing::AssertionFailure() << "java is not on PATH; install it (Debian: "
                                         << debian_package_of("java") << ", or run `make test`)";
  if (!std::ifstream(jsse_classes() + "/VouchJsse.class"))
    return ::testing::AssertionFailure() << jsse_classes()
                                         << "/VouchJsse.class was not built: javac was missing when the build was "
                                            "configured; install it (Debian: "
                                         << debian_package_of("javac") << ") and configure again";
  return ::testing::AssertionSuccess();
}

std::vector<std::string> java_command(const std::string& mode, const std::vector<std::string>& properties) {
  std::vector<std::string> argv = {require_program("java")};
  argv.insert(argv.end(), properties.begin(), properties.end());
  // The handshake as JSSE saw it (on stderr): the extensions and the
  // CertificateStatus message, decoded.
  argv.insert(argv.end(), {"-Djavax.net.debug=ssl:handshake", "-cp", jsse_classes(), "VouchJsse", mode});
  return argv;
}

// A JSSE client: TLS 1.2, status_request and status_request_v2 on, hard-fail
// OCSP revocation checking (see VouchJsse.java).
ChildProcess run_jsse_client(uint16_t port, const std::string& ca) {
  std::vector<std::string> argv = java_command("client", {"-Djdk.tls.client.enableStatusRequestExtension=true"});
  argv.insert(argv.end(), {"--port", std::to_string(port), "--ca", ca});
  ChildProcess c = ChildProcess::spawn(argv);
  c.wait(kJavaTimeout);
  return c;
}

// A JSSE server stapling (it fetches from the certificates' AIA URLs),
// TLS 1.2, answering `connections` connections.
// `identity` is {"--cert", CHAIN, "--key", KEY} or {"--pkcs12", FILE,
// "--password", PW}.
Server start_jsse_server(const testing::TempDir& dir, const std::vector<std::string>& identity,
                         int connections = 1) {
  static int counter = 0;
  const std::string port_file = dir.file("jsse-port-" + std::to_string(counter++));
  std::vector<std::string> argv = java_command("server", {"-Djdk.tls.server.enableStatusRequestExtension=true"});
  argv.insert(argv.end(), identity.begin(), identity.end());
  argv.insert(argv.end(), {"--port-file", port_file, "--connections", std::to_string(connections)});
  Server s{ChildProcess::spawn(argv), 0};
  if (!s.process.running()) return s;
  std::optional<std::string> text = testing::wait_for_file(port_file, kJavaTimeout);
  if (text) s.port = static_cast<uint16_t>(std::stoul(*text));
  return s;
}

// The "status-response[i]: ..." value JSSE printed.
std::string jsse_response(const std::string& out, size_t i) {
  return summary_value(out, "status-response[" + std::to_string(i) + "]");
}

// What JSSE's debug log shows of the CertificateStatus it consumed.
bool jsse_saw_ocsp_multi(const ChildProcess& c) {
  return contains(c.err(), "\"CertificateStatus\": {") && contains(c.err(), "\"ocsp_multi\"");
}

// ---------------------------------------------------------------- vouch

std::vector<std::string> vouch_auto_stapling_args(const Chain& c, const std::string& cache_dir) {
  return {"--tls1_2",    "--cert",        c.chain_path, "--key",        c.key_path, "--staple",
          "auto",        "--ocsp-issuer", c.root_path,  "--ocsp-cache", cache_dir};
}

ChildProcess vouch_connect12(uint16_t port, const Chain& c, const std::string& policy) {
  return run_vouch_client(port, {"--tls1_2", "--ca", c.root_path, "--servername", "localhost", "--ocsp", policy,
                                 "--request", kEscapedRequest});
}

// A vouch server in this process (the native API over a socket): one
// connection, with the given credential and its staples as they are.
class InProcessServer {
 public:
  explicit InProcessServer(Credential credential) {
    auto sc = std::make_shared<ServerConfig>();
    sc->credentials = {std::move(credential)};
    sc->max_version = ProtocolVersion::tls12;
    Result<int> l = tcp_listen("127.0.0.1", 0);
    EXPECT_TRUE(l.ok()) << l.error().to_string();
    listen_fd_ = l.ok() ? *l : -1;
    port_ = local_port(listen_fd_);
    thread_ = std::thread([this, sc] {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      Stream s(fd, Connection::server(sc), true);
      Status st = s.handshake();
      if (st) {
        std::array<uint8_t, 4096> buf;
        std::string request;
        while (request.find("\r\n\r\n") == std::string::npos && request.size() < 8192) {
          Result<size_t> n = s.read(buf);
          if (!n || *n == 0) break;
          request.append(reinterpret_cast<const char*>(buf.data()), *n);
        }
        const std::string page = "HTTP/1.0 200 ok\r\n\r\nvouch in-process server\n";
        st = s.write(ByteView(reinterpret_cast<const uint8_t*>(page.data()), page.size()));
        if (st) st = s.close();
      }
      if (!st) error_ = st.error();
    });
  }
  ~InProcessServer() {
    if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
    join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return port_; }
  /// After join(): the server's error, if its connection failed.
  const std::optional<Error>& error() const { return error_; }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::optional<Error> error_;
};

// ================================================================ a JSSE client

// `vouch serve --staple auto --ocsp-issuer ROOT` fetches, verifies and
// staples the leaf's and the intermediate's responses; with both responders
// stopped, a JSSE client whose revocation check fails hard on any missing
// status accepts the server — from the staples alone, which it shows
// byte for byte (SHA-256 equal to the Stapler's cache files).
TEST(JsseClient, AcceptsVouchStaplesForTheWholeChain) {
  ASSERT_TRUE(jsse_available());
  testing::TempDir dir;
  Chain c = make_chain(dir);
  ASSERT_TRUE(ready(c));
  const std::string cache = dir.file("ocsp-cache");
  Server server = start_vouch_server(dir, vouch_auto_stapling_args(c, cache));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  EXPECT_GE(c.root_responder->requests(), 1u);
  EXPECT_GE(c.intermediate_responder->requests(), 1u);
  // The control: without --ocsp-issuer the Stapler cannot verify (so never
  // staples) the intermediate's status — the leaf's only.
  Server leaf_only = start_vouch_server(
      dir, {"--tls1_2", "--cert", c.chain_path, "--key", c.key_path, "--staple", "auto"});
  ASSERT_NE(leaf_only.port, 0) << leaf_only.process.transcript();
  c.root_responder->stop();
  c.intermediate_responder->stop();

  // With nowhere to ask, the JSSE client refuses a chain whose intermediate
  // came without a staple...
  ChildProcess refused = run_jsse_client(leaf_only.port, c.root_path);
  EXPECT_EQ(refused.wait(kJavaTimeout).code, 1) << refused.transcript();
  EXPECT_TRUE(contains(refused.out(), "error: javax.net.ssl.SSLHandshakeException")) << refused.out();
  EXPECT_TRUE(contains(refused.out(), "CertPathValidatorException")) << refused.out();
  EXPECT_FALSE(contains(refused.out(), "Certificate has been revoked")) << refused.out();

  // ... and accepts the one whose every certificate came with a staple.
  ChildProcess client = run_jsse_client(server.port, c.root_path);
  ASSERT_TRUE(client.wait(kJavaTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string out = client.out();
  EXPECT_EQ(summary_value(out, "protocol"), "TLSv1.2") << out;
  EXPECT_EQ(summary_value(out, "status-responses"), "2") << out;
  const std::string leaf_staple = sha256_hex(read_bytes(cache + "/" + sha256_hex(c.leaf.der) + ".der"));
  const std::string inter_staple = sha256_hex(read_bytes(cache + "/" + sha256_hex(c.intermediate.der) + ".der"));
  EXPECT_TRUE(contains(jsse_response(out, 0), "bytes sha256 " + leaf_staple)) << out;
  EXPECT_TRUE(contains(jsse_response(out, 1), "bytes sha256 " + inter_staple)) << out;
  EXPECT_TRUE(contains(out, "\nvouch test server\nprotocol: TLSv1.2\n")) << out;  // vouch's page
  // JSSE's own log: it offered status_request_v2 and consumed a
  // CertificateStatus of type ocsp_multi after vouch's acknowledgement.
  EXPECT_TRUE(contains(client.err(), "\"status_request_v2 (17)\"")) << client.err();
  EXPECT_TRUE(jsse_saw_ocsp_multi(client)) << client.err();
  server.process.stop();
  EXPECT_TRUE(contains(server.process.err(), "[1]: stapling good")) << server.process.err();
}

// The intermediate revoked at its responder: the Stapler never staples a
// revoked response (its entry in the list stays empty), and the JSSE
// client, asking the responder itself, refuses the chain — vouch learns it
// from JSSE's bad_certificate_status_response.
TEST(JsseClient, RefusesARevokedIntermediate) {
  ASSERT_TRUE(jsse_available());
  testing::TempDir dir;
  Chain c = make_chain(dir);
  ASSERT_TRUE(ready(c));
  c.root_responder->set_behavior(behavior(OcspCertStatus::revoked));
  Server server = start_vouch_server(dir, vouch_auto_stapling_args(c, dir.file("ocsp-cache")));
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = run_jsse_client(server.port, c.root_path);
  EXPECT_EQ(client.wait(kJavaTimeout).code, 1) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "error: javax.net.ssl.SSLHandshakeException")) << client.out();
  EXPECT_TRUE(contains(client.out(), "Certificate has been revoked")) << client.out();
  EXPECT_TRUE(jsse_saw_ocsp_multi(client)) << client.err();
  server.process.stop();
  EXPECT_TRUE(contains(server.process.err(), "ocsp revoked: CN=vouch v2 interop intermediate")) << server.process.err();
  EXPECT_TRUE(contains(server.process.err(), "bad_certificate_status_response")) << server.process.err();
}

// A vouch server stapling, as given, a good response for the leaf and a
// revoked one for the intermediate (the native API; responders down): JSSE
// refuses on the staple itself. The control — both good — is accepted.
TEST(JsseClient, RefusesAStapledRevokedIntermediate) {
  ASSERT_TRUE(jsse_available());
  testing::TempDir dir;
  Chain c = make_chain(dir);
  ASSERT_TRUE(ready(c));
  c.root_responder->stop();
  c.intermediate_responder->stop();
  auto staples = [&](OcspCertStatus intermediate) {
    auto leaf = testing::make_ocsp_staple(c.leaf.cert.get(), c.intermediate.cert.get(), c.intermediate.key.get());
    auto inter = testing::make_ocsp_staple(c.intermediate.cert.get(), f().root.cert.get(), f().root.key.get(),
                                           behavior(intermediate));
    EXPECT_TRUE(leaf.ok() && inter.ok());
    auto cred = testing::credential_from(c.leaf, {&c.intermediate})
                    .with_ocsp_staples({leaf.ok() ? *leaf : Bytes{}, inter.ok() ? *inter : Bytes{}});
    EXPECT_TRUE(cred.ok()) << cred.error().to_string();
    return cred.ok() ? *cred : testing::credential_from(c.leaf, {&c.intermediate});
  };
  {
    InProcessServer good(staples(OcspCertStatus::good));
    ChildProcess client = run_jsse_client(good.port(), c.root_path);
    EXPECT_TRUE(client.wait(kJavaTimeout).success()) << client.transcript();
    EXPECT_EQ(summary_value(client.out(), "status-responses"), "2") << client.out();
    EXPECT_TRUE(contains(client.out(), "vouch in-process server")) << client.out();
    good.join();
    EXPECT_FALSE(good.error()) << good.error()->to_string();
  }
  InProcessServer revoked(staples(OcspCertStatus::revoked));
  ChildProcess client = run_jsse_client(revoked.port(), c.root_path);
  EXPECT_EQ(client.wait(kJavaTimeout).code, 1) << client.transcript();
  EXPECT_TRUE(contains(client.out(), "Certificate has been revoked")) << client.out();
  EXPECT_TRUE(jsse_saw_ocsp_multi(client)) << client.err();
  revoked.join();
  ASSERT_TRUE(revoked.error());
  EXPECT_TRUE(revoked.error()->from_peer);
  EXPECT_EQ(revoked.error()->alert, Alert::bad_certificate_status_response) << revoked.error()->to_string();
}

// ================================================================ a JSSE server

// A JSSE server fetches the leaf's and the intermediate's responses from
// their AIA responders and staples them in one ocsp_multi CertificateStatus;
// vouch connect verifies each against its issuer and prints both.
TEST(JsseServer, VouchClientVerifiesEveryStaple) {
  ASSERT_TRUE(jsse_available());
  testing::TempDir dir;
  Chain c = make_chain(dir);
  ASSERT_TRUE(ready(c));
  Server server = start_jsse_server(dir, {"--cert", c.chain_with_root_path, "--key", c.key_path});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = vouch_connect12(server.port, c, "require");
  ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
  const std::string err = client.err();
  EXPECT_EQ(summary_value(err, "protocol"), "TLSv1.2") << err;
  EXPECT_EQ(summary_value(err, "ocsp").rfind("good (produced ", 0), 0u) << err;
  EXPECT_EQ(summary_value(err, "ocsp[1]").rfind("good (produced ", 0), 0u) << err;
  EXPECT_TRUE(contains(summary_value(err, "ocsp[1]"), "responder CN=vouch test root ecdsa")) << err;
  EXPECT_FALSE(contains(err, "ocsp[2]:")) << err;  // the root: an empty entry, nothing to report
  EXPECT_TRUE(contains(client.out(), "vouch-jsse server")) << client.out();
  EXPECT_GE(c.root_responder->requests(), 1u);
  EXPECT_GE(c.intermediate_responder->requests(), 1u);
  EXPECT_TRUE(server.process.wait(kJavaTimeout).success()) << server.process.transcript();
  EXPECT_TRUE(contains(server.process.out(), "handshake: ok TLSv1.2")) << server.process.out();
  // JSSE's log: it answered vouch's status_request_v2 (and not status_request).
  EXPECT_TRUE(contains(server.process.err(), "\"status_request_v2 (17)\"")) << server.process.err();
}

// The root's responder says the intermediate is revoked; JSSE staples that,
// and vouch refuses with certificate_revoked naming chain certificate 1.
TEST(JsseServer, VouchClientRefusesARevokedIntermediate) {
  ASSERT_TRUE(jsse_available());
  testing::TempDir dir;
  Chain c = make_chain(dir);
  ASSERT_TRUE(ready(c));
  c.root_responder->set_behavior(behavior(OcspCertStatus::revoked));
  // This time the identity comes as PKCS#12, as Java keystores usually do.
  const std::string p12 = dir.file("server.p12");
  ChildProcess pkcs12 = ChildProcess::spawn({require_program("openssl"), "pkcs12", "-export", "-in",
                                             c.chain_with_root_path, "-inkey", c.key_path, "-out", p12,
                                             "-passout", "pass:vouch-p12", "-name", "server"});
  ASSERT_TRUE(pkcs12.wait(kRunTimeout).success()) << pkcs12.transcript();
  Server server = start_jsse_server(dir, {"--pkcs12", p12, "--password", "vouch-p12"});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  ChildProcess client = vouch_connect12(server.port, c, "soft");
  EXPECT_EQ(client.wait(kRunTimeout).code, 1) << client.transcript() << server.process.transcript();
  EXPECT_TRUE(contains(client.err(), "certificate_revoked")) << client.err();
  EXPECT_TRUE(contains(client.err(), "chain certificate 1 is revoked")) << client.err();
  EXPECT_FALSE(contains(client.out(), "vouch-jsse server")) << client.out();
  server.process.wait(kJavaTimeout);
  EXPECT_TRUE(contains(server.process.out(), "(PKCS#12)")) << server.process.transcript();
}

// ================================================================ vouch to vouch

// `vouch serve --staple auto` staples the whole chain in both versions: per
// CertificateEntry in TLS 1.3 (RFC 8446 §4.4.2.1), in an ocsp_multi
// CertificateStatus in TLS 1.2; vouch connect prints a line per staple.
TEST(VouchServe, StaplesTheWholeChainInBothVersions) {
  testing::TempDir dir;
  Chain c = make_chain(dir);
  ASSERT_TRUE(ready(c));
  Server server = start_vouch_server(dir, {"--cert", c.chain_path, "--key", c.key_path, "--staple", "auto",
                                           "--ocsp-issuer", c.root_path});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  for (const std::string version : {"--tls1_3", "--tls1_2"}) {
    SCOPED_TRACE(version);
    ChildProcess client = run_vouch_client(server.port, {version, "--ca", c.root_path, "--servername", "localhost",
                                                         "--ocsp", "require", "--request", kEscapedRequest});
    ASSERT_TRUE(client.wait(kRunTimeout).success()) << client.transcript() << server.process.transcript();
    const std::string err = client.err();
    EXPECT_EQ(summary_value(err, "protocol"), version == "--tls1_3" ? "TLSv1.3" : "TLSv1.2") << err;
    EXPECT_EQ(summary_value(err, "ocsp").rfind("good (produced ", 0), 0u) << err;
    EXPECT_EQ(summary_value(err, "ocsp[1]").rfind("good (produced ", 0), 0u) << err;
    EXPECT_TRUE(contains(summary_value(err, "ocsp[1]"), "responder CN=vouch test root ecdsa")) << err;
  }
  // An invalid --ocsp-issuer file is a start-up error naming it.
  const std::string bogus = dir.file("bogus.pem");
  testing::write_file(bogus, std::string("not a certificate\n"));
  ChildProcess bad = ChildProcess::spawn({vouch_binary(), "serve", "--listen", "127.0.0.1:0", "--cert", c.chain_path,
                                          "--key", c.key_path, "--staple", "auto", "--ocsp-issuer", bogus});
  EXPECT_FALSE(bad.wait(kRunTimeout).success()) << bad.transcript();
  EXPECT_TRUE(contains(bad.err(), "--ocsp-issuer")) << bad.transcript();
}

// ================================================================ status_request-only peers

// OpenSSL and GnuTLS send status_request only: a vouch server that staples
// the whole chain gives them the leaf's response in a CertificateStatus of
// type ocsp, acknowledging status_request. vouch connect, asking with both,
// gets both staples from the same server (the control).
TEST(StatusRequestOnlyPeers, GetTheLeafsStapleFromAVouchServerThatSupportsBoth) {
  testing::TempDir dir;
  Chain c = make_chain(dir);
  ASSERT_TRUE(ready(c));
  Server server = start_vouch_server(dir, vouch_auto_stapling_args(c, dir.file("ocsp-cache")));
  ASSERT_NE(server.port, 0) << server.process.transcript();

  ChildProcess openssl = ChildProcess::spawn(
      {require_program("openssl"), "s_client", "-tls1_2", "-connect", "127.0.0.1:" + std::to_string(server.port),
       "-CAfile", c.root_path, "-verify_return_error", "-servername", "localhost", "-verify_hostname", "localhost",
       "-status", "-tlsextdebug", "-ign_eof"},
      {StdinMode::data, kHttpRequest, {}});
  ASSERT_TRUE(openssl.wait(kRunTimeout).success()) << openssl.transcript() << server.process.transcript();
  const std::string out = openssl.out();
  EXPECT_TRUE(contains(out, "Protocol  : TLSv1.2")) << out;
  EXPECT_TRUE(contains(out, "TLS server extension \"status request\"")) << out;
  EXPECT_TRUE(contains(out, "OCSP Response Status: successful")) << out;
  EXPECT_TRUE(contains(out, "Cert Status: good")) << out;
  // The leaf's responder signed it.
  EXPECT_TRUE(contains(out, "Responder Id: O = vouch-test, CN = vouch v2 interop intermediate")) << out;
  EXPECT_TRUE(contains(out, "Verify return code: 0 (ok)")) << out;

  ChildProcess gnutls = ChildProcess::spawn(
      {require_program("gnutls-cli"), "-p", std::to_string(server.port), "127.0.0.1", "--x509cafile", c.root_path,
       "--verify-hostname", "localhost", "--sni-hostname", "localhost", "--ocsp", "--priority",
       "NORMAL:-VERS-ALL:+VERS-TLS1.2"},
      {StdinMode::pipe, {}, {}});
  gnutls.write_stdin(kHttpRequest);
  ASSERT_TRUE(gnutls.wait(kRunTimeout).success()) << gnutls.transcript();
  EXPECT_TRUE(contains(gnutls.out(), "- Description: (TLS1.2-X.509)")) << gnutls.transcript();
  EXPECT_TRUE(contains(gnutls.out(), "- Status: The certificate is trusted.")) << gnutls.transcript();
  EXPECT_TRUE(contains(gnutls.out(), "OCSP status request")) << gnutls.transcript();
  EXPECT_TRUE(contains(gnutls.out(), "\nprotocol: TLSv1.2\n")) << gnutls.transcript();

  ChildProcess vouch = vouch_connect12(server.port, c, "require");
  ASSERT_TRUE(vouch.wait(kRunTimeout).success()) << vouch.transcript();
  EXPECT_EQ(summary_value(vouch.err(), "ocsp").rfind("good (produced ", 0), 0u) << vouch.err();
  EXPECT_EQ(summary_value(vouch.err(), "ocsp[1]").rfind("good (produced ", 0), 0u) << vouch.err();
}

}  // namespace
}  // namespace vouch::interop
