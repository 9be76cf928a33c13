// The handshake trace hook (vouch/trace.h): the exact event sequence of a
// TLS 1.3 mutual-TLS handshake with a stapled server certificate and of a
// TLS 1.2 one, seen from both sides; alerts; the readable lines.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/loopback.h"
#include "support/pki.h"
#include "support/staples.h"
#include "vouch/trace.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;
using testing::test_pki;

// Each event as its line, with message lengths left out (they vary with
// randomness in signatures and with the certificates) so the sequence can be
// compared exactly; the lengths are checked separately.
struct Recorder {
  std::vector<TraceEvent> events;
  // The client's staple verdict carries times: cut at its "(".
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const TraceEvent& e : events) {
      if (const auto* m = std::get_if<TraceMessage>(&e)) {
        TraceMessage copy = *m;
        copy.length = 0;
        out.push_back(to_string(TraceEvent(copy)));
      } else if (const auto* st = std::get_if<TraceStaple>(&e); st && st->decision == TraceStaple::Decision::checked) {
        const std::string line = to_string(e);
        out.push_back(line.substr(0, line.find(" (")));
      } else {
        out.push_back(to_string(e));
      }
    }
    return out;
  }
  std::vector<uint64_t> ids;
  TraceHook hook() {
    return [this](uint64_t id, const TraceEvent& e) {
      ids.push_back(id);
      events.push_back(e);
    };
  }
  // Every event came from one connection.
  bool one_connection() const {
    return !ids.empty() && std::all_of(ids.begin(), ids.end(), [&](uint64_t i) { return i == ids[0]; });
  }
};

struct Pair {
  std::shared_ptr<ClientConfig> cc;
  std::shared_ptr<ServerConfig> sc;
};

// ECDSA family, mutual TLS required, the server's leaf stapled (good).
Pair mtls_stapled(ProtocolVersion v, Recorder& client, Recorder& server) {
  Pair p{client_config_for("ecdsa"), server_config_for("ecdsa")};
  p.cc->min_version = p.cc->max_version = v;
  p.cc->client_credentials.push_back(test_pki().ecdsa().client_credential());
  p.cc->request_ocsp_multi = false;
  p.cc->trace = client.hook();
  p.sc->client_auth = ClientAuth::required;
  p.sc->client_trust = test_pki().ecdsa().trust();
  p.sc->credentials[0] = testing::stapled(p.sc->credentials[0], {testing::leaf_staple()});
  p.sc->trace = server.hook();
  return p;
}

size_t count_messages(const Recorder& r, TraceDirection d) {
  size_t n = 0;
  for (const TraceEvent& e : r.events)
    if (const auto* m = std::get_if<TraceMessage>(&e); m && m->direction == d) ++n;
  return n;
}

TEST(Trace, Tls13MutualStapledSequence) {
  Recorder ct, st;
  Pair p = mtls_stapled(ProtocolVersion::tls13, ct, st);
  auto client = Connection::client(p.cc, "localhost");
  auto server = Connection::server(p.sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  const std::string subject = test_pki().ecdsa().client_credential().subject();
  const std::string negotiated =
      "negotiated TLSv1.3 TLS_AES_128_GCM_SHA256 group=x25519 peer-sig=ecdsa_secp256r1_sha256 alpn=none";
  const std::vector<std::string> client_expected = {
      "sent ClientHello (0 bytes)",
      "received ServerHello (0 bytes)",
      "received EncryptedExtensions (0 bytes)",
      "received CertificateRequest (0 bytes)",
      "received Certificate (0 bytes)",
      "received CertificateVerify (0 bytes)",
      "received Finished (0 bytes)",
      "client-cert: sent '" + subject + "' (built-in rule; 1 acceptable CAs) [" + subject + ": chosen]",
      "sent Certificate (0 bytes)",
      "sent CertificateVerify (0 bytes)",
      "sent Finished (0 bytes)",
      negotiated + " sni=localhost full",
      "staple: received, good",
      // The tickets came in the same exchange as the server's last flight.
      "received NewSessionTicket (0 bytes)",
      "received NewSessionTicket (0 bytes)",
  };
  EXPECT_EQ(ct.lines(), client_expected) << ::testing::PrintToString(ct.lines());

  const std::vector<std::string> server_expected = {
      "received ClientHello (0 bytes)",
      "sent ServerHello (0 bytes)",
      "staple: stapled 1 response (from credential)",
      "sent EncryptedExtensions (0 bytes)",
      "sent CertificateRequest (0 bytes)",
      "sent Certificate (0 bytes)",
      "sent CertificateVerify (0 bytes)",
      "sent Finished (0 bytes)",
      "received Certificate (0 bytes)",
      "received CertificateVerify (0 bytes)",
      "received Finished (0 bytes)",
      // A TLS 1.3 server sends its tickets as the last step of its handshake.
      "sent NewSessionTicket (0 bytes)",
      "sent NewSessionTicket (0 bytes)",
      negotiated + " sni=localhost full",
  };
  // The server's peer signature is the client's CertificateVerify: the same
  // ECDSA scheme here.
  EXPECT_EQ(st.lines(), server_expected) << ::testing::PrintToString(st.lines());
  EXPECT_TRUE(ct.one_connection());
  EXPECT_TRUE(st.one_connection());
  EXPECT_NE(ct.ids[0], st.ids[0]);

  // Lengths: what one side sent is what the other received, message by message.
  std::vector<size_t> sent, received;
  for (const TraceEvent& e : ct.events)
    if (const auto* m = std::get_if<TraceMessage>(&e); m && m->direction == TraceDirection::sent)
      sent.push_back(m->length);
  for (const TraceEvent& e : st.events)
    if (const auto* m = std::get_if<TraceMessage>(&e); m && m->direction == TraceDirection::received)
      received.push_back(m->length);
  EXPECT_EQ(sent, received);
  for (size_t n : sent) EXPECT_GT(n, 0u);

  EXPECT_EQ(testing::send_and_receive(*server, *client, "x"), "x");
  EXPECT_EQ(count_messages(ct, TraceDirection::received), 8u);
  // close_notify both ways.
  ASSERT_TRUE(client->close());
  testing::transfer(*client, *server);
  EXPECT_EQ(ct.lines().back(), "sent alert close_notify (warning)");
  EXPECT_EQ(st.lines().back(), "received alert close_notify (warning)");
}

TEST(Trace, Tls12MutualStapledSequence) {
  Recorder ct, st;
  Pair p = mtls_stapled(ProtocolVersion::tls12, ct, st);
  auto client = Connection::client(p.cc, "localhost");
  auto server = Connection::server(p.sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  const std::string subject = test_pki().ecdsa().client_credential().subject();
  const std::string negotiated =
      "negotiated TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 group=x25519 peer-sig=ecdsa_secp256r1_sha256 "
      "alpn=none sni=localhost full";
  const std::vector<std::string> client_expected = {
      "sent ClientHello (0 bytes)",
      "received ServerHello (0 bytes)",
      "received Certificate (0 bytes)",
      "received CertificateStatus (0 bytes)",
      "received ServerKeyExchange (0 bytes)",
      "received CertificateRequest (0 bytes)",
      "received ServerHelloDone (0 bytes)",
      "client-cert: sent '" + subject + "' (built-in rule; 1 acceptable CAs) [" + subject + ": chosen]",
      "sent Certificate (0 bytes)",
      "sent ClientKeyExchange (0 bytes)",
      "sent CertificateVerify (0 bytes)",
      "sent Finished (0 bytes)",
      "received NewSessionTicket (0 bytes)",
      "received Finished (0 bytes)",
      negotiated,
      "staple: received, good",
  };
  EXPECT_EQ(ct.lines(), client_expected) << ::testing::PrintToString(ct.lines());

  const std::vector<std::string> server_expected = {
      "received ClientHello (0 bytes)",
      "staple: stapled 1 response (from credential)",
      "sent ServerHello (0 bytes)",
      "sent Certificate (0 bytes)",
      "sent CertificateStatus (0 bytes)",
      "sent ServerKeyExchange (0 bytes)",
      "sent CertificateRequest (0 bytes)",
      "sent ServerHelloDone (0 bytes)",
      "received Certificate (0 bytes)",
      "received ClientKeyExchange (0 bytes)",
      "received CertificateVerify (0 bytes)",
      "received Finished (0 bytes)",
      "sent NewSessionTicket (0 bytes)",
      "sent Finished (0 bytes)",
      negotiated,
  };
  EXPECT_EQ(st.lines(), server_expected) << ::testing::PrintToString(st.lines());
}

// A refused client: the server's fatal alert as sent and as received, and
// the client's selection when it has nothing that fits.
TEST(Trace, AlertsAndAnEmptyClientCertificate) {
  Recorder ct, st;
  auto cc = client_config_for("ecdsa");
  cc->trace = ct.hook();
  auto sc = server_config_for("ecdsa");
  sc->client_auth = ClientAuth::required;
  sc->client_trust = test_pki().ecdsa().trust();
  sc->trace = st.hook();
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  const std::vector<std::string> c = ct.lines(), s = st.lines();
  EXPECT_NE(std::find(c.begin(), c.end(), "client-cert: none sent (built-in rule; 1 acceptable CAs)"), c.end())
      << ::testing::PrintToString(c);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.back(), "sent alert certificate_required (fatal)");
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c.back(), "received alert certificate_required (fatal)");
}

// A HelloRetryRequest travels as a second ServerHello (RFC 8446 §4.1.4); the
// parameters say it happened. Resumption: no certificate, no staple decision.
TEST(Trace, HelloRetryRequestAndResumption) {
  Recorder ct, st;
  auto cc = client_config_for("ecdsa");
  cc->trace = ct.hook();
  auto sc = server_config_for("ecdsa");
  sc->require_cookie = true;
  sc->trace = st.hook();
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  const std::vector<std::string> c = ct.lines();
  EXPECT_EQ(std::count(c.begin(), c.end(), "sent ClientHello (0 bytes)"), 2) << ::testing::PrintToString(c);
  EXPECT_EQ(std::count(c.begin(), c.end(), "received ServerHello (0 bytes)"), 2) << ::testing::PrintToString(c);
  const auto negotiated = std::find_if(c.begin(), c.end(), [](const std::string& l) { return l.rfind("negotiated", 0) == 0; });
  ASSERT_NE(negotiated, c.end());
  EXPECT_NE(negotiated->find(" full hrr"), std::string::npos) << *negotiated;

  // Resume with the ticket the first connection received.
  std::vector<std::shared_ptr<const Session>> sessions = client->take_sessions();
  ASSERT_FALSE(sessions.empty());
  Recorder ct2, st2;
  auto cc2 = client_config_for("ecdsa");
  cc2->trace = ct2.hook();
  auto sc2 = std::make_shared<ServerConfig>(*sc);
  sc2->require_cookie = false;
  sc2->trace = st2.hook();
  auto resumed_client = Connection::client(cc2, "localhost", sessions.front());
  auto resumed_server = Connection::server(sc2);
  ASSERT_TRUE(pump_handshake(*resumed_client, *resumed_server));
  const std::vector<std::string> s2 = st2.lines();
  EXPECT_EQ(std::count_if(s2.begin(), s2.end(), [](const std::string& l) { return l.rfind("staple:", 0) == 0; }), 0)
      << ::testing::PrintToString(s2);
  EXPECT_EQ(std::count(s2.begin(), s2.end(), "sent Certificate (0 bytes)"), 0) << ::testing::PrintToString(s2);
  const auto r = std::find_if(s2.begin(), s2.end(), [](const std::string& l) { return l.rfind("negotiated", 0) == 0; });
  ASSERT_NE(r, s2.end()) << ::testing::PrintToString(s2);
  EXPECT_NE(r->find(" resumed"), std::string::npos) << *r;
}

// Post-handshake messages written outside the handshake flights: a
// post-handshake CertificateRequest and its answer (RFC 8446 §4.6.2), a
// KeyUpdate and the peer's answer (§4.6.3).
TEST(Trace, PostHandshakeAuthAndKeyUpdate) {
  Recorder ct, st;
  auto cc = client_config_for("ecdsa");
  cc->post_handshake_auth = true;
  cc->client_credentials.push_back(test_pki().ecdsa().client_credential());
  cc->trace = ct.hook();
  auto sc = server_config_for("ecdsa");
  sc->client_trust = test_pki().ecdsa().trust();
  sc->trace = st.hook();
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  const size_t client_before = ct.events.size(), server_before = st.events.size();
  ASSERT_TRUE(server->request_client_certificate().ok());
  testing::transfer(*server, *client);
  testing::transfer(*client, *server);
  ASSERT_FALSE(client->failed());
  ASSERT_FALSE(server->failed());
  const std::string subject = test_pki().ecdsa().client_credential().subject();
  std::vector<std::string> c = ct.lines(), s = st.lines();
  const std::vector<std::string> client_after(c.begin() + static_cast<long>(client_before), c.end());
  const std::vector<std::string> server_after(s.begin() + static_cast<long>(server_before), s.end());
  EXPECT_EQ(client_after, (std::vector<std::string>{
                              "received CertificateRequest (0 bytes)",
                              "client-cert (post-handshake): sent '" + subject + "' (built-in rule; 1 acceptable CAs) [" +
                                  subject + ": chosen]",
                              "sent Certificate (0 bytes)",
                              "sent CertificateVerify (0 bytes)",
                              "sent Finished (0 bytes)",
                          }));
  EXPECT_EQ(server_after, (std::vector<std::string>{
                              "sent CertificateRequest (0 bytes)",
                              "received Certificate (0 bytes)",
                              "received CertificateVerify (0 bytes)",
                              "received Finished (0 bytes)",
                          }));

  ASSERT_TRUE(client->key_update(/*request_peer_update=*/true).ok());
  testing::transfer(*client, *server);
  EXPECT_EQ(testing::send_and_receive(*server, *client, "after"), "after");
  c = ct.lines();
  s = st.lines();
  EXPECT_EQ(std::count(c.begin(), c.end(), "sent KeyUpdate (0 bytes)"), 1) << ::testing::PrintToString(c);
  EXPECT_EQ(std::count(c.begin(), c.end(), "received KeyUpdate (0 bytes)"), 1) << ::testing::PrintToString(c);
  EXPECT_EQ(std::count(s.begin(), s.end(), "received KeyUpdate (0 bytes)"), 1) << ::testing::PrintToString(s);
  EXPECT_EQ(std::count(s.begin(), s.end(), "sent KeyUpdate (0 bytes)"), 1) << ::testing::PrintToString(s);
  // A KeyUpdate body is one byte (§4.6.3).
  bool found = false;
  for (const TraceEvent& e : ct.events)
    if (const auto* m = std::get_if<TraceMessage>(&e); m && m->type == 24 && m->direction == TraceDirection::sent) {
      EXPECT_EQ(m->length, 1u);
      found = true;
    }
  EXPECT_TRUE(found);
}

// A hook that throws changes nothing.
TEST(Trace, ThrowingHookIsIgnored) {
  auto cc = client_config_for("ecdsa");
  cc->trace = [](uint64_t, const TraceEvent&) { throw std::runtime_error("trace hook failure"); };
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  EXPECT_TRUE(pump_handshake(*client, *server));
}

TEST(Trace, Lines) {
  EXPECT_EQ(to_string(TraceEvent(TraceMessage{TraceDirection::sent, 1, 512})), "sent ClientHello (512 bytes)");
  EXPECT_EQ(to_string(TraceEvent(TraceMessage{TraceDirection::received, 99, 3})), "received unknown(99) (3 bytes)");
  EXPECT_EQ(to_string(TraceEvent(TraceAlert{TraceDirection::received, Alert::handshake_failure, true})),
            "received alert handshake_failure (fatal)");
  TraceStaple st;
  st.decision = TraceStaple::Decision::not_requested;
  EXPECT_EQ(to_string(TraceEvent(st)), "staple: not requested by the client");
  st.decision = TraceStaple::Decision::stapled;
  st.count = 2;
  st.source = "hook";
  EXPECT_EQ(to_string(TraceEvent(st)), "staple: stapled 2 responses (from hook)");
  TraceNegotiated n;
  n.version = ProtocolVersion::tls13;
  n.cipher_suite = CipherSuite::TLS_AES_256_GCM_SHA384;
  n.alpn = "h2";
  n.resumed = true;
  EXPECT_EQ(to_string(TraceEvent(n)),
            "negotiated TLSv1.3 TLS_AES_256_GCM_SHA384 group=none peer-sig=none alpn=h2 resumed");
}

}  // namespace
}  // namespace vouch
