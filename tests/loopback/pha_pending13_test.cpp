// TLS 1.3 post-handshake authentication answered later (RFC 8446 §4.6.2:
// "servers MUST be prepared for some delay, including receiving an
// arbitrary number of other messages between sending the CertificateRequest
// and receiving a response"): the client's selector answers
// ClientCertificateChoice::pending(), the connection stays established, and
// the answer goes out once the handle is completed and resume() runs.
//
// The vouch server keeps one request outstanding at a time; tests that need
// more put extra messages in front of a server KeyUpdate through the
// outgoing-message test hook, so they arrive under the server's real keys.
#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include "handshake/test_hooks.h"
#include "msg/handshake_type.h"
#include "msg/messages.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::pump_handshake;
using testing::send_and_receive;
using testing::test_pki;
using testing::transfer;

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }

Credential client_credential() { return test_pki().ecdsa().client_credential(); }

/// What the client's selector saw: one handle per post-handshake request,
/// in the order the requests arrived.
struct Requests {
  std::vector<std::shared_ptr<PendingClientCertificate>> handles;
  int calls = 0;
  /// Calls after this many answer "no certificate" at once.
  int answer_later_first = 1000;
};

/// A client offering post_handshake_auth whose selector answers "later".
std::shared_ptr<ClientConfig> later_client(std::shared_ptr<Requests> seen) {
  auto cc = testing::client_config_for("ecdsa");
  cc->post_handshake_auth = true;
  cc->client_certificate_selector = [seen](const CertificateRequestInfo& r,
                                           std::shared_ptr<PendingClientCertificate> h) {
    EXPECT_TRUE(r.post_handshake);
    if (++seen->calls > seen->answer_later_first) return ClientCertificateChoice::no_certificate();
    seen->handles.push_back(std::move(h));
    return ClientCertificateChoice::pending();
  };
  return cc;
}

/// A server that asks for nothing in the handshake and verifies what a
/// post-handshake answer brings against the ECDSA test roots.
std::shared_ptr<ServerConfig> pha_server() {
  auto sc = testing::server_config_for("ecdsa");
  sc->client_auth = ClientAuth::none;
  sc->client_trust = test_pki().ecdsa().trust();
  return sc;
}

/// A CertificateRequest as a server would send it after the handshake.
Bytes certificate_request(const Bytes& context) {
  CertificateRequest cr;
  cr.certificate_request_context = context;
  cr.ext.signature_algorithms = std::vector<SignatureScheme>{
      SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::rsa_pss_rsae_sha256};
  Bytes body;
  Writer w(body);
  write(w, cr);
  Bytes msg;
  frame_handshake(HandshakeType::certificate_request, body, msg);
  return msg;
}

Bytes new_session_ticket(const Session& like, uint8_t nonce) {
  NewSessionTicket nst;
  nst.ticket_lifetime = like.lifetime_seconds;
  nst.ticket_age_add = like.age_add;
  nst.ticket_nonce = {nonce};
  nst.ticket = like.ticket;
  Bytes body;
  Writer w(body);
  write(w, nst);
  Bytes msg;
  frame_handshake(HandshakeType::new_session_ticket, body, msg);
  return msg;
}

/// Sends a server KeyUpdate with `extra` in front of it, in the same record.
Status key_update_after(Connection& server, std::vector<Bytes> extra) {
  auto queued = std::make_shared<std::vector<Bytes>>(std::move(extra));
  test_hooks::set_outgoing_message_hook(server, [queued](const Bytes& m) {
    std::vector<Bytes> out;
    if (m[0] == static_cast<uint8_t>(HandshakeType::key_update)) out.swap(*queued);
    out.push_back(m);
    return out;
  });
  return server.key_update(/*request_peer_update=*/false);
}

/// Records the certificate_request_context of each Certificate the client
/// sends, in wire order.
std::shared_ptr<std::vector<Bytes>> record_answers(Connection& client) {
  auto contexts = std::make_shared<std::vector<Bytes>>();
  test_hooks::set_outgoing_message_hook(client, [contexts](const Bytes& m) {
    if (m[0] == static_cast<uint8_t>(HandshakeType::certificate)) {
      Certificate c;
      if (parse(ByteView(m).subspan(4), c).ok()) contexts->push_back(c.certificate_request_context);
    }
    return std::vector<Bytes>{m};
  });
  return contexts;
}

class PhaPending13 : public ::testing::Test {
 protected:
  void SetUp() override {
    client = Connection::client(later_client(seen), "localhost");
    server = Connection::server(pha_server());
    ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
    ASSERT_EQ(seen->calls, 0);  // nothing asked in the handshake
  }

  /// The server asks; the client reads the request and its selector answers
  /// "later".
  void request() {
    ASSERT_TRUE(server->request_client_certificate().ok());
    Status s;
    transfer(*server, *client, &s);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
  }

  /// Completes nothing; checks the client waits as documented.
  void expect_waiting() {
    EXPECT_FALSE(client->failed()) << err(*client);
    EXPECT_EQ(client->wait(), Wait::client_certificate);
    EXPECT_TRUE(client->handshake_complete());
  }

  std::shared_ptr<Requests> seen = std::make_shared<Requests>();
  std::unique_ptr<Connection> client;
  std::unique_ptr<Connection> server;
};

TEST_F(PhaPending13, AnswerLaterWithCertificate) {
  request();
  expect_waiting();
  ASSERT_EQ(seen->handles.size(), 1u);
  EXPECT_TRUE(client->pending_output().empty());  // nothing sent before the answer
  // resume() before the answer keeps waiting and does not ask again.
  ASSERT_TRUE(client->resume().ok());
  expect_waiting();
  EXPECT_EQ(seen->calls, 1);
  EXPECT_TRUE(client->pending_output().empty());
  // The server has seen nothing yet.
  EXPECT_TRUE(server->post_handshake_auth_pending());
  EXPECT_TRUE(server->verified_peer_chain().empty());

  std::thread t([h = seen->handles[0]] { h->choose(client_credential()); });
  t.join();
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  EXPECT_EQ(client->wait(), Wait::none);
  ASSERT_TRUE(client->client_certificate().has_value());
  EXPECT_EQ(client->client_certificate()->subject(), client_credential().subject());
  Status s;
  transfer(*client, *server, &s);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_FALSE(server->post_handshake_auth_pending());
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
  EXPECT_EQ(seen->calls, 1);
  EXPECT_EQ(send_and_receive(*client, *server, "after"), "after");
}

TEST_F(PhaPending13, AnswerLaterWithoutCertificate) {
  request();
  expect_waiting();
  seen->handles.at(0)->decline();
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  EXPECT_EQ(client->wait(), Wait::none);
  EXPECT_FALSE(client->client_certificate().has_value());
  Status s;
  transfer(*client, *server, &s);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_FALSE(server->post_handshake_auth_pending());
  EXPECT_TRUE(server->peer_chain().empty());
  EXPECT_EQ(send_and_receive(*server, *client, "still open"), "still open");
}

TEST_F(PhaPending13, AbortFailsTheConnectionWithItsError) {
  request();
  seen->handles.at(0)->abort(fail(Alert::access_denied, "the user refused the certificate prompt"));
  Status s = client->resume();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().alert, Alert::access_denied);
  ASSERT_TRUE(client->failed());
  EXPECT_NE(client->error()->reason.find("refused"), std::string::npos) << err(*client);
  transfer(*client, *server);  // the alert
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::access_denied);
  EXPECT_TRUE(server->error()->from_peer);
}

TEST_F(PhaPending13, ApplicationDataFlowsBothWaysWhileWaiting) {
  request();
  expect_waiting();
  EXPECT_EQ(send_and_receive(*client, *server, "client to server"), "client to server");
  EXPECT_EQ(send_and_receive(*server, *client, "server to client"), "server to client");
  expect_waiting();
  EXPECT_TRUE(server->post_handshake_auth_pending());
  EXPECT_TRUE(server->verified_peer_chain().empty());
  seen->handles.at(0)->choose(client_credential());
  // receive() picks the answer up too, before what it reads.
  EXPECT_EQ(send_and_receive(*server, *client, "more"), "more");
  EXPECT_EQ(client->wait(), Wait::none);
  transfer(*client, *server);
  EXPECT_FALSE(server->failed()) << err(*server);
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
  EXPECT_EQ(send_and_receive(*client, *server, "done"), "done");
}

TEST_F(PhaPending13, TicketsAndKeyUpdatesAreProcessedWhileWaiting) {
  std::vector<std::shared_ptr<const Session>> tickets = client->take_sessions();
  ASSERT_FALSE(tickets.empty());  // from the handshake
  request();
  expect_waiting();
  // A NewSessionTicket (one the server issued, sent again with its nonce)
  // and a KeyUpdate asking for ours arrive while the request waits.
  test_hooks::set_outgoing_message_hook(*server, [&](const Bytes& m) {
    std::vector<Bytes> out{new_session_ticket(*tickets[0], 0)};
    out.push_back(m);
    return out;
  });
  ASSERT_TRUE(server->key_update(/*request_peer_update=*/true).ok());
  Status s;
  transfer(*server, *client, &s);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  expect_waiting();
  auto fresh = client->take_sessions();
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0]->psk, tickets[0]->psk);  // same nonce, same resumption secret
  ASSERT_FALSE(client->pending_output().empty());  // our KeyUpdate in return
  transfer(*client, *server, &s);
  ASSERT_TRUE(s.ok()) << s.error().to_string();

  // The answer, sent under the client's updated keys, still verifies: its
  // Finished uses the traffic secret both sides hold now (§4.4).
  seen->handles.at(0)->choose(client_credential());
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  transfer(*client, *server, &s);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
  EXPECT_EQ(send_and_receive(*client, *server, "c"), "c");
  EXPECT_EQ(send_and_receive(*server, *client, "s"), "s");

  // The ticket that arrived while waiting resumes.
  auto client2 = Connection::client(later_client(std::make_shared<Requests>()), "localhost", fresh[0]);
  auto server2 = Connection::server(pha_server());
  ASSERT_TRUE(pump_handshake(*client2, *server2)) << err(*client2) << " / " << err(*server2);
  EXPECT_TRUE(client2->info().resumed);
}

TEST_F(PhaPending13, TwoWaitingRequestsAreAnsweredInOrder) {
  auto sent = record_answers(*client);
  request();  // the server's own request: the first
  const Bytes second_context = {'s', 'e', 'c', 'o', 'n', 'd'};
  ASSERT_TRUE(key_update_after(*server, {certificate_request(second_context)}).ok());
  transfer(*server, *client);
  expect_waiting();
  ASSERT_EQ(seen->handles.size(), 2u);

  // The later request answered first waits behind the earlier one.
  seen->handles[1]->decline();
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  expect_waiting();
  EXPECT_TRUE(client->pending_output().empty());
  EXPECT_TRUE(sent->empty());

  seen->handles[0]->choose(client_credential());
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  EXPECT_EQ(client->wait(), Wait::none);
  ASSERT_EQ(sent->size(), 2u);
  EXPECT_EQ((*sent)[0].size(), 16u);  // the vouch server's random context
  EXPECT_NE((*sent)[0], second_context);
  EXPECT_EQ((*sent)[1], second_context);

  // The server gets the answer to its request first and verifies it; the
  // second answer is to a request it never made.
  transfer(*client, *server);
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::unexpected_message) << err(*server);
  EXPECT_EQ(seen->calls, 2);
}

TEST_F(PhaPending13, LaterRequestAnsweredAtOnceWaitsBehindTheFirst) {
  seen->answer_later_first = 1;  // the second request is answered by the selector itself
  auto sent = record_answers(*client);
  request();
  const Bytes second_context = {2};
  ASSERT_TRUE(key_update_after(*server, {certificate_request(second_context)}).ok());
  transfer(*server, *client);
  expect_waiting();
  EXPECT_EQ(seen->calls, 2);
  EXPECT_TRUE(client->pending_output().empty());
  EXPECT_TRUE(sent->empty());
  seen->handles.at(0)->decline();
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  EXPECT_EQ(client->wait(), Wait::none);
  ASSERT_EQ(sent->size(), 2u);
  EXPECT_NE((*sent)[0], second_context);
  EXPECT_EQ((*sent)[1], second_context);
}

TEST_F(PhaPending13, AbortOfALaterRequestFailsAtOnce) {
  request();
  ASSERT_TRUE(key_update_after(*server, {certificate_request({7})}).ok());
  transfer(*server, *client);
  ASSERT_EQ(seen->handles.size(), 2u);
  seen->handles[1]->abort(fail(Alert::access_denied, "second prompt refused"));
  Status s = client->resume();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().alert, Alert::access_denied);
  EXPECT_TRUE(client->failed());
}

TEST_F(PhaPending13, TooManyWaitingRequestsFailWithInternalError) {
  std::vector<Bytes> requests;
  for (uint8_t i = 1; i <= 9; ++i) requests.push_back(certificate_request({i}));
  ASSERT_TRUE(key_update_after(*server, requests).ok());
  Status s;
  transfer(*server, *client, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().alert, Alert::internal_error);
  EXPECT_NE(s.error().reason.find("too many post-handshake CertificateRequests"), std::string::npos)
      << s.error().to_string();
  EXPECT_EQ(seen->calls, 8);  // the ninth was refused before asking
  transfer(*client, *server);
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::internal_error);
  EXPECT_TRUE(server->error()->from_peer);
}

TEST_F(PhaPending13, EightWaitingRequestsAreFine) {
  std::vector<Bytes> requests;
  for (uint8_t i = 1; i <= 8; ++i) requests.push_back(certificate_request({i}));
  ASSERT_TRUE(key_update_after(*server, requests).ok());
  Status s;
  transfer(*server, *client, &s);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  expect_waiting();
  EXPECT_EQ(seen->calls, 8);
}

TEST_F(PhaPending13, RepeatedContextOfAWaitingRequestIsIllegalParameter) {
  ASSERT_TRUE(key_update_after(*server, {certificate_request({5}), certificate_request({5})}).ok());
  Status s;
  transfer(*server, *client, &s);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().alert, Alert::illegal_parameter) << s.error().to_string();
  EXPECT_EQ(seen->calls, 1);
}

TEST_F(PhaPending13, CloseDropsWaitingRequests) {
  request();
  expect_waiting();
  ASSERT_TRUE(client->close().ok());
  EXPECT_EQ(client->wait(), Wait::none);
  const size_t queued = client->pending_output().size();  // the close_notify
  seen->handles.at(0)->choose(client_credential());
  ASSERT_TRUE(client->resume().ok());
  EXPECT_EQ(client->pending_output().size(), queued);  // no answer after close_notify (§6.1)
}

// An external signer that always answers later.
class LaterSigner : public PrivateKeySigner {
 public:
  Result<std::optional<Bytes>> sign(SignatureScheme, ByteView, std::shared_ptr<PendingSignature>) override {
    return std::optional<Bytes>();
  }
};

TEST(PhaPending13Signer, AsynchronousSignerStaysUnsupported) {
  const auto& f = test_pki().ecdsa();
  auto credential = Credential::from_signer({f.client.cert.get(), f.intermediate.cert.get()},
                                            std::make_shared<LaterSigner>());
  ASSERT_TRUE(credential.ok()) << credential.error().to_string();
  auto seen = std::make_shared<Requests>();
  auto client = Connection::client(later_client(seen), "localhost");
  auto server = Connection::server(pha_server());
  ASSERT_TRUE(pump_handshake(*client, *server));
  ASSERT_TRUE(server->request_client_certificate().ok());
  transfer(*server, *client);
  ASSERT_EQ(seen->handles.size(), 1u);
  seen->handles[0]->choose(credential.value());
  ASSERT_FALSE(client->resume().ok());
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::internal_error);
  EXPECT_NE(client->error()->reason.find("asynchronous signer is not supported"), std::string::npos)
      << err(*client);
}

TEST(PhaPending13Selector, AnswerGivenBeforeReturningGoesOutAtOnce) {
  auto cc = testing::client_config_for("ecdsa");
  cc->post_handshake_auth = true;
  cc->client_certificate_selector = [](const CertificateRequestInfo&,
                                       std::shared_ptr<PendingClientCertificate> h) {
    h->choose(client_credential());
    return ClientCertificateChoice::pending();
  };
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(pha_server());
  ASSERT_TRUE(pump_handshake(*client, *server));
  ASSERT_TRUE(server->request_client_certificate().ok());
  transfer(*server, *client);
  EXPECT_EQ(client->wait(), Wait::none);
  transfer(*client, *server);
  EXPECT_FALSE(server->failed()) << err(*server);
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
}

}  // namespace
}  // namespace vouch
