// Mutual TLS 1.3 in memory: every client-auth mode × answer, selection,
// pending selectors, external signers, post-handshake authentication and the
// failures that must carry the right alert.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cert/x509_name.h"
#include "crypto/signature.h"
#include "handshake/test_hooks.h"
#include "msg/handshake_type.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::send_and_receive;
using testing::server_config_for;
using testing::test_pki;
using testing::transfer;

std::shared_ptr<ServerConfig> mtls_server(ClientAuth mode, const std::string& family = "ecdsa") {
  auto sc = server_config_for(family);
  sc->client_auth = mode;
  sc->client_trust = (family == "rsa" ? test_pki().rsa() : test_pki().ecdsa()).trust();
  return sc;
}

std::shared_ptr<ClientConfig> mtls_client(const std::string& family = "ecdsa") {
  auto cc = client_config_for(family);
  cc->client_credentials.push_back(
      (family == "rsa" ? test_pki().rsa() : test_pki().ecdsa()).client_credential());
  return cc;
}

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }

TEST(Mtls13, RequiredWithCertificate) {
  for (const char* family : {"ecdsa", "rsa"}) {
    auto client = Connection::client(mtls_client(family), "localhost");
    auto server = Connection::server(mtls_server(ClientAuth::required, family));
    ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
    ASSERT_TRUE(client->client_certificate().has_value());
    EXPECT_EQ(server->peer_subject(), client->client_certificate()->subject());
    EXPECT_EQ(server->peer_chain().size(), 2u);           // leaf + intermediate as sent
    EXPECT_EQ(server->verified_peer_chain().size(), 3u);  // ... up to the root
    ASSERT_EQ(client->client_certificate_notes().size(), 1u);
    EXPECT_TRUE(client->client_certificate_notes()[0].chosen);
    EXPECT_EQ(send_and_receive(*client, *server, "authenticated"), "authenticated");
  }
}

TEST(Mtls13, RequiredWithoutCertificateIsCertificateRequired) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::required));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::certificate_required);
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::certificate_required);
  EXPECT_TRUE(client->error()->from_peer);
}

TEST(Mtls13, OptionalWithoutCertificateIsAnonymous) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::optional));
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*server);
  EXPECT_TRUE(server->peer_chain().empty());
  EXPECT_TRUE(server->verified_peer_chain().empty());
}

TEST(Mtls13, OptionalWithCertificateVerifiesIt) {
  auto client = Connection::client(mtls_client(), "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::optional));
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
}

TEST(Mtls13, NoneNeverSendsCertificate) {
  auto client = Connection::client(mtls_client(), "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::none));
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_FALSE(client->client_certificate().has_value());
  EXPECT_TRUE(server->peer_chain().empty());
}

TEST(Mtls13, SelectsByAcceptableCaThroughIntermediate) {
  // Two credentials; the server trusts (and names) only the ECDSA root. The
  // ECDSA client chain reaches it through the intermediate.
  auto cc = client_config_for("ecdsa");
  cc->client_credentials = {test_pki().rsa().client_credential(),
                            test_pki().ecdsa().client_credential()};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::required, "ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  ASSERT_TRUE(client->client_certificate().has_value());
  EXPECT_EQ(client->client_certificate()->subject(),
            test_pki().ecdsa().client_credential().subject());
  const auto& notes = client->client_certificate_notes();
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_FALSE(notes[0].chosen);
  EXPECT_NE(notes[0].reason.find("CA"), std::string::npos) << notes[0].reason;
  EXPECT_TRUE(notes[1].chosen);
}

TEST(Mtls13, NoAcceptableCredentialSendsNone) {
  auto cc = client_config_for("ecdsa");
  cc->client_credentials = {test_pki().rsa().client_credential()};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::optional, "ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_FALSE(client->client_certificate().has_value());
  ASSERT_EQ(client->client_certificate_notes().size(), 1u);
  EXPECT_FALSE(client->client_certificate_notes()[0].chosen);
}

TEST(Mtls13, SelectorSeesTheRequest) {
  CertificateRequestInfo seen;
  int calls = 0;
  auto cc = client_config_for("ecdsa");
  cc->client_certificate_selector = [&](const CertificateRequestInfo& r,
                                        std::shared_ptr<PendingClientCertificate>) {
    seen = r;
    ++calls;
    return ClientCertificateChoice::use(test_pki().ecdsa().client_credential());
  };
  auto sc = mtls_server(ClientAuth::required);
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(seen.post_handshake);
  EXPECT_EQ(seen.version, ProtocolVersion::tls13);
  ASSERT_EQ(seen.certificate_authorities.size(), 1u);
  EXPECT_EQ(seen.certificate_authorities[0], name_der(X509_get_subject_name(test_pki().ecdsa().root.cert.get())));
  EXPECT_FALSE(seen.signature_schemes.empty());
  EXPECT_FALSE(seen.certificate_signature_schemes.empty());
  EXPECT_EQ(seen.server_chain.size(), 2u);
  EXPECT_EQ(seen.server_name, "localhost");
}

TEST(Mtls13, ExplicitAndEmptyCaNames) {
  std::vector<Bytes> names_seen;
  auto cc = client_config_for("ecdsa");
  cc->client_certificate_selector = [&](const CertificateRequestInfo& r,
                                        std::shared_ptr<PendingClientCertificate>) {
    names_seen = r.certificate_authorities;
    return ClientCertificateChoice::no_certificate();
  };
  auto sc = mtls_server(ClientAuth::optional);
  const Bytes custom = name_der(X509_get_subject_name(test_pki().rsa().root.cert.get()));
  sc->client_ca_names = std::vector<Bytes>{custom};
  {
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(sc);
    ASSERT_TRUE(pump_handshake(*client, *server));
    ASSERT_EQ(names_seen.size(), 1u);
    EXPECT_EQ(names_seen[0], custom);
  }
  sc->client_ca_names = std::vector<Bytes>{};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_TRUE(names_seen.empty());
}

// A client whose selector always answers "pending" and hands its handle out.
std::shared_ptr<ClientConfig> client_with_pending_selector(
    std::shared_ptr<PendingClientCertificate>& handle, std::atomic<int>* calls = nullptr) {
  auto cc = client_config_for("ecdsa");
  cc->client_certificate_selector = [&handle, calls](const CertificateRequestInfo&,
                                                     std::shared_ptr<PendingClientCertificate> h) {
    if (calls) ++*calls;
    handle = std::move(h);
    return ClientCertificateChoice::pending();
  };
  return cc;
}

TEST(Mtls13, PendingSelectorSuspendsAndResumesFromAnotherThread) {
  std::shared_ptr<PendingClientCertificate> handle;
  std::atomic<int> calls{0};
  auto cc = client_with_pending_selector(handle, &calls);
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::required));
  EXPECT_FALSE(pump_handshake(*client, *server));
  EXPECT_FALSE(client->failed());
  EXPECT_EQ(client->wait(), Wait::client_certificate);
  ASSERT_TRUE(handle);
  // Resuming before the answer keeps waiting and does not call the selector again.
  ASSERT_TRUE(client->resume().ok());
  EXPECT_EQ(client->wait(), Wait::client_certificate);
  EXPECT_EQ(calls.load(), 1);
  std::thread t([&] { handle->choose(test_pki().ecdsa().client_credential()); });
  t.join();
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  EXPECT_TRUE(client->handshake_complete());
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*server);
  EXPECT_EQ(calls.load(), 1);
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
}

TEST(Mtls13, PendingSelectorDeclines) {
  std::shared_ptr<PendingClientCertificate> handle;
  auto cc = client_with_pending_selector(handle);
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::optional));
  EXPECT_FALSE(pump_handshake(*client, *server));
  handle->decline();
  ASSERT_TRUE(client->resume().ok());
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_TRUE(server->peer_chain().empty());
}

TEST(Mtls13, PendingSelectorAborts) {
  std::shared_ptr<PendingClientCertificate> handle;
  auto cc = client_with_pending_selector(handle);
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::optional));
  EXPECT_FALSE(pump_handshake(*client, *server));
  handle->abort(fail(Alert::user_canceled, "user closed the smart-card dialog"));
  EXPECT_FALSE(client->resume().ok());
  EXPECT_EQ(client->error()->alert, Alert::user_canceled);
}

// An external signer backed by an in-process key, to exercise the interface.
class TestSigner : public PrivateKeySigner {
 public:
  enum class Mode { immediate, later, fails };
  TestSigner(EVP_PKEY* key, Mode mode) : key_(key), mode_(mode) {}
  Result<std::optional<Bytes>> sign(SignatureScheme scheme, ByteView message,
                                    std::shared_ptr<PendingSignature> pending) override {
    ++calls;
    if (mode_ == Mode::fails) return fail(Alert::internal_error, "HSM unreachable");
    VOUCH_ASSIGN(Bytes sig, sign_message(scheme, key_, message));
    if (mode_ == Mode::immediate) return std::optional<Bytes>(std::move(sig));
    pending_ = std::move(pending);
    signature_ = std::move(sig);
    return std::optional<Bytes>();
  }
  void finish() { pending_->complete(signature_); }
  int calls = 0;

 private:
  EVP_PKEY* key_;
  Mode mode_;
  std::shared_ptr<PendingSignature> pending_;
  Bytes signature_;
};

Credential signer_credential(std::shared_ptr<PrivateKeySigner> signer) {
  const auto& f = test_pki().ecdsa();
  auto c = Credential::from_signer({f.client.cert.get(), f.intermediate.cert.get()}, std::move(signer));
  EXPECT_TRUE(c.ok());
  return std::move(c).value();
}

TEST(Mtls13, ExternalSignerImmediate) {
  auto signer = std::make_shared<TestSigner>(test_pki().ecdsa().client.key.get(),
                                             TestSigner::Mode::immediate);
  auto cc = client_config_for("ecdsa");
  cc->client_credentials = {signer_credential(signer)};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::required));
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(signer->calls, 1);
}

TEST(Mtls13, ExternalSignerLater) {
  auto signer = std::make_shared<TestSigner>(test_pki().ecdsa().client.key.get(),
                                             TestSigner::Mode::later);
  auto cc = client_config_for("ecdsa");
  cc->client_credentials = {signer_credential(signer)};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::required));
  EXPECT_FALSE(pump_handshake(*client, *server));
  EXPECT_EQ(client->wait(), Wait::private_key_operation);
  ASSERT_TRUE(client->resume().ok());  // still busy
  EXPECT_EQ(client->wait(), Wait::private_key_operation);
  std::thread t([&] { signer->finish(); });
  t.join();
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*server);
  EXPECT_EQ(signer->calls, 1);
}

TEST(Mtls13, FailingSignerAbortsWithClearError) {
  auto signer = std::make_shared<TestSigner>(test_pki().ecdsa().client.key.get(),
                                             TestSigner::Mode::fails);
  auto cc = client_config_for("ecdsa");
  cc->client_credentials = {signer_credential(signer)};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::required));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::internal_error);
  EXPECT_NE(client->error()->reason.find("HSM unreachable"), std::string::npos);
  EXPECT_EQ(server->error()->alert, Alert::internal_error);
  EXPECT_TRUE(server->error()->from_peer);
}

TEST(Mtls13, SignerWithWrongKeyIsCaughtBeforeSending) {
  // Signs with the server's key, not the client certificate's.
  auto signer = std::make_shared<TestSigner>(test_pki().ecdsa().server.key.get(),
                                             TestSigner::Mode::immediate);
  auto cc = client_config_for("ecdsa");
  cc->client_credentials = {signer_credential(signer)};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::required));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_NE(client->error()->reason.find("does not verify"), std::string::npos) << err(*client);
  EXPECT_NE(server->error()->alert, Alert::decrypt_error);  // never a bad signature on the wire
}

TEST(Mtls13, KeyMismatchIsRefusedAtLoad) {
  const auto& f = test_pki().ecdsa();
  auto c = Credential::from_x509({f.client.cert.get()}, f.server.key.get());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().reason.find("does not match"), std::string::npos);
}

TEST(Mtls13, UnsupportedSchemeSkipsCredential) {
  auto cc = mtls_client("ecdsa");
  auto sc = mtls_server(ClientAuth::required);
  sc->signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::ecdsa_secp256r1_sha256};
  // The server certificate is ECDSA; the CertificateRequest offers both, so
  // restrict what the client believes the server accepts via a selector.
  cc->client_credentials.clear();
  cc->client_certificate_selector = [](const CertificateRequestInfo& r,
                                       std::shared_ptr<PendingClientCertificate>) {
    CertificateRequestInfo only_rsa = r;
    only_rsa.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
    std::vector<SelectionNote> notes;
    auto idx = select_client_credential({test_pki().ecdsa().client_credential()}, only_rsa, &notes);
    EXPECT_FALSE(idx.has_value());
    EXPECT_NE(notes.at(0).reason.find("signature scheme"), std::string::npos);
    return ClientCertificateChoice::no_certificate();
  };
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  EXPECT_EQ(server->error()->alert, Alert::certificate_required);
}

TEST(Mtls13, ForcedCredentialThatCannotSignIsHandshakeFailure) {
  auto cc = client_config_for("ecdsa");
  cc->signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256};  // what the client may use
  cc->client_certificate_selector = [](const CertificateRequestInfo&,
                                       std::shared_ptr<PendingClientCertificate>) {
    return ClientCertificateChoice::use(test_pki().rsa().client_credential());  // RSA key
  };
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::required));
  EXPECT_FALSE(pump_handshake(*client, *server));
  EXPECT_EQ(client->error()->alert, Alert::handshake_failure);
}

struct ClientCertCase {
  const char* name;
  std::function<Credential()> make;
  Alert alert;
};

TEST(Mtls13, BadClientCertificatesGetTheRightAlert) {
  const auto& e = test_pki().ecdsa();
  std::vector<ClientCertCase> cases = {
      {"untrusted root", [&] {
         auto leaf = testing::issue({.cn = "client-untrusted", .eku = testing::CertSpec::Eku::client},
                                    e.untrusted_root);
         return testing::credential_from(leaf);
       }, Alert::unknown_ca},
      {"expired", [&] {
         auto leaf = testing::issue({.cn = "client-expired", .eku = testing::CertSpec::Eku::client,
                                     .not_before_offset_s = -10 * 86400, .not_after_offset_s = -86400},
                                    e.intermediate);
         return testing::credential_from(leaf, {&e.intermediate});
       }, Alert::certificate_expired},
      {"no clientAuth", [&] { return testing::credential_from(e.client_noauth, {&e.intermediate}); },
       Alert::unsupported_certificate},
  };
  for (const auto& c : cases) {
    auto cc = client_config_for("ecdsa");
    Credential cred = c.make();
    cc->client_certificate_selector = [cred](const CertificateRequestInfo&,
                                             std::shared_ptr<PendingClientCertificate>) {
      return ClientCertificateChoice::use(cred);
    };
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(mtls_server(ClientAuth::optional));
    EXPECT_FALSE(pump_handshake(*client, *server)) << c.name;
    ASSERT_TRUE(server->error()) << c.name;
    EXPECT_EQ(server->error()->alert, c.alert) << c.name << ": " << err(*server);
    ASSERT_TRUE(client->error()) << c.name;
    EXPECT_EQ(client->error()->alert, c.alert) << c.name;  // never treated as anonymous
  }
}

TEST(Mtls13, AcceptHookCanRefuse) {
  auto sc = mtls_server(ClientAuth::required);
  std::string seen_subject, seen_issuer;
  sc->client_certificate_check = [&](const PeerCertificateInfo& p) -> Status {
    seen_subject = p.subject;
    seen_issuer = p.issuer;
    return fail(Alert::access_denied, "not on the allow list");
  };
  auto client = Connection::client(mtls_client(), "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  EXPECT_EQ(server->error()->alert, Alert::access_denied);
  EXPECT_EQ(client->error()->alert, Alert::access_denied);
  EXPECT_EQ(seen_subject, test_pki().ecdsa().client_credential().subject());
  EXPECT_FALSE(seen_issuer.empty());
}

test_hooks::MessageHook rewrite(HandshakeType type, std::function<void(Bytes&)> f) {
  return [type, f](const Bytes& m) {
    Bytes c = m;
    if (c[0] == static_cast<uint8_t>(type)) f(c);
    return std::vector<Bytes>{c};
  };
}

TEST(Mtls13, ClientCertificateVerifyTampering) {
  {  // bad signature → decrypt_error
    auto client = Connection::client(mtls_client(), "localhost");
    auto server = Connection::server(mtls_server(ClientAuth::required));
    test_hooks::set_outgoing_message_hook(
        *client, rewrite(HandshakeType::certificate_verify, [](Bytes& m) { m.back() ^= 1; }));
    EXPECT_FALSE(pump_handshake(*client, *server));
    EXPECT_EQ(server->error()->alert, Alert::decrypt_error);
  }
  {  // a scheme that was not offered → illegal_parameter
    auto client = Connection::client(mtls_client(), "localhost");
    auto sc = mtls_server(ClientAuth::required);
    sc->signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256};
    auto server = Connection::server(sc);
    test_hooks::set_outgoing_message_hook(
        *client, rewrite(HandshakeType::certificate_verify, [](Bytes& m) { m[4] = 0x05; }));
    EXPECT_FALSE(pump_handshake(*client, *server));
    EXPECT_EQ(server->error()->alert, Alert::illegal_parameter);
  }
  {  // garbage certificate → decode_error
    auto client = Connection::client(mtls_client(), "localhost");
    auto server = Connection::server(mtls_server(ClientAuth::required));
    test_hooks::set_outgoing_message_hook(*client, [](const Bytes& m) {
      if (m[0] != static_cast<uint8_t>(HandshakeType::certificate)) return std::vector<Bytes>{m};
      Bytes body = {0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0x00, 0x00};
      Bytes out;
      frame_handshake(HandshakeType::certificate, body, out);
      return std::vector<Bytes>{out};
    });
    EXPECT_FALSE(pump_handshake(*client, *server));
    EXPECT_EQ(server->error()->alert, Alert::decode_error);
  }
}

TEST(Mtls13, PostHandshakeAuthentication) {
  auto cc = mtls_client();
  cc->post_handshake_auth = true;
  bool saw_post_handshake = false;
  cc->client_certificate_selector = [&](const CertificateRequestInfo& r,
                                        std::shared_ptr<PendingClientCertificate>) {
    saw_post_handshake = r.post_handshake;
    return ClientCertificateChoice::use(test_pki().ecdsa().client_credential());
  };
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::none));
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_TRUE(server->verified_peer_chain().empty());
  ASSERT_TRUE(server->request_client_certificate().ok());
  EXPECT_TRUE(server->post_handshake_auth_pending());
  transfer(*server, *client);  // tickets + CertificateRequest
  transfer(*client, *server);  // Certificate, CertificateVerify, Finished
  EXPECT_FALSE(client->failed()) << err(*client);
  EXPECT_FALSE(server->failed()) << err(*server);
  EXPECT_TRUE(saw_post_handshake);
  EXPECT_FALSE(server->post_handshake_auth_pending());
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
  EXPECT_EQ(send_and_receive(*client, *server, "still fine"), "still fine");
}

TEST(Mtls13, PostHandshakeAuthNeedsClientOffer) {
  auto client = Connection::client(mtls_client(), "localhost");
  auto server = Connection::server(mtls_server(ClientAuth::none));
  ASSERT_TRUE(pump_handshake(*client, *server));
  Status s = server->request_client_certificate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().reason.find("post_handshake_auth"), std::string::npos);
  EXPECT_FALSE(server->failed());
}

TEST(Mtls13, PostHandshakeAuthEmptyUnderRequiredFails) {
  auto cc = client_config_for("ecdsa");
  cc->post_handshake_auth = true;  // but no credentials
  auto sc = mtls_server(ClientAuth::required);
  auto client = Connection::client(mtls_client(), "localhost");
  auto cc2 = mtls_client();
  cc2->post_handshake_auth = true;
  // Authenticate in the handshake, then have PHA answered with nothing.
  bool first = true;
  cc2->client_certificate_selector = [&](const CertificateRequestInfo&,
                                         std::shared_ptr<PendingClientCertificate>) {
    if (first) {
      first = false;
      return ClientCertificateChoice::use(test_pki().ecdsa().client_credential());
    }
    return ClientCertificateChoice::no_certificate();
  };
  auto c2 = Connection::client(cc2, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*c2, *server));
  ASSERT_TRUE(server->request_client_certificate().ok());
  transfer(*server, *c2);
  transfer(*c2, *server);
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::certificate_required);
}

TEST(Mtls13, ResumptionKeepsTheClientIdentity) {
  auto cc = mtls_client();
  auto sc = mtls_server(ClientAuth::required);
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  transfer(*server, *client);
  auto sessions = client->take_sessions();
  ASSERT_FALSE(sessions.empty());
  auto client2 = Connection::client(cc, "localhost", sessions.front());
  auto server2 = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client2, *server2)) << err(*client2) << " / " << err(*server2);
  EXPECT_TRUE(server2->info().resumed);
  EXPECT_EQ(server2->verified_peer_chain(), server->verified_peer_chain());
}

}  // namespace
}  // namespace vouch

namespace vouch {
namespace {

TEST(Mtls13Crl, RevokedClientIsCertificateRevoked) {
  const auto& f = test_pki().ecdsa();
  auto sc = mtls_server(ClientAuth::required);
  TrustStore trust = f.trust();
  // The client leaf is issued by the intermediate: its CRL revokes it.
  ASSERT_TRUE(trust.add_crl_pem(testing::to_pem(testing::make_crl(f.intermediate, {&f.client}).get())).ok());
  sc->client_trust = trust;
  auto client = Connection::client(mtls_client(), "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::certificate_revoked) << err(*server);
  EXPECT_EQ(client->error()->alert, Alert::certificate_revoked);
}

TEST(Mtls13Crl, UnrevokedClientPassesCrlCheck) {
  const auto& f = test_pki().ecdsa();
  auto sc = mtls_server(ClientAuth::required);
  TrustStore trust = f.trust();
  ASSERT_TRUE(trust.add_crl_pem(testing::to_pem(testing::make_crl(f.intermediate, {&f.client_noauth}).get())).ok());
  sc->client_trust = trust;
  auto client = Connection::client(mtls_client(), "localhost");
  auto server = Connection::server(sc);
  EXPECT_TRUE(pump_handshake(*client, *server)) << err(*server);
}

TEST(Mtls13Crl, BadCrlInputIsRefused) {
  TrustStore trust = test_pki().ecdsa().trust();
  EXPECT_FALSE(trust.add_crl_pem("").ok());
  EXPECT_FALSE(trust.add_crl_pem("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n").ok());
  EXPECT_FALSE(trust.add_crl_file("/nonexistent/crl.pem").ok());
}

}  // namespace
}  // namespace vouch
