// Malformed and hostile input to the TLS 1.3 state machines: each case must
// end in the RFC's alert, on both ends where both see it, never a crash.
#include <gtest/gtest.h>

#include "crypto/key_share.h"
#include "handshake/test_hooks.h"
#include "msg/messages.h"
#include "record/record.h"
#include "support/loopback.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;

// ---- raw ClientHellos fed straight into a server -----------------------

ClientHello valid_client_hello(const KeyShare& share) {
  ClientHello ch;
  ch.random.fill(0x11);
  ch.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  ch.ext.server_name = "localhost";
  ch.ext.supported_versions = std::vector<ProtocolVersion>{ProtocolVersion::tls13};
  ch.ext.supported_groups = std::vector<NamedGroup>{share.group()};
  ch.ext.signature_algorithms = std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256};
  ch.ext.key_shares = std::vector<KeyShareEntry>{{share.group(), share.public_key()}};
  ch.ext.psk_key_exchange_modes = std::vector<uint8_t>{1};
  return ch;
}

Bytes as_record(const Bytes& handshake_message) {
  Bytes rec;
  write_plaintext_record(ContentType::handshake, 0x0301, handshake_message, rec);
  return rec;
}

// Feeds bytes to a fresh server; returns the alert it raised (or close_notify
// if it raised none) and checks that the alert went out on the wire.
Alert server_alert_for(const Bytes& wire, std::shared_ptr<ServerConfig> sc = nullptr) {
  auto server = Connection::server(sc ? sc : server_config_for("ecdsa"));
  Status s = server->receive(wire);
  if (s.ok()) return Alert::close_notify;
  ByteView out = server->pending_output();
  // The last record must be a plaintext alert carrying the same description.
  EXPECT_GE(out.size(), 7u);
  if (out.size() >= 7) {
    EXPECT_EQ(out[out.size() - 7], static_cast<uint8_t>(ContentType::alert));
    EXPECT_EQ(out[out.size() - 1], static_cast<uint8_t>(s.error().alert));
  }
  EXPECT_FALSE(s.error().reason.empty());
  return s.error().alert;
}

class RawClientHello : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = KeyShare::generate(NamedGroup::x25519);
    ASSERT_TRUE(k.ok());
    share_.emplace(std::move(k).value());
    ch_ = valid_client_hello(*share_);
  }
  Alert alert() { return server_alert_for(as_record(framed(HandshakeType::client_hello, ch_))); }
  std::optional<KeyShare> share_;
  ClientHello ch_;
};

TEST_F(RawClientHello, ValidOneIsAnswered) { EXPECT_EQ(alert(), Alert::close_notify); }

// A TLS 1.3-only server: a client without TLS 1.3 is protocol_version
// (RFC 8446 §4.2.1). With TLS 1.2 enabled (the default) the same hellos are
// TLS 1.2 clients; bad_input12_test covers that side.
std::shared_ptr<ServerConfig> tls13_only_server() {
  auto sc = server_config_for("ecdsa");
  sc->min_version = ProtocolVersion::tls13;
  return sc;
}

TEST_F(RawClientHello, NoSupportedVersionsIsProtocolVersion) {
  ch_.ext.supported_versions.reset();
  EXPECT_EQ(server_alert_for(as_record(framed(HandshakeType::client_hello, ch_)), tls13_only_server()),
            Alert::protocol_version);
}

TEST_F(RawClientHello, OnlyOldVersionsIsProtocolVersion) {
  ch_.ext.supported_versions = std::vector<ProtocolVersion>{ProtocolVersion::tls12};
  EXPECT_EQ(server_alert_for(as_record(framed(HandshakeType::client_hello, ch_)), tls13_only_server()),
            Alert::protocol_version);
}

// TLS 1.1 and older are refused whatever the configuration (RFC 8996).
TEST_F(RawClientHello, Tls11WithoutSupportedVersionsIsProtocolVersion) {
  ch_.ext.supported_versions.reset();
  ch_.legacy_version = 0x0302;
  EXPECT_EQ(alert(), Alert::protocol_version);
}

TEST_F(RawClientHello, Tls11InSupportedVersionsIsProtocolVersion) {
  ch_.ext.supported_versions = std::vector<ProtocolVersion>{static_cast<ProtocolVersion>(0x0302),
                                                            static_cast<ProtocolVersion>(0x0301)};
  EXPECT_EQ(alert(), Alert::protocol_version);
}

TEST_F(RawClientHello, CompressionIsIllegalParameter) {
  ch_.legacy_compression_methods = {1, 0};
  EXPECT_EQ(alert(), Alert::illegal_parameter);
}

TEST_F(RawClientHello, UnknownSuitesOnlyIsHandshakeFailure) {
  ch_.cipher_suites = {static_cast<CipherSuite>(0x1399), static_cast<CipherSuite>(0x0a0a)};
  EXPECT_EQ(alert(), Alert::handshake_failure);
}

TEST_F(RawClientHello, UnknownGroupsOnlyIsHandshakeFailure) {
  ch_.ext.supported_groups = std::vector<NamedGroup>{static_cast<NamedGroup>(0x7777)};
  ch_.ext.key_shares = std::vector<KeyShareEntry>{{static_cast<NamedGroup>(0x7777), Bytes{1, 2}}};
  EXPECT_EQ(alert(), Alert::handshake_failure);
}

TEST_F(RawClientHello, KeyShareOutsideSupportedGroupsIsIllegalParameter) {
  ch_.ext.supported_groups = std::vector<NamedGroup>{NamedGroup::secp256r1};
  EXPECT_EQ(alert(), Alert::illegal_parameter);
}

TEST_F(RawClientHello, MissingKeyShareIsMissingExtension) {
  ch_.ext.key_shares.reset();
  EXPECT_EQ(alert(), Alert::missing_extension);
}

TEST_F(RawClientHello, MissingSignatureAlgorithmsIsMissingExtension) {
  ch_.ext.signature_algorithms.reset();
  EXPECT_EQ(alert(), Alert::missing_extension);
}

TEST_F(RawClientHello, NoUsableSignatureSchemeIsHandshakeFailure) {
  ch_.ext.signature_algorithms = std::vector<SignatureScheme>{SignatureScheme::rsa_pss_rsae_sha256};
  EXPECT_EQ(alert(), Alert::handshake_failure);  // the ECDSA server cannot sign
}

TEST_F(RawClientHello, InvalidKeyShareIsIllegalParameter) {
  ch_.ext.key_shares->front().key_exchange = Bytes(32, 0);  // low-order x25519 point
  EXPECT_EQ(alert(), Alert::illegal_parameter);
  ch_.ext.key_shares->front().key_exchange = Bytes(31, 7);  // wrong length
  EXPECT_EQ(alert(), Alert::illegal_parameter);
}

TEST_F(RawClientHello, PskWithoutModesIsMissingExtension) {
  ch_.ext.psk_key_exchange_modes.reset();
  ch_.ext.psk_identities = std::vector<PskIdentity>{{Bytes(40, 1), 0}};
  ch_.ext.psk_binders = {Bytes(32, 0)};
  EXPECT_EQ(alert(), Alert::missing_extension);
}

TEST_F(RawClientHello, UnknownPskIsIgnored) {
  ch_.ext.psk_identities = std::vector<PskIdentity>{{Bytes(40, 1), 0}};
  ch_.ext.psk_binders = {Bytes(32, 0)};
  EXPECT_EQ(alert(), Alert::close_notify);  // full handshake, no error
}

TEST_F(RawClientHello, EveryTruncationIsDecodeError) {
  Bytes msg = framed(HandshakeType::client_hello, ch_);
  // Shorten the body, fixing the handshake header length so only the body
  // parse fails (the record and the message frame stay consistent).
  for (size_t cut = 1; cut < msg.size() - 4; cut += 7) {
    Bytes m(msg.begin(), msg.end() - static_cast<long>(cut));
    const size_t body = m.size() - 4;
    m[1] = static_cast<uint8_t>(body >> 16);
    m[2] = static_cast<uint8_t>(body >> 8);
    m[3] = static_cast<uint8_t>(body);
    EXPECT_EQ(server_alert_for(as_record(m)), Alert::decode_error) << "cut " << cut;
  }
}

TEST_F(RawClientHello, TrailingGarbageIsDecodeError) {
  Bytes body;
  Writer w(body);
  write(w, ch_);
  body.push_back(0);
  Bytes m;
  frame_handshake(HandshakeType::client_hello, body, m);
  EXPECT_EQ(server_alert_for(as_record(m)), Alert::decode_error);
}

TEST(RawRecords, WrongFirstMessageIsUnexpected) {
  Bytes m;
  frame_handshake(HandshakeType::finished, Bytes(32, 0), m);
  EXPECT_EQ(server_alert_for(as_record(m)), Alert::unexpected_message);
}

TEST(RawRecords, UnknownContentTypeIsUnexpected) {
  const Bytes wire = {0x63, 0x03, 0x03, 0x00, 0x01, 0x00};
  EXPECT_EQ(server_alert_for(wire), Alert::unexpected_message);
}

TEST(RawRecords, OversizedRecordIsRecordOverflow) {
  Bytes wire = {0x16, 0x03, 0x01, 0x48, 0x01};  // 2^14 + 0x801 bytes announced
  EXPECT_EQ(server_alert_for(wire), Alert::record_overflow);
}

TEST(RawRecords, HugeHandshakeMessageIsRejectedEarly) {
  // A ClientHello header announcing 16 MiB: refused before the body arrives.
  const Bytes msg = {0x01, 0xff, 0xff, 0xff, 0x03, 0x03};
  EXPECT_EQ(server_alert_for(as_record(msg)), Alert::illegal_parameter);
}

TEST(RawRecords, ApplicationDataBeforeHandshakeIsUnexpected) {
  Bytes wire;
  write_plaintext_record(ContentType::application_data, 0x0303, Bytes{1, 2, 3}, wire);
  EXPECT_EQ(server_alert_for(wire), Alert::unexpected_message);
}

TEST(RawRecords, ChangeCipherSpecBeforeClientHelloIsUnexpected) {
  Bytes wire;
  write_plaintext_record(ContentType::change_cipher_spec, 0x0303, Bytes{1}, wire);
  EXPECT_EQ(server_alert_for(wire), Alert::unexpected_message);
}

TEST(RawRecords, MalformedAlertIsDecodeError) {
  Bytes wire;
  write_plaintext_record(ContentType::alert, 0x0303, Bytes{2, 40, 0}, wire);
  EXPECT_EQ(server_alert_for(wire), Alert::decode_error);
}

TEST(RawRecords, EmptyHandshakeRecordIsUnexpected) {
  Bytes wire;
  write_plaintext_record(ContentType::handshake, 0x0303, Bytes{}, wire);
  EXPECT_EQ(server_alert_for(wire), Alert::unexpected_message);
}

// ---- tampering inside a real handshake ---------------------------------

test_hooks::MessageHook corrupt_last_byte_of(HandshakeType type) {
  return [type](const Bytes& m) {
    Bytes c = m;
    if (c[0] == static_cast<uint8_t>(type)) c.back() ^= 0x01;
    return std::vector<Bytes>{c};
  };
}

struct Outcome {
  Alert client = Alert::close_notify;
  bool client_from_peer = false;
  Alert server = Alert::close_notify;
  bool server_from_peer = false;
};

Outcome run(Connection& client, Connection& server) {
  EXPECT_FALSE(pump_handshake(client, server));
  Outcome o;
  if (client.error()) {
    o.client = client.error()->alert;
    o.client_from_peer = client.error()->from_peer;
  }
  if (server.error()) {
    o.server = server.error()->alert;
    o.server_from_peer = server.error()->from_peer;
  }
  return o;
}

TEST(Tampering, WrongServerFinishedIsDecryptError) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  test_hooks::set_outgoing_message_hook(*server, corrupt_last_byte_of(HandshakeType::finished));
  Outcome o = run(*client, *server);
  EXPECT_EQ(o.client, Alert::decrypt_error);
  EXPECT_FALSE(o.client_from_peer);
  EXPECT_EQ(o.server, Alert::decrypt_error);
  EXPECT_TRUE(o.server_from_peer);
}

TEST(Tampering, WrongClientFinishedIsDecryptError) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  test_hooks::set_outgoing_message_hook(*client, corrupt_last_byte_of(HandshakeType::finished));
  Outcome o = run(*client, *server);
  EXPECT_EQ(o.server, Alert::decrypt_error);
  EXPECT_FALSE(o.server_from_peer);
}

TEST(Tampering, BadServerSignatureIsDecryptError) {
  for (const char* family : {"ecdsa", "rsa"}) {
    auto client = Connection::client(client_config_for(family), "localhost");
    auto server = Connection::server(server_config_for(family));
    test_hooks::set_outgoing_message_hook(*server,
                                          corrupt_last_byte_of(HandshakeType::certificate_verify));
    Outcome o = run(*client, *server);
    EXPECT_EQ(o.client, Alert::decrypt_error) << family;
  }
}

TEST(Tampering, SignatureSchemeNotOfferedIsIllegalParameter) {
  auto cc = client_config_for("rsa");
  cc->signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256};
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("rsa"));
  // Rewrite the scheme to rsa_pss_rsae_sha384 (not offered).
  test_hooks::set_outgoing_message_hook(*server, [](const Bytes& m) {
    Bytes c = m;
    if (c[0] == static_cast<uint8_t>(HandshakeType::certificate_verify)) c[5] = 0x05;
    return std::vector<Bytes>{c};
  });
  Outcome o = run(*client, *server);
  EXPECT_EQ(o.client, Alert::illegal_parameter);
}

TEST(Tampering, DuplicatedEncryptedExtensionsIsUnexpected) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  test_hooks::set_outgoing_message_hook(*server, [](const Bytes& m) {
    if (m[0] == static_cast<uint8_t>(HandshakeType::encrypted_extensions))
      return std::vector<Bytes>{m, m};
    return std::vector<Bytes>{m};
  });
  Outcome o = run(*client, *server);
  EXPECT_EQ(o.client, Alert::unexpected_message);
}

TEST(Tampering, MissingCertificateVerifyIsUnexpected) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  test_hooks::set_outgoing_message_hook(*server, [](const Bytes& m) {
    if (m[0] == static_cast<uint8_t>(HandshakeType::certificate_verify)) return std::vector<Bytes>{};
    return std::vector<Bytes>{m};
  });
  Outcome o = run(*client, *server);
  EXPECT_EQ(o.client, Alert::unexpected_message);
}

TEST(Tampering, GarbageCertificateIsDecodeError) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  test_hooks::set_outgoing_message_hook(*server, [](const Bytes& m) {
    if (m[0] != static_cast<uint8_t>(HandshakeType::certificate)) return std::vector<Bytes>{m};
    // One entry of 16 bytes of garbage, no extensions.
    Bytes body = {0x00, 0x00, 0x00, 0x15, 0x00, 0x00, 0x10};
    body.insert(body.end(), 16, 0xab);
    body.insert(body.end(), {0x00, 0x00});
    Bytes out;
    frame_handshake(HandshakeType::certificate, body, out);
    return std::vector<Bytes>{out};
  });
  Outcome o = run(*client, *server);
  EXPECT_EQ(o.client, Alert::decode_error);
}

TEST(Tampering, EmptyServerCertificateIsDecodeError) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  test_hooks::set_outgoing_message_hook(*server, [](const Bytes& m) {
    if (m[0] != static_cast<uint8_t>(HandshakeType::certificate)) return std::vector<Bytes>{m};
    Bytes out;
    frame_handshake(HandshakeType::certificate, Bytes{0x00, 0x00, 0x00, 0x00}, out);
    return std::vector<Bytes>{out};
  });
  Outcome o = run(*client, *server);
  EXPECT_EQ(o.client, Alert::decode_error);
}

TEST(Tampering, BadPskBinderIsDecryptError) {
  auto cc = client_config_for("ecdsa");
  auto sc = server_config_for("ecdsa");
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  testing::transfer(*server, *client);
  auto sessions = client->take_sessions();
  ASSERT_FALSE(sessions.empty());
  auto client2 = Connection::client(cc, "localhost", sessions.front());
  auto server2 = Connection::server(sc);
  // The binder is the last bytes of the ClientHello.
  test_hooks::set_outgoing_message_hook(*client2, corrupt_last_byte_of(HandshakeType::client_hello));
  Outcome o = run(*client2, *server2);
  EXPECT_EQ(o.server, Alert::decrypt_error);
  EXPECT_EQ(o.client, Alert::decrypt_error);
  EXPECT_TRUE(o.client_from_peer);
}

TEST(Tampering, CorruptedRecordIsBadRecordMac) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server));
  ASSERT_TRUE(client->write(Bytes{'h', 'i'}).ok());
  Bytes wire(client->pending_output().begin(), client->pending_output().end());
  client->consume_output(wire.size());
  wire.back() ^= 0x80;
  Status s = server->receive(wire);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().alert, Alert::bad_record_mac);
  // The connection is poisoned: later calls repeat the error.
  EXPECT_EQ(server->receive(Bytes{}).error().alert, Alert::bad_record_mac);
  EXPECT_FALSE(server->write(Bytes{1}).ok());
}

TEST(Tampering, TruncatedWireNeverCompletes) {
  // Delivering the server's flight one byte short leaves the client waiting
  // for input, not crashed or finished.
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(client->start().ok());
  testing::transfer(*client, *server);
  Bytes flight(server->pending_output().begin(), server->pending_output().end());
  ASSERT_TRUE(client->receive(ByteView(flight).first(flight.size() - 1)).ok());
  EXPECT_FALSE(client->handshake_complete());
  EXPECT_EQ(client->wait(), Wait::read);
  ASSERT_TRUE(client->receive(ByteView(flight).last(1)).ok());
  EXPECT_TRUE(client->handshake_complete());
}

}  // namespace
}  // namespace vouch
