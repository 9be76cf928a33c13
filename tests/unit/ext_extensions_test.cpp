// The extensions block and every extension body codec (status_request_v2 of
// RFC 6961 included): exact encodings from the RFC structures, round trips,
// and malformed input.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <utility>

#include "support/hex.h"
#include "ext/extension_codecs.h"
#include "ext/extensions.h"

namespace vouch {
namespace {

using testing::hex;
using testing::hexs;

// ---------------------------------------------------------------- helpers

Bytes str(std::string_view s) { return Bytes(s.begin(), s.end()); }

// A canonical text form of every field, so that "parsed fields equal" is one
// comparison with a readable diff.
std::string dump(const Extensions& e) {
  std::ostringstream o;
  auto list = [&](const char* n, const auto& v) {
    o << n << "=[";
    for (const auto& x : v) o << static_cast<unsigned>(x) << ",";
    o << "]\n";
  };
  auto blist = [&](const char* n, const std::vector<Bytes>& v) {
    o << n << "=[";
    for (const Bytes& x : v) o << hexs(x) << ",";
    o << "]\n";
  };
  if (e.server_name) o << "server_name=" << *e.server_name << "\n";
  o << "server_name_ack=" << e.server_name_ack << "\n";
  if (e.status_request) {
    blist("status_request.ids", e.status_request->responder_id_list);
    o << "status_request.ext=" << hexs(e.status_request->request_extensions) << "\n";
  }
  o << "status_request_empty=" << e.status_request_empty << "\n";
  if (e.ocsp_response) o << "ocsp_response=" << hexs(*e.ocsp_response) << "\n";
  if (e.status_request_v2) {
    o << "status_request_v2=";
    for (const StatusRequestV2Item& item : *e.status_request_v2) {
      o << static_cast<unsigned>(item.status_type) << "{";
      for (const Bytes& id : item.request.responder_id_list) o << hexs(id) << ",";
      o << "/" << hexs(item.request.request_extensions) << "},";
    }
    o << "\n";
  }
  o << "status_request_v2_empty=" << e.status_request_v2_empty << "\n";
  if (e.supported_groups) list("supported_groups", *e.supported_groups);
  if (e.signature_algorithms) list("signature_algorithms", *e.signature_algorithms);
  if (e.signature_algorithms_cert) list("signature_algorithms_cert", *e.signature_algorithms_cert);
  if (e.alpn) {
    o << "alpn=";
    for (const auto& a : *e.alpn) o << a << ",";
    o << "\n";
  }
  if (e.supported_versions) list("supported_versions", *e.supported_versions);
  if (e.selected_version) o << "selected_version=" << static_cast<unsigned>(*e.selected_version) << "\n";
  if (e.key_shares) {
    o << "key_shares=";
    for (const auto& k : *e.key_shares) o << static_cast<unsigned>(k.group) << ":" << hexs(k.key_exchange) << ",";
    o << "\n";
  }
  if (e.key_share)
    o << "key_share=" << static_cast<unsigned>(e.key_share->group) << ":" << hexs(e.key_share->key_exchange) << "\n";
  if (e.key_share_selected_group) o << "hrr_group=" << static_cast<unsigned>(*e.key_share_selected_group) << "\n";
  if (e.cookie) o << "cookie=" << hexs(*e.cookie) << "\n";
  if (e.psk_key_exchange_modes) list("psk_modes", *e.psk_key_exchange_modes);
  if (e.psk_identities) {
    o << "psk_identities=";
    for (const auto& p : *e.psk_identities) o << hexs(p.identity) << "/" << p.obfuscated_ticket_age << ",";
    o << "\n";
  }
  blist("psk_binders", e.psk_binders);
  if (e.psk_selected_identity) o << "psk_selected=" << *e.psk_selected_identity << "\n";
  o << "early_data=" << e.early_data << "\n";
  if (e.max_early_data_size) o << "max_early_data_size=" << *e.max_early_data_size << "\n";
  o << "post_handshake_auth=" << e.post_handshake_auth << "\n";
  if (e.certificate_authorities) blist("certificate_authorities", *e.certificate_authorities);
  if (e.oid_filters) {
    o << "oid_filters=";
    for (const auto& f : *e.oid_filters)
      o << hexs(f.certificate_extension_oid) << ":" << hexs(f.certificate_extension_values) << ",";
    o << "\n";
  }
  o << "ems=" << e.extended_master_secret << "\n";
  if (e.renegotiation_info) o << "ri=" << hexs(*e.renegotiation_info) << "\n";
  if (e.ec_point_formats) list("ec_point_formats", *e.ec_point_formats);
  if (e.session_ticket) o << "session_ticket=" << hexs(*e.session_ticket) << "\n";
  list("present", e.present);
  return o.str();
}

// An extensions block from raw (type, body) pairs.
Bytes block(std::initializer_list<std::pair<uint16_t, Bytes>> exts) {
  Bytes out;
  Writer w(out);
  w.prefixed16([&] {
    for (const auto& [type, body] : exts) {
      w.u16(type);
      w.vec16(body);
    }
  });
  return out;
}

Bytes write_block(ExtContext ctx, const Extensions& ext, size_t* binders_offset = nullptr) {
  Bytes out;
  Writer w(out);
  write_extensions(w, ctx, ext, binders_offset);
  EXPECT_TRUE(w.ok());
  return out;
}

// Parses a whole buffer as one block; leftover bytes are a test failure. A
// malformed TLS 1.2-only ClientHello extension, which parse_extensions keeps
// in malformed12 rather than failing on, is returned as the failure: what a
// TLS 1.2 server makes of the block (TolerantOfTls12OnlyFaults covers the
// TLS 1.3 view).
Status parse_block(ByteView b, ExtContext ctx, Extensions& out, size_t* binders_length = nullptr) {
  Reader r(b);
  Status s = parse_extensions(r, ctx, out, binders_length);
  if (s) {
    EXPECT_TRUE(r.empty());
    if (out.malformed12) return *out.malformed12;
  }
  return s;
}

Alert alert_of(const Status& s) { return s ? Alert::close_notify : s.error().alert; }

constexpr uint16_t kUnknownType = 0x7777;

// ------------------------------------------- exact encodings, every form

struct Case {
  const char* name;
  ExtContext ctx;
  uint16_t type;
  Bytes body;                            // extension_data as the RFC lays it out
  std::function<void(Extensions&)> set;  // the fields that body means
  bool opaque = false;                   // body has no inner structure
};

std::vector<Case> valid_cases() {
  using C = ExtContext;
  std::vector<Case> v;
  v.push_back({"server_name/CH", C::client_hello, 0, hex("0009 00 0006") + str("server"),
               [](Extensions& e) { e.server_name = "server"; }});
  v.push_back({"server_name/EE", C::encrypted_extensions, 0, {}, [](Extensions& e) { e.server_name_ack = true; }});
  v.push_back({"server_name/SH12", C::server_hello12, 0, {}, [](Extensions& e) { e.server_name_ack = true; }});
  v.push_back({"status_request/CH empty lists", C::client_hello, 5, hex("01 0000 0000"),
               [](Extensions& e) { e.status_request = OcspStatusRequest{}; }});
  v.push_back(
      {"status_request/CH ids+exts", C::client_hello, 5, hex("01 0007 0002aabb 0001cc 0003 300100"), [](Extensions& e) {
         e.status_request = OcspStatusRequest{{hex("aabb"), hex("cc")}, hex("300100")};
       }});
  v.push_back(
      {"status_request/CR", C::certificate_request, 5, {}, [](Extensions& e) { e.status_request_empty = true; }});
  v.push_back({"status_request/SH12", C::server_hello12, 5, {}, [](Extensions& e) { e.status_request_empty = true; }});
  v.push_back({"status_request/CT", C::certificate, 5, hex("01 000004 30020500"),
               [](Extensions& e) { e.ocsp_response = hex("30020500"); }});
  // RFC 6961 §2.2 CertificateStatusRequestListV2: items of status_type,
  // request_length, OCSPStatusRequest.
  v.push_back({"status_request_v2/CH ocsp_multi+ocsp", C::client_hello, 17,
               hex("000e 02 0004 0000 0000 01 0004 0000 0000"), [](Extensions& e) {
                 e.status_request_v2 = std::vector<StatusRequestV2Item>{
                     {CertificateStatusType::ocsp_multi, {}}, {CertificateStatusType::ocsp, {}}};
               }});
  v.push_back({"status_request_v2/CH ids+exts", C::client_hello, 17, hex("000e 01 000b 0004 0002aabb 0003 300100"),
               [](Extensions& e) {
                 e.status_request_v2 = std::vector<StatusRequestV2Item>{
                     {CertificateStatusType::ocsp, OcspStatusRequest{{hex("aabb")}, hex("300100")}}};
               }});
  v.push_back({"status_request_v2/SH12", C::server_hello12, 17, {},
               [](Extensions& e) { e.status_request_v2_empty = true; }});
  v.push_back({"supported_groups/CH", C::client_hello, 10, hex("0006 001d 0017 0018"), [](Extensions& e) {
                 e.supported_groups = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};
               }});
  v.push_back({"supported_groups/EE", C::encrypted_extensions, 10, hex("0002 001d"),
               [](Extensions& e) { e.supported_groups = {NamedGroup::x25519}; }});
  v.push_back(
      {"signature_algorithms/CH", C::client_hello, 13, hex("0004 0403 0804"), [](Extensions& e) {
         e.signature_algorithms = {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::rsa_pss_rsae_sha256};
       }});
  v.push_back({"signature_algorithms/CR", C::certificate_request, 13, hex("0002 0807"),
               [](Extensions& e) { e.signature_algorithms = {SignatureScheme::ed25519}; }});
  v.push_back({"signature_algorithms_cert/CH", C::client_hello, 50, hex("0002 0401"),
               [](Extensions& e) { e.signature_algorithms_cert = {SignatureScheme::rsa_pkcs1_sha256}; }});
  v.push_back(
      {"signature_algorithms_cert/CR", C::certificate_request, 50, hex("0004 0503 1234"), [](Extensions& e) {
         e.signature_algorithms_cert = {SignatureScheme::ecdsa_secp384r1_sha384, static_cast<SignatureScheme>(0x1234)};
       }});
  v.push_back(
      {"alpn/CH", C::client_hello, 16, hex("000c 02") + str("h2") + hex("08") + str("http/1.1"), [](Extensions& e) {
         e.alpn = std::vector<std::string>{"h2", "http/1.1"};
       }});
  v.push_back({"alpn/EE", C::encrypted_extensions, 16, hex("0003 02") + str("h2"),
               [](Extensions& e) { e.alpn = std::vector<std::string>{"h2"}; }});
  v.push_back({"alpn/SH12", C::server_hello12, 16, hex("0009 08") + str("http/1.1"),
               [](Extensions& e) { e.alpn = std::vector<std::string>{"http/1.1"}; }});
  v.push_back({"supported_versions/CH", C::client_hello, 43, hex("04 0304 0303"), [](Extensions& e) {
                 e.supported_versions = {ProtocolVersion::tls13, ProtocolVersion::tls12};
               }});
  v.push_back({"supported_versions/SH", C::server_hello, 43, hex("0304"),
               [](Extensions& e) { e.selected_version = ProtocolVersion::tls13; }});
  v.push_back({"supported_versions/HRR", C::hello_retry_request, 43, hex("0304"),
               [](Extensions& e) { e.selected_version = ProtocolVersion::tls13; }});
  v.push_back({"key_share/CH", C::client_hello, 51, hex("000b 001d 0002 aabb 0017 0001 cc"), [](Extensions& e) {
                 e.key_shares =
                     std::vector<KeyShareEntry>{{NamedGroup::x25519, hex("aabb")}, {NamedGroup::secp256r1, hex("cc")}};
               }});
  v.push_back({"key_share/CH empty", C::client_hello, 51, hex("0000"),
               [](Extensions& e) { e.key_shares = std::vector<KeyShareEntry>{}; }});
  v.push_back({"key_share/SH", C::server_hello, 51, hex("001d 0003 010203"), [](Extensions& e) {
                 e.key_share = KeyShareEntry{NamedGroup::x25519, hex("010203")};
               }});
  v.push_back({"key_share/HRR", C::hello_retry_request, 51, hex("0017"),
               [](Extensions& e) { e.key_share_selected_group = NamedGroup::secp256r1; }});
  v.push_back({"cookie/CH", C::client_hello, 44, hex("0003 c0ffee"), [](Extensions& e) { e.cookie = hex("c0ffee"); }});
  v.push_back({"cookie/HRR", C::hello_retry_request, 44, hex("0001 00"), [](Extensions& e) { e.cookie = hex("00"); }});
  v.push_back({"psk_key_exchange_modes/CH", C::client_hello, 45, hex("02 01 00"),
               [](Extensions& e) { e.psk_key_exchange_modes = hex("0100"); }});
  {
    const Bytes b1(32, 0x11), b2(48, 0x22);
    v.push_back({"pre_shared_key/CH", C::client_hello, 41,
                 hex("0011 0001 aa 00000007 0004 01020304 ffffffff") + hex("0052 20") + b1 + hex("30") + b2,
                 [=](Extensions& e) {
                   e.psk_identities = std::vector<PskIdentity>{{hex("aa"), 7}, {hex("01020304"), 0xffffffff}};
                   e.psk_binders = {b1, b2};
                 }});
  }
  v.push_back(
      {"pre_shared_key/SH", C::server_hello, 41, hex("0001"), [](Extensions& e) { e.psk_selected_identity = 1; }});
  v.push_back({"early_data/CH", C::client_hello, 42, {}, [](Extensions& e) { e.early_data = true; }});
  v.push_back({"early_data/EE", C::encrypted_extensions, 42, {}, [](Extensions& e) { e.early_data = true; }});
  v.push_back({"early_data/NST", C::new_session_ticket, 42, hex("00004000"),
               [](Extensions& e) { e.max_early_data_size = 0x4000; }});
  v.push_back({"post_handshake_auth/CH", C::client_hello, 49, {}, [](Extensions& e) { e.post_handshake_auth = true; }});
  v.push_back({"certificate_authorities/CH", C::client_hello, 47, hex("0009 0003 300100 0002 3000"), [](Extensions& e) {
                 e.certificate_authorities = std::vector<Bytes>{hex("300100"), hex("3000")};
               }});
  v.push_back({"certificate_authorities/CR", C::certificate_request, 47, hex("0003 0001 30"),
               [](Extensions& e) { e.certificate_authorities = std::vector<Bytes>{hex("30")}; }});
  v.push_back({"oid_filters/CR", C::certificate_request, 48, hex("0010 03 551d25 0005 3003060100 02 2a03 0000"),
               [](Extensions& e) {
                 e.oid_filters = std::vector<OidFilter>{{hex("551d25"), hex("3003060100")}, {hex("2a03"), {}}};
               }});
  v.push_back({"oid_filters/CR empty", C::certificate_request, 48, hex("0000"),
               [](Extensions& e) { e.oid_filters = std::vector<OidFilter>{}; }});
  v.push_back(
      {"extended_master_secret/CH", C::client_hello, 23, {}, [](Extensions& e) { e.extended_master_secret = true; }});
  v.push_back({"extended_master_secret/SH12", C::server_hello12, 23, {}, [](Extensions& e) {
                 e.extended_master_secret = true;
               }});
  v.push_back({"renegotiation_info/CH", C::client_hello, 0xff01, hex("00"),
               [](Extensions& e) { e.renegotiation_info = Bytes{}; }});
  v.push_back({"renegotiation_info/SH12", C::server_hello12, 0xff01, hex("04 01020304"),
               [](Extensions& e) { e.renegotiation_info = hex("01020304"); }});
  v.push_back({"ec_point_formats/CH", C::client_hello, 11, hex("02 00 01"),
               [](Extensions& e) { e.ec_point_formats = hex("0001"); }});
  v.push_back({"ec_point_formats/SH12", C::server_hello12, 11, hex("01 00"),
               [](Extensions& e) { e.ec_point_formats = hex("00"); }});
  v.push_back({"session_ticket/CH empty", C::client_hello, 35, {}, [](Extensions& e) { e.session_ticket = Bytes{}; }});
  Case ticket{"session_ticket/CH ticket", C::client_hello, 35, hex("deadbeef00"),
              [](Extensions& e) { e.session_ticket = hex("deadbeef00"); }};
  ticket.opaque = true;
  v.push_back(ticket);
  v.push_back({"session_ticket/SH12", C::server_hello12, 35, {}, [](Extensions& e) { e.session_ticket = Bytes{}; }});
  return v;
}

TEST(Extensions, EveryFormHasTheRfcEncodingAndRoundTrips) {
  for (const Case& c : valid_cases()) {
    SCOPED_TRACE(c.name);
    Extensions want;
    c.set(want);
    const Bytes expected = block({{c.type, c.body}});
    // write: exactly the RFC layout
    const Bytes written = write_block(c.ctx, want);
    EXPECT_EQ(hexs(written), hexs(expected));
    // parse: the same fields, and the type recorded
    Extensions got;
    ASSERT_TRUE(parse_block(expected, c.ctx, got)) << parse_block(expected, c.ctx, got).error().to_string();
    want.present = {c.type};
    EXPECT_EQ(dump(got), dump(want));
    EXPECT_TRUE(got.has(static_cast<ExtensionType>(c.type)));
    // write again: identical bytes
    EXPECT_EQ(hexs(write_block(c.ctx, got)), hexs(expected));
  }
}

TEST(Extensions, EveryTruncatedBodyIsDecodeError) {
  // The outer lengths are kept consistent, so only the body parser can
  // notice: every strict prefix of every structured body must be rejected.
  for (const Case& c : valid_cases()) {
    if (c.opaque) continue;
    for (size_t n = 0; n < c.body.size(); ++n) {
      SCOPED_TRACE(std::string(c.name) + " cut at " + std::to_string(n));
      Extensions got;
      const Bytes b = block({{c.type, Bytes(c.body.begin(), c.body.begin() + n)}});
      const Status s = parse_block(b, c.ctx, got);
      ASSERT_FALSE(s);
      EXPECT_EQ(s.error().alert, Alert::decode_error) << s.error().to_string();
    }
  }
}

TEST(Extensions, EveryBodyWithATrailingByteIsDecodeError) {
  for (const Case& c : valid_cases()) {
    if (c.opaque || (c.type == 35 && c.ctx == ExtContext::client_hello)) continue;  // opaque ticket
    SCOPED_TRACE(c.name);
    Bytes body = c.body;
    body.push_back(0x00);
    Extensions got;
    const Status s = parse_block(block({{c.type, body}}), c.ctx, got);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().alert, Alert::decode_error) << s.error().to_string();
  }
}

// ------------------------------------------------- malformed bodies

struct BadCase {
  const char* name;
  ExtContext ctx;
  uint16_t type;
  Bytes body;
  Alert alert;
};

TEST(Extensions, MalformedBodies) {
  using C = ExtContext;
  const Alert D = Alert::decode_error;
  const Alert I = Alert::illegal_parameter;
  const BadCase cases[] = {
      {"server_name empty list", C::client_hello, 0, hex("0000"), D},
      {"server_name empty host_name", C::client_hello, 0, hex("0003 00 0000"), D},
      {"server_name list length too long", C::client_hello, 0, hex("000a 00 0006") + str("server"), D},
      {"server_name list length too short", C::client_hello, 0, hex("0008 00 0006") + str("server"), D},
      {"server_name two host_names", C::client_hello, 0, hex("0008 00 0001 61 00 0001 62"), I},
      {"server_name NUL inside", C::client_hello, 0, hex("0006 00 0003 610062"), I},
      {"server_name ack not empty", C::encrypted_extensions, 0, hex("00"), D},
      {"status_request CH no type", C::client_hello, 5, {}, D},
      {"status_request CH empty ResponderID", C::client_hello, 5, hex("01 0002 0000 0000"), D},
      {"status_request CH id overruns list", C::client_hello, 5, hex("01 0003 0002aabb 0000"), D},
      {"status_request CR not empty", C::certificate_request, 5, hex("01"), D},
      {"status_request SH12 not empty", C::server_hello12, 5, hex("00"), D},
      {"status_request CT wrong type", C::certificate, 5, hex("02 000001 30"), D},
      {"status_request CT empty response", C::certificate, 5, hex("01 000000"), D},
      // RFC 6961 §2.2 certificate_status_req_list<1..2^16-1>
      {"status_request_v2 CH no list", C::client_hello, 17, {}, D},
      {"status_request_v2 CH empty list", C::client_hello, 17, hex("0000"), D},
      {"status_request_v2 CH list length too long", C::client_hello, 17, hex("0008 02 0004 0000 0000"), D},
      {"status_request_v2 CH list length too short", C::client_hello, 17, hex("0006 02 0004 0000 0000"), D},
      {"status_request_v2 CH request_length past the list", C::client_hello, 17, hex("0005 02 0004 0000"), D},
      {"status_request_v2 CH request_length too long", C::client_hello, 17, hex("0008 02 0005 0000 0000 00"), D},
      {"status_request_v2 CH request_length too short", C::client_hello, 17, hex("0007 02 0003 0000 0000"), D},
      {"status_request_v2 CH request_length zero", C::client_hello, 17, hex("0003 01 0000"), D},
      {"status_request_v2 CH item cut after its type", C::client_hello, 17, hex("0008 02 0004 0000 0000 01"), D},
      {"status_request_v2 CH empty ResponderID", C::client_hello, 17, hex("0009 02 0006 0002 0000 0000"), D},
      {"status_request_v2 CH ResponderID overruns", C::client_hello, 17, hex("0009 02 0006 0003 0001aa 0000"), D},
      {"status_request_v2 CH unknown item overruns", C::client_hello, 17, hex("0005 07 0003 aabb"), D},
      {"status_request_v2 CH ocsp_multi twice", C::client_hello, 17,
       hex("000e 02 0004 0000 0000 02 0004 0000 0000"), I},
      {"status_request_v2 CH ocsp twice", C::client_hello, 17,
       hex("0015 01 0004 0000 0000 02 0004 0000 0000 01 0004 0000 0000"), I},
      {"status_request_v2 SH12 not empty", C::server_hello12, 17, hex("00"), D},
      {"supported_groups empty", C::client_hello, 10, hex("0000"), D},
      {"supported_groups odd", C::client_hello, 10, hex("0003 001d00"), D},
      {"signature_algorithms empty", C::client_hello, 13, hex("0000"), D},
      {"signature_algorithms odd", C::certificate_request, 13, hex("0003 040305"), D},
      {"signature_algorithms_cert odd", C::client_hello, 50, hex("0001 04"), D},
      {"alpn empty list", C::client_hello, 16, hex("0000"), D},
      {"alpn empty name", C::client_hello, 16, hex("0004 02 6832 00"), D},
      {"alpn name overruns", C::client_hello, 16, hex("0003 05 6832 00"), D},
      {"alpn EE two names", C::encrypted_extensions, 16, hex("0006 02 6832 02 6833"), D},
      {"alpn SH12 two names", C::server_hello12, 16, hex("0006 02 6832 02 6833"), D},
      {"supported_versions CH empty", C::client_hello, 43, hex("00"), D},
      {"supported_versions CH odd", C::client_hello, 43, hex("03 030403"), D},
      {"supported_versions SH list form", C::server_hello, 43, hex("02 0304"), D},
      {"key_share CH empty key_exchange", C::client_hello, 51, hex("0004 001d 0000"), D},
      {"key_share CH duplicate group", C::client_hello, 51, hex("000a 001d 0001 aa 001d 0001 bb"), I},
      {"key_share SH empty key_exchange", C::server_hello, 51, hex("001d 0000"), D},
      {"key_share SH list form", C::server_hello, 51, hex("0005 001d 0001 aa"), D},
      {"key_share HRR entry form", C::hello_retry_request, 51, hex("001d 0001 aa"), D},
      {"cookie empty", C::client_hello, 44, hex("0000"), D},
      {"cookie length too long", C::hello_retry_request, 44, hex("0003 aabb"), D},
      {"psk_key_exchange_modes empty", C::client_hello, 45, hex("00"), D},
      {"pre_shared_key empty identities", C::client_hello, 41, hex("0000 0021 20") + Bytes(32, 1), D},
      {"pre_shared_key empty identity", C::client_hello, 41, hex("0006 0000 00000000 0021 20") + Bytes(32, 1), D},
      {"pre_shared_key empty binders", C::client_hello, 41, hex("0007 0001 aa 00000000 0000"), D},
      {"pre_shared_key short binder", C::client_hello, 41, hex("0007 0001 aa 00000000 0020 1f") + Bytes(31, 1), D},
      {"pre_shared_key fewer binders", C::client_hello, 41,
       hex("000e 0001 aa 00000000 0001 bb 00000000 0021 20") + Bytes(32, 1), I},
      {"pre_shared_key more binders", C::client_hello, 41,
       hex("0007 0001 aa 00000000 0042 20") + Bytes(32, 1) + hex("20") + Bytes(32, 2), I},
      {"early_data CH not empty", C::client_hello, 42, hex("00"), D},
      {"early_data EE not empty", C::encrypted_extensions, 42, hex("00000000"), D},
      {"post_handshake_auth not empty", C::client_hello, 49, hex("00"), D},
      {"certificate_authorities empty list", C::certificate_request, 47, hex("0000"), D},
      {"certificate_authorities empty name", C::certificate_request, 47, hex("0002 0000"), D},
      {"oid_filters empty oid", C::certificate_request, 48, hex("0003 00 0000"), D},
      {"extended_master_secret not empty", C::server_hello12, 23, hex("00"), D},
      {"renegotiation_info length too long", C::server_hello12, 0xff01, hex("02 00"), D},
      {"ec_point_formats empty", C::client_hello, 11, hex("00"), D},
      {"session_ticket SH12 not empty", C::server_hello12, 35, hex("00"), D},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    Extensions got;
    const Status s = parse_block(block({{c.type, c.body}}), c.ctx, got);
    ASSERT_FALSE(s);
    EXPECT_EQ(alert_of(s), c.alert) << s.error().to_string();
    EXPECT_FALSE(s.error().reason.empty());
  }
}

// The extensions TLS 1.2 relies on, in the forms MalformedBodies does not
// cover: each refused with decode_error, the reason naming the message and
// the extension.
TEST(Extensions, Tls12ExtensionsMalformed) {
  using C = ExtContext;
  struct Tls12Case {
    const char* name;
    ExtContext ctx;
    uint16_t type;
    Bytes body;
    const char* extension;
  };
  const Tls12Case cases[] = {
      // renegotiated_connection<0..255> (RFC 5746 §3.2): no length byte at
      // all, a length beyond the body, a length short of it
      {"renegotiation_info SH12 empty body", C::server_hello12, 0xff01, {}, "renegotiation_info"},
      {"renegotiation_info CH empty body", C::client_hello, 0xff01, {}, "renegotiation_info"},
      {"renegotiation_info CH length too long", C::client_hello, 0xff01, hex("0c") + Bytes(11, 1),
       "renegotiation_info"},
      {"renegotiation_info SH12 length too short", C::server_hello12, 0xff01, hex("01 aabb"), "renegotiation_info"},
      {"renegotiation_info SH12 24 of 25", C::server_hello12, 0xff01, hex("19") + Bytes(24, 2), "renegotiation_info"},
      // RFC 7627 §5.1: "The 'extension_data' field of this extension is empty"
      {"extended_master_secret CH not empty", C::client_hello, 23, hex("00"), "extended_master_secret"},
      {"extended_master_secret SH12 two bytes", C::server_hello12, 23, hex("0000"), "extended_master_secret"},
      // RFC 5077 §3.2: the ServerHello's SessionTicket extension is zero-length
      {"session_ticket SH12 a ticket", C::server_hello12, 35, hex("deadbeef"), "session_ticket"},
      // ec_point_format_list<1..2^8-1> (RFC 8422 §5.1.2)
      {"ec_point_formats SH12 empty list", C::server_hello12, 11, hex("00"), "ec_point_formats"},
      {"ec_point_formats CH no length", C::client_hello, 11, {}, "ec_point_formats"},
      {"ec_point_formats CH length too long", C::client_hello, 11, hex("03 00 01"), "ec_point_formats"},
      {"ec_point_formats SH12 length too short", C::server_hello12, 11, hex("01 00 01"), "ec_point_formats"},
  };
  for (const Tls12Case& c : cases) {
    SCOPED_TRACE(c.name);
    Extensions got;
    const Status s = parse_block(block({{c.type, c.body}}), c.ctx, got);
    ASSERT_FALSE(s);
    EXPECT_EQ(alert_of(s), Alert::decode_error) << s.error().to_string();
    const std::string& reason = s.error().reason;
    EXPECT_NE(reason.find(c.extension), std::string::npos) << reason;
    const char* message = c.ctx == C::client_hello ? "ClientHello" : "ServerHello";
    EXPECT_EQ(reason.rfind(message, 0), 0u) << reason;
  }
  // The well-formed edges of the same extensions.
  Extensions got;
  ASSERT_TRUE(parse_block(block({{0xff01, hex("ff") + Bytes(255, 3)}}), C::server_hello12, got));
  EXPECT_EQ(got.renegotiation_info, Bytes(255, 3));
  ASSERT_TRUE(parse_block(block({{11, hex("03 00 01 02")}}), C::server_hello12, got));
  EXPECT_EQ(got.ec_point_formats, hex("000102"));
  ASSERT_TRUE(parse_block(block({{35, hex("deadbeef")}}), C::client_hello, got));
  EXPECT_EQ(got.session_ticket, hex("deadbeef"));
}

// RFC 8446 §4.1.2: a ClientHello is parsed before the version is chosen. The
// extensions of TLS 1.2 only (not in §4.2's table) do not fail the parse when
// malformed: the first fault is kept for a TLS 1.2 server, the field is left
// unset, and the rest of the block is still read.
TEST(Extensions, TolerantOfTls12OnlyFaults) {
  struct Tls12Only {
    uint16_t type;
    Bytes bad_body;
    Alert alert;
  };
  const Tls12Only cases[] = {
      {11, hex("00"), Alert::decode_error},                        // ec_point_formats: empty list
      {11, {}, Alert::decode_error},                               // ... no length byte
      {23, hex("00"), Alert::decode_error},                        // extended_master_secret: not empty
      {0xff01, hex("05 01"), Alert::decode_error},                 // renegotiation_info: length overruns
      {17, hex("0000"), Alert::decode_error},                      // status_request_v2: empty list
      {17, hex("000e 02 0004 0000 0000 02 0004 0000 0000"), Alert::illegal_parameter},  // ocsp_multi twice
  };
  for (const Tls12Only& c : cases) {
    SCOPED_TRACE(std::string(extension_name(c.type)) + " " + hexs(c.bad_body));
    const Bytes b = block({{c.type, c.bad_body}, {10, hex("0002 001d")}});
    Reader r(b);
    Extensions got;
    ASSERT_TRUE(parse_extensions(r, ExtContext::client_hello, got));
    EXPECT_TRUE(r.empty());
    ASSERT_TRUE(got.malformed12);
    EXPECT_EQ(got.malformed12->alert, c.alert) << got.malformed12->to_string();
    EXPECT_EQ(got.malformed12->reason.rfind("ClientHello: ", 0), 0u) << got.malformed12->reason;
    EXPECT_NE(got.malformed12->reason.find(extension_name(c.type)), std::string::npos) << got.malformed12->reason;
    EXPECT_TRUE(got.has(static_cast<ExtensionType>(c.type)));
    EXPECT_FALSE(got.ec_point_formats || got.extended_master_secret || got.renegotiation_info ||
                 got.status_request_v2);
    // What follows was parsed.
    ASSERT_TRUE(got.supported_groups);
    EXPECT_EQ(got.supported_groups->size(), 1u);
  }
  // The first fault is the one kept; a second does not replace it.
  const Bytes two = block({{23, hex("01")}, {11, hex("00")}});
  Reader r(two);
  Extensions got;
  ASSERT_TRUE(parse_extensions(r, ExtContext::client_hello, got));
  ASSERT_TRUE(got.malformed12);
  EXPECT_NE(got.malformed12->reason.find("extended_master_secret"), std::string::npos);
  // Only in a ClientHello, and only for those: a TLS 1.2 ServerHello, and
  // a malformed extension TLS 1.3 uses, still fail the parse.
  const Bytes in_sh = block({{11, hex("00")}});
  Reader sh(in_sh);
  EXPECT_EQ(alert_of(parse_extensions(sh, ExtContext::server_hello12, got)), Alert::decode_error);
  EXPECT_FALSE(got.malformed12);
  const Bytes bad_groups = block({{10, hex("0000")}});
  Reader groups(bad_groups);
  EXPECT_EQ(alert_of(parse_extensions(groups, ExtContext::client_hello, got)), Alert::decode_error);
  // The same extension twice is still a duplicate, malformed or not.
  const Bytes twice = block({{11, hex("00")}, {11, hex("00")}});
  Reader dup(twice);
  EXPECT_EQ(alert_of(parse_extensions(dup, ExtContext::client_hello, got)), Alert::illegal_parameter);
}

TEST(Extensions, ServerNameSkipsUnknownNameTypes) {
  // RFC 6066 §3: future NameTypes begin with a 16-bit length.
  Extensions got;
  ASSERT_TRUE(parse_block(block({{0, hex("000a 07 0002 abcd 00 0002 6869")}}), ExtContext::client_hello, got));
  ASSERT_TRUE(got.server_name);
  EXPECT_EQ(*got.server_name, "hi");
  // Only an unknown type: present, but no host name.
  ASSERT_TRUE(parse_block(block({{0, hex("0005 07 0002 abcd")}}), ExtContext::client_hello, got));
  EXPECT_FALSE(got.server_name);
  EXPECT_TRUE(got.has(ExtensionType::server_name));
}

// RFC 6961 §2.2: request_length lets a server step over an item whose
// status type it does not know; the known ones keep the client's order.
TEST(Extensions, StatusRequestV2SkipsUnknownStatusTypes) {
  Extensions got;
  ASSERT_TRUE(parse_block(block({{17, hex("0017 07 0003 abcdef 01 0004 0000 0000 00 0000 02 0004 0000 0000")}}),
                          ExtContext::client_hello, got));
  ASSERT_TRUE(got.status_request_v2);
  ASSERT_EQ(got.status_request_v2->size(), 2u);
  EXPECT_EQ((*got.status_request_v2)[0].status_type, CertificateStatusType::ocsp);
  EXPECT_EQ((*got.status_request_v2)[1].status_type, CertificateStatusType::ocsp_multi);
  // Only unknown types (one repeated, one with an unparsable body): present,
  // with nothing vouch could answer.
  ASSERT_TRUE(parse_block(block({{17, hex("000d ff 0001 00 ff 0000 03 0003 ffffff")}}), ExtContext::client_hello, got));
  ASSERT_TRUE(got.status_request_v2);
  EXPECT_TRUE(got.status_request_v2->empty());
  EXPECT_TRUE(got.has(ExtensionType::status_request_v2));
  // Nothing known is written back (an empty list would be malformed).
  Extensions unknown_only;
  unknown_only.status_request_v2 = std::vector<StatusRequestV2Item>{};
  EXPECT_EQ(hexs(write_block(ExtContext::client_hello, unknown_only)), "0000");
}

// TLS 1.3 carries per-certificate staples in status_request (RFC 8446
// §4.4.2.1): status_request_v2 in any TLS 1.3 server message is a
// recognised extension in the wrong message (§4.2: illegal_parameter).
TEST(Extensions, StatusRequestV2OutsideClientHelloAndTls12ServerHello) {
  for (ExtContext ctx : {ExtContext::server_hello, ExtContext::hello_retry_request, ExtContext::encrypted_extensions,
                         ExtContext::certificate, ExtContext::certificate_request,
                         ExtContext::new_session_ticket}) {
    Extensions got;
    const Status s = parse_block(block({{17, {}}}), ctx, got);
    EXPECT_EQ(alert_of(s), Alert::illegal_parameter) << static_cast<int>(ctx);
    // ... and the writer never puts it there.
    Extensions e;
    e.status_request_v2_empty = true;
    e.status_request_v2 = std::vector<StatusRequestV2Item>{{CertificateStatusType::ocsp_multi, {}}};
    EXPECT_EQ(hexs(write_block(ctx, e)), "0000") << static_cast<int>(ctx);
  }
}

TEST(Extensions, StatusRequestOfUnknownTypeIsIgnored) {
  Extensions got;
  ASSERT_TRUE(parse_block(block({{5, hex("02 abcdef")}}), ExtContext::client_hello, got));
  EXPECT_FALSE(got.status_request);
  EXPECT_TRUE(got.has(ExtensionType::status_request));
}

// ------------------------------------------------- the block as a whole

// A realistic ClientHello block, used for the block-level tests.
Extensions sample_client_hello() {
  Extensions e;
  e.server_name = "example.com";
  e.supported_groups = {NamedGroup::x25519, NamedGroup::secp256r1};
  e.signature_algorithms = {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::rsa_pss_rsae_sha256};
  e.supported_versions = {ProtocolVersion::tls13};
  e.key_shares = std::vector<KeyShareEntry>{{NamedGroup::x25519, Bytes(32, 0x42)}};
  e.psk_key_exchange_modes = Bytes{1};
  e.status_request = OcspStatusRequest{};
  e.alpn = std::vector<std::string>{"h2"};
  e.psk_identities = std::vector<PskIdentity>{{Bytes(16, 0x01), 1234}};
  e.psk_binders = {Bytes(32, 0x02)};
  return e;
}

TEST(ExtensionsBlock, EveryPrefixIsDecodeError) {
  const Bytes full = write_block(ExtContext::client_hello, sample_client_hello());
  for (size_t n = 0; n < full.size(); ++n) {
    Reader r(ByteView(full).first(n));
    Extensions got;
    const Status s = parse_extensions(r, ExtContext::client_hello, got);
    ASSERT_FALSE(s) << "prefix " << n;
    EXPECT_EQ(s.error().alert, Alert::decode_error) << n;
  }
}

TEST(ExtensionsBlock, BlockLengthWrongByOne) {
  Bytes b = block({{kUnknownType, hex("01")}, {10, hex("0002 001d")}});
  Extensions got;
  ASSERT_TRUE(parse_block(b, ExtContext::client_hello, got));
  Bytes longer = b;
  longer[1]++;  // claims one more byte than there is
  EXPECT_EQ(alert_of(parse_block(longer, ExtContext::client_hello, got)), Alert::decode_error);
  Bytes shorter = b;
  shorter[1]--;  // the last extension's body overruns the block
  Reader r(shorter);
  EXPECT_EQ(alert_of(parse_extensions(r, ExtContext::client_hello, got)), Alert::decode_error);
}

TEST(ExtensionsBlock, ExtensionLengthWrongByOne) {
  // supported_groups' length 4 → 5 (overruns the block) and 4 → 3 (its list
  // then overruns the body; the byte left over is not read as anything).
  Bytes b = block({{10, hex("0002 001d")}});
  Extensions got;
  Bytes longer = b;
  longer[5]++;
  EXPECT_EQ(alert_of(parse_block(longer, ExtContext::client_hello, got)), Alert::decode_error);
  Bytes shorter = b;
  shorter[5]--;
  EXPECT_EQ(alert_of(parse_block(shorter, ExtContext::client_hello, got)), Alert::decode_error);
}

TEST(ExtensionsBlock, EmptyBlockIsFine) {
  Extensions got;
  ASSERT_TRUE(parse_block(hex("0000"), ExtContext::encrypted_extensions, got));
  EXPECT_TRUE(got.present.empty());
  EXPECT_EQ(hexs(write_block(ExtContext::encrypted_extensions, Extensions{})), "0000");
}

TEST(ExtensionsBlock, LeavesBytesAfterTheBlockToTheCaller) {
  const Bytes b = hex("0000 abcd");
  Reader r(b);
  Extensions got;
  ASSERT_TRUE(parse_extensions(r, ExtContext::encrypted_extensions, got));
  EXPECT_EQ(r.remaining(), 2u);
}

TEST(ExtensionsBlock, DuplicatesAreIllegalParameter) {
  Extensions got;
  Status s = parse_block(block({{10, hex("0002 001d")}, {13, hex("0002 0403")}, {10, hex("0002 0017")}}),
                         ExtContext::client_hello, got);
  ASSERT_FALSE(s);
  EXPECT_EQ(alert_of(s), Alert::illegal_parameter);
  EXPECT_NE(s.error().reason.find("supported_groups"), std::string::npos) << s.error().reason;
  // also for types vouch does not model or know
  EXPECT_EQ(alert_of(parse_block(block({{21, {}}, {21, {}}}), ExtContext::client_hello, got)),
            Alert::illegal_parameter);
  EXPECT_EQ(alert_of(parse_block(block({{kUnknownType, {}}, {kUnknownType, {}}}), ExtContext::client_hello, got)),
            Alert::illegal_parameter);
}

TEST(ExtensionsBlock, MisplacedExtensionsAreIllegalParameter) {
  using C = ExtContext;
  struct M {
    C ctx;
    uint16_t type;
    Bytes body;
  };
  const M cases[] = {
      {C::encrypted_extensions, 51, hex("001d 0001 aa")},  // key_share in EE
      {C::encrypted_extensions, 44, hex("0001 aa")},       // cookie in EE
      {C::encrypted_extensions, 5, {}},                    // status_request in EE
      {C::encrypted_extensions, 23, {}},                   // TLS 1.2-only in EE
      {C::certificate_request, 43, hex("0304")},           // supported_versions in CR
      {C::certificate, 42, {}},                            // early_data in CT
      {C::client_hello, 48, hex("0000")},                  // oid_filters in CH
      {C::hello_retry_request, 41, hex("0000")},           // pre_shared_key in HRR
      {C::server_hello, 44, hex("0001 aa")},               // cookie in SH
      {C::server_hello, 0, {}},                            // server_name in SH
      {C::new_session_ticket, 51, hex("001d")},            // key_share in NST
      {C::server_hello, 11, hex("0100")},                  // ec_point_formats in a TLS 1.3 SH
  };
  for (const M& m : cases) {
    Extensions got;
    const Status s = parse_block(block({{m.type, m.body}}), m.ctx, got);
    EXPECT_EQ(alert_of(s), Alert::illegal_parameter) << m.type << " ctx " << static_cast<int>(m.ctx);
  }
}

TEST(ExtensionsBlock, UnrequestedInTls12ServerHelloIsUnsupportedExtension) {
  // RFC 5246 §7.4.1.4: an extension the client did not request.
  for (uint16_t t : {uint16_t{51}, uint16_t{22}, uint16_t{1}, uint16_t{10}, kUnknownType}) {
    Extensions got;
    EXPECT_EQ(alert_of(parse_block(block({{t, {}}}), ExtContext::server_hello12, got)), Alert::unsupported_extension)
        << t;
  }
}

TEST(ExtensionsBlock, UnknownExtensionIgnoredWhereTheRfcSaysSo) {
  for (ExtContext ctx : {ExtContext::client_hello, ExtContext::certificate_request, ExtContext::new_session_ticket}) {
    Extensions got;
    const Bytes b = block({{kUnknownType, hex("0102030405")}, {0x0a0a, {}}});
    ASSERT_TRUE(parse_block(b, ctx, got)) << static_cast<int>(ctx);
    EXPECT_EQ(got.present, (std::vector<uint16_t>{kUnknownType, 0x0a0a}));
    EXPECT_TRUE(got.has(static_cast<ExtensionType>(kUnknownType)));
  }
}

TEST(ExtensionsBlock, UnknownExtensionRejectedInServerResponses) {
  for (ExtContext ctx : {ExtContext::server_hello, ExtContext::hello_retry_request, ExtContext::encrypted_extensions,
                         ExtContext::certificate, ExtContext::server_hello12}) {
    Extensions got;
    const Status s = parse_block(block({{kUnknownType, {}}}), ctx, got);
    EXPECT_EQ(alert_of(s), Alert::unsupported_extension) << static_cast<int>(ctx);
  }
}

TEST(ExtensionsBlock, KnownButUnmodelledTypesAreRecordedAndSkipped) {
  Extensions got;
  // padding (RFC 7685) and signed_certificate_timestamp in a ClientHello
  ASSERT_TRUE(parse_block(block({{21, Bytes(10, 0)}, {18, {}}}), ExtContext::client_hello, got));
  EXPECT_TRUE(got.has(ExtensionType::padding));
  EXPECT_TRUE(got.has(ExtensionType::signed_certificate_timestamp));
  EXPECT_FALSE(got.has(ExtensionType::key_share));
  // SCT is allowed in a CertificateEntry: recorded for the state machine's
  // "did we ask for it" check.
  ASSERT_TRUE(parse_block(block({{18, hex("0000")}}), ExtContext::certificate, got));
  EXPECT_TRUE(got.has(ExtensionType::signed_certificate_timestamp));
}

TEST(ExtensionsBlock, PreSharedKeyMustBeLastInClientHello) {
  const Bytes psk = hex("0007 0001 aa 00000000 0021 20") + Bytes(32, 9);
  Extensions got;
  size_t binders_length = 99;
  ASSERT_TRUE(parse_block(block({{10, hex("0002 001d")}, {41, psk}}), ExtContext::client_hello, got, &binders_length));
  EXPECT_EQ(binders_length, 2u + 1u + 32u);
  Status s = parse_block(block({{41, psk}, {10, hex("0002 001d")}}), ExtContext::client_hello, got);
  EXPECT_EQ(alert_of(s), Alert::illegal_parameter);
  // even when what follows is an unknown (otherwise ignored) extension
  s = parse_block(block({{41, psk}, {kUnknownType, {}}}), ExtContext::client_hello, got);
  EXPECT_EQ(alert_of(s), Alert::illegal_parameter);
  // In a ServerHello it may appear anywhere (§4.2).
  ASSERT_TRUE(parse_block(block({{41, hex("0000")}, {43, hex("0304")}}), ExtContext::server_hello, got));
  EXPECT_EQ(got.psk_selected_identity, 0);
}

TEST(ExtensionsBlock, BindersLengthIsZeroWithoutPsk) {
  Extensions got;
  size_t binders_length = 99;
  ASSERT_TRUE(parse_block(block({{10, hex("0002 001d")}}), ExtContext::client_hello, got, &binders_length));
  EXPECT_EQ(binders_length, 0u);
}

TEST(ExtensionsBlock, WriterPutsPskLastAndReportsBindersOffset) {
  const Extensions e = sample_client_hello();
  size_t offset = 0;
  const Bytes b = write_block(ExtContext::client_hello, e, &offset);
  Extensions got;
  size_t binders_length = 0;
  ASSERT_TRUE(parse_block(b, ExtContext::client_hello, got, &binders_length));
  EXPECT_EQ(got.present.back(), 41);
  // The binders list is the tail of the block, starting at the offset.
  EXPECT_EQ(offset + binders_length, b.size());
  EXPECT_EQ(hexs(ByteView(b).subspan(offset)),
            "0021"
            "20" +
                hexs(Bytes(32, 0x02)));
  // Without a PSK the offset is reported as 0.
  Extensions no_psk = e;
  no_psk.psk_identities.reset();
  no_psk.psk_binders.clear();
  write_block(ExtContext::client_hello, no_psk, &offset);
  EXPECT_EQ(offset, 0u);
}

TEST(ExtensionsBlock, WriterUsesAFixedOrder) {
  // Client order (NSS's, as in the RFC 8448 traces), pre_shared_key last.
  const Bytes b = write_block(ExtContext::client_hello, sample_client_hello());
  Extensions got;
  ASSERT_TRUE(parse_block(b, ExtContext::client_hello, got));
  EXPECT_EQ(got.present, (std::vector<uint16_t>{0, 10, 16, 5, 51, 43, 13, 45, 41}));
  // Server order for a ServerHello: pre_shared_key, key_share, supported_versions.
  Extensions sh;
  sh.selected_version = ProtocolVersion::tls13;
  sh.key_share = KeyShareEntry{NamedGroup::x25519, Bytes(32, 1)};
  sh.psk_selected_identity = 0;
  ASSERT_TRUE(parse_block(write_block(ExtContext::server_hello, sh), ExtContext::server_hello, got));
  EXPECT_EQ(got.present, (std::vector<uint16_t>{41, 51, 43}));
}

// Every field set: whatever the context, the writer emits exactly the
// modelled extensions the table allows there, and they parse back.
Extensions everything() {
  Extensions e = sample_client_hello();
  e.server_name_ack = true;
  e.status_request_empty = true;
  e.ocsp_response = hex("3003");
  e.status_request_v2 = std::vector<StatusRequestV2Item>{{CertificateStatusType::ocsp_multi, {}},
                                                         {CertificateStatusType::ocsp, {}}};
  e.status_request_v2_empty = true;
  e.signature_algorithms_cert = {SignatureScheme::ed25519};
  e.selected_version = ProtocolVersion::tls13;
  e.key_share = KeyShareEntry{NamedGroup::x25519, Bytes(32, 3)};
  e.key_share_selected_group = NamedGroup::secp384r1;
  e.cookie = hex("0102");
  e.psk_selected_identity = 0;
  e.early_data = true;
  e.max_early_data_size = 1024;
  e.post_handshake_auth = true;
  e.certificate_authorities = std::vector<Bytes>{hex("3000")};
  e.oid_filters = std::vector<OidFilter>{{hex("551d0f"), hex("030205a0")}};
  e.extended_master_secret = true;
  e.renegotiation_info = Bytes{};
  e.ec_point_formats = Bytes{0};
  e.session_ticket = Bytes{};
  return e;
}

TEST(ExtensionsBlock, WriterEmitsOnlyWhatTheTableAllows) {
  const uint16_t modelled[] = {0, 5, 10, 11, 13, 16, 17, 23, 35, 41, 42, 43, 44, 45, 47, 48, 49, 50, 51, 0xff01};
  for (ExtContext ctx : {ExtContext::client_hello, ExtContext::server_hello, ExtContext::hello_retry_request,
                         ExtContext::encrypted_extensions, ExtContext::certificate, ExtContext::certificate_request,
                         ExtContext::new_session_ticket, ExtContext::server_hello12}) {
    SCOPED_TRACE(static_cast<int>(ctx));
    const Bytes b = write_block(ctx, everything());
    Extensions got;
    ASSERT_TRUE(parse_block(b, ctx, got)) << parse_block(b, ctx, got).error().to_string();
    for (uint16_t t : modelled)
      EXPECT_EQ(got.has(static_cast<ExtensionType>(t)), extension_allowed(static_cast<ExtensionType>(t), ctx)) << t;
    EXPECT_EQ(hexs(write_block(ctx, got)), hexs(b));
  }
}

TEST(ExtensionsBlock, ErrorsNameTheMessageAndTheExtension) {
  Extensions got;
  Status s = parse_block(block({{51, hex("001d 0001 aa")}}), ExtContext::encrypted_extensions, got);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().reason.find("EncryptedExtensions"), std::string::npos) << s.error().reason;
  EXPECT_NE(s.error().reason.find("key_share"), std::string::npos) << s.error().reason;
  s = parse_block(block({{10, hex("0003 001d00")}}), ExtContext::client_hello, got);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().reason.find("ClientHello: supported_groups"), std::string::npos) << s.error().reason;
}

TEST(ExtensionsBlock, ParseResetsTheOutput) {
  Extensions got;
  got.server_name = "stale";
  got.present = {1, 2, 3};
  ASSERT_TRUE(parse_block(hex("0000"), ExtContext::client_hello, got));
  EXPECT_FALSE(got.server_name);
  EXPECT_TRUE(got.present.empty());
}

}  // namespace
}  // namespace vouch
