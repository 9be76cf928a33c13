// ClientConfig::verify_callback and ServerConfig::client_verify_callback
// in whole TLS 1.3 handshakes: a chain from an unknown CA let through by
// the callback, a good chain refused by it (the alert each peer sees), and
// the callback running on every handshake, on the handshake's thread.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>

#include "cert/verify_chain.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::send_and_receive;
using testing::server_config_for;
using testing::test_pki;

std::string why(const Connection& c) { return c.error() ? c.error()->to_string() : std::string(); }

// Counts the calls and what they saw; answers `accept` for every call, or
// passes preverify_ok through when unset.
struct Counter {
  int calls = 0;
  int failures_seen = 0;
  int depth0_calls = 0;
  std::thread::id thread;
  std::optional<bool> accept;

  X509VerifyCallback callback() {
    return [this](bool ok, X509_STORE_CTX* ctx) {
      ++calls;
      if (!ok) ++failures_seen;
      if (X509_STORE_CTX_get_error_depth(ctx) == 0) ++depth0_calls;
      thread = std::this_thread::get_id();
      return accept.value_or(ok);
    };
  }
};

// For a server with the ECDSA chain: a client trusting only the RSA root.
std::shared_ptr<ClientConfig> client_of_the_wrong_ca() { return client_config_for("rsa"); }

TEST(VerifyCallback13, ClientAcceptsAServerOfAnUnknownCa) {
  {
    // Without a callback: unknown_ca.
    auto client = Connection::client(client_of_the_wrong_ca(), "localhost");
    auto server = Connection::server(server_config_for("ecdsa"));
    ASSERT_FALSE(pump_handshake(*client, *server));
    ASSERT_TRUE(client->error());
    EXPECT_EQ(client->error()->alert, Alert::unknown_ca);
  }
  Counter counter;
  counter.accept = true;
  auto cc = client_of_the_wrong_ca();
  cc->verify_callback = counter.callback();
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << " / " << why(*server);
  EXPECT_GE(counter.failures_seen, 1);
  EXPECT_GE(counter.depth0_calls, 1);
  EXPECT_EQ(counter.thread, std::this_thread::get_id());
  // What was built: the leaf and the intermediate (no anchor was found).
  EXPECT_EQ(client->verified_peer_chain().size(), 2u);
  EXPECT_EQ(send_and_receive(*client, *server, "accepted"), "accepted");
}

TEST(VerifyCallback13, ClientRefusesAGoodServerChain) {
  auto cc = client_config_for("ecdsa");
  cc->verify_callback = [](bool ok, X509_STORE_CTX* ctx) {
    return ok && X509_STORE_CTX_get_error_depth(ctx) != 0;
  };
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::bad_certificate);
  EXPECT_FALSE(client->error()->from_peer);
  EXPECT_NE(client->error()->reason.find("refused by the verify callback"), std::string::npos) << why(*client);
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::bad_certificate);
  EXPECT_TRUE(server->error()->from_peer);
}

TEST(VerifyCallback13, ClientCallbackRunsOnEveryHandshake) {
  const bool caching = verify_caching_enabled();
  set_verify_caching(true);
  Counter counter;
  auto cc = client_config_for("ecdsa");
  cc->verify_callback = counter.callback();
  auto sc = server_config_for("ecdsa");
  sc->allow_resumption = false;
  for (int i = 1; i <= 3; ++i) {
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(sc);
    ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << " / " << why(*server);
    EXPECT_EQ(counter.calls, 3 * i);  // root, intermediate, leaf
  }
  EXPECT_EQ(counter.failures_seen, 0);
  set_verify_caching(caching);
}

std::shared_ptr<ServerConfig> mtls_server(const std::string& trusted_family) {
  auto sc = server_config_for("ecdsa");
  sc->client_auth = ClientAuth::required;
  sc->client_trust = (trusted_family == "rsa" ? test_pki().rsa() : test_pki().ecdsa()).trust();
  return sc;
}

std::shared_ptr<ClientConfig> mtls_client(const std::string& family) {
  auto cc = client_config_for("ecdsa");
  // The server names only the CAs it trusts: send the certificate anyway.
  const Credential credential = (family == "rsa" ? test_pki().rsa() : test_pki().ecdsa()).client_credential();
  cc->client_certificate_selector = [credential](const CertificateRequestInfo&,
                                                 std::shared_ptr<PendingClientCertificate>) {
    return ClientCertificateChoice::use(credential);
  };
  return cc;
}

TEST(VerifyCallback13, ServerAcceptsAClientOfAnUnknownCa) {
  {
    auto client = Connection::client(mtls_client("rsa"), "localhost");
    auto server = Connection::server(mtls_server("ecdsa"));
    ASSERT_FALSE(pump_handshake(*client, *server));
    ASSERT_TRUE(server->error());
    EXPECT_EQ(server->error()->alert, Alert::unknown_ca);
  }
  Counter counter;
  counter.accept = true;
  auto sc = mtls_server("ecdsa");
  sc->client_verify_callback = counter.callback();
  auto client = Connection::client(mtls_client("rsa"), "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << " / " << why(*server);
  EXPECT_GE(counter.failures_seen, 1);
  EXPECT_EQ(counter.thread, std::this_thread::get_id());
  EXPECT_EQ(server->peer_subject(), test_pki().rsa().client_credential().subject());
  EXPECT_EQ(server->verified_peer_chain().size(), 2u);
  EXPECT_EQ(send_and_receive(*client, *server, "accepted"), "accepted");
}

TEST(VerifyCallback13, ServerRefusesAGoodClientChain) {
  Counter counter;
  counter.accept = false;
  auto sc = mtls_server("ecdsa");
  sc->client_verify_callback = counter.callback();
  auto client = Connection::client(mtls_client("ecdsa"), "localhost");
  auto server = Connection::server(sc);
  ASSERT_FALSE(pump_handshake(*client, *server));
  EXPECT_EQ(counter.calls, 1);  // the first answer (for the anchor) ends it
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::bad_certificate);
  EXPECT_NE(server->error()->reason.find("refused by the verify callback"), std::string::npos) << why(*server);
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::bad_certificate);
  EXPECT_TRUE(client->error()->from_peer);
}

TEST(VerifyCallback13, ServerCallbackOnlyWhenAClientCertificateArrives) {
  Counter counter;
  auto sc = server_config_for("ecdsa");
  sc->client_verify_callback = counter.callback();  // client_auth none
  auto client = Connection::client(mtls_client("ecdsa"), "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << " / " << why(*server);
  EXPECT_EQ(counter.calls, 0);
}

}  // namespace
}  // namespace vouch
