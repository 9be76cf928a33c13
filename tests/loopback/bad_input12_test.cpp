// Malformed and hostile input to the TLS 1.2 state machines (RFC 5246 with
// RFC 8422 ECDHE, RFC 7627 EMS, RFC 5746 renegotiation_info, RFC 5077
// tickets, RFC 6066 §8 CertificateStatus) and to the seams between TLS 1.3
// and 1.2 (RFC 8446 §4.1.3 downgrade sentinel, §4.1.4 HelloRetryRequest).
// Each case must end in the RFC 5246 §7.2.2 alert on both ends — the side
// that detects the problem sends it, the other receives it from its peer —
// never a crash, a hang or a wrong "success".
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "crypto/signature.h"
#include "handshake/test_hooks.h"
#include "msg/messages.h"
#include "msg/messages12.h"
#include "record/record.h"
#include "support/client_hellos.h"
#include "support/libssl_peer.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "tools/ocsp_staple.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::send_and_receive;
using testing::server_config_for;
using testing::test_pki;
using testing::LibsslPeer;
using testing::LibsslPeerOptions;
using testing::pump_with;
using testing::take_output;
using testing::transfer;

constexpr uint8_t type_of(HandshakeType t) { return static_cast<uint8_t>(t); }
constexpr uint16_t ext_of(ExtensionType t) { return static_cast<uint16_t>(t); }

const testing::PkiFamily& ecdsa() { return test_pki().ecdsa(); }

// ---- configurations -------------------------------------------------------

// A client offering TLS 1.2 only: its ClientHello has no supported_versions
// (as a TLS 1.2 client's), and it does not look for the downgrade sentinel.
std::shared_ptr<ClientConfig> client12(const std::string& family = "ecdsa") {
  auto cc = client_config_for(family);
  cc->max_version = ProtocolVersion::tls12;
  return cc;
}

// A server speaking TLS 1.2 only: its random carries no downgrade sentinel.
std::shared_ptr<ServerConfig> server12(const std::string& family = "ecdsa") {
  auto sc = server_config_for(family);
  sc->max_version = ProtocolVersion::tls12;
  return sc;
}

std::shared_ptr<ServerConfig> mtls_server12(ClientAuth mode = ClientAuth::required) {
  auto sc = server12();
  sc->client_auth = mode;
  sc->client_trust = ecdsa().trust();
  return sc;
}

std::shared_ptr<ClientConfig> mtls_client12() {
  auto cc = client12();
  cc->client_credentials.push_back(ecdsa().client_credential());
  return cc;
}

Bytes leaf_staple() {
  auto r = testing::make_ocsp_staple(ecdsa().server.cert.get(), ecdsa().intermediate.cert.get(),
                                     ecdsa().intermediate.key.get());
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : Bytes();
}

// A server whose leaf has a good staple: it sends CertificateStatus to a
// client that asks (RFC 6066 §8).
std::shared_ptr<ServerConfig> stapling_server12() {
  auto sc = server12();
  auto c = sc->credentials[0].with_ocsp_staples({leaf_staple()});
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  if (c.ok()) sc->credentials[0] = *c;
  return sc;
}

// ---- message surgery --------------------------------------------------------

ByteView body_of(const Bytes& m) { return ByteView(m).subspan(kHandshakeHeaderLength); }

Bytes reframe(const Bytes& m, ByteView body) {
  Bytes out;
  frame_handshake(static_cast<HandshakeType>(m[0]), body, out);
  return out;
}

using Rewrite = std::function<std::vector<Bytes>(const Bytes& message)>;

// A hook applying `f` to every message of `type` the connection sends.
test_hooks::MessageHook on(HandshakeType type, Rewrite f) {
  return [type, f = std::move(f)](const Bytes& m) {
    if (m[0] != type_of(type)) return std::vector<Bytes>{m};
    return f(m);
  };
}

// Several hooks in turn (each sees what the previous one produced).
test_hooks::MessageHook chain(std::vector<test_hooks::MessageHook> hooks) {
  return [hooks = std::move(hooks)](const Bytes& m) {
    std::vector<Bytes> msgs{m};
    for (const auto& h : hooks) {
      std::vector<Bytes> next;
      for (const Bytes& x : msgs)
        for (Bytes& y : h(x)) next.push_back(std::move(y));
      msgs = std::move(next);
    }
    return msgs;
  };
}

Rewrite drop() {
  return [](const Bytes&) { return std::vector<Bytes>{}; };
}
Rewrite duplicate() {
  return [](const Bytes& m) { return std::vector<Bytes>{m, m}; };
}
Rewrite append(std::vector<Bytes> extra) {
  return [extra = std::move(extra)](const Bytes& m) {
    std::vector<Bytes> out{m};
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
  };
}
Rewrite edit_body(std::function<void(Bytes& body)> f) {
  return [f = std::move(f)](const Bytes& m) {
    Bytes body(body_of(m).begin(), body_of(m).end());
    f(body);
    return std::vector<Bytes>{reframe(m, body)};
  };
}

Bytes hello_request() {
  Bytes m;
  frame_handshake(HandshakeType::hello_request, {}, m);
  return m;
}

// A renegotiating TLS 1.2 ClientHello (RFC 5746 §3.5: renegotiation_info
// carries the previous client verify_data).
Bytes renegotiating_client_hello() {
  ClientHello ch;
  ch.random.fill(0x5a);
  ch.cipher_suites = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  ch.ext.supported_groups = std::vector<NamedGroup>{NamedGroup::x25519};
  ch.ext.signature_algorithms = std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256};
  ch.ext.ec_point_formats = std::vector<uint8_t>{0};
  ch.ext.extended_master_secret = true;
  ch.ext.renegotiation_info = Bytes(12, 0x33);
  return framed(HandshakeType::client_hello, ch);
}

// A ClientHello or ServerHello split into what precedes the extensions
// block and the extensions, to edit them one by one and re-serialise.
struct RawHello {
  uint8_t type = 0;
  Bytes head;
  bool has_block = false;
  std::vector<std::pair<uint16_t, Bytes>> ext;

  static RawHello parse(const Bytes& m) {
    RawHello h;
    h.type = m[0];
    ByteView b = body_of(m);
    size_t p = 2 + 32;
    p += 1 + b[p];  // session id
    if (h.type == type_of(HandshakeType::client_hello)) {
      p += 2 + ((size_t{b[p]} << 8) | b[p + 1]);  // cipher_suites
      p += 1 + b[p];                              // compression methods
    } else {
      p += 2 + 1;  // cipher_suite, compression_method
    }
    h.head.assign(b.begin(), b.begin() + static_cast<long>(p));
    h.has_block = p < b.size();
    for (size_t q = p + 2; q + 4 <= b.size();) {
      const uint16_t t = static_cast<uint16_t>((b[q] << 8) | b[q + 1]);
      const size_t len = (size_t{b[q + 2]} << 8) | b[q + 3];
      h.ext.emplace_back(t, Bytes(b.begin() + static_cast<long>(q + 4), b.begin() + static_cast<long>(q + 4 + len)));
      q += 4 + len;
    }
    return h;
  }

  Bytes* find(ExtensionType t) {
    for (auto& [type, body] : ext)
      if (type == ext_of(t)) return &body;
    return nullptr;
  }
  void remove(ExtensionType t) {
    std::erase_if(ext, [t](const auto& e) { return e.first == ext_of(t); });
  }
  void add(uint16_t t, Bytes body) { ext.emplace_back(t, std::move(body)); }

  size_t session_id_offset() const { return 2 + 32; }
  Bytes session_id() const {
    const size_t o = session_id_offset();
    return Bytes(head.begin() + static_cast<long>(o + 1), head.begin() + static_cast<long>(o + 1 + head[o]));
  }
  void set_session_id(const Bytes& id) {
    const size_t o = session_id_offset();
    Bytes h(head.begin(), head.begin() + static_cast<long>(o));
    h.push_back(static_cast<uint8_t>(id.size()));
    h.insert(h.end(), id.begin(), id.end());
    h.insert(h.end(), head.begin() + static_cast<long>(o + 1 + head[o]), head.end());
    head = std::move(h);
  }
  // ServerHello only: the offset of cipher_suite in head.
  size_t suite_offset() const { return session_id_offset() + 1 + head[session_id_offset()]; }

  Bytes message() const {
    Bytes body = head;
    if (has_block || !ext.empty()) {
      Bytes block;
      for (const auto& [t, b] : ext) {
        block.insert(block.end(), {static_cast<uint8_t>(t >> 8), static_cast<uint8_t>(t),
                                   static_cast<uint8_t>(b.size() >> 8), static_cast<uint8_t>(b.size())});
        block.insert(block.end(), b.begin(), b.end());
      }
      body.push_back(static_cast<uint8_t>(block.size() >> 8));
      body.push_back(static_cast<uint8_t>(block.size()));
      body.insert(body.end(), block.begin(), block.end());
    }
    Bytes out;
    frame_handshake(static_cast<HandshakeType>(type), body, out);
    return out;
  }
};

Rewrite edit_hello(std::function<void(RawHello&)> f) {
  return [f = std::move(f)](const Bytes& m) {
    RawHello h = RawHello::parse(m);
    f(h);
    return std::vector<Bytes>{h.message()};
  };
}

// ---- records on the wire ------------------------------------------------------

struct Record {
  uint8_t type = 0;
  Bytes body;
};

std::vector<Record> split_records(ByteView wire) {
  std::vector<Record> out;
  size_t p = 0;
  while (p + 5 <= wire.size()) {
    const size_t len = (size_t{wire[p + 3]} << 8) | wire[p + 4];
    if (p + 5 + len > wire.size()) break;
    out.push_back({wire[p], Bytes(wire.begin() + static_cast<long>(p + 5),
                                  wire.begin() + static_cast<long>(p + 5 + len))});
    p += 5 + len;
  }
  EXPECT_EQ(p, wire.size()) << "wire does not end on a record boundary";
  return out;
}

Bytes join_records(const std::vector<Record>& records) {
  Bytes out;
  for (const Record& r : records) write_plaintext_record(static_cast<ContentType>(r.type), 0x0303, r.body, out);
  return out;
}

size_t count_type(const std::vector<Record>& records, ContentType t) {
  return static_cast<size_t>(std::count_if(records.begin(), records.end(),
                                           [t](const Record& r) { return r.type == static_cast<uint8_t>(t); }));
}

constexpr uint8_t kCcs = static_cast<uint8_t>(ContentType::change_cipher_spec);
constexpr uint8_t kHandshake = static_cast<uint8_t>(ContentType::handshake);
constexpr uint8_t kAlert = static_cast<uint8_t>(ContentType::alert);

// ---- outcomes -------------------------------------------------------------------

struct End {
  bool failed = false;
  Alert alert = Alert::close_notify;
  bool from_peer = false;
  std::string text = "ok";
};

struct Outcome {
  bool completed = false;
  End client, server;
};

End end_of(const Connection& c) {
  End e;
  if (const Error* err = c.error()) {
    e.failed = true;
    e.alert = err->alert;
    e.from_peer = err->from_peer;
    e.text = err->to_string() + (err->from_peer ? " (from peer)" : "");
  }
  return e;
}

Outcome outcome_of(bool completed, const Connection& client, const Connection& server) {
  return Outcome{completed, end_of(client), end_of(server)};
}

Outcome run(Connection& client, Connection& server) {
  const bool completed = pump_handshake(client, server);
  return outcome_of(completed, client, server);
}

std::string err(const Connection& c) { return c.error() ? c.error()->to_string() : "no error"; }

std::string describe(const Outcome& o) {
  return "client: " + o.client.text + " / server: " + o.server.text;
}

// The side that detected the problem sent `alert`; the other received it.
::testing::AssertionResult detected(const Outcome& o, bool by_client, Alert alert) {
  const End& detector = by_client ? o.client : o.server;
  const End& other = by_client ? o.server : o.client;
  if (!o.completed && detector.failed && detector.alert == alert && !detector.from_peer && other.failed &&
      other.alert == alert && other.from_peer)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << alert_name(alert) << " raised by the "
                                       << (by_client ? "client" : "server") << "; got " << describe(o);
}
::testing::AssertionResult client_detects(const Outcome& o, Alert a) { return detected(o, true, a); }
::testing::AssertionResult server_detects(const Outcome& o, Alert a) { return detected(o, false, a); }

// A plain TLS 1.2 handshake with one hook on each side (either may be null).
Outcome run12(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc, test_hooks::MessageHook client_hook,
              test_hooks::MessageHook server_hook) {
  auto client = Connection::client(std::move(cc), "localhost");
  auto server = Connection::server(std::move(sc));
  if (client_hook) test_hooks::set_outgoing_message_hook(*client, std::move(client_hook));
  if (server_hook) test_hooks::set_outgoing_message_hook(*server, std::move(server_hook));
  return run(*client, *server);
}
Outcome tamper_server(test_hooks::MessageHook hook, std::shared_ptr<ClientConfig> cc = nullptr,
                      std::shared_ptr<ServerConfig> sc = nullptr) {
  return run12(cc ? cc : client12(), sc ? sc : server12(), nullptr, std::move(hook));
}
Outcome tamper_client(test_hooks::MessageHook hook, std::shared_ptr<ClientConfig> cc = nullptr,
                      std::shared_ptr<ServerConfig> sc = nullptr) {
  return run12(cc ? cc : client12(), sc ? sc : server12(), std::move(hook), nullptr);
}

// ---- raw ClientHellos fed straight into a server -------------------------------

ClientHello valid_client_hello12() {
  ClientHello ch = testing::minimal_client_hello12(0x22);
  ch.ext.session_ticket = Bytes{};
  return ch;
}

Bytes as_record(const Bytes& handshake_message, uint16_t record_version = 0x0301) {
  Bytes rec;
  write_plaintext_record(ContentType::handshake, record_version, handshake_message, rec);
  return rec;
}

struct ServerAnswer {
  Alert alert = Alert::close_notify;  // close_notify: no error
  std::vector<Record> records;        // what the server sent
  std::optional<ServerHello> server_hello;
};

// Feeds bytes to a fresh server; returns its alert (close_notify if none)
// and checks that a failure went out as a plaintext fatal alert carrying the
// same description, after nothing else.
ServerAnswer server_answer(const Bytes& wire, std::shared_ptr<ServerConfig> sc = nullptr) {
  auto server = Connection::server(sc ? sc : server12());
  Status s = server->receive(wire);
  ServerAnswer a;
  a.records = split_records(server->pending_output());
  if (!a.records.empty() && a.records[0].type == kHandshake && a.records[0].body.size() > 4 &&
      a.records[0].body[0] == type_of(HandshakeType::server_hello)) {
    // The ServerHello is the first message of the first record.
    const Bytes& b = a.records[0].body;
    const size_t len = (size_t{b[1]} << 16) | (size_t{b[2]} << 8) | b[3];
    ServerHello sh;
    if (4 + len <= b.size() && parse(ByteView(b).subspan(4, len), sh).ok()) a.server_hello = sh;
  }
  if (s.ok()) return a;
  a.alert = s.error().alert;
  EXPECT_FALSE(s.error().reason.empty());
  EXPECT_EQ(a.records.size(), 1u) << "the server sent more than its alert";
  if (!a.records.empty()) {
    const Record& r = a.records.back();
    EXPECT_EQ(r.type, kAlert);
    EXPECT_EQ(r.body, (Bytes{2, static_cast<uint8_t>(a.alert)}));
  }
  return a;
}

Alert server_alert_for(const Bytes& wire, std::shared_ptr<ServerConfig> sc = nullptr) {
  return server_answer(wire, std::move(sc)).alert;
}

class RawClientHello12 : public ::testing::Test {
 protected:
  Alert alert(std::shared_ptr<ServerConfig> sc = nullptr) {
    return server_alert_for(as_record(framed(HandshakeType::client_hello, ch_)), std::move(sc));
  }
  ServerAnswer answer(std::shared_ptr<ServerConfig> sc = nullptr) {
    return server_answer(as_record(framed(HandshakeType::client_hello, ch_)), std::move(sc));
  }
  // The message with one extension's body replaced (lengths kept consistent).
  Bytes with_extension_body(ExtensionType t, Bytes body) {
    RawHello h = RawHello::parse(framed(HandshakeType::client_hello, ch_));
    Bytes* e = h.find(t);
    EXPECT_NE(e, nullptr);
    if (e) *e = std::move(body);
    return h.message();
  }
  ClientHello ch_ = valid_client_hello12();
};

TEST_F(RawClientHello12, ValidOneIsAnsweredWithTls12) {
  ServerAnswer a = answer();
  EXPECT_EQ(a.alert, Alert::close_notify);
  ASSERT_TRUE(a.server_hello.has_value());
  EXPECT_FALSE(a.server_hello->ext.selected_version.has_value());  // TLS 1.2
  EXPECT_EQ(a.server_hello->cipher_suite, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  EXPECT_TRUE(a.server_hello->ext.extended_master_secret);
  ASSERT_TRUE(a.server_hello->ext.renegotiation_info.has_value());
  EXPECT_TRUE(a.server_hello->ext.renegotiation_info->empty());
}

// RFC 5246 §7.4.1.2: the list "MUST contain, and all implementations MUST
// support, CompressionMethod.null".
TEST_F(RawClientHello12, CompressionWithoutNullIsIllegalParameter) {
  ch_.legacy_compression_methods = {1};
  EXPECT_EQ(alert(), Alert::illegal_parameter);
  ch_.legacy_compression_methods = {1, 64};
  EXPECT_EQ(alert(), Alert::illegal_parameter);
}

TEST_F(RawClientHello12, CompressionWithNullAmongOthersIsAccepted) {
  ch_.legacy_compression_methods = {1, 0};  // TLS 1.2 (unlike 1.3) allows offering more
  ServerAnswer a = answer();
  EXPECT_EQ(a.alert, Alert::close_notify);
  ASSERT_TRUE(a.server_hello.has_value());
  EXPECT_EQ(a.server_hello->legacy_compression_method, 0);
}

// RFC 8422 §5.1.2: "uncompressed" must be in the list.
TEST_F(RawClientHello12, EcPointFormatsWithoutUncompressedIsIllegalParameter) {
  ch_.ext.ec_point_formats = std::vector<uint8_t>{1, 2};
  EXPECT_EQ(alert(), Alert::illegal_parameter);
}

TEST_F(RawClientHello12, EcPointFormatsMalformedIsDecodeError) {
  EXPECT_EQ(server_alert_for(as_record(with_extension_body(ExtensionType::ec_point_formats, {}))), Alert::decode_error);
  EXPECT_EQ(server_alert_for(as_record(with_extension_body(ExtensionType::ec_point_formats, {0}))),
            Alert::decode_error);  // an empty list
  EXPECT_EQ(server_alert_for(as_record(with_extension_body(ExtensionType::ec_point_formats, {2, 0}))),
            Alert::decode_error);  // announces two formats, holds one
}

// RFC 5746 §3.6: a non-empty renegotiation_info in an initial handshake.
TEST_F(RawClientHello12, RenegotiationInfoNotEmptyIsHandshakeFailure) {
  ch_.ext.renegotiation_info = Bytes(12, 0x77);
  EXPECT_EQ(alert(), Alert::handshake_failure);
}

TEST_F(RawClientHello12, RenegotiationInfoMalformedIsDecodeError) {
  EXPECT_EQ(server_alert_for(as_record(with_extension_body(ExtensionType::renegotiation_info, {}))),
            Alert::decode_error);
  EXPECT_EQ(server_alert_for(as_record(with_extension_body(ExtensionType::renegotiation_info, {3, 1}))),
            Alert::decode_error);
}

// RFC 5746 §3.6: the SCSV stands for an empty extension.
TEST_F(RawClientHello12, RenegotiationScsvIsAnsweredWithTheExtension) {
  ch_.ext.renegotiation_info.reset();
  ch_.cipher_suites.push_back(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  ServerAnswer a = answer();
  EXPECT_EQ(a.alert, Alert::close_notify);
  ASSERT_TRUE(a.server_hello.has_value());
  ASSERT_TRUE(a.server_hello->ext.renegotiation_info.has_value());
  EXPECT_TRUE(a.server_hello->ext.renegotiation_info->empty());
}

// RFC 7627 §5.1: "The 'extension_data' field of this extension is empty".
TEST_F(RawClientHello12, ExtendedMasterSecretWithBodyIsDecodeError) {
  EXPECT_EQ(server_alert_for(as_record(with_extension_body(ExtensionType::extended_master_secret, {0}))),
            Alert::decode_error);
}

// RFC 7627 §5.2 with vouch's default require_extended_master_secret.
TEST_F(RawClientHello12, NoExtendedMasterSecretIsHandshakeFailure) {
  ch_.ext.extended_master_secret = false;
  EXPECT_EQ(alert(), Alert::handshake_failure);
}

// RFC 5077 §3.4: a ticket the server cannot use leads to a full handshake.
TEST_F(RawClientHello12, GarbageSessionTicketGivesFullHandshake) {
  ch_.ext.session_ticket = Bytes(100, 0xee);
  ch_.legacy_session_id = Bytes(32, 0x44);
  ServerAnswer a = answer();
  EXPECT_EQ(a.alert, Alert::close_notify);
  ASSERT_TRUE(a.server_hello.has_value());
  EXPECT_NE(a.server_hello->legacy_session_id_echo, ch_.legacy_session_id);  // not resumed
  EXPECT_GE(a.records.size(), 1u);
}

TEST_F(RawClientHello12, NoUsableSuiteIsHandshakeFailure) {
  ch_.cipher_suites = {static_cast<CipherSuite>(0x009c), static_cast<CipherSuite>(0x002f)};  // RSA kx, CBC
  EXPECT_EQ(alert(), Alert::handshake_failure);
}

// RFC 5246 §7.4.1.4.1: without signature_algorithms only SHA-1 is implied,
// which vouch never signs with.
TEST_F(RawClientHello12, NoSignatureAlgorithmsIsHandshakeFailure) {
  ch_.ext.signature_algorithms.reset();
  EXPECT_EQ(alert(), Alert::handshake_failure);
}

// RFC 8996: TLS 1.1, TLS 1.0 and SSL 3.0 are never spoken.
TEST_F(RawClientHello12, OldVersionsAreProtocolVersion) {
  for (uint16_t v : {uint16_t{0x0302}, uint16_t{0x0301}, uint16_t{0x0300}}) {
    ch_.legacy_version = v;
    EXPECT_EQ(server_alert_for(as_record(framed(HandshakeType::client_hello, ch_), v)), Alert::protocol_version)
        << std::hex << v;
    EXPECT_EQ(server_alert_for(as_record(framed(HandshakeType::client_hello, ch_), v), server_config_for("ecdsa")),
              Alert::protocol_version)
        << "1.3-capable server, " << std::hex << v;
  }
}

// RFC 5246 Appendix E.2: an SSL 2.0-compatible ClientHello (here offering
// TLS 1.0).
TEST(RawRecords12, Sslv2CompatibleHelloIsProtocolVersion) {
  Bytes hello = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10};
  for (int i = 0; i < 7; ++i) hello.insert(hello.end(), {0x00, 0xc0, static_cast<uint8_t>(0x13 + i)});
  hello.insert(hello.end(), 16, 0xab);
  ASSERT_EQ(hello.size(), 2u + 0x2e);
  EXPECT_EQ(server_alert_for(hello), Alert::protocol_version);
  EXPECT_EQ(server_alert_for(hello, server_config_for("ecdsa")), Alert::protocol_version);
}

// RFC 7627 §5.3: "If the original session used the extension but the new
// ClientHello does not contain it, the server MUST abort the abbreviated
// handshake" — even when the server accepts peers without it.
TEST(RawRecords12, ResumptionWithoutExtendedMasterSecretIsHandshakeFailure) {
  auto sc = server12();
  sc->require_extended_master_secret = false;
  auto client = Connection::client(client12(), "localhost");
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_handshake(*client, *server));
  auto sessions = client->take_sessions();
  ASSERT_EQ(sessions.size(), 1u);
  ASSERT_FALSE(sessions[0]->ticket.empty());

  ClientHello ch = valid_client_hello12();
  ch.ext.session_ticket = sessions[0]->ticket;
  ch.legacy_session_id = Bytes(32, 0x44);
  ch.cipher_suites = {sessions[0]->cipher_suite};
  // Control: with the extension, the ticket resumes (the server echoes the ID).
  ServerAnswer a = server_answer(as_record(framed(HandshakeType::client_hello, ch)), sc);
  ASSERT_EQ(a.alert, Alert::close_notify);
  ASSERT_TRUE(a.server_hello.has_value());
  EXPECT_EQ(a.server_hello->legacy_session_id_echo, ch.legacy_session_id);
  ch.ext.extended_master_secret = false;
  EXPECT_EQ(server_alert_for(as_record(framed(HandshakeType::client_hello, ch)), sc), Alert::handshake_failure);
}

// ---- every prefix of each TLS 1.2 message, inside a real handshake -------------

enum class Setup { plain, mtls, stapling };

struct Pair {
  std::unique_ptr<Connection> client, server;
};

Pair make_connections(Setup s) {
  std::shared_ptr<ClientConfig> cc = s == Setup::mtls ? mtls_client12() : client12();
  std::shared_ptr<ServerConfig> sc = s == Setup::mtls       ? mtls_server12()
                                     : s == Setup::stapling ? stapling_server12()
                                                            : server12();
  return Pair{Connection::client(cc, "localhost"), Connection::server(sc)};
}

struct MessageCase {
  const char* name;
  HandshakeType type;
  bool sent_by_server;
  Setup setup;
};

class Truncation12 : public ::testing::TestWithParam<MessageCase> {};

TEST_P(Truncation12, EveryPrefixIsDecodeErrorOnBothEnds) {
  const MessageCase& mc = GetParam();
  // Untouched, the handshake completes and the message goes out once; its
  // size bounds the prefixes.
  size_t size = 0;
  int seen = 0;
  {
    Pair p = make_connections(mc.setup);
    test_hooks::set_outgoing_message_hook(mc.sent_by_server ? *p.server : *p.client, on(mc.type, [&](const Bytes& m) {
                                            size = m.size() - kHandshakeHeaderLength;
                                            ++seen;
                                            return std::vector<Bytes>{m};
                                          }));
    Outcome o = run(*p.client, *p.server);
    ASSERT_TRUE(o.completed) << describe(o);
    ASSERT_EQ(seen, 1);
    ASSERT_GT(size, 0u);
  }
  for (size_t len = 0; len < size; ++len) {
    Pair p = make_connections(mc.setup);
    test_hooks::set_outgoing_message_hook(
        mc.sent_by_server ? *p.server : *p.client, on(mc.type, [len](const Bytes& m) {
          // Sizes vary a little between handshakes (ECDSA signatures).
          const size_t keep = std::min(len, m.size() - kHandshakeHeaderLength - 1);
          return std::vector<Bytes>{reframe(m, body_of(m).first(keep))};
        }));
    Outcome o = run(*p.client, *p.server);
    ASSERT_TRUE(detected(o, /*by_client=*/mc.sent_by_server, Alert::decode_error))
        << mc.name << ": prefix of " << len << " of " << size << " bytes";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Messages, Truncation12,
    ::testing::Values(MessageCase{"ServerCertificate", HandshakeType::certificate, true, Setup::plain},
                      MessageCase{"CertificateStatus", HandshakeType::certificate_status, true, Setup::stapling},
                      MessageCase{"ServerKeyExchange", HandshakeType::server_key_exchange, true, Setup::plain},
                      MessageCase{"CertificateRequest", HandshakeType::certificate_request, true, Setup::mtls},
                      MessageCase{"ClientCertificate", HandshakeType::certificate, false, Setup::mtls},
                      MessageCase{"ClientKeyExchange", HandshakeType::client_key_exchange, false, Setup::plain},
                      MessageCase{"CertificateVerify", HandshakeType::certificate_verify, false, Setup::mtls},
                      MessageCase{"ClientFinished", HandshakeType::finished, false, Setup::plain},
                      MessageCase{"NewSessionTicket", HandshakeType::new_session_ticket, true, Setup::plain},
                      MessageCase{"ServerFinished", HandshakeType::finished, true, Setup::plain}),
    [](const ::testing::TestParamInfo<MessageCase>& p) { return std::string(p.param.name); });

// ServerHelloDone has no body to cut: a body is what is malformed there.
TEST(Messages12, ServerHelloDoneWithBodyIsDecodeError) {
  Outcome o = tamper_server(on(HandshakeType::server_hello_done, edit_body([](Bytes& b) { b = {0}; })));
  EXPECT_TRUE(client_detects(o, Alert::decode_error));
}

// ---- extensions of the hellos: truncated or malformed ---------------------------

struct ExtensionCase {
  const char* name;
  ExtensionType type;
  bool in_server_hello;
  Bytes body;  // the malformed body
};

class MalformedExtension12 : public ::testing::TestWithParam<ExtensionCase> {};

TEST_P(MalformedExtension12, IsDecodeErrorOnBothEnds) {
  const ExtensionCase& ec = GetParam();
  int edited = 0;
  auto hook = on(ec.in_server_hello ? HandshakeType::server_hello : HandshakeType::client_hello,
                 edit_hello([&](RawHello& h) {
                   if (Bytes* b = h.find(ec.type)) {
                     *b = ec.body;
                     ++edited;
                   }
                 }));
  Outcome o = ec.in_server_hello ? tamper_server(hook) : tamper_client(hook);
  ASSERT_EQ(edited, 1) << "the extension was not sent";
  EXPECT_TRUE(detected(o, /*by_client=*/ec.in_server_hello, Alert::decode_error));
}

INSTANTIATE_TEST_SUITE_P(
    Extensions, MalformedExtension12,
    ::testing::Values(
        ExtensionCase{"ServerRenegotiationInfoEmpty", ExtensionType::renegotiation_info, true, {}},
        ExtensionCase{"ServerRenegotiationInfoShort", ExtensionType::renegotiation_info, true, {1}},
        ExtensionCase{"ClientRenegotiationInfoEmpty", ExtensionType::renegotiation_info, false, {}},
        ExtensionCase{"ClientRenegotiationInfoShort", ExtensionType::renegotiation_info, false, {2, 0}},
        ExtensionCase{"ServerExtendedMasterSecretWithBody", ExtensionType::extended_master_secret, true, {0}},
        ExtensionCase{"ClientExtendedMasterSecretWithBody", ExtensionType::extended_master_secret, false, {0, 0}},
        ExtensionCase{"ServerSessionTicketWithBody", ExtensionType::session_ticket, true, {1, 2, 3}},
        ExtensionCase{"ServerEcPointFormatsEmpty", ExtensionType::ec_point_formats, true, {}},
        ExtensionCase{"ServerEcPointFormatsEmptyList", ExtensionType::ec_point_formats, true, {0}},
        ExtensionCase{"ServerEcPointFormatsPrefix", ExtensionType::ec_point_formats, true, {1}},
        ExtensionCase{"ServerEcPointFormatsShort", ExtensionType::ec_point_formats, true, {3, 0, 1}},
        ExtensionCase{"ClientEcPointFormatsEmpty", ExtensionType::ec_point_formats, false, {}},
        ExtensionCase{"ClientEcPointFormatsPrefix", ExtensionType::ec_point_formats, false, {1}},
        ExtensionCase{"ClientEcPointFormatsShort", ExtensionType::ec_point_formats, false, {2, 0}}),
    [](const ::testing::TestParamInfo<ExtensionCase>& p) { return std::string(p.param.name); });

// ---- the ServerHello ----------------------------------------------------------------

// RFC 5746 §3.4: a non-empty renegotiation_info in the initial handshake.
TEST(ServerHello12, RenegotiationInfoNotEmptyIsHandshakeFailure) {
  Outcome o = tamper_server(on(HandshakeType::server_hello, edit_hello([](RawHello& h) {
                                 if (Bytes* b = h.find(ExtensionType::renegotiation_info)) *b = {2, 0xaa, 0xbb};
                               })));
  EXPECT_TRUE(client_detects(o, Alert::handshake_failure));
}

// The same from the client, in a real handshake (RFC 5746 §3.6).
TEST(ClientHello12, RenegotiationInfoNotEmptyIsHandshakeFailure) {
  Outcome o = tamper_client(on(HandshakeType::client_hello, edit_hello([](RawHello& h) {
                                 if (Bytes* b = h.find(ExtensionType::renegotiation_info)) *b = {2, 0xaa, 0xbb};
                               })));
  EXPECT_TRUE(server_detects(o, Alert::handshake_failure));
}

// RFC 7627 §5.2: a client that requires the extended master secret refuses a
// server that does not use it.
TEST(ServerHello12, WithoutExtendedMasterSecretIsHandshakeFailure) {
  Outcome o = tamper_server(on(HandshakeType::server_hello, edit_hello([](RawHello& h) {
                                 h.remove(ExtensionType::extended_master_secret);
                               })));
  EXPECT_TRUE(client_detects(o, Alert::handshake_failure));
}

// RFC 8422 §5.1.2.
TEST(ServerHello12, EcPointFormatsWithoutUncompressedIsIllegalParameter) {
  Outcome o = tamper_server(on(HandshakeType::server_hello, edit_hello([](RawHello& h) {
                                 if (Bytes* b = h.find(ExtensionType::ec_point_formats)) *b = {2, 1, 2};
                               })));
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

// RFC 5246 §7.4.1.4: "If a client receives an extension type in ServerHello
// that it did not request in the associated ClientHello, it MUST abort the
// handshake with an unsupported_extension fatal alert."
TEST(ServerHello12, UnknownExtensionIsUnsupportedExtension) {
  Outcome o = tamper_server(on(HandshakeType::server_hello, edit_hello([](RawHello& h) { h.add(0x1234, {}); })));
  EXPECT_TRUE(client_detects(o, Alert::unsupported_extension));
}

TEST(ServerHello12, UnrequestedStatusRequestIsUnsupportedExtension) {
  auto cc = client12();
  cc->request_ocsp_status = false;
  Outcome o = tamper_server(on(HandshakeType::server_hello,
                               edit_hello([](RawHello& h) { h.add(ext_of(ExtensionType::status_request), {}); })),
                            cc);
  EXPECT_TRUE(client_detects(o, Alert::unsupported_extension));
}

TEST(ServerHello12, UnrequestedAlpnIsUnsupportedExtension) {
  Outcome o = tamper_server(on(HandshakeType::server_hello, edit_hello([](RawHello& h) {
                                 h.add(ext_of(ExtensionType::application_layer_protocol_negotiation),
                                       {0, 3, 2, 'h', '2'});
                               })));
  EXPECT_TRUE(client_detects(o, Alert::unsupported_extension));
}

// RFC 5246 §7.4.1.3: an echoed session ID means resumption; echoing the
// client's random ID (TLS 1.3 middlebox compatibility, RFC 8446 §D.4) when
// no session was offered is a bogus resumption.
TEST(ServerHello12, EchoOfRandomSessionIdIsIllegalParameter) {
  auto client_sid = std::make_shared<Bytes>();
  auto cc = client_config_for("ecdsa");  // TLS 1.3-capable: a random legacy_session_id
  ASSERT_TRUE(cc->middlebox_compat);
  auto client_hook = on(HandshakeType::client_hello, [client_sid](const Bytes& m) {
    *client_sid = RawHello::parse(m).session_id();
    return std::vector<Bytes>{m};
  });
  auto server_hook = on(HandshakeType::server_hello, edit_hello([client_sid](RawHello& h) {
                          h.set_session_id(*client_sid);
                        }));
  Outcome o = run12(cc, server12(), client_hook, server_hook);
  ASSERT_EQ(client_sid->size(), 32u);
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

TEST(ServerHello12, UnofferedCipherSuiteIsIllegalParameter) {
  auto cc = client12();
  cc->cipher_suites12 = {CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256};
  Outcome o = tamper_server(on(HandshakeType::server_hello, edit_hello([](RawHello& h) {
                                 const size_t off = h.suite_offset();
                                 h.head[off] = 0xc0;
                                 h.head[off + 1] = 0x2c;  // TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                               })),
                            cc);
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

TEST(ServerHello12, CompressionIsIllegalParameter) {
  Outcome o = tamper_server(on(HandshakeType::server_hello, edit_hello([](RawHello& h) { h.head.back() = 1; })));
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

// RFC 8996: a server choosing TLS 1.1 or SSL 3.0.
TEST(ServerHello12, OldVersionIsProtocolVersion) {
  for (uint8_t minor : {uint8_t{2}, uint8_t{0}}) {
    Outcome o = tamper_server(on(HandshakeType::server_hello, edit_hello([minor](RawHello& h) { h.head[1] = minor; })));
    EXPECT_TRUE(client_detects(o, Alert::protocol_version)) << int{minor};
  }
}

// ---- the downgrade sentinel (RFC 8446 §4.1.3) -------------------------------------

std::array<uint8_t, 8> random_tail(const Bytes& server_hello) {
  std::array<uint8_t, 8> tail{};
  std::copy_n(body_of(server_hello).begin() + 2 + 24, 8, tail.begin());
  return tail;
}

// A TLS 1.3-capable client seeing a TLS 1.2 ServerHello whose random ends
// in a sentinel aborts, and does so before checking any signature: the
// rewritten random would fail the ServerKeyExchange signature otherwise.
TEST(Downgrade, SentinelRewrittenIntoRandomIsIllegalParameter) {
  for (const auto& sentinel : {kDowngradeTls12, kDowngradeTls11}) {
    auto hook = on(HandshakeType::server_hello, edit_hello([&](RawHello& h) {
                     std::copy(sentinel.begin(), sentinel.end(), h.head.begin() + 2 + 24);
                   }));
    Outcome o = run12(client_config_for("ecdsa"), server12(), nullptr, hook);
    EXPECT_TRUE(client_detects(o, Alert::illegal_parameter)) << int{sentinel[7]};
    EXPECT_NE(o.client.text.find("downgrade"), std::string::npos) << o.client.text;
  }
}

// An attacker strips supported_versions from a 1.3 client's hello: the
// 1.3-capable server answers TLS 1.2 with the sentinel, and the client stops.
TEST(Downgrade, StrippedSupportedVersionsIsCaughtBySentinel) {
  auto hook = on(HandshakeType::client_hello, edit_hello([](RawHello& h) {
                   h.remove(ExtensionType::supported_versions);
                 }));
  Outcome o = run12(client_config_for("ecdsa"), server_config_for("ecdsa"), hook, nullptr);
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

// A client that offers only TLS 1.2 does not check (RFC 8446 §4.1.3 is for
// TLS 1.3 clients), and a 1.3-capable vouch server negotiating 1.2 does put
// the sentinel in its random.
TEST(Downgrade, Tls13ServerSetsSentinelAndTls12ClientIgnoresIt) {
  auto tail = std::make_shared<std::array<uint8_t, 8>>();
  auto hook = on(HandshakeType::server_hello, [tail](const Bytes& m) {
    *tail = random_tail(m);
    return std::vector<Bytes>{m};
  });
  auto client = Connection::client(client12(), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  test_hooks::set_outgoing_message_hook(*server, hook);
  Outcome o = run(*client, *server);
  ASSERT_TRUE(o.completed) << describe(o);
  EXPECT_EQ(client->info().version, ProtocolVersion::tls12);
  EXPECT_EQ(*tail, kDowngradeTls12);
  EXPECT_EQ(send_and_receive(*client, *server, "after the sentinel"), "after the sentinel");
}

// A server that speaks at most TLS 1.2 is not downgrading anything.
TEST(Downgrade, Tls12OnlyServerSetsNoSentinel) {
  for (auto cc : {client_config_for("ecdsa"), client12()}) {
    auto tail = std::make_shared<std::array<uint8_t, 8>>();
    auto hook = on(HandshakeType::server_hello, [tail](const Bytes& m) {
      *tail = random_tail(m);
      return std::vector<Bytes>{m};
    });
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(server12());
    test_hooks::set_outgoing_message_hook(*server, hook);
    Outcome o = run(*client, *server);
    ASSERT_TRUE(o.completed) << describe(o);
    EXPECT_EQ(client->info().version, ProtocolVersion::tls12);
    EXPECT_NE(*tail, kDowngradeTls12);
    EXPECT_NE(*tail, kDowngradeTls11);
  }
}

// ---- HelloRetryRequest and TLS 1.2 (RFC 8446 §4.1.4) ---------------------------------

// A client offering both versions whose key share the server does not want.
std::shared_ptr<ClientConfig> hrr_client() {
  auto cc = client_config_for("ecdsa");
  cc->key_share_groups = {NamedGroup::x25519};
  return cc;
}
std::shared_ptr<ServerConfig> hrr_server() {
  auto sc = server_config_for("ecdsa");
  sc->groups = {NamedGroup::secp256r1, NamedGroup::x25519};
  return sc;
}

TEST(HelloRetry12, ControlRetryThenTls13Completes) {
  auto client = Connection::client(hrr_client(), "localhost");
  auto server = Connection::server(hrr_server());
  Outcome o = run(*client, *server);
  ASSERT_TRUE(o.completed) << describe(o);
  EXPECT_TRUE(client->info().hello_retry_request);
  EXPECT_EQ(client->info().version, ProtocolVersion::tls13);
}

TEST(HelloRetry12, Tls12ServerHelloAfterRetryIsIllegalParameter) {
  int replaced = 0;
  auto hook = on(HandshakeType::server_hello, [&](const Bytes& m) {
    ServerHello real;
    EXPECT_TRUE(parse(body_of(m), real).ok());
    if (real.is_hello_retry_request()) return std::vector<Bytes>{m};
    ++replaced;
    ServerHello sh;
    sh.random.fill(0x42);
    sh.legacy_session_id_echo = real.legacy_session_id_echo;
    sh.cipher_suite = CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    sh.ext.extended_master_secret = true;
    sh.ext.renegotiation_info = Bytes{};
    return std::vector<Bytes>{framed(HandshakeType::server_hello, sh)};
  });
  Outcome o = run12(hrr_client(), hrr_server(), nullptr, hook);
  ASSERT_EQ(replaced, 1);
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

TEST(HelloRetry12, SecondClientHelloWithoutTls13IsIllegalParameter) {
  for (bool remove : {false, true}) {
    int hellos = 0;
    auto hook = on(HandshakeType::client_hello, edit_hello([&](RawHello& h) {
                     if (++hellos != 2) return;
                     if (remove)
                       h.remove(ExtensionType::supported_versions);
                     else if (Bytes* b = h.find(ExtensionType::supported_versions))
                       *b = {2, 0x03, 0x03};  // TLS 1.2 only
                   }));
    Outcome o = run12(hrr_client(), hrr_server(), hook, nullptr);
    ASSERT_EQ(hellos, 2);
    EXPECT_TRUE(server_detects(o, Alert::illegal_parameter)) << (remove ? "removed" : "1.2 only");
  }
}

// ---- ServerKeyExchange ------------------------------------------------------------------

Rewrite edit_ske(std::function<void(ServerKeyExchange&)> f) {
  return edit_body([f = std::move(f)](Bytes& body) {
    ServerKeyExchange ske;
    ASSERT_TRUE(parse(body, ske).ok());
    f(ske);
    body.clear();
    Writer w(body);
    write(w, ske);
  });
}

// RFC 8422 §5.4: a curve the client did not offer.
TEST(ServerKeyExchange12, UnofferedGroupIsIllegalParameter) {
  Outcome o = tamper_server(on(HandshakeType::server_key_exchange,
                               edit_ske([](ServerKeyExchange& s) { s.group = NamedGroup::secp521r1; })));
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

// RFC 8422 §5.4: explicit curves are deprecated and never offered.
TEST(ServerKeyExchange12, ExplicitCurveIsIllegalParameter) {
  Outcome o = tamper_server(on(HandshakeType::server_key_exchange, edit_body([](Bytes& b) { b[0] = 1; })));
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

TEST(ServerKeyExchange12, BadSignatureIsDecryptError) {
  for (const char* family : {"ecdsa", "rsa"}) {
    Outcome o = tamper_server(on(HandshakeType::server_key_exchange, edit_ske([](ServerKeyExchange& s) {
                                   s.signature[s.signature.size() / 2] ^= 0x01;
                                 })),
                              client12(family), server12(family));
    EXPECT_TRUE(client_detects(o, Alert::decrypt_error)) << family;
  }
}

// RFC 5246 §7.4.1.4.1: the pair must be one the client offered ...
TEST(ServerKeyExchange12, SchemeNotOfferedIsIllegalParameter) {
  auto cc = client12();
  cc->signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256};
  Outcome o = tamper_server(on(HandshakeType::server_key_exchange, edit_ske([](ServerKeyExchange& s) {
                                 s.algorithm = SignatureScheme::ecdsa_secp384r1_sha384;
                               })),
                            cc);
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

// ... and fit the certificate's key (RFC 8422 §5.4).
TEST(ServerKeyExchange12, SchemeNotFittingKeyIsIllegalParameter) {
  Outcome o = tamper_server(on(HandshakeType::server_key_exchange, edit_ske([](ServerKeyExchange& s) {
                                 s.algorithm = SignatureScheme::rsa_pss_rsae_sha256;  // offered, but an ECDSA key
                               })));
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
  o = tamper_server(on(HandshakeType::server_key_exchange, edit_ske([](ServerKeyExchange& s) {
                         s.algorithm = SignatureScheme::ecdsa_secp256r1_sha256;  // offered, but an RSA key
                       })),
                    client12("rsa"), server12("rsa"));
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

// A point that is not on the curve (or a low-order / misshapen X25519 key),
// signed correctly by the server's key, so that only the point is wrong:
// RFC 8422 §5.4 / RFC 7748 §6.1 → illegal_parameter.
TEST(ServerKeyExchange12, InvalidPointSignedByServerIsIllegalParameter) {
  struct Case {
    NamedGroup group;
    Bytes point;
  };
  Bytes off_curve(65, 0);
  off_curve[0] = 0x04;
  off_curve[32] = 1;  // (1, 1) is not on P-256
  off_curve[64] = 1;
  const Case cases[] = {{NamedGroup::secp256r1, off_curve},
                        {NamedGroup::secp256r1, Bytes(off_curve.begin(), off_curve.end() - 1)},
                        {NamedGroup::x25519, Bytes(32, 0)},
                        {NamedGroup::x25519, Bytes(31, 9)}};
  for (const Case& c : cases) {
    auto client_random = std::make_shared<Bytes>();
    auto server_random = std::make_shared<Bytes>();
    auto cc = client12();
    cc->groups = {c.group};
    // RFC 8422 §5.1.1: P-256 is the ECDSA certificate's curve.
    if (c.group != NamedGroup::secp256r1) cc->groups.push_back(NamedGroup::secp256r1);
    auto client_hook = on(HandshakeType::client_hello, [client_random](const Bytes& m) {
      *client_random = Bytes(body_of(m).begin() + 2, body_of(m).begin() + 34);
      return std::vector<Bytes>{m};
    });
    auto server_hook = chain({on(HandshakeType::server_hello,
                                 [server_random](const Bytes& m) {
                                   *server_random = Bytes(body_of(m).begin() + 2, body_of(m).begin() + 34);
                                   return std::vector<Bytes>{m};
                                 }),
                              on(HandshakeType::server_key_exchange, edit_ske([&](ServerKeyExchange& s) {
                                   ASSERT_EQ(s.group, c.group);
                                   s.public_key = c.point;
                                   const Bytes content = server_key_exchange_signed_content(
                                       *client_random, *server_random, s.group, s.public_key);
                                   auto sig = sign_message(s.algorithm, ecdsa().server.key.get(), content);
                                   ASSERT_TRUE(sig.ok());
                                   s.signature = *sig;
                                 }))});
    Outcome o = run12(cc, server12(), client_hook, server_hook);
    EXPECT_TRUE(client_detects(o, Alert::illegal_parameter)) << to_string(c.group) << " " << c.point.size();
    EXPECT_EQ(o.client.text.find("signature"), std::string::npos) << o.client.text;
  }
}

TEST(ServerKeyExchange12, MissingIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::server_key_exchange, drop()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

TEST(ServerKeyExchange12, DuplicatedIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::server_key_exchange, duplicate()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

// ---- Certificate (TLS 1.2) -----------------------------------------------------------------

// RFC 5246 §7.4.2: a server's list is never empty.
TEST(Certificate12, EmptyServerCertificateIsDecodeError) {
  Outcome o = tamper_server(on(HandshakeType::certificate, edit_body([](Bytes& b) { b = {0, 0, 0}; })));
  EXPECT_TRUE(client_detects(o, Alert::decode_error));
}

TEST(Certificate12, MissingServerCertificateIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::certificate, drop()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

TEST(Certificate12, DuplicatedServerCertificateIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::certificate, duplicate()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

// RFC 5246 §7.4.6: a client that was asked sends Certificate, empty or not.
TEST(Certificate12, MissingClientCertificateIsUnexpectedMessage) {
  Outcome o = tamper_client(on(HandshakeType::certificate, drop()), mtls_client12(), mtls_server12());
  EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
}

TEST(Certificate12, EmptyClientCertificateWhenRequiredIsHandshakeFailure) {
  Outcome o = run12(client12(), mtls_server12(ClientAuth::required), nullptr, nullptr);
  EXPECT_TRUE(server_detects(o, Alert::handshake_failure));
}

// ---- CertificateRequest (TLS 1.2) -------------------------------------------------------

TEST(CertificateRequest12, DuplicatedIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::certificate_request, duplicate()), mtls_client12(), mtls_server12());
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

TEST(CertificateRequest12, AfterServerHelloDoneIsUnexpectedMessage) {
  auto held = std::make_shared<Bytes>();
  auto hook = chain({on(HandshakeType::certificate_request,
                        [held](const Bytes& m) {
                          *held = m;
                          return std::vector<Bytes>{};
                        }),
                     on(HandshakeType::server_hello_done,
                        [held](const Bytes& m) { return std::vector<Bytes>{m, *held}; })});
  Outcome o = tamper_server(hook, mtls_client12(), mtls_server12());
  // The client answered the ServerHelloDone (without a certificate) before
  // it met the request, so the server, waiting for a Certificate, also
  // finds its ClientKeyExchange unexpected: both raise unexpected_message.
  EXPECT_FALSE(o.completed);
  EXPECT_EQ(o.client.alert, Alert::unexpected_message) << describe(o);
  EXPECT_FALSE(o.client.from_peer) << describe(o);
  EXPECT_NE(o.client.text.find("CertificateRequest"), std::string::npos) << describe(o);
  EXPECT_EQ(o.server.alert, Alert::unexpected_message) << describe(o);
}

// RFC 5246 §7.4.4: certificate_types<1..2^8-1>.
TEST(CertificateRequest12, EmptyCertificateTypesIsDecodeError) {
  Outcome o = tamper_server(on(HandshakeType::certificate_request, edit_body([](Bytes& b) {
                                 const size_t n = b[0];
                                 b.erase(b.begin() + 1, b.begin() + 1 + static_cast<long>(n));
                                 b[0] = 0;
                               })),
                            mtls_client12(), mtls_server12());
  EXPECT_TRUE(client_detects(o, Alert::decode_error));
}

// ---- CertificateStatus (RFC 6066 §8) ----------------------------------------------------
// With status_request alone (RFC 6961's status_request_v2 and its
// ocsp_multi CertificateStatus: bad_input_status_v2_test.cpp).

std::shared_ptr<ClientConfig> client12_v1_status() {
  auto cc = client12();
  cc->request_ocsp_multi = false;
  return cc;
}

TEST(CertificateStatus12, ControlStapleIsVerified) {
  auto client = Connection::client(client12(), "localhost");
  auto server = Connection::server(stapling_server12());
  Outcome o = run(*client, *server);
  ASSERT_TRUE(o.completed) << describe(o);
  const StapleReport* leaf = client->peer_ocsp().leaf();
  ASSERT_NE(leaf, nullptr);
  ASSERT_TRUE(leaf->status.has_value());
  EXPECT_EQ(leaf->status->status, OcspCertStatus::good);
}

// "The server MUST NOT send the CertificateStatus message unless it
// received a status_request extension in the client hello message and sent
// a status_request extension in the server hello message" (RFC 6066 §8).
TEST(CertificateStatus12, WithoutStatusRequestAcknowledgedIsUnexpectedMessage) {
  auto cc = client12();
  cc->request_ocsp_status = false;
  CertificateStatus cs;
  cs.ocsp_response = leaf_staple();
  Outcome o = tamper_server(on(HandshakeType::certificate, append({framed(HandshakeType::certificate_status, cs)})),
                            cc, stapling_server12());
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
  // And when the client asked but the ServerHello does not say so.
  o = tamper_server(on(HandshakeType::server_hello,
                       edit_hello([](RawHello& h) { h.remove(ExtensionType::status_request); })),
                    client12_v1_status(), stapling_server12());
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

// ocsp_multi(2) answers status_request_v2 only (RFC 6961 §2.2); 3 is no
// status type at all.
TEST(CertificateStatus12, UnknownStatusTypeIsIllegalParameter) {
  for (uint8_t type : {uint8_t{2}, uint8_t{3}}) {
    Outcome o = tamper_server(on(HandshakeType::certificate_status, edit_body([type](Bytes& b) { b[0] = type; })),
                              client12_v1_status(), stapling_server12());
    EXPECT_TRUE(client_detects(o, Alert::illegal_parameter)) << int{type};
  }
}

TEST(CertificateStatus12, DuplicatedIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::certificate_status, duplicate()), client12(), stapling_server12());
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

TEST(CertificateStatus12, AfterServerKeyExchangeIsUnexpectedMessage) {
  auto held = std::make_shared<Bytes>();
  auto hook = chain({on(HandshakeType::certificate_status,
                        [held](const Bytes& m) {
                          *held = m;
                          return std::vector<Bytes>{};
                        }),
                     on(HandshakeType::server_key_exchange,
                        [held](const Bytes& m) { return std::vector<Bytes>{m, *held}; })});
  Outcome o = tamper_server(hook, client12(), stapling_server12());
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

// ---- ServerHelloDone ------------------------------------------------------------------------

TEST(ServerHelloDone12, DuplicatedIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::server_hello_done, duplicate()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

TEST(ServerHelloDone12, BeforeServerKeyExchangeIsUnexpectedMessage) {
  auto held = std::make_shared<Bytes>();
  auto hook = chain({on(HandshakeType::server_key_exchange,
                        [held](const Bytes& m) {
                          *held = m;
                          return std::vector<Bytes>{};
                        }),
                     on(HandshakeType::server_hello_done,
                        [held](const Bytes& m) { return std::vector<Bytes>{m, *held}; })});
  Outcome o = tamper_server(hook);
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

// Without ServerHelloDone the client waits for the rest of the flight: no
// answer, no error, no completion.
TEST(ServerHelloDone12, MissingLeavesTheClientWaiting) {
  auto client = Connection::client(client12(), "localhost");
  auto server = Connection::server(server12());
  test_hooks::set_outgoing_message_hook(*server, on(HandshakeType::server_hello_done, drop()));
  Outcome o = run(*client, *server);
  EXPECT_FALSE(o.completed);
  EXPECT_FALSE(o.client.failed) << describe(o);
  EXPECT_FALSE(o.server.failed) << describe(o);
  EXPECT_EQ(client->wait(), Wait::read);
  EXPECT_TRUE(client->pending_output().empty());
}

// ---- ClientKeyExchange ----------------------------------------------------------------------

Rewrite set_cke_point(Bytes point) {
  return edit_body([point = std::move(point)](Bytes& body) {
    ClientKeyExchange cke;
    cke.public_key = point;
    body.clear();
    Writer w(body);
    write(w, cke);
  });
}

// RFC 8422 §5.10 / RFC 7748: the client's point must be valid.
TEST(ClientKeyExchange12, InvalidPointIsIllegalParameter) {
  Bytes off_curve(65, 0);
  off_curve[0] = 0x04;
  off_curve[32] = 1;
  off_curve[64] = 1;
  Bytes compressed(33, 0x11);
  compressed[0] = 0x02;
  const std::pair<NamedGroup, Bytes> cases[] = {{NamedGroup::secp256r1, off_curve},
                                                {NamedGroup::secp256r1, compressed},
                                                {NamedGroup::x25519, Bytes(32, 0)},
                                                {NamedGroup::x25519, Bytes(33, 9)}};
  for (const auto& [group, point] : cases) {
    auto cc = client12();
    cc->groups = {group};
    if (group != NamedGroup::secp256r1) cc->groups.push_back(NamedGroup::secp256r1);  // RFC 8422 §5.1.1
    Outcome o = tamper_client(on(HandshakeType::client_key_exchange, set_cke_point(point)), cc);
    EXPECT_TRUE(server_detects(o, Alert::illegal_parameter)) << to_string(group) << " " << point.size();
  }
}

TEST(ClientKeyExchange12, DuplicatedIsUnexpectedMessage) {
  Outcome o = tamper_client(on(HandshakeType::client_key_exchange, duplicate()));
  EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
}

TEST(ClientKeyExchange12, MissingIsUnexpectedMessage) {
  Outcome o = tamper_client(on(HandshakeType::client_key_exchange, drop()));
  EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
}

// ---- the client's authentication messages --------------------------------------------

// RFC 5246 §7.4.6: a client Certificate only when asked.
TEST(ClientAuth12, UnrequestedCertificateIsUnexpectedMessage) {
  Certificate12 empty;
  Outcome o = tamper_client(on(HandshakeType::client_key_exchange, [empty](const Bytes& m) {
    return std::vector<Bytes>{framed(HandshakeType::certificate, empty), m};
  }));
  EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
}

// RFC 5246 §7.4.8: a CertificateVerify only after a certificate with a key.
TEST(ClientAuth12, CertificateVerifyWithoutCertificateIsUnexpectedMessage) {
  CertificateVerify cv;
  cv.algorithm = SignatureScheme::ecdsa_secp256r1_sha256;
  cv.signature = Bytes(70, 0x30);
  Outcome o = tamper_client(on(HandshakeType::client_key_exchange, append({framed(HandshakeType::certificate_verify, cv)})),
                            client12(), mtls_server12(ClientAuth::optional));
  EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
}

TEST(ClientAuth12, MissingCertificateVerifyIsUnexpectedMessage) {
  Outcome o = tamper_client(on(HandshakeType::certificate_verify, drop()), mtls_client12(), mtls_server12());
  EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
}

Rewrite edit_cv(std::function<void(CertificateVerify&)> f) {
  return edit_body([f = std::move(f)](Bytes& body) {
    CertificateVerify cv;
    ASSERT_TRUE(parse(body, cv).ok());
    f(cv);
    body.clear();
    Writer w(body);
    write(w, cv);
  });
}

TEST(ClientAuth12, CertificateVerifyBadSignatureIsDecryptError) {
  Outcome o = tamper_client(on(HandshakeType::certificate_verify,
                               edit_cv([](CertificateVerify& cv) { cv.signature[cv.signature.size() / 2] ^= 1; })),
                            mtls_client12(), mtls_server12());
  EXPECT_TRUE(server_detects(o, Alert::decrypt_error));
}

// RFC 5246 §7.4.8: the scheme must be one the CertificateRequest listed, and
// fit the certificate's key.
TEST(ClientAuth12, CertificateVerifySchemeNotRequestedIsIllegalParameter) {
  auto sc = mtls_server12();
  sc->signature_schemes = {SignatureScheme::ecdsa_secp256r1_sha256};
  Outcome o = tamper_client(on(HandshakeType::certificate_verify, edit_cv([](CertificateVerify& cv) {
                                 cv.algorithm = SignatureScheme::ecdsa_secp384r1_sha384;
                               })),
                            mtls_client12(), sc);
  EXPECT_TRUE(server_detects(o, Alert::illegal_parameter));
  o = tamper_client(on(HandshakeType::certificate_verify, edit_cv([](CertificateVerify& cv) {
                         cv.algorithm = SignatureScheme::rsa_pss_rsae_sha256;  // requested, but an ECDSA key
                       })),
                    mtls_client12(), mtls_server12());
  EXPECT_TRUE(server_detects(o, Alert::illegal_parameter));
}

// ---- NewSessionTicket (RFC 5077 §3.3) ---------------------------------------------------


// "This message MUST be sent if the server included a SessionTicket
// extension in the ServerHello."
TEST(NewSessionTicket12, MissingWhenAnnouncedIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::new_session_ticket, drop()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

TEST(NewSessionTicket12, DuplicatedIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::new_session_ticket, duplicate()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

TEST(NewSessionTicket12, AfterTheHandshakeIsUnexpectedMessage) {
  NewSessionTicket12 nst;
  nst.ticket = Bytes(40, 1);
  Outcome o = tamper_server(on(HandshakeType::finished, append({framed(HandshakeType::new_session_ticket, nst)})));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

// ---- Finished and the ChangeCipherSpec ----------------------------------------------------

TEST(Finished12, WrongServerVerifyDataIsDecryptError) {
  Outcome o = tamper_server(on(HandshakeType::finished, edit_body([](Bytes& b) { b.back() ^= 1; })));
  EXPECT_TRUE(client_detects(o, Alert::decrypt_error));
}

TEST(Finished12, WrongClientVerifyDataIsDecryptError) {
  Outcome o = tamper_client(on(HandshakeType::finished, edit_body([](Bytes& b) { b.front() ^= 1; })));
  EXPECT_TRUE(server_detects(o, Alert::decrypt_error));
}

TEST(Finished12, DuplicatedClientFinishedIsUnexpectedMessage) {
  Outcome o = tamper_client(on(HandshakeType::finished, duplicate()));
  EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
}

TEST(Finished12, DuplicatedServerFinishedIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::finished, duplicate()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

// A Finished before the ChangeCipherSpec (RFC 5246 §7.1, §7.4.9).
TEST(Finished12, BeforeChangeCipherSpecIsUnexpectedMessage) {
  Finished fin;
  fin.verify_data = Bytes(12, 0);
  Outcome o = tamper_client(on(HandshakeType::client_key_exchange, append({framed(HandshakeType::finished, fin)})));
  EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
}

// ---- abbreviated handshakes, a repeated ServerHello -----------------------------------

// The abbreviated handshake (RFC 5246 §7.3): its Finished messages are
// checked as strictly.
std::shared_ptr<const Session> first_session() {
  auto client = Connection::client(client12(), "localhost");
  auto server = Connection::server(server12());
  EXPECT_TRUE(pump_handshake(*client, *server));
  auto sessions = client->take_sessions();
  EXPECT_EQ(sessions.size(), 1u);
  return sessions.empty() ? nullptr : sessions[0];
}

TEST(Finished12, WrongVerifyDataInAbbreviatedHandshakeIsDecryptError) {
  auto session = first_session();
  ASSERT_TRUE(session);
  for (bool server_side : {true, false}) {
    // Control: untouched, it resumes.
    {
      auto client = Connection::client(client12(), "localhost", session);
      auto server = Connection::server(server12());
      ASSERT_TRUE(pump_handshake(*client, *server));
      ASSERT_TRUE(client->info().resumed);
    }
    auto client = Connection::client(client12(), "localhost", session);
    auto server = Connection::server(server12());
    test_hooks::set_outgoing_message_hook(server_side ? *server : *client,
                                          on(HandshakeType::finished, edit_body([](Bytes& b) { b[5] ^= 4; })));
    Outcome o = run(*client, *server);
    EXPECT_TRUE(detected(o, /*by_client=*/server_side, Alert::decrypt_error));
  }
}

// RFC 5246 §7.4.1.3: a resumed session keeps its cipher suite.
TEST(ServerHello12, ResumptionWithAnotherCipherSuiteIsIllegalParameter) {
  auto session = first_session();
  ASSERT_TRUE(session);
  ASSERT_EQ(session->cipher_suite, CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
  auto client = Connection::client(client12(), "localhost", session);
  auto server = Connection::server(server12());
  test_hooks::set_outgoing_message_hook(*server, on(HandshakeType::server_hello, edit_hello([](RawHello& h) {
                                                      const size_t off = h.suite_offset();
                                                      h.head[off] = 0xc0;
                                                      h.head[off + 1] = 0x2c;  // AES-256-GCM, also offered
                                                    })));
  Outcome o = run(*client, *server);
  EXPECT_TRUE(client_detects(o, Alert::illegal_parameter));
}

TEST(ServerHello12, DuplicatedIsUnexpectedMessage) {
  Outcome o = tamper_server(on(HandshakeType::server_hello, duplicate()));
  EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
}

// ---- on the wire: ChangeCipherSpec, records out of place ------------------------------

// Drives the handshake by hand up to the client's second flight.
struct Manual {
  std::unique_ptr<Connection> client, server;
  explicit Manual(std::shared_ptr<ClientConfig> cc = client12(), std::shared_ptr<ServerConfig> sc = server12())
      : client(Connection::client(std::move(cc), "localhost")), server(Connection::server(std::move(sc))) {}
  Status to_server(const Bytes& wire) { return server->receive(wire); }
  Status to_client(const Bytes& wire) { return client->receive(wire); }
  // ClientHello → server; returns the server's first flight.
  Bytes first_flight() {
    EXPECT_TRUE(client->start().ok());
    EXPECT_TRUE(to_server(take_output(*client)).ok());
    return take_output(*server);
  }
  // The first flight → client; returns the client's answer.
  Bytes second_flight() {
    Bytes f = first_flight();
    EXPECT_TRUE(to_client(f).ok());
    return take_output(*client);
  }
  // Delivers what each side has left until nothing moves; the outcome.
  Outcome finish() {
    for (int i = 0; i < 8; ++i) {
      const size_t a = transfer(*client, *server);
      const size_t b = transfer(*server, *client);
      if (a == 0 && b == 0) break;
    }
    return outcome_of(client->handshake_complete() && server->handshake_complete(), *client, *server);
  }
};

TEST(ChangeCipherSpec12, BeforeTheServerFlightIsUnexpectedMessage) {
  Manual m;
  Bytes flight = m.first_flight();
  Bytes wire;
  write_plaintext_record(ContentType::change_cipher_spec, 0x0303, Bytes{1}, wire);
  wire.insert(wire.end(), flight.begin(), flight.end());
  EXPECT_FALSE(m.to_client(wire).ok());
  EXPECT_TRUE(client_detects(m.finish(), Alert::unexpected_message));
}

TEST(ChangeCipherSpec12, BeforeClientKeyExchangeIsUnexpectedMessage) {
  Manual m;
  std::vector<Record> recs = split_records(m.second_flight());
  ASSERT_GE(recs.size(), 3u);  // [CKE] [CCS] [Finished]
  ASSERT_EQ(recs[0].type, kHandshake);
  recs.insert(recs.begin(), Record{kCcs, {1}});
  EXPECT_FALSE(m.to_server(join_records(recs)).ok());
  EXPECT_TRUE(server_detects(m.finish(), Alert::unexpected_message));
}

// RFC 5246 §7.1 with RFC 8446 §5.1: a handshake message may not span the
// ChangeCipherSpec. Here the first bytes of a message precede it.
TEST(ChangeCipherSpec12, InsideAFragmentedHandshakeMessageIsUnexpectedMessage) {
  {
    // Client to server: [CKE] [Finished header, cut] [CCS] [Finished].
    Manual m;
    std::vector<Record> recs = split_records(m.second_flight());
    ASSERT_GE(recs.size(), 3u);
    ASSERT_EQ(recs[1].type, kCcs);
    recs.insert(recs.begin() + 1, Record{kHandshake, {type_of(HandshakeType::finished), 0, 0}});
    EXPECT_FALSE(m.to_server(join_records(recs)).ok());
    Outcome o = m.finish();
    EXPECT_TRUE(server_detects(o, Alert::unexpected_message));
    EXPECT_NE(o.server.text.find("spans"), std::string::npos) << o.server.text;
  }
  {
    // Server to client, the same before the server's ChangeCipherSpec.
    auto sc = server12();
    sc->num_tickets = 0;  // no NewSessionTicket: [CCS] [Finished]
    Manual m(client12(), sc);
    ASSERT_TRUE(m.to_server(m.second_flight()).ok());
    std::vector<Record> recs = split_records(take_output(*m.server));
    ASSERT_GE(recs.size(), 2u);
    ASSERT_EQ(recs[0].type, kCcs);
    recs.insert(recs.begin(), Record{kHandshake, {type_of(HandshakeType::finished), 0}});
    EXPECT_FALSE(m.to_client(join_records(recs)).ok());
    Outcome o = m.finish();
    EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
    EXPECT_NE(o.client.text.find("spans"), std::string::npos) << o.client.text;
  }
}

// RFC 5246 §7.1: "The message consists of a single byte of value 1."
TEST(ChangeCipherSpec12, MalformedIsDecodeError) {
  for (const Bytes& body : {Bytes{2}, Bytes{1, 1}, Bytes{0}}) {
    Manual m;
    std::vector<Record> recs = split_records(m.second_flight());
    ASSERT_GE(recs.size(), 3u);
    ASSERT_EQ(recs[1].type, kCcs);
    recs[1].body = body;
    EXPECT_FALSE(m.to_server(join_records(recs)).ok());
    EXPECT_TRUE(server_detects(m.finish(), Alert::decode_error)) << body.size();
  }
}

// RFC 5077 §3.3: a NewSessionTicket the ServerHello did not announce
// (editing the ServerHello would change the master secret, RFC 7627, so the
// ticket is put on the wire before the server's ChangeCipherSpec instead).
TEST(NewSessionTicket12, NotAnnouncedIsUnexpectedMessage) {
  auto sc = server12();
  sc->num_tickets = 0;  // no session_ticket in the ServerHello
  Manual m(client12(), sc);
  ASSERT_TRUE(m.to_server(m.second_flight()).ok());
  std::vector<Record> recs = split_records(take_output(*m.server));
  ASSERT_GE(recs.size(), 2u);
  ASSERT_EQ(recs[0].type, kCcs);
  NewSessionTicket12 nst;
  nst.ticket_lifetime_hint = 7200;
  nst.ticket = Bytes(64, 0x71);
  recs.insert(recs.begin(), Record{kHandshake, framed(HandshakeType::new_session_ticket, nst)});
  EXPECT_FALSE(m.to_client(join_records(recs)).ok());
  EXPECT_TRUE(client_detects(m.finish(), Alert::unexpected_message));
}

// RFC 5246 §6.2.1 / §7.4.9: no application data before the handshake is
// done, plaintext or not.
TEST(Records12, ApplicationDataBeforeFinishedIsUnexpectedMessage) {
  Manual m;
  std::vector<Record> recs = split_records(m.second_flight());
  ASSERT_GE(recs.size(), 3u);
  ASSERT_EQ(recs[1].type, kCcs);
  recs.insert(recs.begin() + 1, Record{static_cast<uint8_t>(ContentType::application_data), {'G', 'E', 'T'}});
  EXPECT_FALSE(m.to_server(join_records(recs)).ok());
  EXPECT_TRUE(server_detects(m.finish(), Alert::unexpected_message));
}

// Once the keys are on, any bit flipped is bad_record_mac (RFC 5246 §6.2.3.3).
TEST(Records12, TamperedRecordAfterChangeCipherSpecIsBadRecordMac) {
  {
    Manual m;
    Bytes wire = m.second_flight();
    wire.back() ^= 0x80;  // in the encrypted Finished
    EXPECT_FALSE(m.to_server(wire).ok());
    EXPECT_TRUE(server_detects(m.finish(), Alert::bad_record_mac));
  }
  {
    auto client = Connection::client(client12(), "localhost");
    auto server = Connection::server(server12());
    ASSERT_TRUE(pump_handshake(*client, *server));
    ASSERT_TRUE(server->write(Bytes{'h', 'i'}).ok());
    Bytes wire = take_output(*server);
    wire.back() ^= 0x01;  // the AEAD tag
    Status s = client->receive(wire);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().alert, Alert::bad_record_mac);
    transfer(*client, *server);
    ASSERT_TRUE(server->error());
    EXPECT_EQ(server->error()->alert, Alert::bad_record_mac);
    EXPECT_TRUE(server->error()->from_peer);
    EXPECT_FALSE(client->write(Bytes{1}).ok());  // poisoned
  }
}

// ---- warning alerts, renegotiation (RFC 5246 §7.2, §7.4.1.1, RFC 5746) ------------------

// The server's last flight followed by `n` HelloRequests: a vouch client
// (renegotiation never) answers each with a no_renegotiation warning.
Outcome hello_requests_after_finished(int n, std::unique_ptr<Connection>& client, std::unique_ptr<Connection>& server) {
  client = Connection::client(client12(), "localhost");
  server = Connection::server(server12());
  test_hooks::set_outgoing_message_hook(*server, on(HandshakeType::finished, [n](const Bytes& m) {
                                          std::vector<Bytes> out{m};
                                          for (int i = 0; i < n; ++i) out.push_back(hello_request());
                                          return out;
                                        }));
  return run(*client, *server);
}

TEST(Warnings12, FourWarningsInARowAreIgnored) {
  std::unique_ptr<Connection> client, server;
  Outcome o = hello_requests_after_finished(4, client, server);
  ASSERT_TRUE(o.completed) << describe(o);
  EXPECT_EQ(send_and_receive(*client, *server, "still here"), "still here");
  EXPECT_EQ(send_and_receive(*server, *client, "me too"), "me too");
  EXPECT_FALSE(client->failed());
  EXPECT_FALSE(server->failed());
}

TEST(Warnings12, FiveWarningsInARowAreUnexpectedMessage) {
  std::unique_ptr<Connection> client, server;
  Outcome o = hello_requests_after_finished(5, client, server);
  ASSERT_TRUE(server->error()) << describe(o);
  EXPECT_EQ(server->error()->alert, Alert::unexpected_message) << describe(o);
  EXPECT_FALSE(server->error()->from_peer);
  ASSERT_TRUE(client->error()) << describe(o);
  EXPECT_EQ(client->error()->alert, Alert::unexpected_message);
  EXPECT_TRUE(client->error()->from_peer);
}

// The same limit on the client: renegotiating ClientHellos each get a
// warning from the server.
TEST(Warnings12, ClientCountsTheServersWarningsToo) {
  for (int n : {4, 5}) {
    auto client = Connection::client(client12(), "localhost");
    auto server = Connection::server(server12());
    test_hooks::set_outgoing_message_hook(*client, on(HandshakeType::finished, [n](const Bytes& m) {
                                            std::vector<Bytes> out{m};
                                            for (int i = 0; i < n; ++i) out.push_back(renegotiating_client_hello());
                                            return out;
                                          }));
    Outcome o = run(*client, *server);
    if (n == 4) {
      ASSERT_TRUE(o.completed) << describe(o);
      EXPECT_EQ(send_and_receive(*client, *server, "four"), "four");
      EXPECT_EQ(send_and_receive(*server, *client, "four"), "four");
    } else {
      EXPECT_TRUE(client_detects(o, Alert::unexpected_message));
    }
  }
}

// RFC 5246 §7.2.2 no_renegotiation: "sent ... by the server in response to a
// client hello after initial handshaking"; the connection goes on.
TEST(Renegotiation12, ClientHelloAfterHandshakeGetsNoRenegotiationWarning) {
  auto client = Connection::client(client12(), "localhost");
  auto server = Connection::server(server12());
  test_hooks::set_outgoing_message_hook(*client, on(HandshakeType::finished, append({renegotiating_client_hello()})));
  ASSERT_TRUE(client->start().ok());
  ASSERT_TRUE(server->receive(take_output(*client)).ok());
  ASSERT_TRUE(client->receive(take_output(*server)).ok());
  ASSERT_TRUE(server->receive(take_output(*client)).ok()) << err(*server);
  EXPECT_TRUE(server->handshake_complete());
  Bytes out = take_output(*server);
  std::vector<Record> recs = split_records(out);
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(count_type(recs, ContentType::alert), 1u);
  EXPECT_EQ(recs.back().type, kAlert);  // after the server's Finished
  EXPECT_EQ(recs.back().body.size(), 2u + 8 + 16);  // explicit nonce, 2 bytes, tag (AES-GCM)
  ASSERT_TRUE(client->receive(out).ok()) << err(*client);
  EXPECT_TRUE(client->handshake_complete());
  EXPECT_EQ(send_and_receive(*client, *server, "ping"), "ping");
  EXPECT_EQ(send_and_receive(*server, *client, "pong"), "pong");
}

// A vouch client that renegotiates once (when asked by a HelloRequest)
// meets a vouch server, which never does: the warning, and both go on.
TEST(Renegotiation12, ClientRenegotiationRefusedByServerConnectionGoesOn) {
  auto cc = client12();
  cc->renegotiation = Renegotiation::once;
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server12());
  test_hooks::set_outgoing_message_hook(*server, on(HandshakeType::finished, append({hello_request()})));
  int hellos = 0;
  test_hooks::set_outgoing_message_hook(*client, on(HandshakeType::client_hello, [&](const Bytes& m) {
                                          ++hellos;
                                          return std::vector<Bytes>{m};
                                        }));
  Outcome o = run(*client, *server);
  ASSERT_TRUE(o.completed) << describe(o);
  EXPECT_EQ(hellos, 2);  // the renegotiation was tried
  EXPECT_FALSE(client->failed());
  EXPECT_FALSE(server->failed());
  // The warning ended the attempt: the client is established again, not
  // waiting for a ServerHello.
  EXPECT_EQ(client->wait(), Wait::none);
  EXPECT_EQ(send_and_receive(*client, *server, "ping"), "ping");
  EXPECT_EQ(send_and_receive(*server, *client, "pong"), "pong");
}

// A HelloRequest in the same record as the server's Finished (full or
// abbreviated handshake): a client that renegotiates sends its ClientHello
// at once, not when some later record happens to arrive.
TEST(Renegotiation12, HelloRequestWithFinishedStartsRenegotiationAtOnce) {
  auto cc = client12();
  cc->renegotiation = Renegotiation::once;
  std::shared_ptr<const Session> session;
  for (bool resumed : {false, true}) {
    auto client = Connection::client(cc, "localhost", session);
    auto server = Connection::server(server12());
    test_hooks::set_outgoing_message_hook(*server, on(HandshakeType::finished, append({hello_request()})));
    ASSERT_TRUE(client->start().ok());
    ASSERT_TRUE(server->receive(take_output(*client)).ok());
    if (!resumed) {
      ASSERT_TRUE(client->receive(take_output(*server)).ok()) << err(*client);
      ASSERT_TRUE(server->receive(take_output(*client)).ok()) << err(*server);
    }
    std::vector<Record> last = split_records(take_output(*server));
    ASSERT_FALSE(last.empty());
    EXPECT_EQ(last.back().type, kHandshake);  // Finished + HelloRequest, one record
    ASSERT_TRUE(client->receive(join_records(last)).ok()) << err(*client);
    EXPECT_TRUE(client->handshake_complete());
    EXPECT_EQ(client->info().resumed, resumed);
    EXPECT_EQ(client->wait(), Wait::read);  // waiting for the new ServerHello
    std::vector<Record> out = split_records(take_output(*client));
    ASSERT_FALSE(out.empty()) << "no renegotiating ClientHello";
    EXPECT_EQ(out.back().type, kHandshake);  // the ClientHello, encrypted
    EXPECT_EQ(count_type(out, ContentType::alert), 0u);
    auto sessions = client->take_sessions();
    if (!resumed) {
      ASSERT_FALSE(sessions.empty());
      session = sessions.front();
    }
  }
}

// RFC 5246 §7.4.1.1: a client may decline a HelloRequest with a
// no_renegotiation warning; the connection goes on.
TEST(Renegotiation12, HelloRequestToClientGetsNoRenegotiationWarning) {
  auto client = Connection::client(client12(), "localhost");  // renegotiation never (default)
  auto server = Connection::server(server12());
  test_hooks::set_outgoing_message_hook(*server, on(HandshakeType::finished, append({hello_request()})));
  ASSERT_TRUE(client->start().ok());
  ASSERT_TRUE(server->receive(take_output(*client)).ok());
  ASSERT_TRUE(client->receive(take_output(*server)).ok());
  ASSERT_TRUE(server->receive(take_output(*client)).ok());
  ASSERT_TRUE(client->receive(take_output(*server)).ok()) << err(*client);
  EXPECT_TRUE(client->handshake_complete());
  std::vector<Record> recs = split_records(take_output(*client));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].type, kAlert);
  EXPECT_EQ(recs[0].body.size(), 2u + 8 + 16);
  Bytes wire = join_records(recs);
  ASSERT_TRUE(server->receive(wire).ok()) << err(*server);
  EXPECT_EQ(send_and_receive(*client, *server, "ping"), "ping");
  EXPECT_EQ(send_and_receive(*server, *client, "pong"), "pong");
}

// RFC 5246 §7.4.1.1: a HelloRequest in the middle of a handshake is ignored
// (and never hashed).
TEST(Renegotiation12, HelloRequestDuringHandshakeIsIgnored) {
  Outcome o = tamper_server(on(HandshakeType::certificate, [](const Bytes& m) {
    return std::vector<Bytes>{hello_request(), m};
  }));
  EXPECT_TRUE(o.completed) << describe(o);
}

// ---- resumption ---------------------------------------------------------------------------

// A server requiring client certificates never resumes a session in which
// the client did not authenticate: a full handshake asks for one.
TEST(Resumption12, AnonymousSessionGivesFullHandshakeWhenCertificateRequired) {
  for (bool by_ticket : {true, false}) {
    auto cache = std::make_shared<ServerSessionCache>();
    auto server_config = [&](ClientAuth mode) {
      auto sc = mtls_server12(mode);
      if (!by_ticket) {
        sc->num_tickets = 0;
        sc->session_cache12 = cache;
      }
      return sc;
    };
    auto c1 = Connection::client(client12(), "localhost");  // no certificate
    auto s1 = Connection::server(server_config(ClientAuth::optional));
    ASSERT_TRUE(pump_handshake(*c1, *s1)) << describe(outcome_of(false, *c1, *s1));
    EXPECT_TRUE(s1->peer_chain().empty());
    auto sessions = c1->take_sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0]->ticket.empty(), !by_ticket);

    // Control: a server that still makes certificates optional resumes it.
    {
      auto c = Connection::client(client12(), "localhost", sessions[0]);
      auto s = Connection::server(server_config(ClientAuth::optional));
      ASSERT_TRUE(pump_handshake(*c, *s)) << describe(outcome_of(false, *c, *s));
      EXPECT_TRUE(c->info().resumed) << by_ticket;
    }
    auto c2 = Connection::client(mtls_client12(), "localhost", sessions[0]);
    auto s2 = Connection::server(server_config(ClientAuth::required));
    ASSERT_TRUE(pump_handshake(*c2, *s2)) << describe(outcome_of(false, *c2, *s2));
    EXPECT_FALSE(c2->info().resumed) << by_ticket;
    EXPECT_FALSE(s2->info().resumed) << by_ticket;
    EXPECT_EQ(s2->peer_chain().size(), 2u);
    ASSERT_TRUE(c2->client_certificate().has_value()) << by_ticket;
    EXPECT_EQ(s2->peer_subject(), c2->client_certificate()->subject());
  }
}

// ---- the extended master secret with a peer that does not use it ----------------------
//
// A vouch peer always offers and accepts RFC 7627, so libssl (with
// SSL_OP_NO_EXTENDED_MASTER_SECRET) plays the other side, in memory.

constexpr int kReasonHandshakeFailureAlert = SSL_AD_REASON_OFFSET + SSL_AD_HANDSHAKE_FAILURE;

TEST(ExtendedMasterSecret12, ControlLibsslWithEmsInterworks) {
  for (bool vouch_is_client : {true, false}) {
    LibsslPeer peer(LibsslPeerOptions{.server = vouch_is_client, .ems = true});
    auto vouch = vouch_is_client ? Connection::client(client12(), "localhost") : Connection::server(server12());
    ASSERT_TRUE(pump_with(*vouch, peer)) << err(*vouch);
    EXPECT_EQ(SSL_get_extms_support(peer.ssl()), 1);
  }
}

TEST(ExtendedMasterSecret12, ClientRequiringItRefusesServerWithout) {
  LibsslPeer peer(LibsslPeerOptions{.server = true, .ems = false});
  auto client = Connection::client(client12(), "localhost");
  EXPECT_FALSE(pump_with(*client, peer));
  ASSERT_TRUE(client->error());
  EXPECT_EQ(client->error()->alert, Alert::handshake_failure);
  EXPECT_FALSE(client->error()->from_peer);
  EXPECT_EQ(peer.last_error_reason(), kReasonHandshakeFailureAlert);
}

TEST(ExtendedMasterSecret12, ServerRequiringItRefusesClientWithout) {
  LibsslPeer peer(LibsslPeerOptions{.server = false, .ems = false});
  auto server = Connection::server(server12());
  EXPECT_FALSE(pump_with(*server, peer));
  ASSERT_TRUE(server->error());
  EXPECT_EQ(server->error()->alert, Alert::handshake_failure);
  EXPECT_FALSE(server->error()->from_peer);
  EXPECT_EQ(peer.last_error_reason(), kReasonHandshakeFailureAlert);
}

// RFC 7627 §5.3: accepted for a full handshake, never resumed.
TEST(ExtendedMasterSecret12, ClientNotRequiringItCompletesWithoutSession) {
  LibsslPeer peer(LibsslPeerOptions{.server = true, .ems = false});
  auto cc = client12();
  cc->require_extended_master_secret = false;
  cc->session_cache = std::make_shared<SessionCache>();
  auto client = Connection::client(cc, "localhost");
  ASSERT_TRUE(pump_with(*client, peer)) << err(*client);
  EXPECT_EQ(SSL_get_extms_support(peer.ssl()), 0);
  EXPECT_EQ(client->info().version, ProtocolVersion::tls12);
  EXPECT_TRUE(client->take_sessions().empty());
  EXPECT_EQ(cc->session_cache->size(), 0u);
}

TEST(ExtendedMasterSecret12, ServerNotRequiringItCompletesWithoutSession) {
  auto sc = server12();
  sc->require_extended_master_secret = false;
  sc->session_cache12 = std::make_shared<ServerSessionCache>();
  ossl::Ptr<SSL_SESSION, SSL_SESSION_free> session;
  {
    LibsslPeer peer(LibsslPeerOptions{.server = false, .ems = false});
    auto server = Connection::server(sc);
    ASSERT_TRUE(pump_with(*server, peer)) << err(*server);
    EXPECT_EQ(SSL_get_extms_support(peer.ssl()), 0);
    EXPECT_EQ(server->info().version, ProtocolVersion::tls12);
    session.reset(SSL_get1_session(peer.ssl()));
    ASSERT_TRUE(session);
    EXPECT_EQ(SSL_SESSION_is_resumable(session.get()), 0);  // neither ticket nor ID given
    EXPECT_EQ(sc->session_cache12->size(), 0u);
  }
  // Offered anyway, it is not resumed.
  LibsslPeer peer(LibsslPeerOptions{.server = false, .ems = false});
  ASSERT_EQ(SSL_set_session(peer.ssl(), session.get()), 1);
  auto server = Connection::server(sc);
  ASSERT_TRUE(pump_with(*server, peer));
  EXPECT_FALSE(server->info().resumed);
  EXPECT_EQ(SSL_session_reused(peer.ssl()), 0);
}

}  // namespace
}  // namespace vouch
