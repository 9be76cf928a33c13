// A TLS 1.3 client's NewSessionTickets (RFC 8446 §4.6.1) before the
// application takes them: without a session cache each ticket waits in its
// compact form and Connection::take_sessions() makes the Sessions (issue 13:
// an idle client holds no copy of the server's chain per ticket), at most
// the 16 newest; with a session cache each session is made on arrival, put
// in the cache and handed out by take_sessions() as well. Either way the
// sessions share the connection's chain (CertChain) rather than copy it.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;

struct Pair {
  std::unique_ptr<Connection> client, server;
};

Pair connect(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
             std::shared_ptr<const Session> session = nullptr) {
  Pair p{Connection::client(cc, "localhost", std::move(session)), Connection::server(sc)};
  EXPECT_TRUE(pump_handshake(*p.client, *p.server));
  testing::transfer(*p.server, *p.client);  // the tickets
  return p;
}

TEST(ReceivedTickets13, SessionsAreMadeWhenTakenAndCarryTheConnectionsState) {
  auto cc = client_config_for("ecdsa");
  cc->alpn = {"h2"};
  auto sc = server_config_for("ecdsa");
  sc->alpn = {"h2"};
  sc->num_tickets = 3;
  Pair p = connect(cc, sc);
  auto sessions = p.client->take_sessions();
  ASSERT_EQ(sessions.size(), 3u);
  std::set<std::string> tickets, psks;
  for (const auto& s : sessions) {
    EXPECT_EQ(s->version, ProtocolVersion::tls13);
    EXPECT_EQ(s->cipher_suite, p.client->info().cipher_suite);
    EXPECT_EQ(s->server_name, "localhost");
    EXPECT_EQ(s->alpn, "h2");
    EXPECT_EQ(s->peer_chain, p.client->peer_chain());
    EXPECT_EQ(&s->peer_chain.certs(), &p.client->peer_chain()) << "the connection's chain, shared, not a copy";
    EXPECT_FALSE(s->ocsp.from_session);
    EXPECT_EQ(s->psk.size(), 32u);
    tickets.emplace(s->ticket.begin(), s->ticket.end());
    psks.emplace(s->psk.begin(), s->psk.end());
  }
  EXPECT_EQ(tickets.size(), 3u) << "each session its own ticket";
  EXPECT_EQ(psks.size(), 3u) << "each ticket its own PSK (its nonce, §4.6.1)";
  EXPECT_TRUE(p.client->take_sessions().empty()) << "taken once";
  // Each resumes.
  for (const auto& s : sessions) {
    Pair again = connect(cc, sc, s);
    EXPECT_TRUE(again.client->info().resumed);
    EXPECT_EQ(again.client->peer_chain(), p.client->peer_chain());
  }
}

TEST(ReceivedTickets13, AtMostTheSixteenNewestWait) {
  auto cc = client_config_for("ecdsa");
  auto sc = server_config_for("ecdsa");
  sc->num_tickets = 20;
  Pair p = connect(cc, sc);
  auto sessions = p.client->take_sessions();
  ASSERT_EQ(sessions.size(), 16u);
  Pair again = connect(cc, sc, sessions.back());
  EXPECT_TRUE(again.client->info().resumed);
}

TEST(ReceivedTickets13, WithASessionCacheEachSessionIsMadeOnArrival) {
  auto cc = client_config_for("ecdsa");
  cc->session_cache = std::make_shared<SessionCache>(4);
  auto sc = server_config_for("ecdsa");
  sc->num_tickets = 20;
  Pair p = connect(cc, sc);
  EXPECT_EQ(cc->session_cache->size(), 4u) << "the cache keeps its own bound";
  auto sessions = p.client->take_sessions();
  EXPECT_EQ(sessions.size(), 20u) << "already made: none dropped";
  for (const auto& s : sessions) EXPECT_EQ(&s->peer_chain.certs(), &p.client->peer_chain());
}

}  // namespace
}  // namespace vouch
