// ClientConfig::verify_name: the name the server certificate must match,
// apart from the SNI (RFC 6066 §3 names the server; RFC 9525 checks its
// certificate). Unset = the SNI; another name; empty = the chain only.
#include <gtest/gtest.h>

#include "cert/verify_chain.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;

std::string why(const Connection& c) { return c.error() ? c.error()->to_string() : std::string(); }

TEST(VerifyName13, UnsetChecksTheSni) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << why(*server);
  EXPECT_EQ(server->info().server_name, "localhost");
}

TEST(VerifyName13, AnotherNameIsCheckedInsteadOfTheSni) {
  auto cc = client_config_for("ecdsa");
  cc->verify_name = "localhost";
  auto client = Connection::client(cc, "sni-only.example");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << why(*server);
  // The SNI sent is still the server name given to the connection.
  EXPECT_EQ(server->info().server_name, "sni-only.example");
}

TEST(VerifyName13, AMismatchingNameFailsWithHostnameMismatch) {
  auto cc = client_config_for("ecdsa");
  cc->verify_name = "not-localhost.example";
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::bad_certificate);
  EXPECT_EQ(x509_verify_error_of(*client->error()), X509_V_ERR_HOSTNAME_MISMATCH) << why(*client);
}

TEST(VerifyName13, AnIpLiteralIsMatchedAsAnAddress) {
  // The test server certificate names localhost, 127.0.0.1 and ::1.
  auto cc = client_config_for("ecdsa");
  cc->verify_name = "127.0.0.1";
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << why(*server);

  cc->verify_name = "127.0.0.2";
  client = Connection::client(cc, "localhost");
  server = Connection::server(server_config_for("ecdsa"));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(x509_verify_error_of(*client->error()), X509_V_ERR_IP_ADDRESS_MISMATCH) << why(*client);
}

TEST(VerifyName13, EmptyVerifiesTheChainWithoutAName) {
  auto cc = client_config_for("ecdsa");
  cc->verify_name = "";
  auto client = Connection::client(cc, "not-localhost.example");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << why(*server);
}

TEST(VerifyName13, EmptyAllowsNoSniAtAll) {
  auto cc = client_config_for("ecdsa");
  cc->verify_name = "";
  auto client = Connection::client(cc);
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server)) << why(*client) << why(*server);
  EXPECT_EQ(server->info().server_name, "");
}

TEST(VerifyName13, EmptyStillVerifiesTheChain) {
  auto cc = client_config_for("rsa");  // trusts only the RSA root
  cc->verify_name = "";
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  EXPECT_FALSE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::unknown_ca);
}

TEST(VerifyName13, NoSniAndNoVerifyNameIsRefusedClearly) {
  auto client = Connection::client(client_config_for("ecdsa"));
  EXPECT_FALSE(client->start());
  ASSERT_TRUE(client->error());
  EXPECT_NE(client->error()->reason.find("verify_name"), std::string::npos) << why(*client);
}

}  // namespace
}  // namespace vouch
