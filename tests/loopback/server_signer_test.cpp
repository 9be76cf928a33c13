// Credentials whose private key lives outside the process
// (Credential::from_signer / from_pem_and_signer, PrivateKeySigner), in
// memory: a server signing its TLS 1.3 CertificateVerify (RFC 8446 §4.4.3)
// or its TLS 1.2 ServerKeyExchange (RFC 5246 §7.4.3, RFC 8422 §5.4) at once
// or later (Wait::private_key_operation, completed from another thread);
// a signer holding the wrong key caught before its signature leaves the
// process (in TLS 1.2 before anything at all is sent); a failing signer;
// ECDSA and RSA, with PKCS#1 v1.5 or PSS as the client's offer decides in
// TLS 1.2; and a client's signer in TLS 1.2 mutual TLS.
#include <gtest/gtest.h>

#include <mutex>
#include <string_view>
#include <thread>
#include <tuple>

#include "crypto/signature.h"
#include "handshake/test_hooks.h"
#include "msg/handshake_type.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::pump_handshake;
using testing::send_and_receive;
using testing::test_pki;
using testing::transfer;

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }

const testing::PkiFamily& family(const std::string& name) {
  return name == "rsa" ? test_pki().rsa() : test_pki().ecdsa();
}

// An external signer backed by an in-process key, recording what it is
// asked. Modes: answer at once, answer later (finish() from any thread),
// fail at once, or fail later.
class TestSigner : public PrivateKeySigner {
 public:
  enum class Mode { immediate, later, fails, fails_later };
  TestSigner(EVP_PKEY* key, Mode mode) : key_(key), mode_(mode) {}

  Result<std::optional<Bytes>> sign(SignatureScheme scheme, ByteView message,
                                    std::shared_ptr<PendingSignature> pending) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    schemes_.push_back(scheme);
    message_.assign(message.begin(), message.end());
    scheme_ = scheme;
    if (mode_ == Mode::fails) return fail(Alert::internal_error, "HSM unreachable");
    if (mode_ == Mode::later || mode_ == Mode::fails_later) {
      pending_ = std::move(pending);
      return std::optional<Bytes>();
    }
    VOUCH_ASSIGN(Bytes sig, sign_message(scheme, key_, message));
    return std::optional<Bytes>(std::move(sig));
  }

  // Completes the pending signature, signing here (on the caller's thread).
  void finish() {
    std::lock_guard<std::mutex> lock(mu_);
    ASSERT_TRUE(pending_);
    if (mode_ == Mode::fails_later) {
      pending_->fail(fail(Alert::internal_error, "HSM timed out"));
      return;
    }
    auto sig = sign_message(scheme_, key_, message_);
    ASSERT_TRUE(sig.ok()) << sig.error().to_string();
    pending_->complete(*sig);
  }

  int calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<SignatureScheme> schemes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return schemes_;
  }
  Bytes message() const {
    std::lock_guard<std::mutex> lock(mu_);
    return message_;
  }

 private:
  EVP_PKEY* key_;
  Mode mode_;
  mutable std::mutex mu_;
  int calls_ = 0;
  std::vector<SignatureScheme> schemes_;
  Bytes message_;
  SignatureScheme scheme_{};
  std::shared_ptr<PendingSignature> pending_;
};

// The family's server chain (leaf + intermediate) with `signer` for its key.
Credential server_signer_credential(const std::string& fam, std::shared_ptr<PrivateKeySigner> signer,
                                    bool from_pem = false) {
  const auto& f = family(fam);
  auto c = from_pem ? Credential::from_pem_and_signer(f.server.cert_pem + f.intermediate.cert_pem, std::move(signer))
                    : Credential::from_signer({f.server.cert.get(), f.intermediate.cert.get()}, std::move(signer));
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  return std::move(c).value();
}

std::shared_ptr<ServerConfig> server_with(Credential credential, ProtocolVersion max_version) {
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {std::move(credential)};
  sc->max_version = max_version;
  return sc;
}

std::shared_ptr<ClientConfig> client_for(const std::string& fam) {
  auto cc = std::make_shared<ClientConfig>();
  cc->trust = family(fam).trust();
  return cc;
}

const char* name_of(ProtocolVersion v) { return v == ProtocolVersion::tls13 ? "tls13" : "tls12"; }

// What the signer is asked to sign: RFC 8446 §4.4.3's 64 spaces and context
// string (TLS 1.3), or RFC 8422 §5.4's client_random || server_random ||
// ServerECDHParams (TLS 1.2).
void expect_signed_content(ProtocolVersion v, const Bytes& message, const Bytes& client_random) {
  if (v == ProtocolVersion::tls13) {
    ASSERT_GT(message.size(), 64u);
    EXPECT_EQ(Bytes(message.begin(), message.begin() + 64), Bytes(64, 0x20));
    const std::string_view context(reinterpret_cast<const char*>(message.data()) + 64, 33);
    EXPECT_EQ(context, "TLS 1.3, server CertificateVerify");
  } else {
    ASSERT_EQ(client_random.size(), 32u);
    ASSERT_GT(message.size(), 64u + 4u);
    EXPECT_EQ(Bytes(message.begin(), message.begin() + 32), client_random);
    EXPECT_EQ(message[64], 3);  // curve_type named_curve
  }
}

// Records the random of the client's ClientHello.
std::shared_ptr<Bytes> capture_client_random(Connection& client) {
  auto random = std::make_shared<Bytes>();
  test_hooks::set_outgoing_message_hook(client, [random](const Bytes& m) {
    if (m[0] == static_cast<uint8_t>(HandshakeType::client_hello))
      *random = Bytes(m.begin() + 4 + 2, m.begin() + 4 + 2 + 32);
    return std::vector<Bytes>{m};
  });
  return random;
}

// ---- the server's signer works, at once or later -----------------------------------

using Params = std::tuple<ProtocolVersion, std::string, bool /*later*/>;

class ServerSigner : public ::testing::TestWithParam<Params> {};

TEST_P(ServerSigner, SignsTheHandshake) {
  const auto& [version, fam, later] = GetParam();
  auto signer = std::make_shared<TestSigner>(family(fam).server.key.get(),
                                             later ? TestSigner::Mode::later : TestSigner::Mode::immediate);
  auto sc = server_with(server_signer_credential(fam, signer), version);
  auto client = Connection::client(client_for(fam), "localhost");
  auto server = Connection::server(sc);
  auto client_random = capture_client_random(*client);
  ASSERT_EQ(server->wait(), Wait::read);
  if (later) {
    ASSERT_TRUE(client->start().ok());
    transfer(*client, *server);
    ASSERT_FALSE(server->failed()) << err(*server);
    EXPECT_EQ(server->wait(), Wait::private_key_operation);
    EXPECT_EQ(signer->calls(), 1);
    // TLS 1.2 signs the ServerKeyExchange before anything is sent; TLS 1.3
    // has sent its ServerHello and encrypted flight up to the Certificate.
    if (version == ProtocolVersion::tls12) {
      EXPECT_TRUE(server->pending_output().empty());
    }
    // Resuming before the answer keeps waiting and does not ask again.
    ASSERT_TRUE(server->resume().ok()) << err(*server);
    EXPECT_EQ(server->wait(), Wait::private_key_operation);
    EXPECT_EQ(signer->calls(), 1);
    std::thread t([&] { signer->finish(); });
    t.join();
    ASSERT_TRUE(server->resume().ok()) << err(*server);
    EXPECT_NE(server->wait(), Wait::private_key_operation);
  }
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(signer->calls(), 1);
  EXPECT_EQ(client->info().version, version);
  EXPECT_EQ(server->info().version, version);
  EXPECT_EQ(client->peer_subject(), "CN=localhost,O=vouch-test");
  ASSERT_EQ(signer->schemes().size(), 1u);
  EXPECT_EQ(client->info().peer_signature_scheme, signer->schemes()[0]);
  expect_signed_content(version, signer->message(), *client_random);
  EXPECT_EQ(send_and_receive(*client, *server, "signed elsewhere"), "signed elsewhere");
  EXPECT_EQ(send_and_receive(*server, *client, "indeed"), "indeed");
}

INSTANTIATE_TEST_SUITE_P(VersionsFamiliesModes, ServerSigner,
                         ::testing::Combine(::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                                            ::testing::Values(std::string("ecdsa"), std::string("rsa")),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<Params>& p) {
                           return std::string(name_of(std::get<0>(p.param))) + "_" + std::get<1>(p.param) + "_" +
                                  (std::get<2>(p.param) ? "later" : "now");
                         });

TEST(ServerSignerPem, FromPemAndSignerWorksInBothVersions) {
  for (ProtocolVersion v : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    auto signer = std::make_shared<TestSigner>(family("ecdsa").server.key.get(), TestSigner::Mode::immediate);
    auto cred = server_signer_credential("ecdsa", signer, /*from_pem=*/true);
    EXPECT_EQ(cred.private_key(), nullptr);
    EXPECT_EQ(cred.signer(), signer.get());
    EXPECT_EQ(cred.chain_der().size(), 2u);
    auto client = Connection::client(client_for("ecdsa"), "localhost");
    auto server = Connection::server(server_with(cred, v));
    ASSERT_TRUE(pump_handshake(*client, *server)) << name_of(v) << ": " << err(*client) << " / " << err(*server);
    EXPECT_EQ(client->info().version, v);
    EXPECT_EQ(signer->calls(), 1);
  }
}

// RFC 5246 §7.4.1.4.1: in TLS 1.2 an RSA key signs with whichever of
// PKCS#1 v1.5 and PSS the client offers; the signer is asked for that one.
TEST(ServerSignerRsa12, SchemeFollowsTheClientsOffer) {
  for (SignatureScheme offered : {SignatureScheme::rsa_pkcs1_sha256, SignatureScheme::rsa_pkcs1_sha384,
                                  SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha512}) {
    for (bool later : {false, true}) {
      auto signer = std::make_shared<TestSigner>(family("rsa").server.key.get(),
                                                 later ? TestSigner::Mode::later : TestSigner::Mode::immediate);
      auto cc = client_for("rsa");
      cc->signature_schemes = {offered};
      auto client = Connection::client(cc, "localhost");
      auto server = Connection::server(server_with(server_signer_credential("rsa", signer), ProtocolVersion::tls12));
      if (later) {
        EXPECT_FALSE(pump_handshake(*client, *server));
        ASSERT_EQ(server->wait(), Wait::private_key_operation) << err(*server);
        std::thread t([&] { signer->finish(); });
        t.join();
        ASSERT_TRUE(server->resume().ok()) << err(*server);
      }
      ASSERT_TRUE(pump_handshake(*client, *server)) << to_string(offered) << ": " << err(*client) << " / "
                                                    << err(*server);
      ASSERT_EQ(signer->schemes(), std::vector<SignatureScheme>{offered});
      EXPECT_EQ(client->info().peer_signature_scheme, offered);
    }
  }
}

// The same offer of PKCS#1 only cannot be met in TLS 1.3 (RFC 8446 §4.2.3:
// "MUST NOT ... in CertificateVerify"): the signer is never asked.
TEST(ServerSignerRsa12, Pkcs1OnlyOfferIsRefusedInTls13) {
  auto signer = std::make_shared<TestSigner>(family("rsa").server.key.get(), TestSigner::Mode::immediate);
  auto cc = client_for("rsa");
  cc->min_version = ProtocolVersion::tls13;
  cc->signature_schemes = {SignatureScheme::rsa_pkcs1_sha256};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_with(server_signer_credential("rsa", signer), ProtocolVersion::tls13));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::handshake_failure) << err(*server);
  EXPECT_EQ(signer->calls(), 0);
}

// ---- a signer with the wrong key, a signer that fails ---------------------------------

class ServerSignerFailure : public ::testing::TestWithParam<std::tuple<ProtocolVersion, std::string>> {};

// The signature is checked against the certificate before it is sent: the
// handshake fails with internal_error naming the problem, the peer never
// sees a bad signature (it gets internal_error, not decrypt_error), and in
// TLS 1.2 — which signs before sending anything — the server's whole output
// is its alert.
TEST_P(ServerSignerFailure, WrongKeyIsCaughtBeforeSending) {
  const auto& [version, fam] = GetParam();
  for (bool later : {false, true}) {
    // The family's client key: the right type for the schemes, the wrong key.
    auto signer = std::make_shared<TestSigner>(family(fam).client.key.get(),
                                               later ? TestSigner::Mode::later : TestSigner::Mode::immediate);
    auto client = Connection::client(client_for(fam), "localhost");
    auto server = Connection::server(server_with(server_signer_credential(fam, signer), version));
    ASSERT_TRUE(client->start().ok());
    transfer(*client, *server);
    if (later) {
      ASSERT_EQ(server->wait(), Wait::private_key_operation) << err(*server);
      std::thread t([&] { signer->finish(); });
      t.join();
      EXPECT_FALSE(server->resume().ok());
    }
    ASSERT_TRUE(server->error()) << "later=" << later;
    EXPECT_EQ(server->error()->alert, Alert::internal_error);
    EXPECT_FALSE(server->error()->from_peer);
    EXPECT_NE(server->error()->reason.find("wrong key"), std::string::npos) << err(*server);
    EXPECT_NE(server->error()->reason.find("CN=localhost"), std::string::npos) << err(*server);
    if (version == ProtocolVersion::tls12) {
      const Bytes alert_only = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, static_cast<uint8_t>(Alert::internal_error)};
      EXPECT_EQ(Bytes(server->pending_output().begin(), server->pending_output().end()), alert_only);
    }
    transfer(*server, *client);
    ASSERT_TRUE(client->error()) << "later=" << later;
    EXPECT_EQ(client->error()->alert, Alert::internal_error) << err(*client);
    EXPECT_TRUE(client->error()->from_peer);
    EXPECT_EQ(signer->calls(), 1);
  }
}

TEST_P(ServerSignerFailure, FailingSignerIsInternalError) {
  const auto& [version, fam] = GetParam();
  for (auto mode : {TestSigner::Mode::fails, TestSigner::Mode::fails_later}) {
    auto signer = std::make_shared<TestSigner>(family(fam).server.key.get(), mode);
    auto client = Connection::client(client_for(fam), "localhost");
    auto server = Connection::server(server_with(server_signer_credential(fam, signer), version));
    if (mode == TestSigner::Mode::fails_later) {
      EXPECT_FALSE(pump_handshake(*client, *server));
      ASSERT_EQ(server->wait(), Wait::private_key_operation) << err(*server);
      std::thread t([&] { signer->finish(); });
      t.join();
      EXPECT_FALSE(server->resume().ok());
      transfer(*server, *client);
    } else {
      EXPECT_FALSE(pump_handshake(*client, *server));
    }
    ASSERT_TRUE(server->error());
    EXPECT_EQ(server->error()->alert, Alert::internal_error);
    EXPECT_FALSE(server->error()->from_peer);
    const char* why = mode == TestSigner::Mode::fails ? "HSM unreachable" : "HSM timed out";
    EXPECT_NE(server->error()->reason.find(why), std::string::npos) << err(*server);
    ASSERT_TRUE(client->error());
    EXPECT_EQ(client->error()->alert, Alert::internal_error);
    EXPECT_TRUE(client->error()->from_peer);
  }
}

INSTANTIATE_TEST_SUITE_P(VersionsAndFamilies, ServerSignerFailure,
                         ::testing::Combine(::testing::Values(ProtocolVersion::tls13, ProtocolVersion::tls12),
                                            ::testing::Values(std::string("ecdsa"), std::string("rsa"))),
                         [](const ::testing::TestParamInfo<std::tuple<ProtocolVersion, std::string>>& p) {
                           return std::string(name_of(std::get<0>(p.param))) + "_" + std::get<1>(p.param);
                         });

// ---- the client's signer in TLS 1.2 mutual TLS ------------------------------------------

std::shared_ptr<ServerConfig> mtls_server12(const std::string& fam) {
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials = {family(fam).server_credential()};
  sc->max_version = ProtocolVersion::tls12;
  sc->client_auth = ClientAuth::required;
  sc->client_trust = family(fam).trust();
  return sc;
}

std::shared_ptr<ClientConfig> signer_client(const std::string& fam, std::shared_ptr<PrivateKeySigner> signer) {
  const auto& f = family(fam);
  auto cred = Credential::from_signer({f.client.cert.get(), f.intermediate.cert.get()}, std::move(signer));
  EXPECT_TRUE(cred.ok()) << cred.error().to_string();
  auto cc = client_for(fam);
  cc->client_credentials = {std::move(cred).value()};
  return cc;
}

class ClientSigner12 : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(ClientSigner12, SignsCertificateVerify) {
  const auto& [fam, later] = GetParam();
  auto signer = std::make_shared<TestSigner>(family(fam).client.key.get(),
                                             later ? TestSigner::Mode::later : TestSigner::Mode::immediate);
  auto client = Connection::client(signer_client(fam, signer), "localhost");
  auto server = Connection::server(mtls_server12(fam));
  if (later) {
    EXPECT_FALSE(pump_handshake(*client, *server));
    ASSERT_FALSE(client->failed()) << err(*client);
    ASSERT_FALSE(server->failed()) << err(*server);
    EXPECT_EQ(client->wait(), Wait::private_key_operation);
    ASSERT_TRUE(client->resume().ok());
    EXPECT_EQ(client->wait(), Wait::private_key_operation);
    EXPECT_EQ(signer->calls(), 1);
    std::thread t([&] { signer->finish(); });
    t.join();
    ASSERT_TRUE(client->resume().ok()) << err(*client);
  }
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(client->info().version, ProtocolVersion::tls12);
  EXPECT_EQ(signer->calls(), 1);
  ASSERT_TRUE(client->client_certificate().has_value());
  EXPECT_EQ(server->peer_subject(), client->client_certificate()->subject());
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
  EXPECT_EQ(send_and_receive(*client, *server, "mutual"), "mutual");
}

TEST_P(ClientSigner12, WrongKeyIsCaughtBeforeSending) {
  const auto& [fam, later] = GetParam();
  auto signer = std::make_shared<TestSigner>(family(fam).server.key.get(),  // not the client certificate's key
                                             later ? TestSigner::Mode::later : TestSigner::Mode::immediate);
  auto client = Connection::client(signer_client(fam, signer), "localhost");
  auto server = Connection::server(mtls_server12(fam));
  EXPECT_FALSE(pump_handshake(*client, *server));
  if (later) {
    ASSERT_EQ(client->wait(), Wait::private_key_operation) << err(*client);
    std::thread t([&] { signer->finish(); });
    t.join();
    EXPECT_FALSE(client->resume().ok());
    transfer(*client, *server);
  }
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::internal_error);
  EXPECT_NE(client->error()->reason.find("wrong key"), std::string::npos) << err(*client);
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::internal_error) << err(*server);  // never decrypt_error
  EXPECT_TRUE(server->error()->from_peer);
}

TEST_P(ClientSigner12, FailingSignerIsInternalError) {
  const auto& [fam, later] = GetParam();
  auto signer = std::make_shared<TestSigner>(family(fam).client.key.get(),
                                             later ? TestSigner::Mode::fails_later : TestSigner::Mode::fails);
  auto client = Connection::client(signer_client(fam, signer), "localhost");
  auto server = Connection::server(mtls_server12(fam));
  EXPECT_FALSE(pump_handshake(*client, *server));
  if (later) {
    ASSERT_EQ(client->wait(), Wait::private_key_operation) << err(*client);
    std::thread t([&] { signer->finish(); });
    t.join();
    EXPECT_FALSE(client->resume().ok());
    transfer(*client, *server);
  }
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::internal_error);
  EXPECT_NE(client->error()->reason.find(later ? "HSM timed out" : "HSM unreachable"), std::string::npos)
      << err(*client);
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::internal_error);
  EXPECT_TRUE(server->error()->from_peer);
}

INSTANTIATE_TEST_SUITE_P(FamiliesAndModes, ClientSigner12,
                         ::testing::Combine(::testing::Values(std::string("ecdsa"), std::string("rsa")),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<std::string, bool>>& p) {
                           return std::get<0>(p.param) + (std::get<1>(p.param) ? "_later" : "_now");
                         });

// Both ends with external signers at once, in TLS 1.2.
TEST(Signers12, BothEndsSignLater) {
  auto server_signer = std::make_shared<TestSigner>(family("ecdsa").server.key.get(), TestSigner::Mode::later);
  auto client_signer = std::make_shared<TestSigner>(family("ecdsa").client.key.get(), TestSigner::Mode::later);
  auto sc = mtls_server12("ecdsa");
  sc->credentials = {server_signer_credential("ecdsa", server_signer)};
  auto client = Connection::client(signer_client("ecdsa", client_signer), "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_EQ(server->wait(), Wait::private_key_operation) << err(*server);
  std::thread([&] { server_signer->finish(); }).join();
  ASSERT_TRUE(server->resume().ok()) << err(*server);
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_EQ(client->wait(), Wait::private_key_operation) << err(*client);
  std::thread([&] { client_signer->finish(); }).join();
  ASSERT_TRUE(client->resume().ok()) << err(*client);
  ASSERT_TRUE(pump_handshake(*client, *server)) << err(*client) << " / " << err(*server);
  EXPECT_EQ(server->verified_peer_chain().size(), 3u);
  EXPECT_EQ(server_signer->calls(), 1);
  EXPECT_EQ(client_signer->calls(), 1);
}

}  // namespace
}  // namespace vouch
