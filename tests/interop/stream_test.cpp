// vouch::Stream and the TCP helpers over real loopback sockets, with a vouch
// client and server in one process: handshake, multi-record data both ways,
// close_notify vs. truncation, EOF during the handshake, a peer's alert, a
// receive timeout, and fd ownership.
#include "vouch/stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "support/pki.h"

namespace vouch {
namespace {

std::shared_ptr<const ServerConfig> server_config() {
  auto c = std::make_shared<ServerConfig>();
  c->credentials = {testing::test_pki().ecdsa().server_credential()};
  return c;
}

std::shared_ptr<const ClientConfig> client_config(const testing::PkiFamily& trusted) {
  auto c = std::make_shared<ClientConfig>();
  c->trust = trusted.trust();
  return c;
}

ByteView view(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Reads until close_notify (0) or an error; bounded by `limit` bytes.
Result<std::string> read_all(Stream& s, size_t limit = 1 << 22) {
  std::string out;
  std::array<uint8_t, 5000> buf;  // deliberately not a record multiple
  while (out.size() <= limit) {
    VOUCH_ASSIGN(const size_t n, s.read(buf));
    if (n == 0) return out;
    out.append(reinterpret_cast<const char*>(buf.data()), n);
  }
  return fail(Alert::internal_error, "read_all: limit exceeded");
}

// A listener on 127.0.0.1 whose single accepted connection is handled by
// `serve` on a thread.
class OneShotServer {
 public:
  explicit OneShotServer(std::function<void(int fd)> serve) {
    Result<int> l = tcp_listen("127.0.0.1", 0);
    EXPECT_TRUE(l.ok()) << l.error().to_string();
    listen_fd_ = l.ok() ? *l : -1;
    port_ = local_port(listen_fd_);
    thread_ = std::thread([this, serve = std::move(serve)] {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) serve(fd);
    });
  }
  ~OneShotServer() {
    join();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

Stream connect_client(uint16_t port, std::shared_ptr<const ClientConfig> config) {
  Result<int> fd = tcp_connect("127.0.0.1", port);
  EXPECT_TRUE(fd.ok()) << fd.error().to_string();
  return Stream(fd.ok() ? *fd : -1, Connection::client(std::move(config), "localhost"), true);
}

TEST(Tcp, ListenConnectAndLocalPort) {
  Result<int> l = tcp_listen("127.0.0.1", 0);
  ASSERT_TRUE(l.ok()) << l.error().to_string();
  const uint16_t port = local_port(*l);
  EXPECT_NE(port, 0);
  Result<int> c = tcp_connect("127.0.0.1", port);
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  const int a = ::accept(*l, nullptr, nullptr);
  EXPECT_GE(a, 0);
  EXPECT_NE(local_port(*c), 0);
  EXPECT_EQ(local_port(a), port);
  // Sockets are close-on-exec: spawned peers must not inherit them.
  EXPECT_TRUE(::fcntl(*c, F_GETFD) & FD_CLOEXEC);
  ::close(a);
  ::close(*c);
  ::close(*l);
}

TEST(Tcp, ConnectToClosedPortFails) {
  Result<int> l = tcp_listen("127.0.0.1", 0);
  ASSERT_TRUE(l.ok());
  const uint16_t port = local_port(*l);
  ::close(*l);
  Result<int> c = tcp_connect("127.0.0.1", port);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().reason.find("cannot connect to 127.0.0.1:"), std::string::npos)
      << c.error().reason;
}

TEST(Tcp, ListenOnBusyPortFails) {
  Result<int> l = tcp_listen("127.0.0.1", 0);
  ASSERT_TRUE(l.ok());
  Result<int> again = tcp_listen("127.0.0.1", local_port(*l));
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().reason.find("cannot listen"), std::string::npos) << again.error().reason;
  ::close(*l);
}

TEST(Tcp, LocalPortOfNonSocketIsZero) { EXPECT_EQ(local_port(-1), 0); }

TEST(Stream, DataBothWaysThenCloseNotify) {
  // More than one record (2^14) and more than one write slice.
  std::string request(200 * 1024, '\0');
  for (size_t i = 0; i < request.size(); ++i) request[i] = static_cast<char>('a' + i % 26);
  const std::string response(100 * 1024 + 7, 'R');

  Status server_status;
  std::string server_got;
  OneShotServer server([&](int fd) {
    Stream s(fd, Connection::server(server_config()), true);
    server_status = s.handshake();
    if (!server_status) return;
    Result<std::string> got = read_all(s);
    if (!got) {
      server_status = got.error();
      return;
    }
    server_got = *got;  // ended by the client's close_notify
    server_status = s.write(view(response));
    if (server_status) server_status = s.close();
  });

  Stream client = connect_client(server.port(), client_config(testing::test_pki().ecdsa()));
  ASSERT_TRUE(client.handshake().ok());
  EXPECT_TRUE(client.connection().handshake_complete());
  ASSERT_TRUE(client.write(view(request)).ok());
  ASSERT_TRUE(client.close().ok());
  Result<std::string> got = read_all(client);
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(*got, response);
  // After close_notify, read keeps returning 0.
  std::array<uint8_t, 8> buf;
  Result<size_t> again = client.read(buf);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);

  server.join();
  EXPECT_TRUE(server_status.ok()) << server_status.error().to_string();
  EXPECT_EQ(server_got, request);
}

TEST(Stream, WriteBeforeHandshakeRunsIt) {
  OneShotServer server([&](int fd) {
    Stream s(fd, Connection::server(server_config()), true);
    std::array<uint8_t, 16> buf;
    Result<size_t> n = s.read(buf);  // handshake runs inside read()
    if (n.ok() && *n > 0) (void)s.write(ByteView(buf.data(), *n));
    (void)s.close();
  });
  Stream client = connect_client(server.port(), client_config(testing::test_pki().ecdsa()));
  ASSERT_TRUE(client.write(view("ping")).ok());
  std::array<uint8_t, 16> buf;
  Result<size_t> n = client.read(buf);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), *n), "ping");
}

// RFC 8446 §6.1: an end of stream without close_notify is not a clean end.
TEST(Stream, EofWithoutCloseNotifyIsAnError) {
  OneShotServer server([&](int fd) {
    Stream s(fd, Connection::server(server_config()), false);
    if (s.handshake().ok()) (void)s.write(view("partial"));
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
  });
  Stream client = connect_client(server.port(), client_config(testing::test_pki().ecdsa()));
  ASSERT_TRUE(client.handshake().ok());
  Result<std::string> all = read_all(client);
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.error().reason.find("connection closed without close_notify"), std::string::npos)
      << all.error().to_string();
}

TEST(Stream, EofDuringHandshakeIsAnError) {
  // The server ends its side at once (a clean FIN) but keeps reading until
  // the client gives up, so closing never turns into a reset.
  OneShotServer server([&](int fd) {
    ::shutdown(fd, SHUT_WR);
    std::array<char, 4096> buf;
    while (::recv(fd, buf.data(), buf.size(), 0) > 0) {
    }
    ::close(fd);
  });
  Stream client = connect_client(server.port(), client_config(testing::test_pki().ecdsa()));
  Status st = client.handshake();
  ::shutdown(client.fd(), SHUT_RDWR);  // lets the server's drain end
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().reason.find("during the handshake"), std::string::npos)
      << st.error().to_string();
}

// The client does not trust the server's root: it sends unknown_ca, and the
// server's Stream reports the alert as received from the peer.
TEST(Stream, AlertReachesThePeer) {
  Status server_status;
  OneShotServer server([&](int fd) {
    Stream s(fd, Connection::server(server_config()), true);
    server_status = s.handshake();
  });
  Stream client = connect_client(server.port(), client_config(testing::test_pki().rsa()));
  Status st = client.handshake();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().alert, Alert::unknown_ca) << st.error().to_string();
  EXPECT_FALSE(st.error().from_peer);
  server.join();
  ASSERT_FALSE(server_status.ok());
  EXPECT_TRUE(server_status.error().from_peer) << server_status.error().to_string();
  EXPECT_EQ(server_status.error().alert, Alert::unknown_ca) << server_status.error().to_string();
}

TEST(Stream, ReceiveTimeoutIsAnError) {
  int held = -1;
  OneShotServer server([&](int fd) { held = fd; });  // accepts, never answers
  Stream client = connect_client(server.port(), client_config(testing::test_pki().ecdsa()));
  timeval tv{0, 100 * 1000};
  ASSERT_EQ(::setsockopt(client.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  Status st = client.handshake();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().reason.find("timed out"), std::string::npos) << st.error().to_string();
  server.join();
  if (held >= 0) ::close(held);
}

TEST(Stream, OwnsItsFdOnlyWhenAsked) {
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  {
    Stream borrowed(fds[0], Connection::server(server_config()), false);
    Stream owner(fds[1], Connection::server(server_config()), true);
    Stream moved(std::move(owner));
    EXPECT_EQ(moved.fd(), fds[1]);
    EXPECT_EQ(owner.fd(), -1);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  }
  EXPECT_NE(::fcntl(fds[0], F_GETFD), -1) << "borrowed fd was closed";
  EXPECT_EQ(::fcntl(fds[1], F_GETFD), -1) << "owned fd was not closed";
  ::close(fds[0]);
}

// RFC 8446 §4.6.2: the client's selector answers a post-handshake request
// later; the answer leaves with the client's next write, ahead of its data.
TEST(Stream, PostHandshakeAnswerGivenLaterGoesOutWithTheNextWrite) {
  Status server_status;
  std::string server_got;
  size_t server_saw_chain = 0;
  OneShotServer server([&](int fd) {
    auto sc = std::make_shared<ServerConfig>(*server_config());
    sc->client_trust = testing::test_pki().ecdsa().trust();
    Stream s(fd, Connection::server(sc), true);
    server_status = s.handshake();
    if (server_status) server_status = s.connection().request_client_certificate();
    if (server_status) server_status = s.write(view("req"));
    if (!server_status) return;
    std::array<uint8_t, 16> buf;
    Result<size_t> n = s.read(buf);  // the answer, then "ok"
    if (!n) {
      server_status = n.error();
      return;
    }
    server_got.assign(reinterpret_cast<const char*>(buf.data()), *n);
    server_saw_chain = s.connection().verified_peer_chain().size();
    server_status = s.close();
  });

  auto cc = std::make_shared<ClientConfig>(*client_config(testing::test_pki().ecdsa()));
  cc->post_handshake_auth = true;
  std::shared_ptr<PendingClientCertificate> handle;
  cc->client_certificate_selector = [&handle](const CertificateRequestInfo&,
                                              std::shared_ptr<PendingClientCertificate> h) {
    handle = std::move(h);
    return ClientCertificateChoice::pending();
  };
  Stream client = connect_client(server.port(), cc);
  std::array<uint8_t, 16> buf;
  Result<size_t> n = client.read(buf);  // reads the request (selector: later) and "req"
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(buf.data()), *n), "req");
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(client.connection().wait(), Wait::client_certificate);
  handle->choose(testing::test_pki().ecdsa().client_credential());
  ASSERT_TRUE(client.write(view("ok")).ok());
  EXPECT_NE(client.connection().wait(), Wait::client_certificate);
  Result<std::string> rest = read_all(client);
  EXPECT_TRUE(rest.ok()) << rest.error().to_string();

  server.join();
  EXPECT_TRUE(server_status.ok()) << server_status.error().to_string();
  EXPECT_EQ(server_got, "ok");
  EXPECT_GE(server_saw_chain, 2u);  // the client's leaf and the anchor
}

}  // namespace
}  // namespace vouch
