// vouch::asio::stream (vouch/asio.h) over real TCP sockets on 127.0.0.1, both
// ends in this process: mutual TLS with OCSP stapling with completion
// callbacks, C++20 coroutines (asio::use_awaitable) and futures
// (asio::use_future); each kind of pending handle (a private-key signer, a
// client-certificate selector, the staple hook, the credential source)
// completed from another thread while the io_context thread sleeps — no
// polling: the whole run executes a handful of handlers; cancel() of such a
// wait; one io_context thread serving 1,000 concurrent connections; the
// blocking calls; a next layer that is not a socket; and the error codes —
// an alert sent and received, close_notify (eof) and truncation.
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/pki.h"
#include "support/signing.h"
#include "support/staples.h"
#include "vouch/asio.h"

namespace vouch {
namespace {

namespace net = ::asio;
using tcp = net::ip::tcp;
using TlsStream = vouch::asio::stream<tcp::socket>;
using namespace std::chrono_literals;
using namespace ::asio::experimental::awaitable_operators;
using testing::test_pki;

const testing::PkiFamily& ecdsa() { return test_pki().ecdsa(); }

std::string text(const std::vector<uint8_t>& v, size_t n) { return std::string(v.begin(), v.begin() + n); }

std::string why(const TlsStream& s, const std::error_code& ec) {
  std::string m = ec.message();
  if (const Error* e = s.connection().error()) m += " (" + e->to_string() + ")";
  return m;
}

// ---- configurations

// A server with staples for its leaf and intermediate, requiring a client
// certificate from the ECDSA family.
std::shared_ptr<ServerConfig> mtls_server() {
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {testing::stapled(ecdsa().server_credential(),
                                      {testing::leaf_staple(), testing::intermediate_staple()})};
  sc->client_auth = ClientAuth::required;
  sc->client_trust = ecdsa().trust();
  return sc;
}

// A client that requires a good staple and has a client certificate.
std::shared_ptr<ClientConfig> mtls_client() {
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = ecdsa().trust();
  cc->ocsp_policy = OcspPolicy::require;
  cc->client_credentials = {ecdsa().client_credential()};
  return cc;
}

bool good_staple(const Connection& c) {
  return c.peer_ocsp().requested && c.peer_ocsp().summary().rfind("good", 0) == 0;
}

// ---- a coroutine echo server for one connection

struct ServerOutcome {
  std::error_code handshake, read, write, shutdown;
  std::string got;
  size_t client_chain = 0;
  bool done = false;
};

// Accepts one connection, handshakes, echoes one message, answers the
// client's close_notify.
net::awaitable<void> echo_once(tcp::acceptor& acceptor, std::shared_ptr<const ServerConfig> config,
                               ServerOutcome& o) {
  std::error_code ec;
  tcp::socket sock = co_await acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    o.handshake = ec;
    o.done = true;
    co_return;
  }
  TlsStream tls(std::move(sock), std::move(config));
  co_await tls.async_handshake(net::redirect_error(net::use_awaitable, o.handshake));
  if (!o.handshake) {
    o.client_chain = tls.connection().verified_peer_chain().size();
    std::vector<uint8_t> buf(1024);
    const size_t n = co_await tls.async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, o.read));
    o.got = text(buf, n);
    if (!o.read) co_await net::async_write(tls, net::buffer(buf, n), net::redirect_error(net::use_awaitable, o.write));
    if (!o.read && !o.write) co_await tls.async_shutdown(net::redirect_error(net::use_awaitable, o.shutdown));
  }
  o.done = true;
}

tcp::acceptor listen_loopback(net::io_context& io) {
  return tcp::acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
}

// ---- completion callbacks

// The client's steps chained with plain callbacks.
struct CallbackClient {
  TlsStream tls;
  std::vector<uint8_t> buf = std::vector<uint8_t>(1024);
  std::string message = "hello over asio";
  std::error_code connect, handshake, write, read, shutdown;
  std::string got;

  CallbackClient(net::io_context& io, std::shared_ptr<const ClientConfig> cc) : tls(io, std::move(cc), "localhost") {}

  void start(tcp::endpoint ep) {
    tls.next_layer().async_connect(ep, [this](std::error_code ec) {
      connect = ec;
      if (ec) return;
      tls.async_handshake(TlsStream::client, [this](std::error_code ec2) {
        handshake = ec2;
        if (ec2) return;
        net::async_write(tls, net::buffer(message), [this](std::error_code ec3, size_t) {
          write = ec3;
          if (ec3) return;
          tls.async_read_some(net::buffer(buf), [this](std::error_code ec4, size_t n) {
            read = ec4;
            got = text(buf, n);
            if (ec4) return;
            tls.async_shutdown([this](std::error_code ec5) { shutdown = ec5; });
          });
        });
      });
    });
  }
};

TEST(AsioStream, MutualTlsWithStaplingCallbacks) {
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  ServerOutcome server;
  net::co_spawn(io, echo_once(acceptor, mtls_server(), server), net::detached);
  CallbackClient client(io, mtls_client());
  client.start(acceptor.local_endpoint());
  io.run_for(30s);

  ASSERT_TRUE(server.done);
  EXPECT_FALSE(client.connect) << client.connect.message();
  EXPECT_FALSE(client.handshake) << why(client.tls, client.handshake);
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  EXPECT_EQ(server.client_chain, 3u) << "the client's chain as verified: leaf, intermediate, root";
  EXPECT_TRUE(good_staple(client.tls.connection())) << client.tls.connection().peer_ocsp().summary();
  EXPECT_EQ(client.tls.connection().info().version, ProtocolVersion::tls13);
  EXPECT_EQ(server.got, client.message);
  EXPECT_EQ(client.got, client.message);
  EXPECT_FALSE(client.shutdown) << client.shutdown.message();
  EXPECT_FALSE(server.shutdown) << server.shutdown.message();
}

// ---- coroutines

struct ClientOutcome {
  std::error_code ec;
  std::string got;
  bool staple_good = false;
  bool done = false;
};

net::awaitable<void> coro_client(tcp::endpoint ep, std::shared_ptr<const ClientConfig> cc, std::string message,
                                 ClientOutcome& o) {
  auto ex = co_await net::this_coro::executor;
  TlsStream tls(ex, std::move(cc), "localhost");
  try {
    co_await tls.next_layer().async_connect(ep, net::use_awaitable);
    co_await tls.async_handshake(net::use_awaitable);
    o.staple_good = good_staple(tls.connection());
    co_await net::async_write(tls, net::buffer(message), net::use_awaitable);
    std::string got(message.size(), '\0');
    co_await net::async_read(tls, net::buffer(got), net::use_awaitable);
    o.got = got;
    co_await tls.async_shutdown(net::use_awaitable);
  } catch (const std::system_error& e) {
    o.ec = e.code();
  }
  o.done = true;
}

TEST(AsioStream, CoroutinesUseAwaitable) {
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  ServerOutcome server;
  ClientOutcome client;
  net::co_spawn(io, echo_once(acceptor, mtls_server(), server), net::detached);
  net::co_spawn(io, coro_client(acceptor.local_endpoint(), mtls_client(), "coroutine says hi", client),
                net::detached);
  io.run_for(30s);
  ASSERT_TRUE(client.done);
  ASSERT_TRUE(server.done);
  EXPECT_FALSE(client.ec) << client.ec.message();
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  EXPECT_TRUE(client.staple_good);
  EXPECT_EQ(client.got, "coroutine says hi");
  EXPECT_EQ(server.got, "coroutine says hi");
  EXPECT_FALSE(server.shutdown) << server.shutdown.message();
}

// ---- futures

TEST(AsioStream, Futures) {
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  ServerOutcome server;
  net::co_spawn(io, echo_once(acceptor, mtls_server(), server), net::detached);
  auto work = net::make_work_guard(io);
  std::thread runner([&] { io.run_for(30s); });

  TlsStream tls(io, mtls_client(), "localhost");
  std::string message = "future perfect";
  std::vector<uint8_t> buf(64);
  std::error_code failure;
  try {
    tls.next_layer().async_connect(acceptor.local_endpoint(), net::use_future).get();
    tls.async_handshake(net::use_future).get();
    EXPECT_EQ(net::async_write(tls, net::buffer(message), net::use_future).get(), message.size());
    const size_t n = tls.async_read_some(net::buffer(buf), net::use_future).get();
    EXPECT_EQ(text(buf, n), message);
    tls.async_shutdown(net::use_future).get();
  } catch (const std::system_error& e) {
    failure = e.code();
  }
  work.reset();
  runner.join();
  EXPECT_FALSE(failure) << why(tls, failure);
  EXPECT_TRUE(server.done);
  EXPECT_EQ(server.got, message);
}

// ---- pending handles completed from another thread

// Completes a handle on its own thread after a delay: the io_context
// thread has nothing to do meanwhile (a polling stream would spin).
class LateCompleter {
 public:
  ~LateCompleter() {
    for (auto& t : threads_) t.join();
  }
  void later(std::function<void()> f, std::chrono::milliseconds delay = 150ms) {
    threads_.emplace_back([f = std::move(f), delay] {
      std::this_thread::sleep_for(delay);
      f();
    });
  }

 private:
  std::vector<std::thread> threads_;
};

class ThreadSigner : public PrivateKeySigner {
 public:
  ThreadSigner(EVP_PKEY* key, LateCompleter& completer) : key_(key), completer_(completer) {}
  Result<std::optional<Bytes>> sign(SignatureScheme scheme, ByteView message,
                                    std::shared_ptr<PendingSignature> pending) override {
    ++calls;
    Bytes m(message.begin(), message.end());
    EVP_PKEY* key = key_;
    completer_.later([pending, scheme, m, key] { testing::answer_signature(*pending, scheme, key, m); });
    return std::optional<Bytes>();
  }
  std::atomic<int> calls{0};

 private:
  EVP_PKEY* key_;
  LateCompleter& completer_;
};

// One handshake + echo between a coroutine server and a coroutine client
// on one io_context run by this thread; returns the handlers it ran.
size_t run_pair(std::shared_ptr<const ServerConfig> sc, std::shared_ptr<const ClientConfig> cc, ServerOutcome& server,
                ClientOutcome& client) {
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  net::co_spawn(io, echo_once(acceptor, std::move(sc), server), net::detached);
  net::co_spawn(io, coro_client(acceptor.local_endpoint(), std::move(cc), "after the wait", client), net::detached);
  const size_t handlers = io.run_for(30s);
  std::printf("handlers run: %zu\n", handlers);
  return handlers;
}

// What a polling stream could not do: finish after a 150 ms wait in a
// few dozen handlers (a loop polling every millisecond would run hundreds).
constexpr size_t kMaxHandlers = 120;

TEST(AsioStream, AsyncSignerCompletedFromAnotherThread) {
  LateCompleter completer;
  auto signer = std::make_shared<ThreadSigner>(ecdsa().server.key.get(), completer);
  auto credential = Credential::from_signer({ecdsa().server.cert.get(), ecdsa().intermediate.cert.get()}, signer);
  ASSERT_TRUE(credential.ok()) << credential.error().to_string();
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {*credential};
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = ecdsa().trust();
  ServerOutcome server;
  ClientOutcome client;
  const auto t0 = std::chrono::steady_clock::now();
  const size_t handlers = run_pair(sc, cc, server, client);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
  EXPECT_EQ(signer->calls.load(), 1);
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  EXPECT_FALSE(client.ec) << client.ec.message();
  EXPECT_EQ(client.got, "after the wait");
  EXPECT_LT(handlers, kMaxHandlers);
}

TEST(AsioStream, ClientSignerCompletedFromAnotherThread) {
  LateCompleter completer;
  auto signer = std::make_shared<ThreadSigner>(ecdsa().client.key.get(), completer);
  auto credential = Credential::from_signer({ecdsa().client.cert.get(), ecdsa().intermediate.cert.get()}, signer);
  ASSERT_TRUE(credential.ok()) << credential.error().to_string();
  auto cc = mtls_client();
  cc->client_credentials = {*credential};
  ServerOutcome server;
  ClientOutcome client;
  const size_t handlers = run_pair(mtls_server(), cc, server, client);
  EXPECT_EQ(signer->calls.load(), 1);
  EXPECT_FALSE(client.ec) << client.ec.message();
  EXPECT_EQ(server.client_chain, 3u);
  EXPECT_EQ(client.got, "after the wait");
  EXPECT_LT(handlers, kMaxHandlers);
}

TEST(AsioStream, ClientCertificateSelectorCompletedFromAnotherThread) {
  LateCompleter completer;
  std::atomic<int> calls{0};
  auto cc = mtls_client();
  cc->client_certificate_selector = [&](const CertificateRequestInfo&, std::shared_ptr<PendingClientCertificate> p) {
    ++calls;
    completer.later([p] { p->choose(ecdsa().client_credential()); });
    return ClientCertificateChoice::pending();
  };
  ServerOutcome server;
  ClientOutcome client;
  const size_t handlers = run_pair(mtls_server(), cc, server, client);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_FALSE(client.ec) << client.ec.message();
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  EXPECT_EQ(server.client_chain, 3u);
  EXPECT_EQ(client.got, "after the wait");
  EXPECT_LT(handlers, kMaxHandlers);
}

TEST(AsioStream, StapleHookAndCredentialSourceCompletedFromOtherThreads) {
  LateCompleter completer;
  auto sc = std::make_shared<ServerConfig>();
  sc->credential_source_async = [&](const ClientHelloInfo&, std::shared_ptr<PendingCredentials> p)
      -> std::optional<CredentialSnapshot> {
    completer.later([p] {
      p->provide(std::make_shared<const std::vector<Credential>>(std::vector<Credential>{ecdsa().server_credential()}));
    });
    return std::nullopt;
  };
  sc->ocsp_staple_hook_async = [&](const Credential&, const std::string&, std::shared_ptr<PendingOcspStaple> p)
      -> std::optional<Result<std::vector<Bytes>>> {
    completer.later([p] { p->provide({testing::leaf_staple(), testing::intermediate_staple()}); });
    return std::nullopt;
  };
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = ecdsa().trust();
  cc->ocsp_policy = OcspPolicy::require;
  ServerOutcome server;
  ClientOutcome client;
  const size_t handlers = run_pair(sc, cc, server, client);
  EXPECT_FALSE(server.handshake) << server.handshake.message();
  EXPECT_FALSE(client.ec) << client.ec.message();
  EXPECT_TRUE(client.staple_good);
  EXPECT_EQ(client.got, "after the wait");
  EXPECT_LT(handlers, kMaxHandlers);
}

TEST(AsioStream, CancelEndsAWaitForTheApplication) {
  std::shared_ptr<PendingCredentials> pending;
  auto sc = std::make_shared<ServerConfig>();
  sc->credential_source_async = [&](const ClientHelloInfo&, std::shared_ptr<PendingCredentials> p)
      -> std::optional<CredentialSnapshot> {
    pending = std::move(p);
    return std::nullopt;
  };
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  std::optional<TlsStream> server_tls;
  std::error_code server_ec;
  bool server_done = false;
  acceptor.async_accept([&](std::error_code ec, tcp::socket sock) {
    ASSERT_FALSE(ec);
    server_tls.emplace(std::move(sock), sc);
    server_tls->async_handshake([&](std::error_code e) {
      server_ec = e;
      server_done = true;
    });
  });
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = ecdsa().trust();
  TlsStream client(io, cc, "localhost");
  client.next_layer().async_connect(acceptor.local_endpoint(), [&](std::error_code ec) {
    ASSERT_FALSE(ec);
    client.async_handshake([](std::error_code) {});
  });
  // Bounded: until the server waits for its credential source.
  for (int i = 0; i < 200 && !pending; ++i) io.run_for(10ms);
  ASSERT_TRUE(pending);
  ASSERT_TRUE(server_tls);
  EXPECT_EQ(server_tls->connection().wait(), Wait::server_certificate);
  EXPECT_FALSE(server_done);
  server_tls->cancel();
  for (int i = 0; i < 100 && !server_done; ++i) io.run_for(10ms);
  ASSERT_TRUE(server_done);
  EXPECT_EQ(server_ec, net::error::operation_aborted);
  // The connection still waits; an answer after the stream is gone is harmless.
  client.lowest_layer().close();
  server_tls.reset();
  pending->provide(nullptr);
}

// ---- 1,000 concurrent connections on one io_context thread

void raise_fd_limit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

TEST(AsioStream, OneThreadServesAThousandConcurrentConnections) {
  constexpr int kConnections = 1000;
  raise_fd_limit();
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  ASSERT_GE(rl.rlim_cur, static_cast<rlim_t>(2 * kConnections + 64))
      << "both ends of every connection live in this process";

  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {ecdsa().server_credential()};
  sc->num_tickets = 0;
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = ecdsa().trust();

  // The server: one io_context, run by one thread. Each session
  // handshakes, then waits until all kConnections are established at
  // once, echoes one message and waits for the client's close_notify.
  net::io_context server_io;
  tcp::acceptor acceptor(server_io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  int established = 0, served = 0, server_failures = 0;  // server thread only
  net::steady_timer all_established(server_io);
  all_established.expires_at(net::steady_timer::time_point::max());
  auto session = [&](tcp::socket sock) -> net::awaitable<void> {
    TlsStream tls(std::move(sock), sc);
    try {
      co_await tls.async_handshake(net::use_awaitable);
      // Ends the wait of every session, and of those still to come.
      if (++established == kConnections) all_established.expires_at(net::steady_timer::time_point::min());
      std::error_code ec;
      co_await all_established.async_wait(net::redirect_error(net::use_awaitable, ec));
      std::array<uint8_t, 64> buf;
      const size_t n = co_await tls.async_read_some(net::buffer(buf), net::use_awaitable);
      co_await net::async_write(tls, net::buffer(buf.data(), n), net::use_awaitable);
      co_await tls.async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, ec));
      // The client's close_notify (eof), answered with ours.
      if (ec == net::error::eof) co_await tls.async_shutdown(net::redirect_error(net::use_awaitable, ec));
      if (!ec) {
        ++served;
      } else {
        ++server_failures;
      }
    } catch (const std::system_error& e) {
      if (++server_failures <= 3) std::fprintf(stderr, "server session: %s\n", e.code().message().c_str());
    }
  };
  std::function<void()> accept_next = [&] {
    acceptor.async_accept([&](std::error_code ec, tcp::socket sock) {
      if (ec) return;
      net::co_spawn(server_io, session(std::move(sock)), net::detached);
      accept_next();
    });
  };
  accept_next();
  std::atomic<bool> server_done{false};
  std::thread server_thread([&] {
    // Bounded: until every session ended, or the deadline.
    const auto deadline = std::chrono::steady_clock::now() + 240s;
    while (served + server_failures < kConnections && std::chrono::steady_clock::now() < deadline)
      server_io.run_for(50ms);
    server_done = true;
  });

  // The clients, on their own io_context and thread.
  net::io_context client_io;
  int echoed = 0, client_failures = 0;  // client thread only
  const tcp::endpoint ep = acceptor.local_endpoint();
  auto client = [&](int i) -> net::awaitable<void> {
    TlsStream tls(client_io, cc, "localhost");
    int phase = 0;
    try {
      co_await tls.next_layer().async_connect(ep, net::use_awaitable);
      phase = 1;
      co_await tls.async_handshake(net::use_awaitable);
      phase = 2;
      const std::string msg = "client " + std::to_string(i);
      co_await net::async_write(tls, net::buffer(msg), net::use_awaitable);
      std::string got(msg.size(), '\0');
      co_await net::async_read(tls, net::buffer(got), net::use_awaitable);
      if (got == msg) ++echoed;
      phase = 3;
      co_await tls.async_shutdown(net::use_awaitable);
    } catch (const std::system_error& e) {
      if (++client_failures <= 3) ADD_FAILURE() << "client " << i << " (phase " << phase << "): " << e.code().message();
    }
  };
  for (int i = 0; i < kConnections; ++i) net::co_spawn(client_io, client(i), net::detached);
  const auto t0 = std::chrono::steady_clock::now();
  client_io.run_for(240s);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  server_thread.join();

  EXPECT_EQ(client_failures, 0);
  EXPECT_EQ(echoed, kConnections);
  EXPECT_EQ(established, kConnections) << "all connections were established at the same time";
  EXPECT_EQ(served, kConnections);
  EXPECT_EQ(server_failures, 0);
  std::printf("%d concurrent connections, one server thread: %.1f s\n", kConnections,
              std::chrono::duration<double>(elapsed).count());
}

// ---- blocking calls

TEST(AsioStream, BlockingCallsAgainstAsynchronousPeer) {
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  ServerOutcome server;
  net::co_spawn(io, echo_once(acceptor, mtls_server(), server), net::detached);
  std::thread runner([&] { io.run_for(30s); });

  net::io_context client_io;
  TlsStream tls(client_io, mtls_client(), "localhost");
  std::error_code ec;
  tls.next_layer().connect(acceptor.local_endpoint(), ec);
  ASSERT_FALSE(ec);
  tls.handshake(TlsStream::server, ec);
  EXPECT_EQ(ec, net::error::invalid_argument) << "a client stream is not a server";
  tls.handshake(TlsStream::client, ec);
  EXPECT_FALSE(ec) << why(tls, ec);
  const std::string message = "blocking";
  EXPECT_EQ(net::write(tls, net::buffer(message), ec), message.size());
  EXPECT_FALSE(ec);
  std::vector<uint8_t> buf(64);
  const size_t n = tls.read_some(net::buffer(buf), ec);
  EXPECT_FALSE(ec);
  EXPECT_EQ(text(buf, n), message);
  tls.shutdown(ec);
  EXPECT_FALSE(ec) << ec.message();
  runner.join();
  EXPECT_EQ(server.got, message);
  EXPECT_FALSE(server.shutdown);
}

// ---- a next layer that is not a socket: the async_read_some path

// Forwards to a socket, exposing only what an AsyncStream has.
class PlainStream {
 public:
  using executor_type = tcp::socket::executor_type;
  using lowest_layer_type = tcp::socket::lowest_layer_type;
  explicit PlainStream(net::io_context& io) : sock_(io) {}
  explicit PlainStream(tcp::socket s) : sock_(std::move(s)) {}
  executor_type get_executor() { return sock_.get_executor(); }
  lowest_layer_type& lowest_layer() { return sock_.lowest_layer(); }
  tcp::socket& socket() { return sock_; }
  template <class B, class T>
  auto async_read_some(const B& b, T&& t) {
    ++reads;
    return sock_.async_read_some(b, std::forward<T>(t));
  }
  template <class B, class T>
  auto async_write_some(const B& b, T&& t) {
    return sock_.async_write_some(b, std::forward<T>(t));
  }
  int reads = 0;

 private:
  tcp::socket sock_;
};
static_assert(!vouch::asio::detail::readiness_socket<PlainStream>);
static_assert(vouch::asio::detail::readiness_socket<tcp::socket>);

TEST(AsioStream, AnyAsyncStreamAsNextLayer) {
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  ServerOutcome server;
  net::co_spawn(io, echo_once(acceptor, mtls_server(), server), net::detached);
  vouch::asio::stream<PlainStream> tls(io, mtls_client(), "localhost");
  std::error_code result;
  std::string got;
  auto run = [&]() -> net::awaitable<void> {
    try {
      co_await tls.next_layer().socket().async_connect(acceptor.local_endpoint(), net::use_awaitable);
      co_await tls.async_handshake(net::use_awaitable);
      co_await net::async_write(tls, net::buffer(std::string("plain")), net::use_awaitable);
      std::string buf(5, '\0');
      co_await net::async_read(tls, net::buffer(buf), net::use_awaitable);
      got = buf;
      co_await tls.async_shutdown(net::use_awaitable);
    } catch (const std::system_error& e) {
      result = e.code();
    }
  };
  net::co_spawn(io, run(), net::detached);
  io.run_for(30s);
  EXPECT_FALSE(result) << result.message();
  EXPECT_EQ(got, "plain");
  EXPECT_GT(tls.next_layer().reads, 0);
  EXPECT_TRUE(good_staple(tls.connection()));
}

// ---- errors

TEST(AsioStream, AlertSentAndReceivedAsErrorCodes) {
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  ServerOutcome server;
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {ecdsa().server_credential()};
  net::co_spawn(io, echo_once(acceptor, sc, server), net::detached);
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = test_pki().rsa().trust();  // does not trust the ECDSA chain
  TlsStream tls(io, cc, "localhost");
  std::error_code client_ec;
  tls.next_layer().async_connect(acceptor.local_endpoint(), [&](std::error_code ec) {
    ASSERT_FALSE(ec);
    tls.async_handshake([&](std::error_code e) { client_ec = e; });
  });
  io.run_for(30s);
  ASSERT_TRUE(client_ec);
  EXPECT_EQ(client_ec.category(), error_category());
  EXPECT_FALSE(sent_by_peer(client_ec));
  ASSERT_TRUE(alert_of(client_ec));
  const Alert sent = *alert_of(client_ec);
  EXPECT_EQ(client_ec, make_error_code(*tls.connection().error()));
  ASSERT_TRUE(server.handshake);
  EXPECT_TRUE(sent_by_peer(server.handshake)) << server.handshake.message();
  EXPECT_EQ(alert_of(server.handshake), sent);
  EXPECT_NE(server.handshake.message().find(alert_name(sent)), std::string::npos);
}

TEST(AsioStream, CloseNotifyIsEofAndTruncationIsAnError) {
  net::io_context io;
  tcp::acceptor acceptor = listen_loopback(io);
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {ecdsa().server_credential()};
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = ecdsa().trust();
  std::error_code eof_ec, write_ec, shutdown_ec, server_shutdown_ec, write_after_shutdown_ec, truncated_ec;
  bool done = false;
  auto run = [&]() -> net::awaitable<void> {
    for (bool clean : {true, false}) {
      TlsStream client(io, cc, "localhost");
      co_await client.next_layer().async_connect(acceptor.local_endpoint(), net::use_awaitable);
      tcp::socket sock = co_await acceptor.async_accept(net::use_awaitable);
      TlsStream server(std::move(sock), sc);
      co_await (client.async_handshake(net::use_awaitable) && server.async_handshake(net::use_awaitable));
      std::array<uint8_t, 16> buf{};
      if (clean) {
        // The server's close_notify: the client reads eof, may still
        // write, and answers with its own, which completes the server's
        // shutdown.
        auto client_side = [&]() -> net::awaitable<void> {
          std::error_code ec;
          co_await client.async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, eof_ec));
          co_await client.async_write_some(net::buffer(buf), net::redirect_error(net::use_awaitable, write_ec));
          co_await client.async_shutdown(net::redirect_error(net::use_awaitable, shutdown_ec));
          co_await client.async_write_some(net::buffer(buf),
                                           net::redirect_error(net::use_awaitable, write_after_shutdown_ec));
        };
        auto server_side = [&]() -> net::awaitable<void> {
          co_await server.async_shutdown(net::redirect_error(net::use_awaitable, server_shutdown_ec));
        };
        co_await (server_side() && client_side());
      } else {
        server.lowest_layer().close();  // TCP FIN without close_notify
        co_await client.async_read_some(net::buffer(buf), net::redirect_error(net::use_awaitable, truncated_ec));
      }
    }
    done = true;
  };
  net::co_spawn(io, run(), net::detached);
  io.run_for(30s);
  ASSERT_TRUE(done);
  EXPECT_EQ(eof_ec, net::error::eof) << eof_ec.message();
  EXPECT_FALSE(write_ec) << write_ec.message();
  EXPECT_FALSE(shutdown_ec) << shutdown_ec.message();
  EXPECT_FALSE(server_shutdown_ec) << server_shutdown_ec.message();
  EXPECT_EQ(write_after_shutdown_ec, net::error::shut_down) << write_after_shutdown_ec.message();
  EXPECT_EQ(truncated_ec, make_error_code(errc::stream_truncated)) << truncated_ec.message();
}

TEST(AsioStream, WriteBeforeHandshakeIsNotConnected) {
  net::io_context io;
  TlsStream tls(io, std::make_shared<ClientConfig>(), "localhost");
  std::error_code ec;
  size_t n = 99;
  tls.async_write_some(net::buffer("x", 1), [&](std::error_code e, size_t k) {
    ec = e;
    n = k;
  });
  EXPECT_FALSE(ec) << "never completes inside the initiating call";
  io.run_for(5s);
  EXPECT_EQ(ec, net::error::not_connected);
  EXPECT_EQ(n, 0u);
}

TEST(AsioStream, ErrorCategory) {
  EXPECT_STREQ(error_category().name(), "vouch");
  const std::error_code sent = make_error_code(Error{Alert::bad_certificate, "x", false});
  const std::error_code received = make_error_code(Error{Alert::bad_certificate, "x", true});
  EXPECT_NE(sent, received);
  EXPECT_EQ(alert_of(sent), Alert::bad_certificate);
  EXPECT_EQ(alert_of(received), Alert::bad_certificate);
  EXPECT_FALSE(sent_by_peer(sent));
  EXPECT_TRUE(sent_by_peer(received));
  EXPECT_EQ(received.message(), "peer sent alert bad_certificate");
  EXPECT_NE(sent.message().find("bad_certificate"), std::string::npos);
  const std::error_code truncated = errc::stream_truncated;
  EXPECT_FALSE(alert_of(truncated));
  EXPECT_NE(truncated.message().find("close_notify"), std::string::npos);
  EXPECT_FALSE(alert_of(std::make_error_code(std::errc::connection_reset)));
}

}  // namespace
}  // namespace vouch
