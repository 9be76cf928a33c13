// vouch::Stream after a fatal alert of its own: it shuts down its write side
// and reads (and discards) what the peer still sends, bounded, before the
// socket is closed. A peer that keeps writing and then reads gets the alert
// and a clean EOF, never a reset or "broken pipe" (what a Java client reported
// when the socket was closed at once with its bytes still arriving).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <thread>

#include "support/hex.h"
#include "support/late_writer.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "vouch/stream.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::server_config_for;
using namespace std::chrono_literals;

// A Stream server on 127.0.0.1 serving one connection on its own thread; the
// handshake's outcome is kept.
class OneStreamServer {
 public:
  explicit OneStreamServer(std::shared_ptr<const ServerConfig> config) {
    Result<int> l = tcp_listen("127.0.0.1", 0);
    EXPECT_TRUE(l.ok());
    listen_fd_ = l.ok() ? *l : -1;
    port_ = local_port(listen_fd_);
    thread_ = std::thread([this, config = std::move(config)] {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      Stream s(fd, Connection::server(config), /*own_fd=*/true);
      const Status st = s.handshake();
      if (!st) error_ = st.error();
    });
  }
  ~OneStreamServer() {
    join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  uint16_t port() const { return port_; }
  // Waits for the connection to be served (its Stream destroyed).
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::optional<Error> error_;
};

// A raw peer sends application data before any handshake: the server answers
// unexpected_message in plaintext. The peer keeps writing for a while, then
// reads: the alert, then EOF.
TEST(GracefulClose, PeerWritingAfterTheAlertStillReadsIt) {
  OneStreamServer server(server_config_for("ecdsa"));
  const int fd = testing::connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  const Bytes early_data = testing::hex("17 0303 0003 010203");
  ASSERT_EQ(::send(fd, early_data.data(), early_data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(early_data.size()));
  const testing::LateWriterResult r = testing::write_after_alert(fd);
  ::close(fd);
  server.join();
  EXPECT_TRUE(r.alert_arrived);
  EXPECT_TRUE(r.write_errors.empty()) << r.write_errors.front();
  // One plaintext fatal unexpected_message alert, then a FIN.
  EXPECT_EQ(testing::hexs(r.received), "1503030002020a");
  EXPECT_TRUE(r.eof) << r.read_error;
  ASSERT_TRUE(server.error());
  EXPECT_EQ(server.error()->alert, Alert::unexpected_message);
  EXPECT_FALSE(server.error()->from_peer);
}

// The case the Java client met: a server requiring a client certificate
// refuses a client that sent none. The TLS 1.3 client considers its handshake
// done after its Finished and writes at once; the server's alert arrives
// while it writes. Its later writes succeed and its read reports the alert.
TEST(GracefulClose, RefusedClientReadsTheAlertAfterWriting) {
  auto sc = server_config_for("ecdsa");
  sc->client_auth = ClientAuth::required;
  sc->client_trust = testing::test_pki().ecdsa().trust();
  OneStreamServer server(sc);
  Result<int> fd = tcp_connect("127.0.0.1", server.port());
  ASSERT_TRUE(fd.ok());
  Stream client(*fd, Connection::client(client_config_for("ecdsa"), "localhost"), /*own_fd=*/true);
  ASSERT_TRUE(client.handshake());
  std::vector<std::string> write_errors;
  for (const char* piece : {"GET / HTTP/1.0\r\n", "Host: localhost\r\n", "\r\n"}) {
    const std::string_view p(piece);
    if (Status st = client.write(ByteView(reinterpret_cast<const uint8_t*>(p.data()), p.size())); !st)
      write_errors.push_back(st.error().to_string());
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(write_errors.empty()) << write_errors.front();
  uint8_t buf[256];
  Result<size_t> n = client.read(buf);
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.error().from_peer) << n.error().to_string();
  EXPECT_EQ(n.error().alert, Alert::certificate_required) << n.error().to_string();
  // The server's side of the same story (closing ends its lingering).
  ::shutdown(*fd, SHUT_RDWR);
  server.join();
  ASSERT_TRUE(server.error());
  EXPECT_EQ(server.error()->alert, Alert::certificate_required) << server.error()->to_string();
}

// The graceful close is bounded: a peer that neither reads nor closes does
// not hold the server's handshake() for more than its second of lingering
// (were it unbounded, this test would hang until ctest's timeout).
TEST(GracefulClose, LingeringIsBounded) {
  OneStreamServer server(server_config_for("ecdsa"));
  const int fd = testing::connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  const Bytes early_data = testing::hex("17 0303 0003 010203");
  ASSERT_EQ(::send(fd, early_data.data(), early_data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(early_data.size()));
  // Nothing read, nothing closed: the server's thread ends anyway.
  server.join();
  ASSERT_TRUE(server.error());
  EXPECT_EQ(server.error()->alert, Alert::unexpected_message);
  ::close(fd);
}

}  // namespace
}  // namespace vouch
