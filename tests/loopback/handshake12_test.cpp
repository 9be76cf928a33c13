// In-memory TLS 1.2 handshakes between a vouch client and a vouch server
// (RFC 5246 with RFC 8422 ECDHE, RFC 7627 EMS, RFC 5746, RFC 5077): every
// suite × group × certificate type, the version matrix of both roles, the
// downgrade sentinel, resumption by ticket and by session ID, and the
// application data both ways.
#include <gtest/gtest.h>

#include <tuple>

#include "handshake/test_hooks.h"
#include "msg/messages.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "vouch/session.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::send_and_receive;
using testing::server_config_for;

std::string errors_of(const Connection& c, const Connection& s) {
  return "client: " + (c.error() ? c.error()->to_string() : std::string("ok")) +
         " / server: " + (s.error() ? s.error()->to_string() : std::string("ok"));
}

using Params = std::tuple<CipherSuite, NamedGroup>;

class Handshake12Matrix : public ::testing::TestWithParam<Params> {};

TEST_P(Handshake12Matrix, CompletesAndCarriesData) {
  const auto [suite, group] = GetParam();
  const bool ecdsa = suite == CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ||
                     suite == CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ||
                     suite == CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
  const std::string family = ecdsa ? "ecdsa" : "rsa";
  auto cc = client_config_for(family);
  cc->max_version = ProtocolVersion::tls12;
  cc->cipher_suites12 = {suite};
  cc->groups = {group};
  // RFC 8422 §5.3: in TLS 1.2 supported_groups also names the curves an
  // ECDSA certificate may use; the test certificates are on P-256.
  if (ecdsa && group != NamedGroup::secp256r1) cc->groups.push_back(NamedGroup::secp256r1);
  auto sc = server_config_for(family);
  sc->groups = {group};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << errors_of(*client, *server);
  EXPECT_EQ(client->info().version, ProtocolVersion::tls12);
  EXPECT_EQ(server->info().version, ProtocolVersion::tls12);
  EXPECT_EQ(client->info().cipher_suite, suite);
  EXPECT_EQ(server->info().cipher_suite, suite);
  EXPECT_EQ(client->info().group, group);
  EXPECT_EQ(server->info().server_name, "localhost");
  EXPECT_EQ(client->peer_subject(), "CN=localhost,O=vouch-test");
  EXPECT_EQ(send_and_receive(*client, *server, "ping"), "ping");
  EXPECT_EQ(send_and_receive(*server, *client, "pong"), "pong");
  std::string big(100000, 'x');
  EXPECT_EQ(send_and_receive(*client, *server, big), big);
  EXPECT_EQ(send_and_receive(*server, *client, big), big);
}

INSTANTIATE_TEST_SUITE_P(
    AllSuitesAndGroups, Handshake12Matrix,
    ::testing::Combine(::testing::Values(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                         CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                         CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                                         CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                         CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                                         CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256),
                       ::testing::Values(NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1)),
    [](const ::testing::TestParamInfo<Params>& p) {
      return to_string(std::get<0>(p.param)) + "_" + to_string(std::get<1>(p.param));
    });

// The 1.2 × 1.3 matrix of both roles: the highest version both speak wins,
// and disjoint ranges fail with protocol_version.
struct VersionCase {
  ProtocolVersion client_min, client_max, server_min, server_max;
  std::optional<ProtocolVersion> expected;  // nullopt: protocol_version
};

class VersionMatrix : public ::testing::TestWithParam<VersionCase> {};

TEST_P(VersionMatrix, HighestCommonVersionWins) {
  const VersionCase& v = GetParam();
  auto cc = client_config_for("ecdsa");
  cc->min_version = v.client_min;
  cc->max_version = v.client_max;
  auto sc = server_config_for("ecdsa");
  sc->min_version = v.server_min;
  sc->max_version = v.server_max;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  const bool ok = pump_handshake(*client, *server);
  if (!v.expected) {
    ASSERT_FALSE(ok);
    ASSERT_TRUE(client->failed());
    EXPECT_EQ(client->error()->alert, Alert::protocol_version) << errors_of(*client, *server);
    return;
  }
  ASSERT_TRUE(ok) << errors_of(*client, *server);
  EXPECT_EQ(client->info().version, *v.expected);
  EXPECT_EQ(server->info().version, *v.expected);
  EXPECT_EQ(send_and_receive(*client, *server, "v"), "v");
}

constexpr auto k12 = ProtocolVersion::tls12;
constexpr auto k13 = ProtocolVersion::tls13;
INSTANTIATE_TEST_SUITE_P(BothRoles, VersionMatrix,
                         ::testing::Values(VersionCase{k12, k13, k12, k13, k13}, VersionCase{k12, k13, k12, k12, k12},
                                           VersionCase{k12, k12, k12, k13, k12}, VersionCase{k13, k13, k12, k13, k13},
                                           VersionCase{k12, k13, k13, k13, k13}, VersionCase{k12, k12, k12, k12, k12},
                                           VersionCase{k13, k13, k12, k12, std::nullopt},
                                           VersionCase{k12, k12, k13, k13, std::nullopt}));

// RFC 7627: the extended master secret is negotiated, and each side can
// refuse a peer without it.
TEST(Handshake12, ExtendedMasterSecretRequiredByDefault) {
  auto cc = client_config_for("ecdsa");
  cc->max_version = ProtocolVersion::tls12;
  auto sc = server_config_for("ecdsa");
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << errors_of(*client, *server);
}

// RFC 8422 §5.3: the server's ECDSA certificate must be on a curve of the
// client's supported_groups. The test ECDSA certificate is on P-256: a
// client listing x25519 alone gets the RSA credential when the server has
// one, and a handshake_failure when it has not.
TEST(Handshake12, EcdsaCertificateOnlyOnACurveTheClientListed) {
  auto cc = client_config_for("ecdsa");
  cc->max_version = ProtocolVersion::tls12;
  cc->trust = TrustStore::from_pem_file(testing::test_pki().all_roots_path()).value();
  cc->groups = {NamedGroup::x25519};
  auto sc = server_config_for("ecdsa");
  sc->credentials.push_back(testing::test_pki().rsa().server_credential());
  {
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(sc);
    ASSERT_TRUE(pump_handshake(*client, *server)) << errors_of(*client, *server);
    EXPECT_EQ(client->info().cipher_suite, CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    EXPECT_EQ(client->info().group, NamedGroup::x25519);
  }
  sc->credentials.pop_back();
  {
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(sc);
    EXPECT_FALSE(pump_handshake(*client, *server));
    ASSERT_NE(server->error(), nullptr);
    EXPECT_EQ(server->error()->alert, Alert::handshake_failure) << server->error()->to_string();
  }
  // Listing P-256 too (for the certificate) keeps x25519 for the key exchange.
  cc->groups = {NamedGroup::x25519, NamedGroup::secp256r1};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << errors_of(*client, *server);
  EXPECT_EQ(client->info().cipher_suite, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  EXPECT_EQ(client->info().group, NamedGroup::x25519);
}

// Resumption by ticket (RFC 5077) and by session ID: the second connection
// is abbreviated, and the session keeps the server chain and OCSP report.
TEST(Handshake12, ResumesByTicket) {
  auto cc = client_config_for("ecdsa");
  cc->max_version = ProtocolVersion::tls12;
  auto sc = server_config_for("ecdsa");
  auto c1 = Connection::client(cc, "localhost");
  auto s1 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c1, *s1)) << errors_of(*c1, *s1);
  auto sessions = c1->take_sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]->version, ProtocolVersion::tls12);
  EXPECT_FALSE(sessions[0]->ticket.empty());
  EXPECT_TRUE(sessions[0]->extended_master_secret);

  auto c2 = Connection::client(cc, "localhost", sessions[0]);
  auto s2 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c2, *s2)) << errors_of(*c2, *s2);
  EXPECT_TRUE(c2->info().resumed);
  EXPECT_TRUE(s2->info().resumed);
  EXPECT_EQ(c2->peer_subject(), "CN=localhost,O=vouch-test");
  EXPECT_EQ(send_and_receive(*c2, *s2, "again"), "again");
  // A ticket in the first half of its lifetime is not renewed (RFC 5077
  // §3.3 leaves it to the server): the client keeps resuming with it.
  auto again = c2->take_sessions();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]->ticket, sessions[0]->ticket);
}

TEST(Handshake12, ResumesBySessionId) {
  auto cc = client_config_for("ecdsa");
  cc->max_version = ProtocolVersion::tls12;
  auto sc = server_config_for("ecdsa");
  sc->num_tickets = 0;  // no tickets: the server keeps the session by ID
  sc->session_cache12 = std::make_shared<ServerSessionCache>();
  auto c1 = Connection::client(cc, "localhost");
  auto s1 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c1, *s1)) << errors_of(*c1, *s1);
  auto sessions = c1->take_sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0]->ticket.empty());
  EXPECT_EQ(sessions[0]->session_id.size(), 32u);
  EXPECT_EQ(sc->session_cache12->size(), 1u);

  auto c2 = Connection::client(cc, "localhost", sessions[0]);
  auto s2 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c2, *s2)) << errors_of(*c2, *s2);
  EXPECT_TRUE(c2->info().resumed);
  EXPECT_TRUE(s2->info().resumed);
  EXPECT_EQ(send_and_receive(*s2, *c2, "by id"), "by id");
}


// A session is offered only in a handshake of its own version: a TLS 1.3
// ticket is never a TLS 1.2 session ticket and a TLS 1.2 session never a
// TLS 1.3 PSK. The ClientHellos are read to check what is offered.
struct OfferSeen {
  bool psk = false;             // pre_shared_key (TLS 1.3)
  bool ticket = false;          // a non-empty session_ticket (TLS 1.2)
};

// Records what the client's ClientHello offers, as it goes out.
std::shared_ptr<OfferSeen> watch_client_hello(Connection& client) {
  auto seen = std::make_shared<OfferSeen>();
  test_hooks::set_outgoing_message_hook(client, [seen](const Bytes& m) {
    ClientHello ch;
    if (!m.empty() && m[0] == static_cast<uint8_t>(HandshakeType::client_hello) &&
        parse(ByteView(m).subspan(kHandshakeHeaderLength), ch)) {
      seen->psk = ch.ext.psk_identities.has_value();
      seen->ticket = ch.ext.session_ticket && !ch.ext.session_ticket->empty();
    }
    return std::vector<Bytes>{m};
  });
  return seen;
}

std::shared_ptr<const Session> first_session(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc) {
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(sc);
  EXPECT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  auto sessions = c->take_sessions();
  return sessions.empty() ? nullptr : sessions.front();
}

TEST(Handshake12, Tls13SessionIsNotResumedByATls12Server) {
  auto cc = client_config_for("ecdsa");
  auto session13 = first_session(cc, server_config_for("ecdsa"));
  ASSERT_TRUE(session13);
  ASSERT_EQ(session13->version, ProtocolVersion::tls13);
  auto sc12 = server_config_for("ecdsa");
  sc12->max_version = ProtocolVersion::tls12;
  auto c = Connection::client(cc, "localhost", session13);
  auto s = Connection::server(sc12);
  auto seen = watch_client_hello(*c);
  ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
  EXPECT_TRUE(seen->psk);      // offered as what it is: a TLS 1.3 PSK
  EXPECT_FALSE(seen->ticket);  // never as a TLS 1.2 ticket
  EXPECT_EQ(c->info().version, ProtocolVersion::tls12);
  EXPECT_FALSE(c->info().resumed);
  EXPECT_FALSE(s->info().resumed);
}

TEST(Handshake12, Tls12SessionIsNeverOfferedAsTls13Psk) {
  auto cc12 = client_config_for("ecdsa");
  cc12->max_version = ProtocolVersion::tls12;
  auto session12 = first_session(cc12, server_config_for("ecdsa"));
  ASSERT_TRUE(session12);
  ASSERT_EQ(session12->version, ProtocolVersion::tls12);
  for (ProtocolVersion client_min : {ProtocolVersion::tls12, ProtocolVersion::tls13}) {
    auto cc = client_config_for("ecdsa");
    cc->min_version = client_min;
    auto c = Connection::client(cc, "localhost", session12);
    auto s = Connection::server(server_config_for("ecdsa"));
    auto seen = watch_client_hello(*c);
    ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
    EXPECT_FALSE(seen->psk);
    // Offered as a TLS 1.2 ticket only while TLS 1.2 is in the range.
    EXPECT_EQ(seen->ticket, client_min == ProtocolVersion::tls12);
    EXPECT_EQ(c->info().version, ProtocolVersion::tls13);
    EXPECT_FALSE(c->info().resumed);
  }
}


// ServerConfig::prefer_server_cipher_order: the server's order by default,
// the client's when turned off — in both versions.
TEST(Handshake12, CipherOrderServerOrClientPreference) {
  for (ProtocolVersion v : {ProtocolVersion::tls12, ProtocolVersion::tls13}) {
    for (bool server_first : {true, false}) {
      auto cc = client_config_for("ecdsa");
      cc->min_version = cc->max_version = v;
      cc->cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256, CipherSuite::TLS_AES_256_GCM_SHA384};
      cc->cipher_suites12 = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                             CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384};
      auto sc = server_config_for("ecdsa");
      sc->cipher_suites = {CipherSuite::TLS_AES_256_GCM_SHA384, CipherSuite::TLS_AES_128_GCM_SHA256};
      sc->cipher_suites12 = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                             CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
      sc->prefer_server_cipher_order = server_first;
      auto c = Connection::client(cc, "localhost");
      auto s = Connection::server(sc);
      ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
      const bool tls12 = v == ProtocolVersion::tls12;
      const CipherSuite expected =
          server_first ? (tls12 ? CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 : CipherSuite::TLS_AES_256_GCM_SHA384)
                       : (tls12 ? CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 : CipherSuite::TLS_AES_128_GCM_SHA256);
      EXPECT_EQ(c->info().cipher_suite, expected) << to_string(v) << " server_first=" << server_first;
    }
  }
}

// ServerConfig::prioritize_chacha: with the server's order, a client whose
// first suite is ChaCha20-Poly1305 gets ChaCha20 even though the server
// lists it last; a client preferring AES gets the server's first suite; off,
// the server's order wins — in both versions.
TEST(Handshake12, PrioritizeChachaForClientsThatPreferIt) {
  using CS = CipherSuite;
  for (ProtocolVersion v : {ProtocolVersion::tls12, ProtocolVersion::tls13}) {
    const bool tls12 = v == ProtocolVersion::tls12;
    for (bool prioritize : {false, true}) {
      for (bool client_chacha_first : {false, true}) {
        auto cc = client_config_for("ecdsa");
        cc->min_version = cc->max_version = v;
        cc->cipher_suites = client_chacha_first
                                ? std::vector<CS>{CS::TLS_CHACHA20_POLY1305_SHA256, CS::TLS_AES_128_GCM_SHA256}
                                : std::vector<CS>{CS::TLS_AES_128_GCM_SHA256, CS::TLS_CHACHA20_POLY1305_SHA256};
        cc->cipher_suites12 = client_chacha_first
                                  ? std::vector<CS>{CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                                                    CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
                                  : std::vector<CS>{CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                                    CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};
        auto sc = server_config_for("ecdsa");
        sc->cipher_suites = {CS::TLS_AES_128_GCM_SHA256, CS::TLS_CHACHA20_POLY1305_SHA256};
        sc->cipher_suites12 = {CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                               CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};
        sc->prioritize_chacha = prioritize;
        auto c = Connection::client(cc, "localhost");
        auto s = Connection::server(sc);
        ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
        const bool chacha = prioritize && client_chacha_first;
        const CS expected = chacha ? (tls12 ? CS::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
                                            : CS::TLS_CHACHA20_POLY1305_SHA256)
                                   : (tls12 ? CS::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 : CS::TLS_AES_128_GCM_SHA256);
        EXPECT_EQ(c->info().cipher_suite, expected)
            << to_string(v) << " prioritize=" << prioritize << " client_chacha_first=" << client_chacha_first;
      }
    }
  }
}

// ServerConfig::session_id_context: a session made under one context is
// not resumed by a server of another (tickets and IDs, both versions); the
// same context resumes.
TEST(Handshake12, SessionIdContextSeparatesSessions) {
  auto keys = std::make_shared<TicketKeys>();
  auto cache = std::make_shared<ServerSessionCache>();
  struct Case {
    ProtocolVersion version;
    bool tickets;
  };
  for (Case k : {Case{ProtocolVersion::tls12, true}, Case{ProtocolVersion::tls12, false},
                 Case{ProtocolVersion::tls13, true}}) {
    auto cc = client_config_for("ecdsa");
    cc->min_version = cc->max_version = k.version;
    auto server_with = [&](const std::string& context) {
      auto sc = server_config_for("ecdsa");
      sc->ticket_keys = keys;
      sc->session_cache12 = cache;
      if (!k.tickets) sc->num_tickets = 0;
      sc->session_id_context = Bytes(context.begin(), context.end());
      return sc;
    };
    auto session = first_session(cc, server_with("app-a"));
    ASSERT_TRUE(session);
    for (const std::string context : {"app-b", "app-a"}) {
      auto c = Connection::client(cc, "localhost", session);
      auto s = Connection::server(server_with(context));
      ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
      EXPECT_EQ(c->info().resumed, context == "app-a")
          << to_string(k.version) << " tickets=" << k.tickets << " context=" << context;
      if (c->info().resumed && k.version == ProtocolVersion::tls13) {
        // A TLS 1.3 ticket is used once; take the next one.
        auto fresh = c->take_sessions();
        if (!fresh.empty()) session = fresh.front();
      }
    }
  }
}

}  // namespace
}  // namespace vouch
