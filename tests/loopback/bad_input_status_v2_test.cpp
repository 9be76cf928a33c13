// Malformed and misplaced RFC 6961 input, in memory: status_request_v2 in
// the ClientHello (every prefix, wrong lengths, duplicate items), its
// acknowledgement in the ServerHello (with a body, beside status_request's,
// unrequested, in TLS 1.3 messages) and the CertificateStatus of type
// ocsp_multi (every prefix, wrong lengths, an empty list, more responses
// than certificates, a type the ServerHello did not announce). Each case
// ends with the RFC 5246 §7.2.2 alert on both ends: the side that detects
// the problem sends it, the other receives it — never a crash, a hang or a
// wrong success.
//
// The alerts, where RFC 6961 names none:
//  * lengths that do not add up, an empty certificate_status_req_list or
//    ocsp_response_list, a non-empty acknowledgement → decode_error
//    (RFC 5246 §7.2.2: "could not be decoded because some field was out of
//    the specified range or the length of the message was incorrect");
//  * a status type listed twice; both requests acknowledged; ocsp_multi
//    after status_request's acknowledgement; more responses than
//    certificates (§2.2 "MUST NOT") → illegal_parameter (a field
//    "inconsistent with other fields");
//  * a CertificateStatus without an acknowledgement → unexpected_message;
//  * an acknowledgement of a request the client did not send →
//    unsupported_extension (RFC 5246 §7.4.1.4); in a TLS 1.3 message →
//    illegal_parameter (RFC 8446 §4.2).
// Unknown status types are skipped, not refused (ocsp_staple_v2_test.cpp).
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "handshake/test_hooks.h"
#include "msg/handshake_type.h"
#include "msg/messages.h"
#include "msg/messages12.h"
#include "support/loopback.h"
#include "support/pki.h"
#include "tools/ocsp_staple.h"

namespace vouch {
namespace {

using testing::client_config_for;
using testing::pump_handshake;
using testing::server_config_for;
using testing::test_pki;

constexpr uint16_t kV1 = static_cast<uint16_t>(ExtensionType::status_request);
constexpr uint16_t kV2 = static_cast<uint16_t>(ExtensionType::status_request_v2);

const testing::PkiFamily& f() { return test_pki().ecdsa(); }

Bytes leaf_staple() {
  auto r = testing::make_ocsp_staple(f().server.cert.get(), f().intermediate.cert.get(), f().intermediate.key.get());
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : Bytes();
}
Bytes intermediate_staple() {
  auto r = testing::make_ocsp_staple(f().intermediate.cert.get(), f().root.cert.get(), f().root.key.get());
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : Bytes();
}

// ---- configurations ---------------------------------------------------------------------

// A TLS 1.2 client asking for status (status_request and status_request_v2).
std::shared_ptr<ClientConfig> client12(OcspPolicy policy = OcspPolicy::soft) {
  auto cc = client_config_for("ecdsa");
  cc->max_version = ProtocolVersion::tls12;
  cc->ocsp_policy = policy;
  return cc;
}

// A TLS 1.2 server with a staple for its leaf and its intermediate.
std::shared_ptr<ServerConfig> stapling_server12() {
  auto sc = server_config_for("ecdsa");
  sc->max_version = ProtocolVersion::tls12;
  auto c = sc->credentials[0].with_ocsp_staples({leaf_staple(), intermediate_staple()});
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  if (c.ok()) sc->credentials[0] = *c;
  return sc;
}

// ---- message surgery --------------------------------------------------------------------

using Rewrite = std::function<std::vector<Bytes>(const Bytes& message)>;

ByteView body_of(const Bytes& m) { return ByteView(m).subspan(kHandshakeHeaderLength); }

Bytes reframed(const Bytes& m, ByteView body) {
  Bytes out;
  frame_handshake(static_cast<HandshakeType>(m[0]), body, out);
  return out;
}

test_hooks::MessageHook on(HandshakeType type, Rewrite f) {
  return [type, f = std::move(f)](const Bytes& m) {
    if (m.empty() || m[0] != static_cast<uint8_t>(type)) return std::vector<Bytes>{m};
    return f(m);
  };
}

Rewrite with_body(std::function<void(Bytes&)> edit) {
  return [edit = std::move(edit)](const Bytes& m) {
    Bytes body(body_of(m).begin(), body_of(m).end());
    edit(body);
    return std::vector<Bytes>{reframed(m, body)};
  };
}

void put_u24(Bytes& b, size_t at, size_t v) {
  b[at] = static_cast<uint8_t>(v >> 16);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
  b[at + 2] = static_cast<uint8_t>(v);
}
size_t get_u24(const Bytes& b, size_t at) { return (size_t{b[at]} << 16) | (size_t{b[at + 1]} << 8) | b[at + 2]; }

// The extensions of a ClientHello, a ServerHello (either version) or an
// EncryptedExtensions, to edit one by one and write back.
struct Extensions_ {
  Bytes head;  // everything before the extensions block
  std::vector<std::pair<uint16_t, Bytes>> list;

  static Extensions_ of(const Bytes& message) {
    const ByteView b = body_of(message);
    size_t p = 0;
    const uint8_t type = message[0];
    if (type == static_cast<uint8_t>(HandshakeType::client_hello)) {
      p = 2 + 32;
      p += 1 + b[p];                                // legacy_session_id
      p += 2 + ((size_t{b[p]} << 8) | b[p + 1]);    // cipher_suites
      p += 1 + b[p];                                // compression methods
    } else if (type == static_cast<uint8_t>(HandshakeType::server_hello)) {
      p = 2 + 32;
      p += 1 + b[p];  // legacy_session_id_echo
      p += 2 + 1;     // cipher_suite, compression_method
    }
    Extensions_ e;
    e.head.assign(b.begin(), b.begin() + static_cast<long>(p));
    for (size_t q = p + 2; q + 4 <= b.size();) {
      const uint16_t t = static_cast<uint16_t>((b[q] << 8) | b[q + 1]);
      const size_t len = (size_t{b[q + 2]} << 8) | b[q + 3];
      e.list.emplace_back(t, Bytes(b.begin() + static_cast<long>(q + 4), b.begin() + static_cast<long>(q + 4 + len)));
      q += 4 + len;
    }
    return e;
  }
  Bytes* find(uint16_t t) {
    for (auto& [type, body] : list)
      if (type == t) return &body;
    return nullptr;
  }
  void remove(uint16_t t) { std::erase_if(list, [t](const auto& e) { return e.first == t; }); }
  Bytes message(uint8_t type) const {
    Bytes block;
    for (const auto& [t, b] : list) {
      block.insert(block.end(), {static_cast<uint8_t>(t >> 8), static_cast<uint8_t>(t),
                                 static_cast<uint8_t>(b.size() >> 8), static_cast<uint8_t>(b.size())});
      block.insert(block.end(), b.begin(), b.end());
    }
    Bytes body = head;
    body.push_back(static_cast<uint8_t>(block.size() >> 8));
    body.push_back(static_cast<uint8_t>(block.size()));
    body.insert(body.end(), block.begin(), block.end());
    Bytes out;
    frame_handshake(static_cast<HandshakeType>(type), body, out);
    return out;
  }
};

Rewrite with_extensions(std::function<void(Extensions_&)> edit) {
  return [edit = std::move(edit)](const Bytes& m) {
    Extensions_ e = Extensions_::of(m);
    edit(e);
    return std::vector<Bytes>{e.message(m[0])};
  };
}

// ---- outcomes ---------------------------------------------------------------------------

struct Ends {
  bool completed = false;
  const Error* client = nullptr;
  const Error* server = nullptr;
  std::unique_ptr<Connection> c, s;  // keep the errors alive
};

Ends run(std::shared_ptr<ClientConfig> cc, std::shared_ptr<ServerConfig> sc, test_hooks::MessageHook client_hook,
         test_hooks::MessageHook server_hook) {
  Ends e;
  e.c = Connection::client(std::move(cc), "localhost");
  e.s = Connection::server(std::move(sc));
  if (client_hook) test_hooks::set_outgoing_message_hook(*e.c, std::move(client_hook));
  if (server_hook) test_hooks::set_outgoing_message_hook(*e.s, std::move(server_hook));
  e.completed = pump_handshake(*e.c, *e.s);
  e.client = e.c->error();
  e.server = e.s->error();
  return e;
}

std::string text(const Error* e) { return e ? e->to_string() + (e->from_peer ? " (from peer)" : "") : "no error"; }

// The side that detected the problem sent `alert`; the other received it.
::testing::AssertionResult detected(const Ends& e, bool by_client, Alert alert) {
  const Error* detector = by_client ? e.client : e.server;
  const Error* other = by_client ? e.server : e.client;
  if (!e.completed && detector && detector->alert == alert && !detector->from_peer && other &&
      other->alert == alert && other->from_peer)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << alert_name(alert) << " from the "
                                       << (by_client ? "client" : "server") << "; client: " << text(e.client)
                                       << " / server: " << text(e.server);
}

Ends tamper_server(test_hooks::MessageHook hook, std::shared_ptr<ClientConfig> cc = nullptr,
                   std::shared_ptr<ServerConfig> sc = nullptr) {
  return run(cc ? cc : client12(), sc ? sc : stapling_server12(), nullptr, std::move(hook));
}
Ends tamper_client(test_hooks::MessageHook hook, std::shared_ptr<ClientConfig> cc = nullptr,
                   std::shared_ptr<ServerConfig> sc = nullptr) {
  return run(cc ? cc : client12(), sc ? sc : stapling_server12(), std::move(hook), nullptr);
}

// ---- the control ------------------------------------------------------------------------

TEST(StatusV2Control, UntouchedHandshakeStaplesBothCertificates) {
  Ends e = run(client12(OcspPolicy::require), stapling_server12(), nullptr, nullptr);
  ASSERT_TRUE(e.completed) << text(e.client) << " / " << text(e.server);
  const PeerOcsp& o = e.c->peer_ocsp();
  ASSERT_EQ(o.staples.size(), 2u);
  EXPECT_TRUE(o.staples[0].status);
  EXPECT_TRUE(o.staples[1].status);
}

// ---- CertificateStatus of type ocsp_multi --------------------------------------------------

TEST(OcspResponseList, EveryPrefixIsDecodeErrorOnBothEnds) {
  size_t size = 0;
  {
    Ends e = tamper_server(on(HandshakeType::certificate_status, [&](const Bytes& m) {
      size = m.size() - kHandshakeHeaderLength;
      EXPECT_EQ(m[kHandshakeHeaderLength], static_cast<uint8_t>(CertificateStatusType::ocsp_multi));
      return std::vector<Bytes>{m};
    }));
    ASSERT_TRUE(e.completed) << text(e.client);
    ASSERT_GT(size, 8u);
  }
  for (size_t len = 0; len < size; ++len) {
    Ends e = tamper_server(on(HandshakeType::certificate_status, [len](const Bytes& m) {
      // Sizes vary a little between responses (ECDSA signatures).
      const size_t keep = std::min(len, m.size() - kHandshakeHeaderLength - 1);
      return std::vector<Bytes>{reframed(m, body_of(m).first(keep))};
    }));
    ASSERT_TRUE(detected(e, /*by_client=*/true, Alert::decode_error)) << "prefix of " << len << " of " << size;
  }
}

struct BodyCase {
  const char* name;
  std::function<void(Bytes&)> edit;  // of a body "02 <list length> <leaf entry> <intermediate entry>"
  Alert alert;
};

class MalformedOcspResponseList : public ::testing::TestWithParam<BodyCase> {};

TEST_P(MalformedOcspResponseList, IsRefusedByTheClient) {
  const BodyCase& c = GetParam();
  Ends e = tamper_server(on(HandshakeType::certificate_status, with_body(c.edit)));
  EXPECT_TRUE(detected(e, /*by_client=*/true, c.alert));
}

const BodyCase kBodyCases[] = {
    // ocsp_response_list<1..2^24-1>
    {"EmptyList", [](Bytes& b) { b = {2, 0, 0, 0}; }, Alert::decode_error},
    {"EmptyListThenEntries", [](Bytes& b) { put_u24(b, 1, 0); }, Alert::decode_error},
    {"ListLengthPlusOne", [](Bytes& b) { put_u24(b, 1, get_u24(b, 1) + 1); }, Alert::decode_error},
    {"ListLengthMinusOne", [](Bytes& b) { put_u24(b, 1, get_u24(b, 1) - 1); }, Alert::decode_error},
    {"ListLengthAllOnes", [](Bytes& b) { put_u24(b, 1, 0xffffff); }, Alert::decode_error},
    {"FirstEntryRunsPastTheList", [](Bytes& b) { put_u24(b, 4, get_u24(b, 4) + 1); }, Alert::decode_error},
    {"FirstEntryShortByOne", [](Bytes& b) { put_u24(b, 4, get_u24(b, 4) - 1); }, Alert::decode_error},
    {"EntryLengthCut",
     [](Bytes& b) {
       // the list ends two bytes into a third entry's length
       b.insert(b.end(), {0, 0});
       put_u24(b, 1, get_u24(b, 1) + 2);
     },
     Alert::decode_error},
    {"TrailingByteAfterTheList", [](Bytes& b) { b.push_back(0); }, Alert::decode_error},
    // RFC 6961 §2.2: "there MUST NOT be more responses than there were
    // certificates in the list" — a third (empty) entry for two certificates
    {"MoreResponsesThanCertificates",
     [](Bytes& b) {
       b.insert(b.end(), {0, 0, 0});
       put_u24(b, 1, get_u24(b, 1) + 3);
     },
     Alert::illegal_parameter},
    {"FourEmptyResponses", [](Bytes& b) { b = {2, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}; },
     Alert::illegal_parameter},
    // status types: ocsp with nothing in it (RFC 6961 §2.2: "at least one
    // byte"), types that do not exist
    {"OcspEmptyResponse", [](Bytes& b) { b = {1, 0, 0, 0}; }, Alert::decode_error},
    {"StatusType0", [](Bytes& b) { b[0] = 0; }, Alert::illegal_parameter},
    {"StatusType3", [](Bytes& b) { b[0] = 3; }, Alert::illegal_parameter},
    {"StatusType255", [](Bytes& b) { b[0] = 255; }, Alert::illegal_parameter},
    {"NoBodyAtAll", [](Bytes& b) { b.clear(); }, Alert::decode_error},
};

INSTANTIATE_TEST_SUITE_P(Bodies, MalformedOcspResponseList, ::testing::ValuesIn(kBodyCases),
                         [](const ::testing::TestParamInfo<BodyCase>& p) { return std::string(p.param.name); });

TEST(OcspResponseList, DuplicatedIsUnexpectedMessage) {
  Ends e =
      tamper_server(on(HandshakeType::certificate_status, [](const Bytes& m) { return std::vector<Bytes>{m, m}; }));
  EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::unexpected_message));
}

// RFC 6961 §2.2: a server "MAY also choose not to send a CertificateStatus
// message" after acknowledging: absence, which require refuses before the
// client sends anything of its own.
TEST(OcspResponseList, AcknowledgedButNotSentIsAbsence) {
  Ends e = tamper_server(on(HandshakeType::certificate_status, [](const Bytes&) { return std::vector<Bytes>{}; }),
                         client12(OcspPolicy::require));
  EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::bad_certificate_status_response));
  ASSERT_TRUE(e.client);
  EXPECT_NE(e.client->reason.find("no OCSP staple"), std::string::npos) << text(e.client);
}

// ---- the ServerHello's acknowledgement ------------------------------------------------------

TEST(StatusRequestV2Ack, WithABodyIsDecodeError) {
  for (const Bytes& body : {Bytes{0}, Bytes{0, 0}, Bytes{0, 2, 2, 0, 0}}) {
    Ends e = tamper_server(on(HandshakeType::server_hello, with_extensions([&](Extensions_& x) {
                                Bytes* ack = x.find(kV2);
                                ASSERT_NE(ack, nullptr);
                                *ack = body;
                              })));
    EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::decode_error)) << body.size();
  }
}

// RFC 6961 §1: the server selects a single status method.
TEST(StatusRequestV2Ack, BesideStatusRequestsIsIllegalParameter) {
  Ends e = tamper_server(
      on(HandshakeType::server_hello, with_extensions([](Extensions_& x) { x.list.emplace_back(kV1, Bytes{}); })));
  EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::illegal_parameter));
  ASSERT_TRUE(e.client);
  EXPECT_NE(e.client->reason.find("single status method"), std::string::npos) << text(e.client);
}

// RFC 5246 §7.4.1.4: a client that did not offer status_request_v2 refuses
// its acknowledgement.
TEST(StatusRequestV2Ack, UnrequestedIsUnsupportedExtension) {
  auto cc = client12();
  cc->request_ocsp_multi = false;
  Ends e = tamper_server(on(HandshakeType::server_hello, with_extensions([](Extensions_& x) {
                              x.remove(kV1);
                              x.list.emplace_back(kV2, Bytes{});
                            })),
                         cc);
  EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::unsupported_extension));
}

// RFC 6961 §2.2: no CertificateStatus without "a corresponding" extension
// in the ServerHello.
TEST(StatusRequestV2Ack, MissingBeforeCertificateStatusIsUnexpectedMessage) {
  Ends e = tamper_server(on(HandshakeType::server_hello, with_extensions([](Extensions_& x) { x.remove(kV2); })));
  EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::unexpected_message));
}

// ocsp_multi answers status_request_v2 only; after status_request's
// acknowledgement it is a value inconsistent with the ServerHello.
TEST(StatusRequestV2Ack, OcspMultiAfterStatusRequestsAckIsIllegalParameter) {
  Ends e = tamper_server(on(HandshakeType::server_hello, with_extensions([](Extensions_& x) {
                              Bytes* ack = x.find(kV2);
                              ASSERT_NE(ack, nullptr);
                              x.remove(kV2);
                              x.list.emplace_back(kV1, Bytes{});
                            })));
  EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::illegal_parameter));
  ASSERT_TRUE(e.client);
  EXPECT_NE(e.client->reason.find("ocsp_multi"), std::string::npos) << text(e.client);
}

// ---- TLS 1.3 messages never carry it (RFC 8446 §4.4.2.1, §4.2) ------------------------------

std::shared_ptr<ServerConfig> stapling_server13() {
  auto sc = stapling_server12();
  sc->max_version = ProtocolVersion::tls13;
  return sc;
}

TEST(StatusRequestV2Tls13, InServerHelloIsIllegalParameter) {
  Ends e = tamper_server(
      on(HandshakeType::server_hello, with_extensions([](Extensions_& x) { x.list.emplace_back(kV2, Bytes{}); })),
      client_config_for("ecdsa"), stapling_server13());
  EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::illegal_parameter));
}

TEST(StatusRequestV2Tls13, InEncryptedExtensionsIsIllegalParameter) {
  Ends e = tamper_server(on(HandshakeType::encrypted_extensions,
                            with_extensions([](Extensions_& x) { x.list.emplace_back(kV2, Bytes{}); })),
                         client_config_for("ecdsa"), stapling_server13());
  EXPECT_TRUE(detected(e, /*by_client=*/true, Alert::illegal_parameter));
}

// ---- status_request_v2 in the ClientHello -------------------------------------------------

struct HelloCase {
  const char* name;
  Bytes body;  // status_request_v2's extension_data
  Alert alert;
};

// Every strict prefix of the body the client sends (the extension's own
// length kept consistent): a TLS 1.2 server refuses it with decode_error, a
// TLS 1.3 server ignores an extension of TLS 1.2 only.
TEST(StatusRequestV2InClientHello, EveryPrefixIsDecodeErrorOnBothEnds) {
  Bytes sent;
  {
    Ends e = tamper_client(on(HandshakeType::client_hello, with_extensions([&](Extensions_& x) {
                                Bytes* v2 = x.find(kV2);
                                ASSERT_NE(v2, nullptr);
                                sent = *v2;
                              })));
    ASSERT_FALSE(sent.empty());
  }
  // 0e 02 0004 0000 0000 01 0004 0000 0000 (RFC 6961 §2.2)
  EXPECT_EQ(sent, (Bytes{0x00, 0x0e, 2, 0, 4, 0, 0, 0, 0, 1, 0, 4, 0, 0, 0, 0}));
  for (const auto& sc : {stapling_server12(), stapling_server13()}) {
    for (size_t len = 0; len < sent.size(); ++len) {
      auto cc = client12();
      cc->max_version = sc->max_version;
      Ends e = tamper_client(on(HandshakeType::client_hello, with_extensions([&](Extensions_& x) {
                                  *x.find(kV2) = Bytes(sent.begin(), sent.begin() + static_cast<long>(len));
                                })),
                             cc, sc);
      if (sc->max_version == ProtocolVersion::tls13) {
        // TLS 1.3 chosen: the extension means nothing there and its bad
        // body is ignored (RFC 8446 §4.2); the handshake fails later only
        // because the tampered ClientHello breaks the transcript.
        ASSERT_FALSE(detected(e, /*by_client=*/false, Alert::decode_error)) << "prefix of " << len << " to 1.3";
      } else {
        ASSERT_TRUE(detected(e, /*by_client=*/false, Alert::decode_error)) << "prefix of " << len << " to 1.2";
      }
    }
  }
}

class MalformedStatusRequestV2 : public ::testing::TestWithParam<HelloCase> {};

TEST_P(MalformedStatusRequestV2, IsRefusedByTheServer) {
  const HelloCase& c = GetParam();
  Ends e = tamper_client(
      on(HandshakeType::client_hello, with_extensions([&](Extensions_& x) { *x.find(kV2) = c.body; })));
  EXPECT_TRUE(detected(e, /*by_client=*/false, c.alert));
}

const HelloCase kHelloCases[] = {
    // certificate_status_req_list<1..2^16-1>
    {"EmptyList", {0, 0}, Alert::decode_error},
    {"ListLengthPlusOne", {0, 8, 2, 0, 4, 0, 0, 0, 0}, Alert::decode_error},
    {"ListLengthMinusOne", {0, 6, 2, 0, 4, 0, 0, 0, 0}, Alert::decode_error},
    // request_length past the list, longer and shorter than its OCSPStatusRequest
    {"RequestLengthPastTheList", {0, 7, 2, 0, 5, 0, 0, 0, 0}, Alert::decode_error},
    {"RequestLengthLonger", {0, 8, 2, 0, 5, 0, 0, 0, 0, 0}, Alert::decode_error},
    {"RequestLengthShorter", {0, 7, 2, 0, 3, 0, 0, 0, 0}, Alert::decode_error},
    {"RequestLengthZero", {0, 3, 2, 0, 0}, Alert::decode_error},
    {"ItemCutAfterItsType", {0, 8, 2, 0, 4, 0, 0, 0, 0, 1}, Alert::decode_error},
    // OCSPStatusRequest: ResponderID<1..2^16-1>, and lengths
    {"EmptyResponderId", {0, 9, 2, 0, 6, 0, 2, 0, 0, 0, 0}, Alert::decode_error},
    {"ResponderIdListOverruns", {0, 7, 1, 0, 4, 0, 5, 0, 0}, Alert::decode_error},
    {"RequestExtensionsOverrun", {0, 7, 1, 0, 4, 0, 0, 0, 9}, Alert::decode_error},
    // an unknown type is skipped by its request_length, which must still fit
    {"UnknownItemOverruns", {0, 5, 7, 0, 3, 0xab, 0xcd}, Alert::decode_error},
    // the same status type twice
    {"OcspMultiTwice", {0, 14, 2, 0, 4, 0, 0, 0, 0, 2, 0, 4, 0, 0, 0, 0}, Alert::illegal_parameter},
    {"OcspTwice", {0, 21, 1, 0, 4, 0, 0, 0, 0, 2, 0, 4, 0, 0, 0, 0, 1, 0, 4, 0, 0, 0, 0}, Alert::illegal_parameter},
};

INSTANTIATE_TEST_SUITE_P(Bodies, MalformedStatusRequestV2, ::testing::ValuesIn(kHelloCases),
                         [](const ::testing::TestParamInfo<HelloCase>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace vouch
