// Native options the OpenSSL-compatible layer maps TLS 1.2 behaviour onto,
// in memory between a vouch client and a vouch server:
//  - ServerConfig::tickets12 (OpenSSL's SSL_OP_NO_TICKET; num_tickets counts
//    TLS 1.3 tickets only there): false keeps sessions under session IDs
//    whatever num_tickets says, true sends tickets with num_tickets 0;
//  - ServerConfig::client_auth12: a server that asks only after the
//    handshake in TLS 1.3 asks during a TLS 1.2 handshake;
//  - RevocationContext::certificate_requested in TLS 1.2: the client's
//    revocation check runs at ServerHelloDone and knows whether a
//    certificate was asked for, before the certificate selector runs.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/loopback.h"
#include "support/pki.h"
#include "vouch/revocation.h"
#include "vouch/session.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;

std::string errors_of(const Connection& c, const Connection& s) {
  return "client: " + (c.error() ? c.error()->to_string() : std::string("ok")) +
         " / server: " + (s.error() ? s.error()->to_string() : std::string("ok"));
}

TEST(OpensslOptions12, Tickets12DecidesBetweenTicketsAndSessionIds) {
  struct Case {
    std::optional<bool> tickets12;
    unsigned num_tickets;
    bool expect_ticket;
  };
  for (Case k : {Case{std::nullopt, 2, true}, Case{std::nullopt, 0, false}, Case{false, 2, false},
                 Case{true, 0, true}}) {
    SCOPED_TRACE(::testing::Message() << "tickets12=" << (k.tickets12 ? (*k.tickets12 ? "true" : "false") : "unset")
                                    << " num_tickets=" << k.num_tickets);
    auto cc = client_config_for("ecdsa");
    cc->max_version = ProtocolVersion::tls12;
    auto sc = server_config_for("ecdsa");
    sc->tickets12 = k.tickets12;
    sc->num_tickets = k.num_tickets;
    sc->ticket_keys = std::make_shared<TicketKeys>();
    sc->session_cache12 = std::make_shared<ServerSessionCache>();
    auto c = Connection::client(cc, "localhost");
    auto s = Connection::server(sc);
    ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
    auto sessions = c->take_sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(!sessions.front()->ticket.empty(), k.expect_ticket);
    EXPECT_EQ(!sessions.front()->session_id.empty(), !k.expect_ticket);
    // Either way the session resumes.
    auto again = Connection::client(cc, "localhost", sessions.front());
    auto s2 = Connection::server(sc);
    ASSERT_TRUE(pump_handshake(*again, *s2)) << errors_of(*again, *s2);
    EXPECT_TRUE(again->info().resumed);
  }
}

TEST(OpensslOptions12, ClientAuth12AsksInTls12Only) {
  for (ProtocolVersion v : {ProtocolVersion::tls12, ProtocolVersion::tls13}) {
    auto cc = client_config_for("ecdsa");
    cc->min_version = cc->max_version = v;
    cc->client_credentials = {testing::test_pki().ecdsa().client_credential()};
    auto sc = server_config_for("ecdsa");
    sc->client_auth = ClientAuth::none;
    sc->client_auth12 = ClientAuth::required;
    sc->client_trust = testing::test_pki().ecdsa().trust();
    auto c = Connection::client(cc, "localhost");
    auto s = Connection::server(sc);
    ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
    EXPECT_EQ(s->peer_chain().empty(), v == ProtocolVersion::tls13) << to_string(v);
  }
}

// Records what the revocation check saw, and in which order it and the
// certificate selector ran.
class RecordingProvider : public RevocationProvider {
 public:
  explicit RecordingProvider(std::vector<std::string>& log) : log_(log) {}
  std::string name() const override { return "recording"; }
  Status check(const RevocationContext& ctx) const override {
    log_.push_back(std::string("revocation check, certificate requested=") +
                   (ctx.certificate_requested ? "yes" : "no"));
    return {};
  }

 private:
  std::vector<std::string>& log_;
};

TEST(OpensslOptions12, RevocationCheckKnowsWhetherACertificateWasRequested) {
  for (ClientAuth ask : {ClientAuth::none, ClientAuth::optional}) {
    std::vector<std::string> log;
    auto cc = client_config_for("ecdsa");
    cc->max_version = ProtocolVersion::tls12;
    cc->revocation_providers.push_back(std::make_shared<RecordingProvider>(log));
    cc->client_certificate_selector = [&log](const CertificateRequestInfo&,
                                             std::shared_ptr<PendingClientCertificate>) {
      log.push_back("selector");
      return ClientCertificateChoice::no_certificate();
    };
    auto sc = server_config_for("ecdsa");
    sc->client_auth = ask;
    sc->client_trust = testing::test_pki().ecdsa().trust();
    auto c = Connection::client(cc, "localhost");
    auto s = Connection::server(sc);
    ASSERT_TRUE(pump_handshake(*c, *s)) << errors_of(*c, *s);
    const std::vector<std::string> expected =
        ask == ClientAuth::none ? std::vector<std::string>{"revocation check, certificate requested=no"}
                                : std::vector<std::string>{"revocation check, certificate requested=yes", "selector"};
    EXPECT_EQ(log, expected);
  }
}

}  // namespace
}  // namespace vouch
