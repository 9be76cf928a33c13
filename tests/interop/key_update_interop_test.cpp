// KeyUpdate with update_requested against OpenSSL's command-line peers
// (RFC 8446 §4.6.3), both roles: vouch asks and the peer's KeyUpdate
// (update_not_requested) must come, before its data; the peer asks (its `K`
// command) and vouch's answer must come, and the peer must read what vouch
// sends under the new keys. Each direction is watched on the wire with the
// secrets of vouch's key log (tests/support/traffic_observer.h), so a missing
// answer fails the test whatever either side believes.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>

#include "interop/interop.h"
#include "support/traffic_observer.h"
#include "vouch/stream.h"

namespace vouch::interop {
namespace {

using testing::TrafficObserver;

const testing::PkiFamily& f() { return family(CertType::ecdsa); }

// A vouch Connection over a socket, driven by hand, every byte it sends and
// receives shown to the observers.
class Driver {
 public:
  Driver(int fd, std::unique_ptr<Connection> conn) : fd_(fd), conn_(std::move(conn)) {}
  ~Driver() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection& conn() { return *conn_; }

  bool flush() {
    ByteView out = conn_->pending_output();
    if (mine_) {
      EXPECT_TRUE(mine_->feed(out));
    } else {
      unobserved_out_.insert(unobserved_out_.end(), out.begin(), out.end());
    }
    while (!out.empty()) {
      const ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      conn_->consume_output(static_cast<size_t>(n));
      out = conn_->pending_output();
    }
    return true;
  }

  // Reads (and sends what that queued) until `done` holds; false on EOF, an
  // error, or after `timeout` without it.
  bool run_until(const std::function<bool()>& done, testing::milliseconds timeout = kRunTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    uint8_t buf[16384];
    while (!done()) {
      if (!flush()) return false;
      const auto left = std::chrono::duration_cast<testing::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return false;
      const ByteView in(buf, static_cast<size_t>(n));
      if (theirs_) {
        EXPECT_TRUE(theirs_->feed(in));
      } else {
        unobserved_in_.insert(unobserved_in_.end(), in.begin(), in.end());
      }
      if (!conn_->receive(in)) return false;
    }
    return flush();
  }

  // Starts watching, from the first byte of the connection.
  void observe(const std::vector<std::string>& keylog) {
    const bool client = conn_->is_client();
    const CipherSuite suite = conn_->info().cipher_suite;
    mine_ = std::make_unique<TrafficObserver>(
        suite, testing::keylog_secret(keylog, client ? "CLIENT_TRAFFIC_SECRET_0" : "SERVER_TRAFFIC_SECRET_0"));
    theirs_ = std::make_unique<TrafficObserver>(
        suite, testing::keylog_secret(keylog, client ? "SERVER_TRAFFIC_SECRET_0" : "CLIENT_TRAFFIC_SECRET_0"));
    EXPECT_TRUE(mine_->feed(unobserved_out_));
    EXPECT_TRUE(theirs_->feed(unobserved_in_));
  }
  const TrafficObserver& mine() const { return *mine_; }
  const TrafficObserver& theirs() const { return *theirs_; }

  bool write(const std::string& text) {
    return conn_->write(ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size())).ok() && flush();
  }

 private:
  int fd_;
  std::unique_ptr<Connection> conn_;
  std::unique_ptr<TrafficObserver> mine_, theirs_;
  Bytes unobserved_out_, unobserved_in_;
};

// The exchange, the same in both roles. `peer` is s_server or s_client with
// a stdin pipe; what it reads it prints on stdout, what it is given on stdin
// it sends (`K` alone asks for a KeyUpdate with update_requested).
void exercise(Driver& d, ChildProcess& peer) {
  // 1. vouch asks.
  ASSERT_TRUE(d.conn().key_update(true));
  ASSERT_TRUE(d.write("vouch-ping-1\n"));
  ASSERT_TRUE(peer.wait_for_output("vouch-ping-1", kRunTimeout)) << peer.transcript();
  ASSERT_TRUE(peer.write_stdin("peer-pong-1\n"));
  ASSERT_TRUE(d.run_until([&] { return d.theirs().data().find("peer-pong-1") != std::string::npos; }))
      << peer.transcript();
  EXPECT_EQ(d.mine().key_updates(), std::vector<bool>{true});
  EXPECT_EQ(d.theirs().key_updates(), std::vector<bool>{false}) << "the peer never answered the KeyUpdate";
  ASSERT_EQ(d.theirs().data_before_key_update().size(), 1u);
  EXPECT_EQ(d.theirs().data().find("peer-pong-1"), d.theirs().data_before_key_update()[0])
      << "the answer must come before the peer's next data";

  // 2. The peer asks.
  ASSERT_TRUE(peer.write_stdin("K\n"));
  ASSERT_TRUE(d.run_until([&] { return d.theirs().key_updates().size() == 2; })) << peer.transcript();
  EXPECT_EQ(d.theirs().key_updates(), (std::vector<bool>{false, true}));
  EXPECT_EQ(d.mine().key_updates(), (std::vector<bool>{true, false})) << "vouch did not answer";
  ASSERT_TRUE(d.write("vouch-ping-2\n"));
  EXPECT_TRUE(peer.wait_for_output("vouch-ping-2", kRunTimeout)) << peer.transcript();
  EXPECT_EQ(d.mine().data_before_key_update()[1], d.mine().data().find("vouch-ping-2"));
}

TEST(KeyUpdateInterop, VouchClientWithOpensslServer) {
  Server server = start_openssl_server_version("-tls1_3", openssl_cert_args(f(), f().server),
                                               SpawnOptions{StdinMode::pipe, {}, {}});
  ASSERT_NE(server.port, 0) << server.process.transcript();
  std::vector<std::string> keylog;
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = f().trust();
  cc->keylog = [&](const std::string& line) { keylog.push_back(line); };
  Result<int> fd = tcp_connect("127.0.0.1", server.port);
  ASSERT_TRUE(fd.ok()) << fd.error().to_string();
  Driver d(*fd, Connection::client(cc, "localhost"));
  ASSERT_TRUE(d.conn().start());
  ASSERT_TRUE(d.run_until([&] { return d.conn().handshake_complete() || d.conn().failed(); }))
      << server.process.transcript();
  ASSERT_TRUE(d.conn().handshake_complete()) << d.conn().error()->to_string();
  d.observe(keylog);
  exercise(d, server.process);
}

TEST(KeyUpdateInterop, VouchServerWithOpensslClient) {
  Result<int> listener = tcp_listen("127.0.0.1", 0);
  ASSERT_TRUE(listener.ok());
  const int listen_fd = *listener;
  const uint16_t port = local_port(listen_fd);
  ChildProcess client = ChildProcess::spawn(
      {require_program("openssl"), "s_client", "-tls1_3", "-connect", "127.0.0.1:" + std::to_string(port),
       "-servername", "localhost", "-CAfile", f().root.cert_path},
      SpawnOptions{StdinMode::pipe, {}, {}});
  ASSERT_TRUE(client.running()) << client.error();
  pollfd p{listen_fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, static_cast<int>(kStartTimeout.count())), 1) << client.transcript();
  const int fd = ::accept(listen_fd, nullptr, nullptr);
  ::close(listen_fd);
  ASSERT_GE(fd, 0);
  std::vector<std::string> keylog;
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials.push_back(f().server_credential());
  sc->keylog = [&](const std::string& line) { keylog.push_back(line); };
  Driver d(fd, Connection::server(sc));
  ASSERT_TRUE(d.run_until([&] { return d.conn().handshake_complete() || d.conn().failed(); }))
      << client.transcript();
  ASSERT_TRUE(d.conn().handshake_complete()) << d.conn().error()->to_string();
  d.observe(keylog);
  // s_client prints its session summary once the handshake is done.
  ASSERT_TRUE(client.wait_for_output("Verify return code: 0 (ok)", kRunTimeout)) << client.transcript();
  exercise(d, client);
}

}  // namespace
}  // namespace vouch::interop
