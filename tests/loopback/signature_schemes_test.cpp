// The signature schemes the README claims for handshakes (RFC 8446 §4.2.3),
// each exercised by a key that signs with it — ECDSA P-384 and P-521,
// RSASSA-PSS keys (rsa_pss_pss_*), Ed25519 — in both roles: vouch signing
// (server CertificateVerify / ServerKeyExchange, client CertificateVerify) and
// vouch verifying, against vouch and against libssl, which reports the scheme
// it received. TLS 1.3, and TLS 1.2 for the keys RFC 8422 lets it use here
// (a P-521 certificate needs secp521r1 in the client's supported_groups,
// which vouch does not offer).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/ssl.h>

#include <ostream>
#include <string>
#include <tuple>

#include "handshake/test_hooks.h"
#include "msg/handshake_type.h"
#include "support/libssl_peer.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::PkiCert;
using testing::PkiFamily;
using testing::test_pki;

struct Leaf {
  const char* name;
  PkiCert PkiFamily::*server;
  PkiCert PkiFamily::*client;
  SignatureScheme scheme;  // what vouch signs with (its own preference order)
  int type_nid;            // libssl's SSL_get_peer_signature_type_nid
  int digest_nid;          // libssl's SSL_get_peer_signature_nid (NID_undef for Ed25519)
};

const Leaf kLeaves[] = {
    {"p384", &PkiFamily::server_p384, &PkiFamily::client_p384, SignatureScheme::ecdsa_secp384r1_sha384,
     EVP_PKEY_EC, NID_sha384},
    {"p521", &PkiFamily::server_p521, &PkiFamily::client_p521, SignatureScheme::ecdsa_secp521r1_sha512,
     EVP_PKEY_EC, NID_sha512},
    {"ed25519", &PkiFamily::server_ed25519, &PkiFamily::client_ed25519, SignatureScheme::ed25519, EVP_PKEY_ED25519,
     NID_undef},
    {"rsa_pss", &PkiFamily::server_rsa_pss, &PkiFamily::client_rsa_pss, SignatureScheme::rsa_pss_pss_sha256,
     EVP_PKEY_RSA_PSS, NID_sha256},
};

// Readable parameters in gtest's messages.
void PrintTo(const Leaf& l, std::ostream* os) { *os << l.name; }

const PkiFamily& fam() { return test_pki().ecdsa(); }
const PkiCert& server_cert(const Leaf& l) { return fam().*(l.server); }
const PkiCert& client_cert(const Leaf& l) { return fam().*(l.client); }

// In TLS 1.2 an ECDSA scheme names the hash only, not the curve (RFC 8422
// §5.1.3 with RFC 5246's SignatureAndHashAlgorithm), and vouch's first
// preference, ecdsa_secp256r1_sha256 (ECDSA with SHA-256), fits a P-384 key.
SignatureScheme expected_scheme(const Leaf& l, ProtocolVersion v) {
  if (v == ProtocolVersion::tls12 && l.type_nid == EVP_PKEY_EC) return SignatureScheme::ecdsa_secp256r1_sha256;
  return l.scheme;
}
int expected_digest(const Leaf& l, ProtocolVersion v) {
  return v == ProtocolVersion::tls12 && l.type_nid == EVP_PKEY_EC ? NID_sha256 : l.digest_nid;
}

using Params = std::tuple<Leaf, ProtocolVersion>;

std::string param_name(const ::testing::TestParamInfo<Params>& i) {
  return std::string(std::get<0>(i.param).name) + "_" +
         (std::get<1>(i.param) == ProtocolVersion::tls13 ? "tls13" : "tls12");
}

std::shared_ptr<ClientConfig> client_config(ProtocolVersion v) {
  auto cc = testing::client_config_for("ecdsa");
  cc->min_version = v;
  cc->max_version = v;
  return cc;
}

std::shared_ptr<ServerConfig> server_config(const PkiCert& leaf) {
  auto sc = std::make_shared<ServerConfig>();
  sc->credentials.push_back(testing::credential_from(leaf, {&fam().intermediate}));
  return sc;
}

std::shared_ptr<ServerConfig> requiring_client_certificates() {
  auto sc = testing::server_config_for("ecdsa");
  sc->client_auth = ClientAuth::required;
  sc->client_trust = fam().trust();
  return sc;
}

// The scheme of the CertificateVerify `conn` sends (recorded by the test seam).
std::shared_ptr<std::optional<SignatureScheme>> record_certificate_verify(Connection& conn) {
  auto seen = std::make_shared<std::optional<SignatureScheme>>();
  test_hooks::set_outgoing_message_hook(conn, [seen](const Bytes& m) {
    if (m.size() >= 6 && m[0] == static_cast<uint8_t>(HandshakeType::certificate_verify))
      *seen = static_cast<SignatureScheme>((m[4] << 8) | m[5]);
    return std::vector<Bytes>{m};
  });
  return seen;
}

// ---- vouch and vouch ------------------------------------------------------------

class SchemesVouch : public ::testing::TestWithParam<Params> {};

TEST_P(SchemesVouch, ServerSignsClientVerifies) {
  const auto& [leaf, version] = GetParam();
  auto client = Connection::client(client_config(version), "localhost");
  auto server = Connection::server(server_config(server_cert(leaf)));
  ASSERT_TRUE(testing::pump_handshake(*client, *server))
      << (client->error() ? client->error()->to_string() : "") << (server->error() ? server->error()->to_string() : "");
  EXPECT_EQ(client->info().version, version);
  EXPECT_EQ(client->info().peer_signature_scheme, expected_scheme(leaf, version))
      << to_string(client->info().peer_signature_scheme);
  EXPECT_EQ(client->peer_chain().front(), server_cert(leaf).der);
}

TEST_P(SchemesVouch, ClientSignsServerVerifies) {
  const auto& [leaf, version] = GetParam();
  auto cc = client_config(version);
  cc->client_credentials.push_back(testing::credential_from(client_cert(leaf), {&fam().intermediate}));
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(requiring_client_certificates());
  auto signed_with = record_certificate_verify(*client);
  ASSERT_TRUE(testing::pump_handshake(*client, *server))
      << (client->error() ? client->error()->to_string() : "") << (server->error() ? server->error()->to_string() : "");
  ASSERT_TRUE(signed_with->has_value());
  EXPECT_EQ(**signed_with, expected_scheme(leaf, version)) << to_string(**signed_with);
  EXPECT_EQ(server->peer_chain().front(), client_cert(leaf).der);
}

INSTANTIATE_TEST_SUITE_P(Tls13, SchemesVouch,
                         ::testing::Combine(::testing::ValuesIn(kLeaves), ::testing::Values(ProtocolVersion::tls13)),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Tls12, SchemesVouch,
                         ::testing::Combine(::testing::Values(kLeaves[0], kLeaves[2], kLeaves[3]),
                                            ::testing::Values(ProtocolVersion::tls12)),
                         param_name);

// ---- vouch and libssl -------------------------------------------------------------

testing::LibsslPeerOptions libssl(bool server, ProtocolVersion v) {
  testing::LibsslPeerOptions o;
  o.server = server;
  o.min_version = o.max_version = v == ProtocolVersion::tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
  return o;
}

// Replaces every certificate libssl holds (its context's P-256 one would
// otherwise stay in its slot and be chosen first) by `leaf` and its chain.
void use_certificate(SSL* ssl, const PkiCert& leaf) {
  SSL_certs_clear(ssl);
  ASSERT_EQ(SSL_use_certificate_chain_file(ssl, leaf.chain_path.c_str()), 1);
  ASSERT_EQ(SSL_use_PrivateKey_file(ssl, leaf.key_path.c_str(), SSL_FILETYPE_PEM), 1);
}

// libssl's view of the signature it verified: its key type and digest.
void expect_libssl_saw(SSL* ssl, int type_nid, int digest_nid) {
  int type = NID_undef, digest = NID_undef;
  ASSERT_EQ(SSL_get_peer_signature_type_nid(ssl, &type), 1);
  EXPECT_EQ(type, type_nid) << OBJ_nid2sn(type);
  if (digest_nid != NID_undef) {
    ASSERT_EQ(SSL_get_peer_signature_nid(ssl, &digest), 1);
    EXPECT_EQ(digest, digest_nid) << OBJ_nid2sn(digest);
  }
}

class SchemesLibssl : public ::testing::TestWithParam<Params> {};

// vouch signs as the server; libssl verifies and names the scheme.
TEST_P(SchemesLibssl, VouchServerSigns) {
  const auto& [leaf, version] = GetParam();
  testing::LibsslPeer client(libssl(false, version));
  auto server = Connection::server(server_config(server_cert(leaf)));
  ASSERT_TRUE(testing::pump_with(*server, client)) << (server->error() ? server->error()->to_string() : "");
  expect_libssl_saw(client.ssl(), leaf.type_nid, expected_digest(leaf, version));
}

// vouch signs as the client; libssl (requiring a certificate) verifies it.
TEST_P(SchemesLibssl, VouchClientSigns) {
  const auto& [leaf, version] = GetParam();
  testing::LibsslPeer server(libssl(true, version));
  SSL_set_verify(server.ssl(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  auto cc = client_config(version);
  cc->client_credentials.push_back(testing::credential_from(client_cert(leaf), {&fam().intermediate}));
  auto client = Connection::client(cc, "localhost");
  ASSERT_TRUE(testing::pump_with(*client, server)) << (client->error() ? client->error()->to_string() : "");
  expect_libssl_saw(server.ssl(), leaf.type_nid, expected_digest(leaf, version));
}

// libssl signs as the server with the key; vouch verifies.
TEST_P(SchemesLibssl, VouchClientVerifies) {
  const auto& [leaf, version] = GetParam();
  testing::LibsslPeer server(libssl(true, version));
  use_certificate(server.ssl(), server_cert(leaf));
  auto client = Connection::client(client_config(version), "localhost");
  ASSERT_TRUE(testing::pump_with(*client, server)) << (client->error() ? client->error()->to_string() : "");
  EXPECT_EQ(client->info().peer_signature_scheme, expected_scheme(leaf, version))
      << to_string(client->info().peer_signature_scheme);
  EXPECT_EQ(client->peer_chain().front(), server_cert(leaf).der);
}

// libssl signs as the client with the key; vouch verifies.
TEST_P(SchemesLibssl, VouchServerVerifies) {
  const auto& [leaf, version] = GetParam();
  testing::LibsslPeer client(libssl(false, version));
  use_certificate(client.ssl(), client_cert(leaf));
  auto server = Connection::server(requiring_client_certificates());
  ASSERT_TRUE(testing::pump_with(*server, client)) << (server->error() ? server->error()->to_string() : "");
  EXPECT_EQ(server->peer_chain().front(), client_cert(leaf).der);
  // And libssl verified the vouch server's own P-256 signature.
  expect_libssl_saw(client.ssl(), EVP_PKEY_EC, NID_sha256);
}

INSTANTIATE_TEST_SUITE_P(Tls13, SchemesLibssl,
                         ::testing::Combine(::testing::ValuesIn(kLeaves), ::testing::Values(ProtocolVersion::tls13)),
                         param_name);
INSTANTIATE_TEST_SUITE_P(Tls12, SchemesLibssl,
                         ::testing::Combine(::testing::Values(kLeaves[0], kLeaves[2], kLeaves[3]),
                                            ::testing::Values(ProtocolVersion::tls12)),
                         param_name);

}  // namespace
}  // namespace vouch
