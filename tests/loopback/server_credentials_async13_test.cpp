// ServerConfig::credential_source_async in memory: the server's certificate
// chosen after the ClientHello (RFC 8446 §4.1.2-§4.1.3), answered at once or
// later through PendingCredentials while the connection waits
// (Wait::server_certificate) having sent nothing of its answer; errors,
// empty answers, another thread, HelloRetryRequest (§4.1.4), PSK resumption
// (§2.2: no certificate, so no call), and what the source is told.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "cert/public_key.h"
#include "handshake/pending_access.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "vouch/session.h"

namespace vouch {
namespace {

using testing::pump_handshake;
using testing::send_and_receive;
using testing::test_pki;
using testing::transfer;

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }

CredentialSnapshot snapshot(std::vector<Credential> credentials) {
  return std::make_shared<const std::vector<Credential>>(std::move(credentials));
}
CredentialSnapshot ecdsa_snapshot() { return snapshot({test_pki().ecdsa().server_credential()}); }
CredentialSnapshot rsa_snapshot() { return snapshot({test_pki().rsa().server_credential()}); }

/// The issuer of the leaf the client received (which snapshot was used).
std::string leaf_issuer(const Connection& client) {
  return client.peer_chain().empty() ? std::string() : issuer_of(client.peer_chain().front());
}
const std::string kRsaIssuer = "CN=vouch test intermediate rsa,O=vouch-test";
const std::string kEcdsaIssuer = "CN=vouch test intermediate ecdsa,O=vouch-test";

/// A server whose only certificates come from `source` (`credentials` is
/// empty, so a handshake that ignored the source would fail).
std::shared_ptr<ServerConfig> server_with(AsyncCredentialSource source) {
  auto sc = std::make_shared<ServerConfig>();
  sc->credential_source_async = std::move(source);
  return sc;
}

/// A client trusting both families' roots.
std::shared_ptr<ClientConfig> client_config() {
  auto cc = std::make_shared<ClientConfig>();
  auto roots = TrustStore::from_pem_file(test_pki().all_roots_path());
  EXPECT_TRUE(roots.ok()) << roots.error().to_string();
  if (roots.ok()) cc->trust = std::move(roots).value();
  return cc;
}

/// Records what the source saw and keeps the handle of a "later" answer.
struct Recorder {
  int calls = 0;
  ClientHelloInfo last;
  std::shared_ptr<PendingCredentials> pending;

  AsyncCredentialSource later() {
    return [this](const ClientHelloInfo& hello, std::shared_ptr<PendingCredentials> handle) {
      ++calls;
      last = hello;
      pending = std::move(handle);
      return std::optional<CredentialSnapshot>();
    };
  }
  AsyncCredentialSource now(CredentialSnapshot answer) {
    return [this, answer](const ClientHelloInfo& hello, std::shared_ptr<PendingCredentials>) {
      ++calls;
      last = hello;
      return std::optional<CredentialSnapshot>(answer);
    };
  }
};

/// Starts a handshake and delivers the ClientHello; the server then either
/// answered or waits.
struct Started {
  std::unique_ptr<Connection> client, server;
};
Started start(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc) {
  Started s{Connection::client(std::move(cc), "localhost"), Connection::server(std::move(sc))};
  EXPECT_TRUE(s.client->start()) << err(*s.client);
  transfer(*s.client, *s.server);
  return s;
}

TEST(ServerCredentialsAsync13, AnswersNow) {
  Recorder r;
  auto sc = server_with(r.now(rsa_snapshot()));
  auto client = Connection::client(client_config(), "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(leaf_issuer(*client), kRsaIssuer);
  EXPECT_EQ(send_and_receive(*client, *server, "hello"), "hello");
}

TEST(ServerCredentialsAsync13, AnswersLaterProvideThenResume) {
  Recorder r;
  Started s = start(client_config(), server_with(r.later()));
  // Suspended right after the ClientHello: not a byte of the answer.
  EXPECT_EQ(s.server->wait(), Wait::server_certificate);
  EXPECT_TRUE(s.server->pending_output().empty());
  ASSERT_TRUE(r.pending);
  EXPECT_FALSE(r.pending->ready());
  r.pending->provide(rsa_snapshot());
  EXPECT_TRUE(r.pending->ready());
  ASSERT_TRUE(s.server->resume()) << err(*s.server);
  EXPECT_NE(s.server->wait(), Wait::server_certificate);
  EXPECT_FALSE(s.server->pending_output().empty());  // ServerHello and the flight
  ASSERT_TRUE(pump_handshake(*s.client, *s.server)) << err(*s.client) << " / " << err(*s.server);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(leaf_issuer(*s.client), kRsaIssuer);
}

TEST(ServerCredentialsAsync13, AnswersLaterAfterAResumeTooEarly) {
  Recorder r;
  Started s = start(client_config(), server_with(r.later()));
  ASSERT_EQ(s.server->wait(), Wait::server_certificate);
  // resume() and receive() before the answer: still waiting, nothing sent,
  // and the source is not asked again.
  ASSERT_TRUE(s.server->resume()) << err(*s.server);
  EXPECT_EQ(s.server->wait(), Wait::server_certificate);
  EXPECT_TRUE(s.server->pending_output().empty());
  ASSERT_TRUE(s.server->receive({})) << err(*s.server);
  EXPECT_EQ(s.server->wait(), Wait::server_certificate);
  EXPECT_TRUE(s.server->pending_output().empty());
  EXPECT_FALSE(s.client->handshake_complete());
  EXPECT_EQ(r.calls, 1);
  r.pending->provide(ecdsa_snapshot());
  ASSERT_TRUE(s.server->resume()) << err(*s.server);
  ASSERT_TRUE(pump_handshake(*s.client, *s.server)) << err(*s.client) << " / " << err(*s.server);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(leaf_issuer(*s.client), kEcdsaIssuer);
}

TEST(ServerCredentialsAsync13, AnsweredThroughTheHandleBeforeReturning) {
  int calls = 0;
  auto sc = server_with([&](const ClientHelloInfo&, std::shared_ptr<PendingCredentials> pending) {
    ++calls;
    pending->provide(rsa_snapshot());
    return std::optional<CredentialSnapshot>();
  });
  auto client = Connection::client(client_config(), "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(leaf_issuer(*client), kRsaIssuer);
}

TEST(ServerCredentialsAsync13, FailSendsTheErrorsAlert) {
  Recorder r;
  Started s = start(client_config(), server_with(r.later()));
  ASSERT_EQ(s.server->wait(), Wait::server_certificate);
  r.pending->fail(fail(Alert::unrecognized_name, "no certificate for this name"));
  r.pending->provide(rsa_snapshot());  // too late: the first answer counts
  EXPECT_FALSE(s.server->resume());
  ASSERT_TRUE(s.server->failed());
  EXPECT_EQ(s.server->error()->alert, Alert::unrecognized_name);
  EXPECT_NE(s.server->error()->reason.find("no certificate for this name"), std::string::npos);
  // The alert is the only thing the server sends.
  Status delivered;
  ASSERT_GT(transfer(*s.server, *s.client, &delivered), 0u);
  EXPECT_FALSE(delivered);
  ASSERT_TRUE(s.client->error());
  EXPECT_TRUE(s.client->error()->from_peer);
  EXPECT_EQ(s.client->error()->alert, Alert::unrecognized_name);
}

TEST(ServerCredentialsAsync13, EmptyAnswersAreInternalError) {
  // Now: a null and an empty snapshot; later: an empty one.
  for (CredentialSnapshot answer : {CredentialSnapshot(), snapshot({})}) {
    Recorder r;
    auto client = Connection::client(client_config(), "localhost");
    auto server = Connection::server(server_with(r.now(answer)));
    EXPECT_FALSE(pump_handshake(*client, *server));
    ASSERT_TRUE(server->error());
    EXPECT_EQ(server->error()->alert, Alert::internal_error);
    ASSERT_TRUE(client->error());
    EXPECT_TRUE(client->error()->from_peer);
    EXPECT_EQ(client->error()->alert, Alert::internal_error);
  }
  Recorder r;
  Started s = start(client_config(), server_with(r.later()));
  ASSERT_TRUE(r.pending);
  r.pending->provide(snapshot({}));
  EXPECT_FALSE(s.server->resume());
  ASSERT_TRUE(s.server->error());
  EXPECT_EQ(s.server->error()->alert, Alert::internal_error);
}

TEST(ServerCredentialsAsync13, AnsweredFromAnotherThread) {
  std::promise<void> answered;
  std::future<void> done = answered.get_future();
  std::thread worker;
  auto sc = server_with([&](const ClientHelloInfo& hello, std::shared_ptr<PendingCredentials> pending) {
    // The facts are a copy: the worker may keep them.
    worker = std::thread([hello, pending, &answered] {
      pending->provide(hello.server_name == "localhost" ? rsa_snapshot() : snapshot({}));
      answered.set_value();
    });
    return std::optional<CredentialSnapshot>();
  });
  Started s = start(client_config(), sc);
  const bool in_time = done.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  worker.join();
  ASSERT_TRUE(in_time);
  ASSERT_TRUE(s.server->resume()) << err(*s.server);
  ASSERT_TRUE(pump_handshake(*s.client, *s.server)) << err(*s.client) << " / " << err(*s.server);
  EXPECT_EQ(leaf_issuer(*s.client), kRsaIssuer);
}

TEST(ServerCredentialsAsync13, HelloRetryRequestCallsItOnceForTheSecondClientHello) {
  for (bool cookie : {false, true}) {
    SCOPED_TRACE(cookie ? "cookie" : "group mismatch");
    Recorder r;
    auto cc = client_config();
    auto sc = server_with(r.later());
    if (cookie) {
      sc->require_cookie = true;
    } else {
      cc->key_share_groups = {NamedGroup::x25519};
      sc->groups = {NamedGroup::secp256r1, NamedGroup::x25519};
    }
    Started s = start(cc, sc);
    // The first ClientHello is answered with the HelloRetryRequest only.
    EXPECT_EQ(r.calls, 0);
    EXPECT_EQ(s.server->wait(), Wait::read);
    transfer(*s.server, *s.client);
    transfer(*s.client, *s.server);  // the second ClientHello
    EXPECT_EQ(r.calls, 1);
    EXPECT_EQ(s.server->wait(), Wait::server_certificate);
    EXPECT_TRUE(s.server->pending_output().empty());
    EXPECT_EQ(r.last.server_name, "localhost");
    r.pending->provide(rsa_snapshot());
    ASSERT_TRUE(s.server->resume()) << err(*s.server);
    ASSERT_TRUE(pump_handshake(*s.client, *s.server)) << err(*s.client) << " / " << err(*s.server);
    EXPECT_TRUE(s.client->info().hello_retry_request);
    EXPECT_EQ(r.calls, 1);
    EXPECT_EQ(leaf_issuer(*s.client), kRsaIssuer);
  }
}

TEST(ServerCredentialsAsync13, ResumptionDoesNotCallIt) {
  Recorder r;
  auto sc = server_with(r.now(ecdsa_snapshot()));
  auto cc = client_config();
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  transfer(*server, *client);  // the tickets
  auto sessions = client->take_sessions();
  ASSERT_FALSE(sessions.empty());
  EXPECT_EQ(r.calls, 1);
  auto client2 = Connection::client(cc, "localhost", sessions.front());
  auto server2 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client2, *server2)) << err(*client2) << " / " << err(*server2);
  EXPECT_TRUE(server2->info().resumed);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(server2->wait(), Wait::none);
}

TEST(ServerCredentialsAsync13, SeesTheServerNameSchemesStatusAndAlpn) {
  Recorder r;
  auto cc = client_config();
  cc->signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::ecdsa_secp256r1_sha256};
  cc->alpn = {"h2", "http/1.1"};
  auto sc = server_with(r.now(rsa_snapshot()));
  sc->alpn = {"http/1.1"};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(r.last.server_name, "localhost");
  EXPECT_EQ(r.last.signature_schemes, cc->signature_schemes);
  EXPECT_TRUE(r.last.status_requested);  // the default soft OCSP policy asks
  EXPECT_EQ(r.last.alpn, "http/1.1");

  // No SNI, no status_request, no ALPN.
  Recorder bare;
  auto cc2 = client_config();
  cc2->verify_peer = false;
  cc2->ocsp_policy = OcspPolicy::ignore;
  auto client2 = Connection::client(cc2, "");
  auto server2 = Connection::server(server_with(bare.now(ecdsa_snapshot())));
  ASSERT_TRUE(pump_handshake(*client2, *server2)) << err(*client2) << " / " << err(*server2);
  EXPECT_EQ(bare.calls, 1);
  EXPECT_EQ(bare.last.server_name, "");
  EXPECT_FALSE(bare.last.status_requested);
  EXPECT_EQ(bare.last.alpn, "");
  EXPECT_FALSE(bare.last.signature_schemes.empty());
}

TEST(ServerCredentialsAsync13, TheSnapshotIsChosenFromBySniAndScheme) {
  const auto& ecdsa = test_pki().ecdsa();
  // The wrong-host certificate comes first: the SNI match wins.
  Recorder r;
  auto sc = server_with(r.now(snapshot(
      {testing::credential_from(ecdsa.server_wrong_host, {&ecdsa.intermediate}), ecdsa.server_credential()})));
  auto client = Connection::client(client_config(), "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(client->peer_subject(), "CN=localhost,O=vouch-test");

  // A client that only takes RSA-PSS gets the RSA credential of the snapshot.
  Recorder r2;
  auto cc = client_config();
  cc->signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
  auto server2 = Connection::server(server_with(r2.now(snapshot({ecdsa.server_credential(),
                                                                   test_pki().rsa().server_credential()}))));
  auto client2 = Connection::client(cc, "localhost");
  ASSERT_TRUE(pump_handshake(*client2, *server2)) << err(*client2) << " / " << err(*server2);
  EXPECT_EQ(leaf_issuer(*client2), kRsaIssuer);
}

TEST(ServerCredentialsAsync13, TakesPrecedenceOverTheOtherSources) {
  Recorder r;
  auto sc = server_with(r.now(rsa_snapshot()));
  sc->credentials.push_back(test_pki().ecdsa().server_credential());
  sc->credential_source = [] {
    ADD_FAILURE() << "the asynchronous source takes precedence";
    return CredentialSnapshot();
  };
  auto client = Connection::client(client_config(), "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(r.calls, 1);
  EXPECT_EQ(leaf_issuer(*client), kRsaIssuer);
}

TEST(ServerCredentialsAsync13, AHandleOutlivingItsConnectionIsHarmless) {
  Recorder r;
  {
    Started s = start(client_config(), server_with(r.later()));
    ASSERT_EQ(s.server->wait(), Wait::server_certificate);
  }
  ASSERT_TRUE(r.pending);
  r.pending->provide(rsa_snapshot());
  EXPECT_TRUE(r.pending->ready());
}

TEST(ServerCredentialsAsync13, PendingCredentialsKeepsTheFirstAnswer) {
  PendingCredentials p;
  EXPECT_FALSE(p.ready());
  EXPECT_FALSE(PendingAccess::take(p));
  p.provide(rsa_snapshot());
  p.fail(fail(Alert::internal_error, "ignored"));
  EXPECT_TRUE(p.ready());
  auto answer = PendingAccess::take(p);
  ASSERT_TRUE(answer);
  ASSERT_TRUE(*answer);
  EXPECT_EQ((**answer)->size(), 1u);
  // Taken once; a later answer is still ignored.
  p.fail(fail(Alert::internal_error, "ignored too"));
  EXPECT_FALSE(PendingAccess::take(p));
  EXPECT_TRUE(p.ready());
}

}  // namespace
}  // namespace vouch
