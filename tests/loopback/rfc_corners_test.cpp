// RFC corners a TLS 1.3 conformance suite found (issue 12), each checked on a
// vouch server (and client, where it applies) in memory:
//  * early data a server does not accept is skipped, up to a bound, with and
//    without a HelloRetryRequest (RFC 8446 §4.2.10), against libssl as a real
//    0-RTT client;
//  * an empty alert record is unexpected_message (§5.1, §5.4), both versions;
//  * a ClientHello whose legacy_version is below 0x0303 is protocol_version
//    even when supported_versions offers TLS 1.3 (§4.1.2, Appendix D.5);
//  * a malformed extension of TLS 1.2 only is ignored when TLS 1.3 is chosen
//    and refused with its parser's alert when TLS 1.2 is.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "crypto/key_share.h"
#include "crypto/ossl.h"
#include "ext/extension_codecs.h"
#include "msg/messages.h"
#include "record/record.h"
#include "support/client_hellos.h"
#include "support/hex.h"
#include "support/libssl_peer.h"
#include "support/loopback.h"
#include "support/pki.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::minimal_client_hello12;
using testing::ExtensionPosition;
using testing::with_raw_extension;
using testing::pump_handshake;
using testing::server_config_for;
using testing::take_output;

// ---- libssl, in memory, as a 0-RTT client ------------------------------------

using SslCtx = ossl::Ptr<SSL_CTX, SSL_CTX_free>;
using Ssl = ossl::Ptr<SSL, SSL_free>;
using SslSession = ossl::Ptr<SSL_SESSION, SSL_SESSION_free>;

// One libssl endpoint over memory BIOs.
struct MemSsl {
  explicit MemSsl(SSL_CTX* ctx, bool server) : ssl(SSL_new(ctx)) {
    in = BIO_new(BIO_s_mem());
    out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl.get(), in, out);
    if (server) {
      SSL_set_accept_state(ssl.get());
    } else {
      SSL_set_connect_state(ssl.get());
      SSL_set_tlsext_host_name(ssl.get(), "localhost");
    }
  }
  void feed(ByteView b) {
    if (!b.empty()) BIO_write(in, b.data(), static_cast<int>(b.size()));
  }
  Bytes drain() {
    Bytes o;
    uint8_t buf[4096];
    for (int n; (n = BIO_read(out, buf, sizeof buf)) > 0;) o.insert(o.end(), buf, buf + n);
    return o;
  }
  bool done() const { return SSL_is_init_finished(ssl.get()) == 1; }
  Ssl ssl;
  BIO* in = nullptr;   // owned by ssl
  BIO* out = nullptr;  // owned by ssl
};

constexpr uint32_t kLibsslMaxEarlyData = 64 * 1024;

// A libssl TLS 1.3 server that issues tickets allowing 64 KiB of early data.
SslCtx early_data_server_ctx() {
  const testing::PkiFamily& f = testing::test_pki().ecdsa();
  SslCtx ctx(SSL_CTX_new(TLS_server_method()));
  EXPECT_TRUE(ctx);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  EXPECT_EQ(SSL_CTX_use_certificate_chain_file(ctx.get(), f.server.chain_path.c_str()), 1);
  EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx.get(), f.server.key_path.c_str(), SSL_FILETYPE_PEM), 1);
  EXPECT_EQ(SSL_CTX_set_max_early_data(ctx.get(), kLibsslMaxEarlyData), 1);
  EXPECT_EQ(SSL_CTX_set_recv_max_early_data(ctx.get(), kLibsslMaxEarlyData), 1);
  return ctx;
}

// A libssl TLS 1.3 client offering X25519 (with a key share) and P-384.
SslCtx client_ctx() {
  SslCtx ctx(SSL_CTX_new(TLS_client_method()));
  EXPECT_TRUE(ctx);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  EXPECT_EQ(SSL_CTX_set1_groups_list(ctx.get(), "X25519:P-384"), 1);
  return ctx;
}

// A session (from a libssl server) that lets its client send early data.
SslSession early_data_session(SSL_CTX* client) {
  SslCtx server_ctx = early_data_server_ctx();
  MemSsl c(client, false), s(server_ctx.get(), true);
  for (int i = 0; i < 16 && !(c.done() && s.done()); ++i) {
    (void)SSL_do_handshake(c.ssl.get());
    s.feed(c.drain());
    (void)SSL_do_handshake(s.ssl.get());
    c.feed(s.drain());
  }
  EXPECT_TRUE(c.done() && s.done());
  char buf[64];
  (void)SSL_read(c.ssl.get(), buf, sizeof buf);  // takes the NewSessionTickets
  SslSession session(SSL_get1_session(c.ssl.get()));
  // Freed without a shutdown, libssl would mark the session not resumable.
  SSL_set_shutdown(c.ssl.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  EXPECT_TRUE(session);
  if (session) {
    EXPECT_EQ(SSL_SESSION_get_max_early_data(session.get()), kLibsslMaxEarlyData);
  }
  return session;
}

struct EarlyDataRun {
  bool client_done = false;
  bool server_done = false;
  int early_data_status = -1;  // SSL_get_early_data_status of the client
  std::optional<Error> server_error;
  std::string received_after;  // what the vouch server read after the handshake
  bool hello_retry_request = false;
};

// A libssl client resuming a session of another (libssl) server sends
// `early_bytes` of 0-RTT data to a vouch server, which cannot open the ticket
// and answers with a full handshake; then the client writes "after".
EarlyDataRun run_early_data(size_t early_bytes, std::shared_ptr<ServerConfig> sc) {
  EarlyDataRun run;
  SslCtx cctx = client_ctx();
  SslSession session = early_data_session(cctx.get());
  if (!session) return run;
  MemSsl c(cctx.get(), false);
  EXPECT_EQ(SSL_set_session(c.ssl.get(), session.get()), 1);
  const std::string early(early_bytes, 'e');
  size_t written = 0;
  EXPECT_EQ(SSL_write_early_data(c.ssl.get(), early.data(), early.size(), &written), 1) << ossl::last_error();
  EXPECT_EQ(written, early.size());

  auto server = Connection::server(std::move(sc));
  Bytes to_server = c.drain();
  for (int i = 0; i < 16 && !server->failed(); ++i) {
    if (!to_server.empty()) (void)server->receive(to_server);
    c.feed(take_output(*server));
    (void)SSL_do_handshake(c.ssl.get());
    to_server = c.drain();
    if (c.done() && server->handshake_complete() && to_server.empty()) break;
  }
  run.client_done = c.done();
  run.server_done = server->handshake_complete();
  run.hello_retry_request = server->info().hello_retry_request;
  if (const Error* e = server->error()) run.server_error = *e;
  if (!run.client_done || !run.server_done) return run;
  run.early_data_status = SSL_get_early_data_status(c.ssl.get());
  EXPECT_EQ(SSL_write(c.ssl.get(), "after", 5), 5);
  EXPECT_TRUE(server->receive(c.drain()));
  uint8_t buf[64];
  const size_t n = server->read(buf);
  run.received_after.assign(reinterpret_cast<const char*>(buf), n);
  return run;
}

// A vouch server preferring P-384, which the libssl client offers without a
// key share: it answers the first ClientHello with a HelloRetryRequest.
std::shared_ptr<ServerConfig> hrr_server() {
  auto sc = server_config_for("ecdsa");
  sc->groups = {NamedGroup::secp384r1, NamedGroup::x25519};
  return sc;
}

std::shared_ptr<ServerConfig> cookie_server() {
  auto sc = server_config_for("ecdsa");
  sc->require_cookie = true;
  return sc;
}

void expect_skipped_and_completed(const EarlyDataRun& run) {
  EXPECT_FALSE(run.server_error) << run.server_error->to_string();
  ASSERT_TRUE(run.client_done && run.server_done);
  // Never accepted: the client learns it was not (no early_data in EE).
  EXPECT_EQ(run.early_data_status, SSL_EARLY_DATA_REJECTED);
  EXPECT_EQ(run.received_after, "after");
}

// §4.2.10 first bullet: no HelloRetryRequest; the records that do not open
// under the client's handshake key are dropped, the client's Finished opens.
TEST(EarlyData, SkippedWhenNotAccepted) {
  const EarlyDataRun run = run_early_data(1000, server_config_for("ecdsa"));
  expect_skipped_and_completed(run);
  EXPECT_FALSE(run.hello_retry_request);
}

// §4.2.10 second bullet: with a HelloRetryRequest, every application_data
// record before the second ClientHello is skipped (no key is installed yet).
TEST(EarlyData, SkippedUntilTheSecondClientHelloAfterHelloRetryRequest) {
  const EarlyDataRun run = run_early_data(1000, hrr_server());
  expect_skipped_and_completed(run);
  EXPECT_TRUE(run.hello_retry_request);
}

TEST(EarlyData, SkippedAfterACookieHelloRetryRequest) {
  const EarlyDataRun run = run_early_data(3000, cookie_server());
  expect_skipped_and_completed(run);
  EXPECT_TRUE(run.hello_retry_request);
}

// The bound is 16 KiB of ciphertext: one record of 16367 bytes of data is
// 16367 + 1 (content type) + 16 (tag) = 16384 bytes and is skipped; one byte
// more is unexpected_message (§4.6.1: more than max_early_data_size).
TEST(EarlyData, UpTo16KiBOfCiphertextIsSkipped) {
  expect_skipped_and_completed(run_early_data(16367, server_config_for("ecdsa")));
  expect_skipped_and_completed(run_early_data(16367, hrr_server()));
}

TEST(EarlyData, MoreIsUnexpectedMessage) {
  for (auto sc : {server_config_for("ecdsa"), hrr_server()}) {
    for (size_t n : {size_t{16368}, size_t{40000}}) {
      SCOPED_TRACE(std::to_string(n) + (sc->groups.front() == NamedGroup::secp384r1 ? " after HRR" : ""));
      const EarlyDataRun run = run_early_data(n, sc);
      EXPECT_FALSE(run.server_done);
      ASSERT_TRUE(run.server_error);
      EXPECT_EQ(run.server_error->alert, Alert::unexpected_message) << run.server_error->to_string();
      EXPECT_NE(run.server_error->reason.find("early data"), std::string::npos) << run.server_error->reason;
    }
  }
}

// Without early_data in the ClientHello nothing is skipped: a record that
// does not open is bad_record_mac, and before any key unexpected_message.
TEST(EarlyData, NothingIsSkippedWhenNoneWasOffered) {
  auto client = Connection::client(client_config_for("ecdsa"), "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(client->start());
  Bytes wire = take_output(*client);
  Bytes junk;
  write_plaintext_record(ContentType::application_data, 0x0303, Bytes(100, 0xee), junk);
  wire.insert(wire.end(), junk.begin(), junk.end());
  const Status s = server->receive(wire);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().alert, Alert::bad_record_mac) << s.error().to_string();

  auto hrr = Connection::server(cookie_server());
  auto client2 = Connection::client(client_config_for("ecdsa"), "localhost");
  ASSERT_TRUE(client2->start());
  Bytes wire2 = take_output(*client2);
  wire2.insert(wire2.end(), junk.begin(), junk.end());
  const Status s2 = hrr->receive(wire2);
  ASSERT_FALSE(s2);
  EXPECT_EQ(s2.error().alert, Alert::unexpected_message) << s2.error().to_string();
}

// ---- empty alert records (RFC 8446 §5.1) -------------------------------------

Bytes empty_alert_record() {
  Bytes wire;
  write_plaintext_record(ContentType::alert, 0x0303, Bytes{}, wire);
  return wire;
}

// The last record `c` wrote is a plaintext fatal alert with this description.
void expect_plaintext_alert_sent(Connection& c, Alert a) {
  const Bytes out = take_output(c);
  ASSERT_GE(out.size(), 7u);
  const size_t at = out.size() - 7;
  EXPECT_EQ(out[at], static_cast<uint8_t>(ContentType::alert));
  EXPECT_EQ(out[at + 5], 2);  // fatal
  EXPECT_EQ(out[at + 6], static_cast<uint8_t>(a));
}

TEST(EmptyAlert, BeforeTheClientHelloIsUnexpectedMessage) {
  auto server = Connection::server(server_config_for("ecdsa"));
  const Status s = server->receive(empty_alert_record());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().alert, Alert::unexpected_message) << s.error().to_string();
  expect_plaintext_alert_sent(*server, Alert::unexpected_message);
}

TEST(EmptyAlert, InsteadOfTheServerHelloIsUnexpectedMessage) {
  for (ProtocolVersion max : {ProtocolVersion::tls13, ProtocolVersion::tls12}) {
    SCOPED_TRACE(to_string(max));
    auto cc = client_config_for("ecdsa");
    cc->max_version = max;
    auto client = Connection::client(cc, "localhost");
    ASSERT_TRUE(client->start());
    (void)take_output(*client);
    const Status s = client->receive(empty_alert_record());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().alert, Alert::unexpected_message) << s.error().to_string();
    expect_plaintext_alert_sent(*client, Alert::unexpected_message);
  }
}

// A two-byte alert stays an alert, and a one-byte one decode_error: only the
// empty record changes.
TEST(EmptyAlert, OtherWrongLengthsStayDecodeError) {
  for (const Bytes& body : {Bytes{2}, Bytes{2, 40, 0}}) {
    auto server = Connection::server(server_config_for("ecdsa"));
    Bytes wire;
    write_plaintext_record(ContentType::alert, 0x0303, body, wire);
    const Status s = server->receive(wire);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().alert, Alert::decode_error) << s.error().to_string();
  }
}

// TLS 1.3, protected: a record whose TLSInnerPlaintext is only the alert
// content type (§5.4: "zero-length TLSInnerPlaintext.content"). Sealed here
// with the client's application traffic secret, taken from its key log.
TEST(EmptyAlert, ProtectedAfterTheHandshakeIsUnexpectedMessage) {
  auto cc = client_config_for("ecdsa");
  std::string secret_hex;
  cc->keylog = [&](const std::string& line) {
    const std::string label = "CLIENT_TRAFFIC_SECRET_0 ";
    if (line.rfind(label, 0) == 0) secret_hex = line.substr(line.rfind(' ') + 1);
  };
  auto client = Connection::client(cc, "localhost");
  auto server = Connection::server(server_config_for("ecdsa"));
  ASSERT_TRUE(pump_handshake(*client, *server));
  ASSERT_FALSE(secret_hex.empty());
  RecordProtection13 keys;
  ASSERT_TRUE(keys.install(client->info().cipher_suite, testing::hex(secret_hex)));
  Bytes rec;
  ASSERT_TRUE(keys.seal(ContentType::alert, ByteView(), rec));
  const Status s = server->receive(rec);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().alert, Alert::unexpected_message) << s.error().to_string();
}

// ---- raw ClientHellos --------------------------------------------------------

ClientHello client_hello13(const KeyShare& share) {
  ClientHello ch;
  ch.random.fill(0x22);
  ch.cipher_suites = {CipherSuite::TLS_AES_128_GCM_SHA256};
  ch.ext.server_name = "localhost";
  ch.ext.supported_versions = std::vector<ProtocolVersion>{ProtocolVersion::tls13, ProtocolVersion::tls12};
  ch.ext.supported_groups = std::vector<NamedGroup>{share.group()};
  ch.ext.signature_algorithms = std::vector<SignatureScheme>{SignatureScheme::ecdsa_secp256r1_sha256};
  ch.ext.key_shares = std::vector<KeyShareEntry>{{share.group(), share.public_key()}};
  ch.ext.psk_key_exchange_modes = std::vector<uint8_t>{1};
  return ch;
}

Bytes as_record(const Bytes& message) {
  Bytes rec;
  write_plaintext_record(ContentType::handshake, 0x0301, message, rec);
  return rec;
}

struct Answer {
  std::optional<Error> error;
  Bytes output;
  // The type of the first handshake message the server wrote (0: none).
  uint8_t first_message = 0;
  // The version its ServerHello chose (0: none or no ServerHello).
  uint16_t version = 0;
};

Answer answer_to(const Bytes& client_hello, std::shared_ptr<ServerConfig> sc = nullptr) {
  auto server = Connection::server(sc ? sc : server_config_for("ecdsa"));
  Answer a;
  const Status s = server->receive(as_record(client_hello));
  if (!s) a.error = s.error();
  a.output = take_output(*server);
  if (a.output.size() > kRecordHeaderLength &&
      a.output[0] == static_cast<uint8_t>(ContentType::handshake)) {
    a.first_message = a.output[kRecordHeaderLength];
    ServerHello sh;
    const ByteView rec(a.output.data() + kRecordHeaderLength, record_fragment_length(a.output));
    const size_t length = (size_t{rec[1]} << 16) | (size_t{rec[2]} << 8) | rec[3];
    if (a.first_message == static_cast<uint8_t>(HandshakeType::server_hello) &&
        kHandshakeHeaderLength + length <= rec.size() && parse(rec.subspan(kHandshakeHeaderLength, length), sh)) {
      a.version = sh.ext.selected_version ? static_cast<uint16_t>(*sh.ext.selected_version) : sh.legacy_version;
    }
  }
  return a;
}

class RawHello : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = KeyShare::generate(NamedGroup::x25519);
    ASSERT_TRUE(k.ok());
    share_.emplace(std::move(k).value());
  }
  std::optional<KeyShare> share_;
};

// RFC 8446 Appendix D.5: legacy_version 0x0300 (SSL 3.0) or lower is
// refused whatever supported_versions says, by a server of either range,
// and the only thing written is the alert.
TEST_F(RawHello, LegacyVersionSsl3OrLowerIsProtocolVersion) {
  auto tls13_only = server_config_for("ecdsa");
  tls13_only->min_version = ProtocolVersion::tls13;
  for (uint16_t v : {0x0000, 0x0002, 0x0200, 0x0300}) {
    for (const auto& sc : {server_config_for("ecdsa"), tls13_only}) {
      SCOPED_TRACE(testing::hexs(Bytes{static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}));
      ClientHello ch = client_hello13(*share_);
      ch.legacy_version = v;
      const Answer a = answer_to(framed(HandshakeType::client_hello, ch), sc);
      ASSERT_TRUE(a.error);
      EXPECT_EQ(a.error->alert, Alert::protocol_version) << a.error->to_string();
      EXPECT_NE(a.error->reason.find("legacy_version"), std::string::npos) << a.error->reason;
      EXPECT_EQ(a.output.size(), 7u) << testing::hexs(a.output);  // one alert record, no ServerHello
      EXPECT_EQ(a.first_message, 0);
    }
  }
}

// RFC 8446 §4.2.1: with supported_versions present, "servers MUST NOT use
// the ClientHello.legacy_version value for version negotiation": a TLS 1.0
// or 1.1 legacy_version does not stop a 1.3 handshake (BoGo
// ConflictingVersionNegotiation-2).
TEST_F(RawHello, LegacyVersionTls10Or11WithSupportedVersionsIsIgnored) {
  for (uint16_t v : {0x0301, 0x0302}) {
    SCOPED_TRACE(v);
    ClientHello ch = client_hello13(*share_);
    ch.legacy_version = v;
    const Answer a = answer_to(framed(HandshakeType::client_hello, ch));
    EXPECT_FALSE(a.error) << a.error->to_string();
    EXPECT_EQ(a.first_message, static_cast<uint8_t>(HandshakeType::server_hello));
    EXPECT_EQ(a.version, 0x0304);
  }
}

// RFC 7507 §3: TLS_FALLBACK_SCSV from a client whose highest version is
// below the server's is inappropriate_fallback; from one at the server's
// highest, or to a server whose highest it is, it changes nothing.
TEST_F(RawHello, FallbackScsvBelowTheServersHighestIsInappropriateFallback) {
  const auto scsv = static_cast<CipherSuite>(0x5600);
  auto tls12_only = server_config_for("ecdsa");
  tls12_only->max_version = ProtocolVersion::tls12;
  struct Case {
    const char* name;
    std::optional<std::vector<ProtocolVersion>> versions;  // nullopt: no supported_versions
    bool to_tls12_only;
    bool refused;
  };
  const std::vector<Case> cases = {
      {"TLS 1.2 hello, 1.3 server", std::nullopt, false, true},
      {"supported_versions {1.2}, 1.3 server", std::vector{ProtocolVersion::tls12}, false, true},
      {"supported_versions {1.3, 1.2}, 1.3 server", std::vector{ProtocolVersion::tls13, ProtocolVersion::tls12},
       false, false},
      {"TLS 1.2 hello, 1.2 server", std::nullopt, true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ClientHello ch = client_hello13(*share_);
    ch.cipher_suites.push_back(scsv);
    ch.cipher_suites.push_back(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
    ch.ext.supported_versions = c.versions;
    ch.ext.extended_master_secret = true;  // RFC 7627, required by default for 1.2
    // RFC 8422 §5.3: the server's ECDSA P-256 key must be on an offered curve.
    if (ch.ext.supported_groups) ch.ext.supported_groups->push_back(NamedGroup::secp256r1);
    const Answer a = c.to_tls12_only ? answer_to(framed(HandshakeType::client_hello, ch), tls12_only)
                                     : answer_to(framed(HandshakeType::client_hello, ch));
    if (c.refused) {
      ASSERT_TRUE(a.error);
      EXPECT_EQ(a.error->alert, Alert::inappropriate_fallback) << a.error->to_string();
      EXPECT_EQ(a.first_message, 0);
    } else {
      EXPECT_FALSE(a.error) << a.error->to_string();
      EXPECT_EQ(a.first_message, static_cast<uint8_t>(HandshakeType::server_hello));
    }
  }
}

// The same with libssl as the client: SSL_MODE_SEND_FALLBACK_SCSV on a
// TLS 1.2-only client is what a browser's fallback retry looked like.
TEST(FallbackScsv, LibsslFallbackClientGetsInappropriateFallback) {
  for (bool fallback : {false, true}) {
    SCOPED_TRACE(fallback ? "with TLS_FALLBACK_SCSV" : "without");
    testing::LibsslPeerOptions o;
    o.server = false;  // TLS 1.2 only
    testing::LibsslPeer peer(o);
    if (fallback) SSL_set_mode(peer.ssl(), SSL_MODE_SEND_FALLBACK_SCSV);
    auto server = Connection::server(server_config_for("ecdsa"));
    const bool done = testing::pump_with(*server, peer);
    if (!fallback) {
      EXPECT_TRUE(done);
      EXPECT_EQ(server->info().version, ProtocolVersion::tls12);
      continue;
    }
    EXPECT_FALSE(done);
    ASSERT_TRUE(server->error());
    EXPECT_EQ(server->error()->alert, Alert::inappropriate_fallback);
    EXPECT_EQ(peer.last_error_reason(), SSL_AD_REASON_OFFSET + SSL_AD_INAPPROPRIATE_FALLBACK);
  }
}

TEST_F(RawHello, LegacyVersionTls12WithSupportedVersionsIsAnswered) {
  const Answer a = answer_to(framed(HandshakeType::client_hello, client_hello13(*share_)));
  EXPECT_FALSE(a.error) << a.error->to_string();
  EXPECT_EQ(a.first_message, static_cast<uint8_t>(HandshakeType::server_hello));
  EXPECT_EQ(a.version, 0x0304);
}

struct MalformedTls12Extension {
  const char* name;
  uint16_t type;
  Bytes body;
  Alert tls12_alert;  // what a TLS 1.2 server answers
  // Clears the same extension from the TLS 1.2 hello (no duplicate).
  std::function<void(Extensions&)> clear;
};

std::vector<MalformedTls12Extension> malformed_tls12_extensions() {
  using testing::hex;
  return {
      {"ec_point_formats empty list", 11, hex("00"), Alert::decode_error,
       [](Extensions& e) { e.ec_point_formats.reset(); }},
      {"ec_point_formats no length", 11, {}, Alert::decode_error, [](Extensions& e) { e.ec_point_formats.reset(); }},
      {"ec_point_formats length overruns", 11, hex("05 00"), Alert::decode_error,
       [](Extensions& e) { e.ec_point_formats.reset(); }},
      {"extended_master_secret not empty", 23, hex("00"), Alert::decode_error,
       [](Extensions& e) { e.extended_master_secret = false; }},
      {"renegotiation_info no length", 0xff01, {}, Alert::decode_error,
       [](Extensions& e) { e.renegotiation_info.reset(); }},
      {"renegotiation_info length overruns", 0xff01, hex("04 0102"), Alert::decode_error,
       [](Extensions& e) { e.renegotiation_info.reset(); }},
      {"status_request_v2 empty list", 17, hex("0000"), Alert::decode_error, [](Extensions&) {}},
      {"status_request_v2 truncated item", 17, hex("0005 02 0004 0000"), Alert::decode_error, [](Extensions&) {}},
      {"status_request_v2 ocsp_multi twice", 17, hex("000e 02 0004 0000 0000 02 0004 0000 0000"),
       Alert::illegal_parameter, [](Extensions&) {}},
  };
}

// A TLS 1.3 ClientHello: the TLS 1.2-only extension means nothing, its
// malformed body is ignored, and the server answers with a TLS 1.3
// ServerHello (OpenSSL does the same).
TEST_F(RawHello, MalformedTls12OnlyExtensionIsIgnoredInTls13) {
  for (const MalformedTls12Extension& c : malformed_tls12_extensions()) {
    SCOPED_TRACE(c.name);
    const Answer a = answer_to(with_raw_extension(client_hello13(*share_), c.type, c.body, ExtensionPosition::first));
    EXPECT_FALSE(a.error) << a.error->to_string();
    EXPECT_EQ(a.first_message, static_cast<uint8_t>(HandshakeType::server_hello));
    EXPECT_EQ(a.version, 0x0304);
  }
}

// The same extensions in a TLS 1.2 ClientHello are checked: the alert their
// parser chose, sent in plaintext before any ServerHello.
TEST_F(RawHello, MalformedTls12OnlyExtensionIsRefusedInTls12) {
  // The well-formed hello is answered with a TLS 1.2 ServerHello.
  const Answer fine = answer_to(framed(HandshakeType::client_hello, minimal_client_hello12(0x33)));
  EXPECT_FALSE(fine.error) << fine.error->to_string();
  EXPECT_EQ(fine.version, 0x0303);
  for (const MalformedTls12Extension& c : malformed_tls12_extensions()) {
    SCOPED_TRACE(c.name);
    ClientHello ch = minimal_client_hello12(0x33);
    c.clear(ch.ext);
    const Answer a = answer_to(with_raw_extension(ch, c.type, c.body, ExtensionPosition::first));
    ASSERT_TRUE(a.error);
    EXPECT_EQ(a.error->alert, c.tls12_alert) << a.error->to_string();
    EXPECT_NE(a.error->reason.find(extension_name(c.type)), std::string::npos) << a.error->reason;
    EXPECT_EQ(a.output.size(), 7u) << testing::hexs(a.output);
    EXPECT_EQ(a.output.back(), static_cast<uint8_t>(c.tls12_alert));
  }
}

// A client offering both versions to a server that speaks only TLS 1.2 is a
// TLS 1.2 handshake: there the fault counts.
TEST_F(RawHello, MalformedTls12OnlyExtensionCountsWhenTheServerChoosesTls12) {
  auto tls12_only = server_config_for("ecdsa");
  tls12_only->max_version = ProtocolVersion::tls12;
  ClientHello ch = minimal_client_hello12(0x33);
  ch.ext.supported_versions = std::vector<ProtocolVersion>{ProtocolVersion::tls13, ProtocolVersion::tls12};
  ch.ext.ec_point_formats.reset();
  const Answer a = answer_to(with_raw_extension(ch, 11, testing::hex("00"), ExtensionPosition::first), tls12_only);
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->alert, Alert::decode_error) << a.error->to_string();
  // Offered to a server of both versions, TLS 1.3 wins and it is ignored.
  const Answer b = answer_to(with_raw_extension(client_hello13(*share_), 11, testing::hex("00"), ExtensionPosition::first),
                             server_config_for("ecdsa"));
  EXPECT_FALSE(b.error);
  EXPECT_EQ(b.version, 0x0304);
}

}  // namespace
}  // namespace vouch
