// ClientConfig::verify_depth / ServerConfig::client_verify_depth: how many
// intermediate CA certificates may stand between a peer's leaf and the
// anchor (RFC 5280 §6.1 leaves the bound to the relying party; OpenSSL's
// verify depth). The test chains are leaf ← intermediate ← root.
#include <gtest/gtest.h>

#include "cert/verify_chain.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;
using testing::test_pki;

std::string why(const Connection& c) { return c.error() ? c.error()->to_string() : std::string(); }

TEST(VerifyDepth13, OneIntermediateIsWithinDepthOne) {
  auto cc = client_config_for("ecdsa");
  cc->verify_depth = 1;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << why(*server);
}

TEST(VerifyDepth13, DepthZeroRefusesAServerChainWithAnIntermediate) {
  auto cc = client_config_for("ecdsa");
  cc->verify_depth = 0;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::bad_certificate);
  EXPECT_EQ(x509_verify_error_of(*client->error()), X509_V_ERR_CERT_CHAIN_TOO_LONG) << why(*client);
}

TEST(VerifyDepth13, ServerDepthZeroRefusesAClientChainWithAnIntermediate) {
  auto cc = client_config_for("ecdsa");
  cc->client_credentials = {test_pki().ecdsa().client_credential()};
  auto sc = server_config_for("ecdsa");
  sc->client_auth = ClientAuth::required;
  sc->client_trust = test_pki().ecdsa().trust();
  sc->client_verify_depth = 0;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(server->error());
  EXPECT_EQ(x509_verify_error_of(*server->error()), X509_V_ERR_CERT_CHAIN_TOO_LONG) << why(*server);

  sc->client_verify_depth = 1;
  client = Connection::client(cc, "localhost");
  server = Connection::server(sc);
  EXPECT_TRUE(pump_handshake(*client, *server)) << why(*client) << why(*server);
}

}  // namespace
}  // namespace vouch
