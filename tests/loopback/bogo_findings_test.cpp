// What running vouch under BoringSSL's BoGo runner (tests/bogo/, `make bogo`)
// found, each kept here as a test that fails without its fix:
//  - a TLS 1.3 client in middlebox compatibility mode sends its dummy
//    change_cipher_spec before any encrypted record, the alert of an abort
//    while it reads the server's flight included (RFC 8446 §D.4);
//  - a server reports the scheme of the client's CertificateVerify in
//    ConnectionInfo::peer_signature_scheme, both versions;
//  - KeyUpdates with update_requested that arrive while the receiver sends
//    no data are answered by a single KeyUpdate (RFC 8446 §4.6.3).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "record/record.h"
#include "support/libssl_peer.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::send_and_receive;
using testing::server_config_for;
using testing::take_output;
using testing::test_pki;

// The content types of the records in `wire`, in order.
std::vector<ContentType> record_types(const Bytes& wire) {
  std::vector<ContentType> out;
  size_t at = 0;
  while (at + kRecordHeaderLength <= wire.size()) {
    out.push_back(static_cast<ContentType>(wire[at]));
    at += kRecordHeaderLength + record_fragment_length(ByteView(wire).subspan(at));
  }
  EXPECT_EQ(at, wire.size()) << "a partial record";
  return out;
}

TEST(BogoFindings, CompatClientSendsChangeCipherSpecBeforeAnEncryptedAlert) {
  for (bool compat : {true, false}) {
    SCOPED_TRACE(compat ? "middlebox compatibility on" : "off");
    auto cc = client_config_for("ecdsa");
    cc->middlebox_compat = compat;
    cc->min_version = ProtocolVersion::tls13;
    cc->verify_name = "not-the-server.example";  // the client aborts at the server's Certificate
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(server_config_for("ecdsa"));
    ASSERT_TRUE(client->start());
    const Bytes hello = take_output(*client);
    ASSERT_TRUE(server->receive(hello));
    const Status s = client->receive(take_output(*server));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().alert, Alert::bad_certificate);
    // After the ClientHello: (the change_cipher_spec,) then the alert,
    // protected under the handshake keys.
    const std::vector<ContentType> want =
        compat ? std::vector<ContentType>{ContentType::change_cipher_spec, ContentType::application_data}
               : std::vector<ContentType>{ContentType::application_data};
    EXPECT_EQ(record_types(take_output(*client)), want);
  }
}

TEST(BogoFindings, ServerReportsTheSchemeOfTheClientsCertificateVerify) {
  for (ProtocolVersion v : {ProtocolVersion::tls12, ProtocolVersion::tls13}) {
    for (const char* family : {"ecdsa", "rsa"}) {
      SCOPED_TRACE(to_string(v) + " " + family);
      const auto& pki = std::string(family) == "rsa" ? test_pki().rsa() : test_pki().ecdsa();
      auto cc = client_config_for(family);
      cc->min_version = cc->max_version = v;
      cc->client_credentials.push_back(pki.client_credential());
      auto sc = server_config_for(family);
      sc->client_auth = ClientAuth::required;
      sc->client_trust = pki.trust();
      auto client = Connection::client(cc, "localhost");
      auto server = Connection::server(sc);
      ASSERT_TRUE(pump_handshake(*client, *server));
      const SignatureScheme scheme = server->info().peer_signature_scheme;
      if (std::string(family) == "rsa") {
        EXPECT_TRUE(scheme == SignatureScheme::rsa_pss_rsae_sha256 || scheme == SignatureScheme::rsa_pss_rsae_sha384 ||
                    scheme == SignatureScheme::rsa_pss_rsae_sha512 || scheme == SignatureScheme::rsa_pkcs1_sha256 ||
                    scheme == SignatureScheme::rsa_pkcs1_sha384 || scheme == SignatureScheme::rsa_pkcs1_sha512)
            << to_string(scheme);
      } else {
        EXPECT_EQ(scheme, SignatureScheme::ecdsa_secp256r1_sha256) << to_string(scheme);
      }
    }
  }
  // No client certificate, no scheme.
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server));
  EXPECT_EQ(static_cast<uint16_t>(server->info().peer_signature_scheme), 0);
}

TEST(BogoFindings, RequestsWhileSilentAreAnsweredOnce) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server));
  ASSERT_EQ(client->info().version, ProtocolVersion::tls13);
  (void)take_output(*server);  // tickets, if the pump left any
  // Three requests in a row, the server silent meanwhile: one answer.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->key_update(true));
  ASSERT_TRUE(server->receive(take_output(*client)));
  const Bytes answer = take_output(*server);
  EXPECT_EQ(record_types(answer).size(), 1u);
  ASSERT_TRUE(client->receive(answer));
  EXPECT_EQ(send_and_receive(*server, *client, "under the server's new key"), "under the server's new key");
  // The server wrote data since: the next request is answered again.
  ASSERT_TRUE(client->key_update(true));
  ASSERT_TRUE(client->key_update(true));
  ASSERT_TRUE(server->receive(take_output(*client)));
  EXPECT_EQ(record_types(take_output(*server)).size(), 1u);
}

// The same against libssl, which sends several requests when asked to.
TEST(BogoFindings, LibsslRequestsWhileSilentAreAnsweredOnce) {
  testing::LibsslPeerOptions o;
  o.server = false;
  o.min_version = TLS1_3_VERSION;
  o.max_version = TLS1_3_VERSION;
  testing::LibsslPeer peer(o);
  auto server = Connection::server(server_config_for("ecdsa"));
  for (int i = 0; i < 32 && !(server->handshake_complete() && peer.done()); ++i) {
    const Bytes l = peer.step(take_output(*server));
    if (!l.empty()) {
      ASSERT_TRUE(server->receive(l)) << server->error()->to_string();
    }
  }
  ASSERT_TRUE(server->handshake_complete() && peer.done());
  (void)peer.step(take_output(*server));  // the tickets
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(SSL_key_update(peer.ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
    peer.write("x");  // each KeyUpdate goes out with a record of data
  }
  ASSERT_TRUE(server->receive(peer.drain()));
  EXPECT_EQ(record_types(take_output(*server)).size(), 1u);
}

}  // namespace
}  // namespace vouch
