// Mutual TLS in TLS 1.2 in memory (RFC 5246 §7.4.4, §7.4.6, §7.4.8; RFC 8422
// §5.5): the CertificateRequest and what the client's selection sees of it,
// every client-auth mode × answer, custom and pending selectors, the alerts
// of refused clients, and the client identity across resumption by ticket
// (RFC 5077) and by session ID.
//
// Every test runs twice: with the client limited to TLS 1.2 (the server
// speaks both versions), and with a default client (1.2 and 1.3) against a
// server limited to TLS 1.2. Each asserts that TLS 1.2 was negotiated, so a
// test never passes by speaking TLS 1.3 instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "cert/x509_name.h"
#include "crypto/signature.h"
#include "handshake/test_hooks.h"
#include "msg/handshake_type.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "vouch/session.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::send_and_receive;
using testing::server_config_for;
using testing::test_pki;

// Which side is limited to TLS 1.2.
enum class Limited { client, server };

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }

const testing::PkiFamily& fam(const std::string& family) {
  return family == "rsa" ? test_pki().rsa() : test_pki().ecdsa();
}

bool has(const std::vector<uint8_t>& v, uint8_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// Records the type of every handshake message `c` sends.
std::shared_ptr<std::vector<uint8_t>> record_sent_types(Connection& c) {
  auto types = std::make_shared<std::vector<uint8_t>>();
  test_hooks::set_outgoing_message_hook(c, [types](const Bytes& m) {
    if (!m.empty()) types->push_back(m[0]);
    return std::vector<Bytes>{m};
  });
  return types;
}

class Mtls12 : public ::testing::TestWithParam<Limited> {
 public:
  std::shared_ptr<ServerConfig> server(ClientAuth mode, const std::string& family = "ecdsa") const {
    auto sc = server_config_for(family);
    sc->client_auth = mode;
    sc->client_trust = fam(family).trust();
    if (GetParam() == Limited::server) sc->max_version = ProtocolVersion::tls12;
    return sc;
  }
  // A client without credentials.
  std::shared_ptr<ClientConfig> anonymous_client(const std::string& family = "ecdsa") const {
    auto cc = client_config_for(family);
    if (GetParam() == Limited::client) cc->max_version = ProtocolVersion::tls12;
    return cc;
  }
  std::shared_ptr<ClientConfig> client(const std::string& family = "ecdsa") const {
    auto cc = anonymous_client(family);
    cc->client_credentials.push_back(fam(family).client_credential());
    return cc;
  }

  struct Pair {
    std::unique_ptr<Connection> client, server;
    bool ok = false;
  };
  static Pair run(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc,
                  std::shared_ptr<const Session> session = nullptr) {
    Pair p;
    p.client = Connection::client(std::move(cc), "localhost", std::move(session));
    p.server = Connection::server(std::move(sc));
    p.ok = pump_handshake(*p.client, *p.server);
    return p;
  }
  static void expect_tls12(const Pair& p) {
    EXPECT_EQ(p.client->info().version, ProtocolVersion::tls12);
    EXPECT_EQ(p.server->info().version, ProtocolVersion::tls12);
  }
  // Both sides failed with `alert`: the sender's own error and the one the
  // other side received.
  static void expect_refused(const Pair& p, Alert alert, bool server_sent = true) {
    EXPECT_FALSE(p.ok);
    ASSERT_TRUE(p.server->error());
    ASSERT_TRUE(p.client->error());
    EXPECT_EQ(p.server->error()->alert, alert) << err(*p.server);
    EXPECT_EQ(p.client->error()->alert, alert) << err(*p.client);
    EXPECT_EQ(p.server->error()->from_peer, !server_sent) << err(*p.server);
    EXPECT_EQ(p.client->error()->from_peer, server_sent) << err(*p.client);
  }
};

std::string limited_name(const ::testing::TestParamInfo<Limited>& i) {
  return i.param == Limited::client ? "Client12" : "Server12";
}

// ---- client-auth modes -----------------------------------------------------------

TEST_P(Mtls12, RequiredWithCertificate) {
  for (const char* family : {"ecdsa", "rsa"}) {
    SCOPED_TRACE(family);
    Pair p = run(client(family), server(ClientAuth::required, family));
    ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
    expect_tls12(p);
    ASSERT_TRUE(p.client->client_certificate().has_value());
    EXPECT_EQ(p.client->client_certificate()->subject(), fam(family).client_credential().subject());
    EXPECT_EQ(p.server->peer_subject(), fam(family).client_credential().subject());
    EXPECT_EQ(p.server->peer_chain(), fam(family).client_credential().chain_der());  // as sent
    // verified up to the root: leaf, intermediate, root
    ASSERT_EQ(p.server->verified_peer_chain().size(), 3u);
    EXPECT_EQ(p.server->verified_peer_chain()[0], fam(family).client.der);
    EXPECT_EQ(p.server->verified_peer_chain()[2], fam(family).root.der);
    ASSERT_EQ(p.client->client_certificate_notes().size(), 1u);
    EXPECT_TRUE(p.client->client_certificate_notes()[0].chosen);
    EXPECT_EQ(send_and_receive(*p.client, *p.server, "authenticated"), "authenticated");
    EXPECT_EQ(send_and_receive(*p.server, *p.client, "welcome"), "welcome");
  }
}

// RFC 5246 §7.4.6: an empty Certificate under `required` is a fatal
// handshake_failure (certificate_required is TLS 1.3's alert).
TEST_P(Mtls12, RequiredWithoutCertificateIsHandshakeFailure) {
  auto sc = server(ClientAuth::required);
  Pair p = run(anonymous_client(), sc);
  expect_tls12(p);
  ASSERT_NO_FATAL_FAILURE(expect_refused(p, Alert::handshake_failure));
  EXPECT_NE(p.server->error()->reason.find("no certificate"), std::string::npos) << err(*p.server);
  EXPECT_TRUE(p.server->verified_peer_chain().empty());
  // Likewise when the client has credentials but none the server accepts.
  auto cc = anonymous_client();
  cc->client_credentials = {test_pki().rsa().client_credential()};
  Pair q = run(cc, sc);
  expect_refused(q, Alert::handshake_failure);
  ASSERT_EQ(q.client->client_certificate_notes().size(), 1u);
  EXPECT_FALSE(q.client->client_certificate_notes()[0].chosen);
}

TEST_P(Mtls12, OptionalWithoutCertificateIsAnonymous) {
  Pair p = run(anonymous_client(), server(ClientAuth::optional));
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  expect_tls12(p);
  EXPECT_FALSE(p.client->client_certificate().has_value());
  EXPECT_TRUE(p.server->peer_chain().empty());
  EXPECT_TRUE(p.server->verified_peer_chain().empty());
  EXPECT_EQ(send_and_receive(*p.client, *p.server, "anonymous"), "anonymous");
}

TEST_P(Mtls12, OptionalWithCertificateVerifiesIt) {
  Pair p = run(client(), server(ClientAuth::optional));
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  expect_tls12(p);
  EXPECT_EQ(p.server->verified_peer_chain().size(), 3u);
}

TEST_P(Mtls12, NoneSendsNoCertificateRequest) {
  auto cc = client();
  int selector_calls = 0;
  cc->client_certificate_selector = [&](const CertificateRequestInfo&, std::shared_ptr<PendingClientCertificate>) {
    ++selector_calls;
    return ClientCertificateChoice::use(test_pki().ecdsa().client_credential());
  };
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(server(ClientAuth::none));
  auto sent = record_sent_types(*s);
  auto client_sent = record_sent_types(*c);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  EXPECT_EQ(s->info().version, ProtocolVersion::tls12);
  EXPECT_FALSE(has(*sent, static_cast<uint8_t>(HandshakeType::certificate_request)));
  EXPECT_TRUE(has(*sent, static_cast<uint8_t>(HandshakeType::server_key_exchange)));
  // RFC 5246 §7.4.6: the client sends Certificate only when asked.
  EXPECT_FALSE(has(*client_sent, static_cast<uint8_t>(HandshakeType::certificate)));
  EXPECT_FALSE(has(*client_sent, static_cast<uint8_t>(HandshakeType::certificate_verify)));
  EXPECT_EQ(selector_calls, 0);
  EXPECT_FALSE(c->client_certificate().has_value());
  EXPECT_TRUE(s->peer_chain().empty());
}

TEST_P(Mtls12, RequestedClientSendsCertificateAndCertificateVerify) {
  auto c = Connection::client(client(), "localhost");
  auto s = Connection::server(server(ClientAuth::optional));
  auto sent = record_sent_types(*s);
  auto client_sent = record_sent_types(*c);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  // RFC 5246 §7.3: ... ServerKeyExchange, CertificateRequest, ServerHelloDone.
  const auto ske = std::find(sent->begin(), sent->end(), static_cast<uint8_t>(HandshakeType::server_key_exchange));
  const auto cr = std::find(sent->begin(), sent->end(), static_cast<uint8_t>(HandshakeType::certificate_request));
  const auto done = std::find(sent->begin(), sent->end(), static_cast<uint8_t>(HandshakeType::server_hello_done));
  ASSERT_NE(cr, sent->end());
  EXPECT_LT(ske, cr);
  EXPECT_LT(cr, done);
  // Certificate, ClientKeyExchange, CertificateVerify, Finished.
  const std::vector<uint8_t> expected = {static_cast<uint8_t>(HandshakeType::certificate),
                                         static_cast<uint8_t>(HandshakeType::client_key_exchange),
                                         static_cast<uint8_t>(HandshakeType::certificate_verify),
                                         static_cast<uint8_t>(HandshakeType::finished)};
  ASSERT_GE(client_sent->size(), 4u);
  std::vector<uint8_t> tail(client_sent->end() - 4, client_sent->end());
  EXPECT_EQ(tail, expected);
}

// ---- what the selection sees --------------------------------------------------------

TEST_P(Mtls12, SelectorSeesTheRequest) {
  CertificateRequestInfo seen;
  int calls = 0;
  auto cc = anonymous_client();
  cc->client_certificate_selector = [&](const CertificateRequestInfo& r, std::shared_ptr<PendingClientCertificate>) {
    seen = r;
    ++calls;
    return ClientCertificateChoice::use(test_pki().ecdsa().client_credential());
  };
  Pair p = run(cc, server(ClientAuth::required));
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  expect_tls12(p);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.version, ProtocolVersion::tls12);
  EXPECT_FALSE(seen.post_handshake);
  // RFC 8422 §5.5 ecdsa_sign(64), RFC 5246 §7.4.4 rsa_sign(1).
  EXPECT_TRUE(has(seen.certificate_types, 64)) << seen.certificate_types.size();
  EXPECT_TRUE(has(seen.certificate_types, 1)) << seen.certificate_types.size();
  ASSERT_EQ(seen.certificate_authorities.size(), 1u);
  EXPECT_EQ(seen.certificate_authorities[0], name_der(X509_get_subject_name(test_pki().ecdsa().root.cert.get())));
  EXPECT_FALSE(seen.signature_schemes.empty());
  EXPECT_FALSE(seen.certificate_signature_schemes.empty());
  EXPECT_TRUE(seen.oid_filters.empty());  // no such field in TLS 1.2
  EXPECT_FALSE(seen.status_requested);
  EXPECT_EQ(seen.server_chain, test_pki().ecdsa().server_credential().chain_der());
  EXPECT_EQ(seen.server_name, "localhost");
}

TEST_P(Mtls12, SelectorSeesTheServersSignatureSchemes) {
  std::vector<SignatureScheme> seen;
  auto cc = anonymous_client();
  cc->client_certificate_selector = [&](const CertificateRequestInfo& r, std::shared_ptr<PendingClientCertificate>) {
    seen = r.signature_schemes;
    return ClientCertificateChoice::use(test_pki().ecdsa().client_credential());
  };
  auto sc = server(ClientAuth::required);
  sc->signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::rsa_pss_rsae_sha256};
  Pair p = run(cc, sc);
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(seen, sc->signature_schemes);  // supported_signature_algorithms as sent
}

TEST_P(Mtls12, ExplicitAndEmptyCaNames) {
  std::vector<Bytes> names_seen = {Bytes{1}};
  auto cc = anonymous_client();
  cc->client_certificate_selector = [&](const CertificateRequestInfo& r, std::shared_ptr<PendingClientCertificate>) {
    names_seen = r.certificate_authorities;
    return ClientCertificateChoice::no_certificate();
  };
  auto sc = server(ClientAuth::optional);
  const Bytes custom = name_der(X509_get_subject_name(test_pki().rsa().root.cert.get()));
  sc->client_ca_names = std::vector<Bytes>{custom};
  {
    Pair p = run(cc, sc);
    ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
    expect_tls12(p);
    ASSERT_EQ(names_seen.size(), 1u);
    EXPECT_EQ(names_seen[0], custom);
  }
  sc->client_ca_names = std::vector<Bytes>{};  // RFC 5246 §7.4.4: empty = any
  Pair p = run(cc, sc);
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  EXPECT_TRUE(names_seen.empty());
}

TEST_P(Mtls12, BuiltInSelectorPicksTheCredentialOfTheNamedCa) {
  // Two credentials; the server trusts (and names) one root. The chosen
  // chain reaches it through its intermediate.
  for (const char* trusted : {"ecdsa", "rsa"}) {
    SCOPED_TRACE(trusted);
    auto cc = anonymous_client();
    cc->client_credentials = {test_pki().rsa().client_credential(), test_pki().ecdsa().client_credential()};
    auto sc = server(ClientAuth::required);
    sc->client_trust = fam(trusted).trust();
    Pair p = run(cc, sc);
    ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
    expect_tls12(p);
    ASSERT_TRUE(p.client->client_certificate().has_value());
    EXPECT_EQ(p.client->client_certificate()->subject(), fam(trusted).client_credential().subject());
    EXPECT_EQ(p.server->peer_subject(), fam(trusted).client_credential().subject());
    const auto& notes = p.client->client_certificate_notes();
    ASSERT_EQ(notes.size(), 2u);
    const bool rsa = std::string(trusted) == "rsa";
    EXPECT_EQ(notes[0].chosen, rsa);
    EXPECT_EQ(notes[1].chosen, !rsa);
    const SelectionNote& skipped = rsa ? notes[1] : notes[0];
    EXPECT_EQ(skipped.subject, (rsa ? test_pki().ecdsa() : test_pki().rsa()).client_credential().subject());
    EXPECT_NE(skipped.reason.find("CA"), std::string::npos) << skipped.reason;
    const SelectionNote& chosen = rsa ? notes[0] : notes[1];
    EXPECT_FALSE(chosen.reason.empty());
  }
}

TEST_P(Mtls12, NoAcceptableCredentialSendsAnEmptyCertificate) {
  auto cc = anonymous_client();
  cc->client_credentials = {test_pki().rsa().client_credential()};
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(server(ClientAuth::optional, "ecdsa"));
  auto client_sent = record_sent_types(*c);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  EXPECT_EQ(c->info().version, ProtocolVersion::tls12);
  EXPECT_FALSE(c->client_certificate().has_value());
  ASSERT_EQ(c->client_certificate_notes().size(), 1u);
  EXPECT_FALSE(c->client_certificate_notes()[0].chosen);
  // RFC 5246 §7.4.6: an empty Certificate, and no CertificateVerify.
  EXPECT_TRUE(has(*client_sent, static_cast<uint8_t>(HandshakeType::certificate)));
  EXPECT_FALSE(has(*client_sent, static_cast<uint8_t>(HandshakeType::certificate_verify)));
  EXPECT_TRUE(s->peer_chain().empty());
}

TEST_P(Mtls12, CustomSelectorChoosesOrDeclines) {
  auto cc = anonymous_client();
  // The configured credential would be refused; the selector takes precedence.
  cc->client_credentials = {test_pki().rsa().client_credential()};
  bool decline = false;
  cc->client_certificate_selector = [&](const CertificateRequestInfo&, std::shared_ptr<PendingClientCertificate>) {
    return decline ? ClientCertificateChoice::no_certificate()
                   : ClientCertificateChoice::use(test_pki().ecdsa().client_credential());
  };
  Pair chose = run(cc, server(ClientAuth::required));
  ASSERT_TRUE(chose.ok) << err(*chose.client) << " / " << err(*chose.server);
  EXPECT_EQ(chose.server->peer_subject(), test_pki().ecdsa().client_credential().subject());
  EXPECT_TRUE(chose.client->client_certificate_notes().empty());  // no built-in selection ran
  decline = true;
  Pair declined = run(cc, server(ClientAuth::optional));
  ASSERT_TRUE(declined.ok) << err(*declined.client) << " / " << err(*declined.server);
  EXPECT_TRUE(declined.server->peer_chain().empty());
  Pair refused = run(cc, server(ClientAuth::required));
  expect_refused(refused, Alert::handshake_failure);
}

TEST_P(Mtls12, ForcedCredentialThatCannotSignIsHandshakeFailure) {
  auto cc = anonymous_client();
  cc->client_certificate_selector = [](const CertificateRequestInfo&, std::shared_ptr<PendingClientCertificate>) {
    return ClientCertificateChoice::use(test_pki().rsa().client_credential());  // an RSA key
  };
  auto sc = server(ClientAuth::required);
  sc->signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256};  // ECDSA only
  Pair p = run(cc, sc);
  EXPECT_FALSE(p.ok);
  ASSERT_TRUE(p.client->error());
  EXPECT_EQ(p.client->error()->alert, Alert::handshake_failure) << err(*p.client);
  EXPECT_FALSE(p.client->error()->from_peer);
}

// ---- selectors that answer later ------------------------------------------------------

std::shared_ptr<ClientConfig> with_pending_selector(std::shared_ptr<ClientConfig> cc,
                                                    std::shared_ptr<PendingClientCertificate>& handle,
                                                    std::atomic<int>& calls,
                                                    CertificateRequestInfo* seen = nullptr) {
  cc->client_certificate_selector = [&handle, &calls, seen](const CertificateRequestInfo& r,
                                                           std::shared_ptr<PendingClientCertificate> h) {
    ++calls;
    if (seen) *seen = r;
    handle = std::move(h);
    return ClientCertificateChoice::pending();
  };
  return cc;
}

TEST_P(Mtls12, PendingSelectorSuspendsAndResumesFromAnotherThread) {
  std::shared_ptr<PendingClientCertificate> handle;
  std::atomic<int> calls{0};
  CertificateRequestInfo seen;
  auto c = Connection::client(with_pending_selector(anonymous_client(), handle, calls, &seen), "localhost");
  auto s = Connection::server(server(ClientAuth::required));
  auto client_sent = record_sent_types(*c);
  EXPECT_FALSE(pump_handshake(*c, *s));
  EXPECT_FALSE(c->failed()) << err(*c);
  EXPECT_FALSE(s->failed()) << err(*s);
  EXPECT_EQ(c->wait(), Wait::client_certificate);
  ASSERT_TRUE(handle);
  EXPECT_EQ(seen.version, ProtocolVersion::tls12);
  // Nothing of the client's second flight went out while it waits.
  EXPECT_FALSE(has(*client_sent, static_cast<uint8_t>(HandshakeType::certificate)));
  EXPECT_FALSE(has(*client_sent, static_cast<uint8_t>(HandshakeType::client_key_exchange)));
  EXPECT_TRUE(c->pending_output().empty());
  // Resuming before the answer keeps waiting and does not ask again.
  ASSERT_TRUE(c->resume().ok());
  EXPECT_EQ(c->wait(), Wait::client_certificate);
  EXPECT_EQ(calls.load(), 1);
  std::thread t([&] { handle->choose(test_pki().ecdsa().client_credential()); });
  t.join();
  ASSERT_TRUE(c->resume().ok()) << err(*c);
  EXPECT_NE(c->wait(), Wait::client_certificate);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(c->info().version, ProtocolVersion::tls12);
  ASSERT_TRUE(c->client_certificate().has_value());
  EXPECT_EQ(s->verified_peer_chain().size(), 3u);
  EXPECT_EQ(send_and_receive(*c, *s, "later"), "later");
}

TEST_P(Mtls12, PendingSelectorAnsweredBeforeReturningIsTakenAtOnce) {
  auto cc = anonymous_client();
  int calls = 0;
  cc->client_certificate_selector = [&](const CertificateRequestInfo&, std::shared_ptr<PendingClientCertificate> h) {
    ++calls;
    h->choose(test_pki().ecdsa().client_credential());
    return ClientCertificateChoice::pending();
  };
  Pair p = run(cc, server(ClientAuth::required));
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(p.server->verified_peer_chain().size(), 3u);
}

TEST_P(Mtls12, PendingSelectorDeclines) {
  for (ClientAuth mode : {ClientAuth::optional, ClientAuth::required}) {
    std::shared_ptr<PendingClientCertificate> handle;
    std::atomic<int> calls{0};
    auto c = Connection::client(with_pending_selector(anonymous_client(), handle, calls), "localhost");
    auto s = Connection::server(server(mode));
    EXPECT_FALSE(pump_handshake(*c, *s));
    ASSERT_TRUE(handle);
    handle->decline();
    ASSERT_TRUE(c->resume().ok()) << err(*c);
    const bool ok = pump_handshake(*c, *s);
    if (mode == ClientAuth::optional) {
      ASSERT_TRUE(ok) << err(*c) << " / " << err(*s);
      EXPECT_TRUE(s->peer_chain().empty());
    } else {
      EXPECT_FALSE(ok);
      ASSERT_TRUE(s->error());
      EXPECT_EQ(s->error()->alert, Alert::handshake_failure) << err(*s);
    }
  }
}

// An abort fails the handshake with the error's alert, which the server receives.
TEST_P(Mtls12, PendingSelectorAborts) {
  for (Alert alert : {Alert::user_canceled, Alert::access_denied}) {
    SCOPED_TRACE(alert_name(alert));
    std::shared_ptr<PendingClientCertificate> handle;
    std::atomic<int> calls{0};
    auto c = Connection::client(with_pending_selector(anonymous_client(), handle, calls), "localhost");
    auto s = Connection::server(server(ClientAuth::optional));
    EXPECT_FALSE(pump_handshake(*c, *s));
    ASSERT_TRUE(handle);
    handle->abort(fail(alert, "user closed the smart-card dialog"));
    Status st = c->resume();
    ASSERT_FALSE(st.ok());
    ASSERT_TRUE(c->error());
    EXPECT_EQ(c->error()->alert, alert);
    EXPECT_NE(c->error()->reason.find("smart-card"), std::string::npos) << err(*c);
    EXPECT_FALSE(c->handshake_complete());
    // The alert reaches the server, which stops too.
    testing::transfer(*c, *s);
    ASSERT_TRUE(s->error()) << "the server ignored the client's fatal " << alert_name(alert);
    EXPECT_EQ(s->error()->alert, alert);
    EXPECT_TRUE(s->error()->from_peer);
    EXPECT_FALSE(s->handshake_complete());
  }
}

// ---- external signers ---------------------------------------------------------------

class LaterSigner : public PrivateKeySigner {
 public:
  explicit LaterSigner(EVP_PKEY* key) : key_(key) {}
  Result<std::optional<Bytes>> sign(SignatureScheme scheme, ByteView message,
                                    std::shared_ptr<PendingSignature> pending) override {
    ++calls;
    VOUCH_ASSIGN(signature_, sign_message(scheme, key_, message));
    pending_ = std::move(pending);
    return std::optional<Bytes>();
  }
  void finish() { pending_->complete(signature_); }
  int calls = 0;

 private:
  EVP_PKEY* key_;
  std::shared_ptr<PendingSignature> pending_;
  Bytes signature_;
};

TEST_P(Mtls12, ExternalSignerAnswersLater) {
  const auto& f = test_pki().ecdsa();
  auto signer = std::make_shared<LaterSigner>(f.client.key.get());
  auto cred = Credential::from_signer({f.client.cert.get(), f.intermediate.cert.get()}, signer);
  ASSERT_TRUE(cred.ok()) << cred.error().to_string();
  auto cc = anonymous_client();
  cc->client_credentials = {*cred};
  auto c = Connection::client(cc, "localhost");
  auto s = Connection::server(server(ClientAuth::required));
  EXPECT_FALSE(pump_handshake(*c, *s));
  EXPECT_EQ(c->wait(), Wait::private_key_operation) << err(*c);
  std::thread([&] { signer->finish(); }).join();
  ASSERT_TRUE(c->resume().ok()) << err(*c);
  ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
  EXPECT_EQ(signer->calls, 1);
  EXPECT_EQ(s->verified_peer_chain().size(), 3u);
}

// ---- refused clients ----------------------------------------------------------------

struct BadClient {
  const char* name;
  std::function<Credential()> make;
  Alert alert;
};

TEST_P(Mtls12, BadClientCertificatesGetTheRightAlert) {
  const auto& e = test_pki().ecdsa();
  const std::vector<BadClient> cases = {
      {"another CA",
       [&] {
         auto leaf =
             testing::issue({.cn = "client-untrusted", .eku = testing::CertSpec::Eku::client}, e.untrusted_root);
         return testing::credential_from(leaf);
       },
       Alert::unknown_ca},
      {"the other family's CA", [] { return test_pki().rsa().client_credential(); }, Alert::unknown_ca},
      {"expired",
       [&] {
         auto leaf = testing::issue({.cn = "client-expired", .eku = testing::CertSpec::Eku::client,
                                     .not_before_offset_s = -10 * 86400, .not_after_offset_s = -86400},
                                    e.intermediate);
         return testing::credential_from(leaf, {&e.intermediate});
       },
       Alert::certificate_expired},
      {"no clientAuth", [&] { return testing::credential_from(e.client_noauth, {&e.intermediate}); },
       Alert::unsupported_certificate},
  };
  for (const BadClient& c : cases) {
    for (ClientAuth mode : {ClientAuth::optional, ClientAuth::required}) {
      SCOPED_TRACE(std::string(c.name) + (mode == ClientAuth::optional ? " / optional" : " / required"));
      auto cc = anonymous_client();
      Credential cred = c.make();
      cc->client_certificate_selector = [cred](const CertificateRequestInfo&,
                                               std::shared_ptr<PendingClientCertificate>) {
        return ClientCertificateChoice::use(cred);
      };
      Pair p = run(cc, server(mode));
      expect_tls12(p);
      // Never downgraded to an anonymous connection.
      expect_refused(p, c.alert);
      EXPECT_TRUE(p.server->verified_peer_chain().empty());
    }
  }
}

TEST_P(Mtls12, ClientCertificateCheckSeesTheVerifiedChain) {
  auto sc = server(ClientAuth::required);
  PeerCertificateInfo seen;
  int calls = 0;
  sc->client_certificate_check = [&](const PeerCertificateInfo& p) -> Status {
    ++calls;
    seen = p;
    return {};
  };
  Pair p = run(client(), sc);
  ASSERT_TRUE(p.ok) << err(*p.client) << " / " << err(*p.server);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.subject, test_pki().ecdsa().client_credential().subject());
  EXPECT_FALSE(seen.issuer.empty());
  EXPECT_FALSE(seen.post_handshake);
  EXPECT_EQ(seen.chain, p.server->verified_peer_chain());
}

TEST_P(Mtls12, ClientCertificateCheckRefuses) {
  auto sc = server(ClientAuth::required);
  sc->client_certificate_check = [](const PeerCertificateInfo&) -> Status {
    return fail(Alert::access_denied, "not on the allow list");
  };
  Pair p = run(client(), sc);
  expect_tls12(p);
  ASSERT_NO_FATAL_FAILURE(expect_refused(p, Alert::access_denied));
  EXPECT_NE(p.server->error()->reason.find("not on the allow list"), std::string::npos);
  EXPECT_TRUE(p.server->verified_peer_chain().empty());
}

TEST_P(Mtls12, TamperedCertificateVerifyIsDecryptError) {
  auto c = Connection::client(client(), "localhost");
  auto s = Connection::server(server(ClientAuth::required));
  test_hooks::set_outgoing_message_hook(*c, [](const Bytes& m) {
    Bytes copy = m;
    if (copy.size() > kHandshakeHeaderLength && copy[0] == static_cast<uint8_t>(HandshakeType::certificate_verify))
      copy[copy.size() - 1] ^= 1;
    return std::vector<Bytes>{copy};
  });
  EXPECT_FALSE(pump_handshake(*c, *s));
  ASSERT_TRUE(s->error());
  EXPECT_EQ(s->error()->alert, Alert::decrypt_error) << err(*s);
}

TEST_P(Mtls12, RevokedClientIsCertificateRevoked) {
  const auto& f = test_pki().ecdsa();
  auto sc = server(ClientAuth::required);
  TrustStore trust = f.trust();
  ASSERT_TRUE(trust.add_crl_pem(testing::to_pem(testing::make_crl(f.intermediate, {&f.client}).get())).ok());
  sc->client_trust = trust;
  Pair p = run(client(), sc);
  expect_tls12(p);
  expect_refused(p, Alert::certificate_revoked);
  // A CRL revoking another certificate lets the client in.
  TrustStore other = f.trust();
  ASSERT_TRUE(other.add_crl_pem(testing::to_pem(testing::make_crl(f.intermediate, {&f.client_noauth}).get())).ok());
  sc->client_trust = other;
  Pair q = run(client(), sc);
  EXPECT_TRUE(q.ok) << err(*q.client) << " / " << err(*q.server);
}

TEST_P(Mtls12, ServerRunsClientRevocationProviders) {
  class Deny final : public RevocationProvider {
   public:
    std::string name() const override { return "deny"; }
    Status check(const RevocationContext& ctx) const override {
      ++calls;
      peer_is_server = ctx.peer_is_server;
      chain_length = ctx.chain.size();
      return fail(Alert::certificate_revoked, "listed");
    }
    mutable int calls = 0;
    mutable bool peer_is_server = true;
    mutable size_t chain_length = 0;
  };
  auto deny = std::make_shared<Deny>();
  auto sc = server(ClientAuth::required);
  sc->client_revocation_providers = {deny};
  Pair p = run(client(), sc);
  ASSERT_NO_FATAL_FAILURE(expect_refused(p, Alert::certificate_revoked));
  EXPECT_EQ(deny->calls, 1);
  EXPECT_FALSE(deny->peer_is_server);
  EXPECT_EQ(deny->chain_length, 3u);
  EXPECT_NE(p.server->error()->reason.find("deny: listed"), std::string::npos) << err(*p.server);
}

// ---- resumption -------------------------------------------------------------------

// The client identity survives resumption on both sides: the server knows it
// from the ticket or its session cache, the client keeps it in the session.
void check_identity_kept(Mtls12& t, bool by_ticket) {
  auto sc = t.server(ClientAuth::required);
  if (!by_ticket) {
    sc->num_tickets = 0;
    sc->session_cache12 = std::make_shared<ServerSessionCache>();
  }
  auto cc = t.client();
  auto c1 = Connection::client(cc, "localhost");
  auto s1 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c1, *s1)) << err(*c1) << " / " << err(*s1);
  ASSERT_EQ(c1->info().version, ProtocolVersion::tls12);
  auto sessions = c1->take_sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]->version, ProtocolVersion::tls12);
  EXPECT_EQ(sessions[0]->ticket.empty(), !by_ticket);
  EXPECT_EQ(sessions[0]->client_chain, test_pki().ecdsa().client_credential().chain_der());

  // The resumed connection's client has no credential to send: only the
  // session can authenticate it.
  auto cc2 = t.anonymous_client();
  auto c2 = Connection::client(cc2, "localhost", sessions[0]);
  auto s2 = Connection::server(sc);
  auto sent = record_sent_types(*s2);
  ASSERT_TRUE(pump_handshake(*c2, *s2)) << err(*c2) << " / " << err(*s2);
  EXPECT_EQ(c2->info().version, ProtocolVersion::tls12);
  EXPECT_TRUE(c2->info().resumed);
  EXPECT_TRUE(s2->info().resumed);
  EXPECT_FALSE(has(*sent, static_cast<uint8_t>(HandshakeType::certificate_request)));
  EXPECT_FALSE(has(*sent, static_cast<uint8_t>(HandshakeType::certificate)));
  // Server side: the same verified identity.
  EXPECT_EQ(s2->verified_peer_chain(), s1->verified_peer_chain());
  EXPECT_EQ(s2->peer_subject(), test_pki().ecdsa().client_credential().subject());
  // Client side: the session it can resume next still holds the identity.
  auto again = c2->take_sessions();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]->client_chain, test_pki().ecdsa().client_credential().chain_der());
  EXPECT_EQ(send_and_receive(*c2, *s2, "resumed"), "resumed");
  // ... and a third connection resumes from it, still authenticated.
  auto c3 = Connection::client(cc2, "localhost", again[0]);
  auto s3 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c3, *s3)) << err(*c3) << " / " << err(*s3);
  EXPECT_TRUE(s3->info().resumed);
  EXPECT_EQ(s3->verified_peer_chain(), s1->verified_peer_chain());
}

TEST_P(Mtls12, ResumptionByTicketKeepsTheClientIdentity) { check_identity_kept(*this, /*by_ticket=*/true); }
TEST_P(Mtls12, ResumptionBySessionIdKeepsTheClientIdentity) { check_identity_kept(*this, /*by_ticket=*/false); }

// A session in which the client did not authenticate (from a server with
// `optional`) is never resumed by a server that requires a certificate: it
// does a full handshake and asks for one.
void check_anonymous_session_not_resumed(Mtls12& t, bool by_ticket) {
  auto keys = std::make_shared<TicketKeys>();
  auto cache = std::make_shared<ServerSessionCache>();
  auto configure = [&](std::shared_ptr<ServerConfig> sc) {
    sc->ticket_keys = keys;
    sc->session_cache12 = cache;
    if (!by_ticket) sc->num_tickets = 0;
    return sc;
  };
  auto optional = configure(t.server(ClientAuth::optional));
  auto required = configure(t.server(ClientAuth::required));

  auto anonymous = t.anonymous_client();
  auto c1 = Connection::client(anonymous, "localhost");
  auto s1 = Connection::server(optional);
  ASSERT_TRUE(pump_handshake(*c1, *s1)) << err(*c1) << " / " << err(*s1);
  auto sessions = c1->take_sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0]->ticket.empty(), !by_ticket);
  EXPECT_TRUE(sessions[0]->client_chain.empty());

  // Control: the session itself is resumable (by the optional server).
  {
    auto c = Connection::client(anonymous, "localhost", sessions[0]);
    auto s = Connection::server(optional);
    ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
    EXPECT_TRUE(s->info().resumed);
  }
  // The requiring server refuses it and authenticates the client in full.
  {
    auto c = Connection::client(t.client(), "localhost", sessions[0]);
    auto s = Connection::server(required);
    auto sent = record_sent_types(*s);
    ASSERT_TRUE(pump_handshake(*c, *s)) << err(*c) << " / " << err(*s);
    EXPECT_FALSE(s->info().resumed);
    EXPECT_FALSE(c->info().resumed);
    EXPECT_TRUE(has(*sent, static_cast<uint8_t>(HandshakeType::certificate_request)));
    EXPECT_EQ(s->verified_peer_chain().size(), 3u);
  }
  // And an anonymous client offering it is refused, not let in.
  {
    auto c = Connection::client(anonymous, "localhost", sessions[0]);
    auto s = Connection::server(required);
    EXPECT_FALSE(pump_handshake(*c, *s));
    EXPECT_FALSE(s->info().resumed);
    ASSERT_TRUE(s->error());
    EXPECT_EQ(s->error()->alert, Alert::handshake_failure) << err(*s);
  }
}

TEST_P(Mtls12, RequiringServerNeverResumesAnAnonymousTicket) {
  check_anonymous_session_not_resumed(*this, /*by_ticket=*/true);
}
TEST_P(Mtls12, RequiringServerNeverResumesAnAnonymousSessionId) {
  check_anonymous_session_not_resumed(*this, /*by_ticket=*/false);
}

INSTANTIATE_TEST_SUITE_P(OneSideTls12, Mtls12, ::testing::Values(Limited::client, Limited::server), limited_name);

}  // namespace
}  // namespace vouch
