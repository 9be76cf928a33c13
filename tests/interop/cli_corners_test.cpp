// README claims about the command-line tool that only a real process can
// show (issue 12):
//  * `vouch serve` closes gracefully after a fatal alert: a client that keeps
//    writing and then reads gets the alert, never a reset or "broken pipe";
//  * `vouch serve --staple auto` refreshes its staples on SIGHUP;
//  * `vouch connect --crl FILE` / `--crl-dir DIR` refuses a revoked server
//    certificate (and accepts one the CRL does not list).
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "interop/interop.h"
#include "support/hex.h"
#include "support/late_writer.h"
#include "tools/ocsp_responder.h"
#include "vouch/stream.h"

namespace vouch::interop {
namespace {

using testing::OcspBehavior;
using testing::OcspResponder;

const testing::PkiFamily& f() { return family(CertType::ecdsa); }

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// ---- graceful close after a fatal alert ---------------------------------------

// A raw client sends application data before any handshake: serve answers
// unexpected_message. The client keeps writing for a while, then reads.
TEST(ServeGracefulClose, ClientWritingAfterTheAlertStillReadsIt) {
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f().server);
  args.push_back("--once");
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  const int fd = testing::connect_loopback(server.port);
  ASSERT_GE(fd, 0);
  const Bytes early_data = testing::hex("17 0303 0003 010203");
  ASSERT_EQ(::send(fd, early_data.data(), early_data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(early_data.size()));
  const testing::LateWriterResult r = testing::write_after_alert(fd);
  ::close(fd);
  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  EXPECT_TRUE(r.alert_arrived) << server.process.transcript();
  EXPECT_TRUE(r.write_errors.empty()) << r.write_errors.front();
  EXPECT_EQ(testing::hexs(r.received), "1503030002020a");  // fatal unexpected_message
  EXPECT_TRUE(r.eof) << r.read_error;
  EXPECT_TRUE(st.exited && st.code == 1) << server.process.transcript();
  EXPECT_TRUE(contains(server.process.err(), "unexpected_message")) << server.process.transcript();
}

// What the Java client met: serve requires a client certificate and the
// client sends none. The TLS 1.3 client writes its request at once; serve's
// certificate_required arrives meanwhile. Every write succeeds and the read
// reports the alert.
TEST(ServeGracefulClose, RefusedClientReadsTheAlertAfterWriting) {
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f().server);
  args.insert(args.end(), {"--verify", "required", "--client-ca", f().root.cert_path, "--once"});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = f().trust();
  Result<int> fd = tcp_connect("127.0.0.1", server.port);
  ASSERT_TRUE(fd.ok());
  Stream client(*fd, Connection::client(cc, "localhost"), /*own_fd=*/true);
  ASSERT_TRUE(client.handshake());
  std::vector<std::string> write_errors;
  for (const char* piece : {"GET / HTTP/1.0\r\n", "Host: localhost\r\n", "\r\n"}) {
    const std::string_view p(piece);
    if (Status s = client.write(ByteView(reinterpret_cast<const uint8_t*>(p.data()), p.size())); !s)
      write_errors.push_back(s.error().to_string());
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(write_errors.empty()) << write_errors.front() << server.process.transcript();
  uint8_t buf[256];
  Result<size_t> n = client.read(buf);
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.error().from_peer) << n.error().to_string();
  EXPECT_EQ(n.error().alert, Alert::certificate_required) << n.error().to_string();
  ::shutdown(*fd, SHUT_RDWR);
  const testing::ExitStatus st = server.process.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << server.process.transcript();
  EXPECT_TRUE(contains(server.process.err(), "certificate_required")) << server.process.transcript();
}

// ---- SIGHUP refreshes the staples ---------------------------------------------

std::unique_ptr<OcspResponder> start_responder() {
  auto r = OcspResponder::create(f().intermediate.cert.get(), f().intermediate.key.get());
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  if (!r.ok()) return nullptr;
  Status s = (*r)->start();
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return s.ok() ? std::move(*r) : nullptr;
}

// `vouch connect --ocsp report`: the ocsp: line of the leaf.
std::string ocsp_line(uint16_t port) {
  ChildProcess c = run_vouch_client(port, {"--ca", f().root.cert_path, "--servername", "localhost", "--ocsp",
                                           "report", "--request", "GET / HTTP/1.0\\r\\n\\r\\n"});
  EXPECT_TRUE(c.wait(kRunTimeout).success()) << c.transcript();
  return summary_value(c.err(), "ocsp");
}

// The staple fetched at start (good) is half a day from its refresh; the
// responder then says revoked. Nothing changes until SIGHUP, after which the
// server has asked again, logged the revocation and stopped stapling.
TEST(ServeSighup, RefreshesTheStaplesNow) {
  auto responder = start_responder();
  ASSERT_TRUE(responder);
  testing::TempDir dir;
  std::vector<std::string> args = vouch_cert_args(f().server);
  args.insert(args.end(), {"--staple", "auto", "--ocsp-url", responder->url()});
  Server server = start_vouch_server(dir, args);
  ASSERT_NE(server.port, 0) << server.process.transcript();
  EXPECT_EQ(responder->requests(), 1u);  // the first fetch, before listening
  EXPECT_EQ(ocsp_line(server.port).rfind("good (", 0), 0u) << server.process.transcript();

  OcspBehavior revoked;
  revoked.status = OcspCertStatus::revoked;
  responder->set_behavior(revoked);
  // Not refreshed by itself: still good, no new request.
  EXPECT_EQ(ocsp_line(server.port).rfind("good (", 0), 0u);
  EXPECT_EQ(responder->requests(), 1u);

  ASSERT_EQ(::kill(server.process.pid(), SIGHUP), 0);
  ASSERT_TRUE(server.process.wait_for_output("ocsp revoked", kRunTimeout, /*on_stderr=*/true))
      << server.process.transcript();
  EXPECT_TRUE(contains(server.process.err(), "SIGHUP, refreshing OCSP staples")) << server.process.err();
  EXPECT_EQ(responder->requests(), 2u);
  EXPECT_EQ(ocsp_line(server.port), "none (not stapled)") << server.process.transcript();
  // SIGHUP is not a stop.
  EXPECT_TRUE(server.process.running());

  // Released: the next SIGHUP staples a good response again.
  responder->set_behavior(OcspBehavior{});
  ASSERT_EQ(::kill(server.process.pid(), SIGHUP), 0);
  ASSERT_TRUE(server.process.wait_for_count("ocsp refreshed", 2, kRunTimeout, /*on_stderr=*/true))
      << server.process.transcript();
  EXPECT_EQ(ocsp_line(server.port).rfind("good (", 0), 0u) << server.process.transcript();
}

// ---- connect --crl / --crl-dir ---------------------------------------------------

std::string write_crl(const testing::TempDir& dir, const std::string& name, const testing::PkiCert& revoked) {
  auto crl = testing::make_crl(f().intermediate, {&revoked});
  const std::string path = dir.file(name);
  testing::write_file(path, testing::to_pem(crl.get()));
  return path;
}

// The file name libcrypto's hash_dir lookup reads for CRLs of `issuer`.
std::string hashed_crl_name(const testing::PkiCert& issuer) {
  int ok = 0;
  const unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(issuer.cert.get()), nullptr, nullptr, &ok);
  EXPECT_EQ(ok, 1);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%08lx.r0", h);
  return buf;
}

ChildProcess connect_with(uint16_t port, const std::vector<std::string>& crl_args) {
  std::vector<std::string> args = {"--ca", f().root.cert_path, "--servername", "localhost", "--request",
                                   "GET / HTTP/1.0\\r\\n\\r\\n"};
  args.insert(args.end(), crl_args.begin(), crl_args.end());
  return run_vouch_client(port, args);
}

class ConnectCrl : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = start_vouch_server(dir_, vouch_cert_args(f().server));
    ASSERT_NE(server_.port, 0) << server_.process.transcript();
  }
  testing::TempDir dir_;
  Server server_;
};

TEST_F(ConnectCrl, FileRevokingTheServerIsRefused) {
  const std::string crl = write_crl(dir_, "revokes-server.pem", f().server);
  ChildProcess c = connect_with(server_.port, {"--crl", crl});
  const testing::ExitStatus st = c.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << c.transcript();
  EXPECT_TRUE(contains(c.err(), "certificate_revoked")) << c.transcript();
  EXPECT_TRUE(contains(c.err(), "revoked by the CRL")) << c.transcript();
  EXPECT_FALSE(contains(c.out(), "HTTP/1.0 200")) << c.transcript();
}

TEST_F(ConnectCrl, FileNotListingTheServerIsAccepted) {
  const std::string crl = write_crl(dir_, "revokes-client.pem", f().client);
  ChildProcess c = connect_with(server_.port, {"--crl", crl});
  EXPECT_TRUE(c.wait(kRunTimeout).success()) << c.transcript();
  EXPECT_TRUE(contains(c.out(), "HTTP/1.0 200")) << c.transcript();
}

TEST_F(ConnectCrl, HashedDirectoryRevokingTheServerIsRefused) {
  testing::TempDir crls;
  write_crl(crls, hashed_crl_name(f().intermediate), f().server);
  ChildProcess c = connect_with(server_.port, {"--crl-dir", crls.path()});
  const testing::ExitStatus st = c.wait(kRunTimeout);
  EXPECT_TRUE(st.exited && st.code == 1) << c.transcript();
  EXPECT_TRUE(contains(c.err(), "certificate_revoked")) << c.transcript();
  EXPECT_FALSE(contains(c.out(), "HTTP/1.0 200")) << c.transcript();
}

TEST_F(ConnectCrl, HashedDirectoryNotListingTheServerIsAccepted) {
  testing::TempDir crls;
  write_crl(crls, hashed_crl_name(f().intermediate), f().client);
  ChildProcess c = connect_with(server_.port, {"--crl-dir", crls.path()});
  EXPECT_TRUE(c.wait(kRunTimeout).success()) << c.transcript();
  EXPECT_TRUE(contains(c.out(), "HTTP/1.0 200")) << c.transcript();
}

}  // namespace
}  // namespace vouch::interop
