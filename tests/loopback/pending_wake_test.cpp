// Pending handles that wake their connection's owner (vouch/pending.h,
// Connection::set_waker): for each asynchronous hook — the client
// certificate selector, an external private-key signer, the asynchronous
// OCSP staple hook and credential source — the waker is called exactly once
// per completion, from the completing thread, after the answer is stored (a
// resume() then finishes the handshake); an answer given inside the hook
// wakes on the driving thread; later answers, handles outliving their
// connection and a removed waker wake nobody; set_waker() does not return
// while the old waker runs. Also: the handles' take() is not public, and
// to_string(Wait).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "crypto/signature.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "support/staples.h"
#include "vouch/connection.h"

namespace vouch {
namespace {

using namespace std::chrono_literals;
using testing::pump_handshake;
using testing::test_pki;
using testing::transfer;

// ---- the API surface

template <class T>
concept PublicTake = requires(T& t) { t.take(); };

static_assert(!PublicTake<PendingClientCertificate>, "take() is internal");
static_assert(!PublicTake<PendingSignature>, "take() is internal");
static_assert(!PublicTake<PendingOcspStaple>, "take() is internal");
static_assert(!PublicTake<PendingCredentials>, "take() is internal");

TEST(PendingWake, ToStringNamesEveryWait) {
  EXPECT_STREQ(to_string(Wait::none), "none");
  EXPECT_STREQ(to_string(Wait::read), "read");
  EXPECT_STREQ(to_string(Wait::client_certificate), "client_certificate");
  EXPECT_STREQ(to_string(Wait::private_key_operation), "private_key_operation");
  EXPECT_STREQ(to_string(Wait::ocsp_staple), "ocsp_staple");
  EXPECT_STREQ(to_string(Wait::server_certificate), "server_certificate");
  EXPECT_STREQ(to_string(static_cast<Wait>(200)), "unknown");
}

TEST(PendingWake, WaitsForApplicationAreThePendingHandleWaits) {
  EXPECT_FALSE(waits_for_application(Wait::none));
  EXPECT_FALSE(waits_for_application(Wait::read));
  EXPECT_TRUE(waits_for_application(Wait::client_certificate));
  EXPECT_TRUE(waits_for_application(Wait::private_key_operation));
  EXPECT_TRUE(waits_for_application(Wait::ocsp_staple));
  EXPECT_TRUE(waits_for_application(Wait::server_certificate));
}

// ---- a waker that records its calls

struct WakeLog {
  std::mutex mu;
  std::condition_variable cv;
  int calls = 0;
  std::vector<std::thread::id> threads;

  std::function<void()> waker() {
    return [this] {
      std::lock_guard<std::mutex> lock(mu);
      ++calls;
      threads.push_back(std::this_thread::get_id());
      cv.notify_all();
    };
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu);
    return calls;
  }
  bool wait_for(int n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, timeout, [&] { return calls >= n; });
  }
};

// Moves bytes until `waiting` reports an application wait (bounded).
bool pump_until_app_wait(Connection& client, Connection& server, Connection& waiting) {
  for (int i = 0; i < 16; ++i) {
    if (waits_for_application(waiting.wait())) return true;
    if (transfer(client, server) == 0 && transfer(server, client) == 0) break;
  }
  return waits_for_application(waiting.wait());
}

const testing::PkiFamily& ecdsa() { return test_pki().ecdsa(); }

std::shared_ptr<ClientConfig> client_config() {
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = ecdsa().trust();
  return cc;
}

// Runs `complete` on a thread of its own, waits for it to end, and returns
// that thread's id: the thread the waker must have run on.
std::thread::id complete_on_another_thread(const std::function<void()>& complete) {
  std::thread::id id;
  std::thread t([&] {
    id = std::this_thread::get_id();
    complete();
  });
  t.join();
  return id;
}

// ---- each kind of handle, completed from another thread

TEST(PendingWake, ClientCertificateSelectorCompletedFromAnotherThreadWakesOnce) {
  std::shared_ptr<PendingClientCertificate> pending;
  auto cc = client_config();
  cc->client_certificate_selector = [&](const CertificateRequestInfo&,
                                        std::shared_ptr<PendingClientCertificate> p) {
    pending = std::move(p);
    return ClientCertificateChoice::pending();
  };
  auto sc = testing::server_config_for("ecdsa");
  sc->client_auth = ClientAuth::required;
  sc->client_trust = ecdsa().trust();
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  WakeLog log;
  client->set_waker(log.waker());
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(pump_until_app_wait(*client, *server, *client));
  ASSERT_EQ(client->wait(), Wait::client_certificate);
  ASSERT_TRUE(pending);
  EXPECT_EQ(log.count(), 0);

  const std::thread::id completer = complete_on_another_thread([&] {
    pending->choose(ecdsa().client_credential());
    pending->decline();  // ignored: wakes nobody
  });
  ASSERT_TRUE(log.wait_for(1, 5s));
  EXPECT_EQ(log.count(), 1);
  EXPECT_EQ(log.threads.at(0), completer);

  ASSERT_TRUE(client->resume());
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
  EXPECT_EQ(log.count(), 1);
}

class LaterSigner : public PrivateKeySigner {
 public:
  explicit LaterSigner(EVP_PKEY* key) : key_(key) {}
  Result<std::optional<Bytes>> sign(SignatureScheme scheme, ByteView message,
                                    std::shared_ptr<PendingSignature> pending) override {
    scheme_ = scheme;
    message_.assign(message.begin(), message.end());
    pending_ = std::move(pending);
    if (answer_inside_) {
      finish();
      return std::optional<Bytes>();
    }
    return std::optional<Bytes>();
  }
  void finish() {
    auto sig = sign_message(scheme_, key_, message_);
    ASSERT_TRUE(sig.ok()) << sig.error().to_string();
    pending_->complete(*sig);
  }
  bool answer_inside_ = false;
  std::shared_ptr<PendingSignature> pending_;

 private:
  EVP_PKEY* key_;
  SignatureScheme scheme_{};
  Bytes message_;
};

std::shared_ptr<ServerConfig> server_with_signer(std::shared_ptr<LaterSigner> signer) {
  const auto& f = ecdsa();
  auto c = Credential::from_signer({f.server.cert.get(), f.intermediate.cert.get()}, std::move(signer));
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {std::move(c).value()};
  return sc;
}

TEST(PendingWake, SignerCompletedFromAnotherThreadWakesOnce) {
  auto signer = std::make_shared<LaterSigner>(ecdsa().server.key.get());
  auto client = Connection::client(client_config(), "localhost");
  auto server = Connection::server(server_with_signer(signer));
  WakeLog log;
  server->set_waker(log.waker());
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(pump_until_app_wait(*client, *server, *server));
  ASSERT_EQ(server->wait(), Wait::private_key_operation);

  const std::thread::id completer = complete_on_another_thread([&] {
    signer->finish();
    signer->pending_->fail(fail(Alert::internal_error, "ignored"));
  });
  ASSERT_TRUE(log.wait_for(1, 5s));
  EXPECT_EQ(log.count(), 1);
  EXPECT_EQ(log.threads.at(0), completer);
  ASSERT_TRUE(server->resume());
  EXPECT_TRUE(pump_handshake(*client, *server));
  EXPECT_EQ(log.count(), 1);
}

TEST(PendingWake, AnAnswerInsideTheHookWakesOnTheDrivingThread) {
  auto signer = std::make_shared<LaterSigner>(ecdsa().server.key.get());
  signer->answer_inside_ = true;
  auto client = Connection::client(client_config(), "localhost");
  auto server = Connection::server(server_with_signer(signer));
  WakeLog log;
  server->set_waker(log.waker());
  ASSERT_TRUE(client->start());
  EXPECT_TRUE(pump_handshake(*client, *server));
  ASSERT_EQ(log.count(), 1);
  EXPECT_EQ(log.threads.at(0), std::this_thread::get_id());
}

TEST(PendingWake, OcspStapleHookCompletedFromAnotherThreadWakesOnce) {
  std::shared_ptr<PendingOcspStaple> pending;
  auto sc = testing::server_config_for("ecdsa");
  sc->ocsp_staple_hook_async = [&](const Credential&, const std::string&, std::shared_ptr<PendingOcspStaple> p)
      -> std::optional<Result<std::vector<Bytes>>> {
    pending = std::move(p);
    return std::nullopt;
  };
  auto cc = client_config();
  cc->ocsp_policy = OcspPolicy::require;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  WakeLog log;
  server->set_waker(log.waker());
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(pump_until_app_wait(*client, *server, *server));
  ASSERT_EQ(server->wait(), Wait::ocsp_staple);
  ASSERT_TRUE(pending);

  const std::thread::id completer = complete_on_another_thread([&] {
    pending->provide({testing::leaf_staple()});
  });
  ASSERT_TRUE(log.wait_for(1, 5s));
  EXPECT_EQ(log.threads.at(0), completer);
  ASSERT_TRUE(server->resume());
  ASSERT_TRUE(pump_handshake(*client, *server)) << (client->error() ? client->error()->to_string() : "");
  EXPECT_TRUE(client->peer_ocsp().requested);
  EXPECT_EQ(log.count(), 1);
}

TEST(PendingWake, CredentialSourceCompletedFromAnotherThreadWakesOnce) {
  std::shared_ptr<PendingCredentials> pending;
  auto sc = std::make_shared<ServerConfig>();
  sc->credential_source_async = [&](const ClientHelloInfo&, std::shared_ptr<PendingCredentials> p)
      -> std::optional<CredentialSnapshot> {
    pending = std::move(p);
    return std::nullopt;
  };
  auto client = Connection::client(client_config(), "localhost");
  auto server = Connection::server(sc);
  WakeLog log;
  server->set_waker(log.waker());
  ASSERT_TRUE(client->start());
  ASSERT_TRUE(pump_until_app_wait(*client, *server, *server));
  ASSERT_EQ(server->wait(), Wait::server_certificate);
  ASSERT_TRUE(pending);

  const std::thread::id completer = complete_on_another_thread([&] {
    pending->provide(std::make_shared<const std::vector<Credential>>(
        std::vector<Credential>{ecdsa().server_credential()}));
    pending->fail(fail(Alert::internal_error, "ignored"));
  });
  ASSERT_TRUE(log.wait_for(1, 5s));
  EXPECT_EQ(log.count(), 1);
  EXPECT_EQ(log.threads.at(0), completer);
  ASSERT_TRUE(server->resume());
  EXPECT_TRUE(pump_handshake(*client, *server));
  EXPECT_EQ(log.count(), 1);
}

// ---- the waker's life

// A server waiting for its credential source, and the handle it gave out.
struct WaitingServer {
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;
  std::shared_ptr<PendingCredentials> pending;
};

WaitingServer waiting_server() {
  WaitingServer w;
  auto sc = std::make_shared<ServerConfig>();
  auto slot = std::make_shared<std::shared_ptr<PendingCredentials>>();
  sc->credential_source_async = [slot](const ClientHelloInfo&, std::shared_ptr<PendingCredentials> p)
      -> std::optional<CredentialSnapshot> {
    *slot = std::move(p);
    return std::nullopt;
  };
  w.client = Connection::client(client_config(), "localhost");
  w.server = Connection::server(sc);
  EXPECT_TRUE(w.client->start());
  EXPECT_TRUE(pump_until_app_wait(*w.client, *w.server, *w.server));
  w.pending = *slot;
  return w;
}

CredentialSnapshot snapshot() {
  return std::make_shared<const std::vector<Credential>>(std::vector<Credential>{ecdsa().server_credential()});
}

TEST(PendingWake, NoWakerSetTheAnswerIsStillPickedUp) {
  WaitingServer w = waiting_server();
  ASSERT_TRUE(w.pending);
  w.pending->provide(snapshot());
  ASSERT_TRUE(w.server->resume());
  EXPECT_TRUE(pump_handshake(*w.client, *w.server));
}

TEST(PendingWake, ARemovedWakerIsNotCalled) {
  WaitingServer w = waiting_server();
  ASSERT_TRUE(w.pending);
  WakeLog log;
  w.server->set_waker(log.waker());
  w.server->set_waker(nullptr);
  w.pending->provide(snapshot());
  EXPECT_EQ(log.count(), 0);
}

TEST(PendingWake, AReplacedWakerIsNotCalledTheNewOneIs) {
  WaitingServer w = waiting_server();
  ASSERT_TRUE(w.pending);
  WakeLog first, second;
  w.server->set_waker(first.waker());
  w.server->set_waker(second.waker());
  w.pending->provide(snapshot());
  EXPECT_EQ(first.count(), 0);
  EXPECT_EQ(second.count(), 1);
}

TEST(PendingWake, AHandleOutlivingItsConnectionWakesNobody) {
  WakeLog log;
  std::shared_ptr<PendingCredentials> pending;
  {
    WaitingServer w = waiting_server();
    pending = w.pending;
    w.server->set_waker(log.waker());
  }
  ASSERT_TRUE(pending);
  pending->provide(snapshot());
  EXPECT_TRUE(pending->ready());
  EXPECT_EQ(log.count(), 0);
}

TEST(PendingWake, AHandleMadeByTheApplicationWakesNobody) {
  PendingSignature p;
  EXPECT_FALSE(p.ready());
  p.complete(Bytes{1, 2, 3});
  EXPECT_TRUE(p.ready());
}

TEST(PendingWake, SetWakerWaitsForARunningWaker) {
  WaitingServer w = waiting_server();
  ASSERT_TRUE(w.pending);
  std::atomic<bool> started{false}, finished{false};
  w.server->set_waker([&] {
    started = true;
    std::this_thread::sleep_for(100ms);
    finished = true;
  });
  std::thread t([&] { w.pending->provide(snapshot()); });
  // Bounded wait for the waker to start on the other thread.
  for (int i = 0; i < 500 && !started; ++i) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(started.load());
  w.server->set_waker(nullptr);
  EXPECT_TRUE(finished.load()) << "set_waker returned while the old waker was still running";
  t.join();
}

// The driving thread keeps calling resume() and set_waker() while another
// thread answers: the waker is called exactly once, and a resume() after it
// always finds the answer.
TEST(PendingWake, CompletionRacesWithDriving) {
  for (int round = 0; round < 20; ++round) {
    WaitingServer w = waiting_server();
    ASSERT_TRUE(w.pending);
    std::atomic<int> wakes{0};
    auto waker = [&] { wakes.fetch_add(1); };
    w.server->set_waker(waker);
    std::thread t([&] { w.pending->provide(snapshot()); });
    // Bounded in time, not in rounds: on a loaded machine the answering
    // thread may not even have started after 100,000 rounds.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (w.server->wait() == Wait::server_certificate && std::chrono::steady_clock::now() < deadline) {
      w.server->set_waker(waker);
      ASSERT_TRUE(w.server->resume());
    }
    t.join();
    EXPECT_EQ(wakes.load(), 1);
    ASSERT_NE(w.server->wait(), Wait::server_certificate);
    EXPECT_TRUE(pump_handshake(*w.client, *w.server));
  }
}

}  // namespace
}  // namespace vouch
