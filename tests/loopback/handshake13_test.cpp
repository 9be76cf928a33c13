// In-memory TLS 1.3 handshakes between a vouch client and a vouch server:
// every suite × group × certificate type, HRR, resumption, KeyUpdate and
// application data both ways.
#include <gtest/gtest.h>

#include <optional>
#include <tuple>
#include <utility>

#include "crypto/hash.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::send_and_receive;
using testing::server_config_for;

using Params = std::tuple<CipherSuite, NamedGroup, std::string>;

class Handshake13Matrix : public ::testing::TestWithParam<Params> {};

TEST_P(Handshake13Matrix, CompletesAndCarriesData) {
  const auto [suite, group, family] = GetParam();
  auto cc = client_config_for(family);
  cc->cipher_suites = {suite};
  cc->groups = {group};
  cc->key_share_groups = {group};
  auto sc = server_config_for(family);
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server))
      << (client->error() ? client->error()->to_string() : "")
      << (server->error() ? server->error()->to_string() : "");
  // Every HKDF key the handshake used was wiped before start()/receive()
  // returned (crypto/hash.h, HmacWipeScope).
  EXPECT_FALSE(hmac_wipe_pending());
  EXPECT_EQ(client->info().version, ProtocolVersion::tls13);
  EXPECT_EQ(client->info().cipher_suite, suite);
  EXPECT_EQ(server->info().cipher_suite, suite);
  EXPECT_EQ(client->info().group, group);
  EXPECT_EQ(server->info().group, group);
  EXPECT_FALSE(client->info().hello_retry_request);
  EXPECT_EQ(server->info().server_name, "localhost");
  EXPECT_EQ(client->peer_subject(), "CN=localhost,O=vouch-test");
  EXPECT_EQ(send_and_receive(*client, *server, "ping"), "ping");
  EXPECT_EQ(send_and_receive(*server, *client, "pong"), "pong");
  // A large write is fragmented into ≤ 2^14-byte records and reassembled.
  std::string big(100000, 'x');
  EXPECT_EQ(send_and_receive(*client, *server, big), big);
}

INSTANTIATE_TEST_SUITE_P(
    AllSuitesGroupsCerts, Handshake13Matrix,
    ::testing::Combine(::testing::Values(CipherSuite::TLS_AES_128_GCM_SHA256,
                                         CipherSuite::TLS_AES_256_GCM_SHA384,
                                         CipherSuite::TLS_CHACHA20_POLY1305_SHA256),
                       ::testing::Values(NamedGroup::x25519, NamedGroup::secp256r1,
                                         NamedGroup::secp384r1),
                       ::testing::Values(std::string("ecdsa"), std::string("rsa"))),
    [](const ::testing::TestParamInfo<Params>& p) {
      return to_string(std::get<0>(p.param)) + "_" + to_string(std::get<1>(p.param)) + "_" +
             std::get<2>(p.param);
    });

TEST(Handshake13, HelloRetryRequestOnGroupMismatch) {
  auto cc = client_config_for("ecdsa");
  cc->key_share_groups = {NamedGroup::x25519};
  auto sc = server_config_for("ecdsa");
  sc->groups = {NamedGroup::secp384r1, NamedGroup::x25519};  // server prefers P-384
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_TRUE(client->info().hello_retry_request);
  EXPECT_TRUE(server->info().hello_retry_request);
  EXPECT_EQ(client->info().group, NamedGroup::secp384r1);
  EXPECT_EQ(send_and_receive(*client, *server, "after hrr"), "after hrr");
}

TEST(Handshake13, HelloRetryRequestWithCookie) {
  auto cc = client_config_for("ecdsa");
  auto sc = server_config_for("ecdsa");
  sc->require_cookie = true;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_TRUE(client->info().hello_retry_request);
  EXPECT_EQ(client->info().group, NamedGroup::x25519);
}

TEST(Handshake13, WithoutMiddleboxCompatibility) {
  auto cc = client_config_for("rsa");
  cc->middlebox_compat = false;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("rsa"));
  ASSERT_TRUE(pump_handshake(*client, *server));
}

TEST(Handshake13, ServerPreferenceForSuites) {
  auto cc = client_config_for("ecdsa");
  cc->cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_CHACHA20_POLY1305_SHA256};
  auto sc = server_config_for("ecdsa");
  sc->cipher_suites = {CipherSuite::TLS_CHACHA20_POLY1305_SHA256, CipherSuite::TLS_AES_128_GCM_SHA256};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_EQ(client->info().cipher_suite, CipherSuite::TLS_CHACHA20_POLY1305_SHA256);
}

TEST(Handshake13, Alpn) {
  auto cc = client_config_for("ecdsa");
  cc->alpn = {"http/1.1", "h2"};
  auto sc = server_config_for("ecdsa");
  sc->alpn = {"h2", "http/1.1"};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_EQ(client->info().alpn, "h2");
  EXPECT_EQ(server->info().alpn, "h2");
}

TEST(Handshake13, AlpnWithoutOverlapFails) {
  auto cc = client_config_for("ecdsa");
  cc->alpn = {"h2"};
  auto sc = server_config_for("ecdsa");
  sc->alpn = {"smtp"};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::no_application_protocol);
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::no_application_protocol);
  EXPECT_TRUE(client->error()->from_peer);
}

TEST(Handshake13, ResumptionWithTicket) {
  auto cache = std::make_shared<SessionCache>();
  auto cc = client_config_for("ecdsa");
  cc->session_cache = cache;
  auto sc = server_config_for("ecdsa");
  {
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(sc);
    ASSERT_TRUE(pump_handshake(*client, *server));
    EXPECT_FALSE(client->info().resumed);
    // Tickets arrive after the handshake.
    testing::transfer(*server, *client);
    EXPECT_EQ(cache->size(), 2u);
  }
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server))
      << (client->error() ? client->error()->to_string() : "")
      << (server->error() ? server->error()->to_string() : "");
  EXPECT_TRUE(client->info().resumed);
  EXPECT_TRUE(server->info().resumed);
  EXPECT_EQ(client->peer_subject(), "CN=localhost,O=vouch-test");  // from the session
  EXPECT_EQ(send_and_receive(*client, *server, "resumed"), "resumed");
}

// ServerConfig::num_tickets_resumed: after a resumed handshake the server
// sends that many tickets (capped by num_tickets), after a full one
// num_tickets — what OpenSSL does with at most one after a resumption.
TEST(Handshake13, TicketsAfterResumptionFollowNumTicketsResumed) {
  // The tickets the client holds after a full handshake, then after one
  // resumption (which may use up the ticket it offered).
  auto held = [](std::optional<unsigned> resumed) {
    auto cache = std::make_shared<SessionCache>(16);
    auto cc = client_config_for("ecdsa");
    cc->session_cache = cache;
    auto sc = std::make_shared<ServerConfig>(*server_config_for("ecdsa"));
    sc->num_tickets = 3;
    sc->num_tickets_resumed = resumed;
    std::pair<size_t, size_t> sizes;
    for (int i = 0; i < 2; ++i) {
      auto client = Connection::client(cc, "localhost");
      auto server = Connection::server(sc);
      EXPECT_TRUE(pump_handshake(*client, *server));
      EXPECT_EQ(client->info().resumed, i == 1);
      testing::transfer(*server, *client);
      (i == 0 ? sizes.first : sizes.second) = cache->size();
    }
    return sizes;
  };
  const auto unset = held(std::nullopt);
  EXPECT_EQ(unset.first, 3u);
  const size_t used = unset.first + 3 - unset.second;  // tickets a resumption uses up
  EXPECT_EQ(held(1u), std::make_pair(size_t{3}, 3 - used + 1));
  EXPECT_EQ(held(0u), std::make_pair(size_t{3}, 3 - used));
  EXPECT_EQ(held(7u), unset);  // capped by num_tickets
}

TEST(Handshake13, ResumptionAfterHelloRetryRequest) {
  auto cc = client_config_for("ecdsa");
  auto sc = server_config_for("ecdsa");
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  testing::transfer(*server, *client);
  auto sessions = client->take_sessions();
  ASSERT_FALSE(sessions.empty());
  auto sc2 = std::make_shared<ServerConfig>(*sc);
  sc2->groups = {NamedGroup::secp256r1};  // forces an HRR on resumption
  auto client2 = Connection::client(cc, "localhost", sessions.front());
  auto server2 = Connection::server(sc2);
  ASSERT_TRUE(pump_handshake(*client2, *server2))
      << (client2->error() ? client2->error()->to_string() : "")
      << (server2->error() ? server2->error()->to_string() : "");
  EXPECT_TRUE(client2->info().hello_retry_request);
  EXPECT_TRUE(client2->info().resumed);
}

TEST(Handshake13, TicketFromAnotherKeyringIsIgnored) {
  auto cc = client_config_for("ecdsa");
  auto sc = server_config_for("ecdsa");
  sc->ticket_keys = std::make_shared<TicketKeys>();
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  testing::transfer(*server, *client);
  auto sessions = client->take_sessions();
  ASSERT_FALSE(sessions.empty());
  auto sc2 = std::make_shared<ServerConfig>(*sc);
  sc2->ticket_keys = std::make_shared<TicketKeys>();
  auto client2 = Connection::client(cc, "localhost", sessions.front());
  auto server2 = Connection::server(sc2);
  ASSERT_TRUE(pump_handshake(*client2, *server2));
  EXPECT_FALSE(client2->info().resumed);  // full handshake instead
}

TEST(Handshake13, KeyUpdateBothWays) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server));
  testing::transfer(*server, *client);  // tickets
  ASSERT_TRUE(client->key_update(/*request_peer_update=*/false).ok());
  EXPECT_EQ(send_and_receive(*client, *server, "after update"), "after update");
  EXPECT_EQ(send_and_receive(*server, *client, "server old key"), "server old key");
  // Requesting an update makes the peer update its own sending keys too.
  ASSERT_TRUE(server->key_update(/*request_peer_update=*/true).ok());
  testing::transfer(*server, *client);
  testing::transfer(*client, *server);  // the client's answering KeyUpdate
  EXPECT_EQ(send_and_receive(*client, *server, "both updated"), "both updated");
  EXPECT_EQ(send_and_receive(*server, *client, "and back"), "and back");
  EXPECT_FALSE(client->failed());
  EXPECT_FALSE(server->failed());
}

TEST(Handshake13, CloseNotify) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->close().ok());
  testing::transfer(*client, *server);
  EXPECT_TRUE(server->peer_closed());
  EXPECT_FALSE(server->failed());
  EXPECT_FALSE(client->write(ByteView()).ok() && client->write(Bytes{1}).ok());
}

struct BadCertCase {
  const char* name;
  Alert alert;
};

TEST(Handshake13, WrongHostnameIsBadCertificate) {
  auto client = Connection::client(client_config_for("ecdsa"), "not-localhost.example");
  auto server = Connection::server(server_config_for("ecdsa"));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::bad_certificate);
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::bad_certificate);
  EXPECT_TRUE(server->error()->from_peer);
}

TEST(Handshake13, UntrustedRootIsUnknownCa) {
  auto cc = client_config_for("rsa");  // trusts only the RSA root
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::unknown_ca);
}

TEST(Handshake13, ExpiredCertificate) {
  auto sc = std::make_shared<ServerConfig>();
  const auto& f = testing::test_pki().ecdsa();
  sc->credentials.push_back(testing::credential_from(f.server_expired, {&f.intermediate}));
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::certificate_expired);
}

TEST(Handshake13, NoCommonSuite) {
  auto cc = client_config_for("ecdsa");
  cc->cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  auto sc = server_config_for("ecdsa");
  sc->cipher_suites = {CipherSuite::TLS_AES_256_GCM_SHA384};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  EXPECT_EQ(server->error()->alert, Alert::handshake_failure);
  EXPECT_EQ(client->error()->alert, Alert::handshake_failure);
}

TEST(Handshake13, NoCommonGroup) {
  auto cc = client_config_for("ecdsa");
  cc->groups = {NamedGroup::x25519};
  cc->key_share_groups = {NamedGroup::x25519};
  auto sc = server_config_for("ecdsa");
  sc->groups = {NamedGroup::secp256r1};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  EXPECT_EQ(server->error()->alert, Alert::handshake_failure);
}

}  // namespace
}  // namespace vouch
