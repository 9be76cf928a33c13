// The RFC 8446 §4.2 "allowed in" table, checked against an independent
// transcription of the RFC's table (TLS 1.3 column) plus the TLS 1.2
// ServerHello column vouch uses.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "ext/extension_codecs.h"
#include "ext/extensions.h"
#include "ext/type_index.h"

namespace vouch {
namespace {

constexpr ExtContext kAllContexts[] = {
    ExtContext::client_hello,         ExtContext::server_hello,   ExtContext::hello_retry_request,
    ExtContext::encrypted_extensions, ExtContext::certificate,    ExtContext::certificate_request,
    ExtContext::new_session_ticket,   ExtContext::server_hello12,
};

const char* token(ExtContext ctx) {
  switch (ctx) {
    case ExtContext::client_hello: return "CH";
    case ExtContext::server_hello: return "SH";
    case ExtContext::hello_retry_request: return "HRR";
    case ExtContext::encrypted_extensions: return "EE";
    case ExtContext::certificate: return "CT";
    case ExtContext::certificate_request: return "CR";
    case ExtContext::new_session_ticket: return "NST";
    case ExtContext::server_hello12: return "SH12";
  }
  return "?";
}

bool listed(const std::string& contexts, ExtContext ctx) {
  std::istringstream in(contexts);
  std::string t;
  while (in >> t)
    if (t == token(ctx)) return true;
  return false;
}

struct Expected {
  uint16_t type;
  const char* name;
  const char* contexts;  // space-separated tokens
};

// Transcribed from RFC 8446 §4.2 (page 37); the SH12 column from RFC 6066 §3
// and §8, RFC 7301 §3.1, RFC 7627 §5.1, RFC 5077 §3.2, RFC 5746 §3.6, RFC 8422
// §5.2, RFC 6961 §2.2. TLS 1.2-only extensions: CH only (plus SH12 where
// vouch offers them).
const Expected kExpected[] = {
    {0, "server_name", "CH EE SH12"},
    {1, "max_fragment_length", "CH EE"},
    {5, "status_request", "CH CR CT SH12"},
    {10, "supported_groups", "CH EE"},
    {11, "ec_point_formats", "CH SH12"},
    {13, "signature_algorithms", "CH CR"},
    {14, "use_srtp", "CH EE"},
    {15, "heartbeat", "CH EE"},
    {16, "application_layer_protocol_negotiation", "CH EE SH12"},
    {17, "status_request_v2", "CH SH12"},  // RFC 6961 §2.2: empty in the TLS 1.2 ServerHello
    {18, "signed_certificate_timestamp", "CH CR CT"},
    {19, "client_certificate_type", "CH EE"},
    {20, "server_certificate_type", "CH EE"},
    {21, "padding", "CH"},
    {22, "encrypt_then_mac", "CH"},
    {23, "extended_master_secret", "CH SH12"},
    {35, "session_ticket", "CH SH12"},
    {41, "pre_shared_key", "CH SH"},
    {42, "early_data", "CH EE NST"},
    {43, "supported_versions", "CH SH HRR"},
    {44, "cookie", "CH HRR"},
    {45, "psk_key_exchange_modes", "CH"},
    {47, "certificate_authorities", "CH CR"},
    {48, "oid_filters", "CR"},
    {49, "post_handshake_auth", "CH"},
    {50, "signature_algorithms_cert", "CH CR"},
    {51, "key_share", "CH SH HRR"},
    {0xff01, "renegotiation_info", "CH SH12"},
};

TEST(ExtensionTable, MatchesTheRfcTableForEveryKnownType) {
  for (const Expected& e : kExpected) {
    EXPECT_TRUE(extension_known(e.type)) << e.name;
    EXPECT_STREQ(extension_name(e.type), e.name);
    for (ExtContext ctx : kAllContexts) {
      EXPECT_EQ(extension_allowed(static_cast<ExtensionType>(e.type), ctx), listed(e.contexts, ctx))
          << e.name << " in " << token(ctx);
    }
  }
}

TEST(ExtensionTable, EveryEnumeratorIsInTheExpectation) {
  // 28 enumerators in ext/extension_type.h; if one is added, this test and
  // the table must grow together.
  EXPECT_EQ(std::size(kExpected), 28u);
  size_t known = 0;
  for (uint32_t t = 0; t <= 0xFFFF; ++t) known += extension_known(static_cast<uint16_t>(t)) ? 1 : 0;
  EXPECT_EQ(known, std::size(kExpected));
}

TEST(ExtensionTable, UnknownTypesOnlyWhereTheRfcSaysIgnore) {
  // record_size_limit (RFC 8449, not implemented), a GREASE value (RFC 8701),
  // encrypted_client_hello, and an unassigned value.
  for (uint16_t t : {uint16_t{28}, uint16_t{0x0a0a}, uint16_t{0xfe0d}, uint16_t{0x7777}}) {
    EXPECT_FALSE(extension_known(t));
    EXPECT_STREQ(extension_name(t), "unknown");
    for (ExtContext ctx : kAllContexts) {
      const bool expect = ctx == ExtContext::client_hello || ctx == ExtContext::certificate_request ||
                          ctx == ExtContext::new_session_ticket;
      EXPECT_EQ(extension_allowed(static_cast<ExtensionType>(t), ctx), expect) << t << " in " << token(ctx);
    }
  }
}

TEST(ExtensionTable, ClientHelloAcceptsEveryKnownExtension) {
  // The ClientHello precedes version negotiation, so TLS 1.2 extensions are
  // legitimate there too.
  for (const Expected& e : kExpected) {
    if (e.type == 48) continue;  // oid_filters: CertificateRequest only
    EXPECT_TRUE(extension_allowed(static_cast<ExtensionType>(e.type), ExtContext::client_hello)) << e.name;
  }
  EXPECT_FALSE(extension_allowed(ExtensionType::oid_filters, ExtContext::client_hello));
}

TEST(ExtensionTable, Tls12OnlyExtensionsNeverInTls13ServerMessages) {
  const ExtensionType tls12_only[] = {ExtensionType::ec_point_formats, ExtensionType::extended_master_secret,
                                      ExtensionType::session_ticket,   ExtensionType::renegotiation_info,
                                      ExtensionType::encrypt_then_mac, ExtensionType::status_request_v2};
  const ExtContext tls13_server[] = {ExtContext::server_hello,         ExtContext::hello_retry_request,
                                     ExtContext::encrypted_extensions, ExtContext::certificate,
                                     ExtContext::certificate_request,  ExtContext::new_session_ticket};
  for (ExtensionType t : tls12_only)
    for (ExtContext ctx : tls13_server)
      EXPECT_FALSE(extension_allowed(t, ctx)) << static_cast<int>(t) << " in " << token(ctx);
}

// The compile-time index the tables are looked up through: every row found
// by its type (through the index below 64, by walking above it), nothing
// found for types without a row, whatever their value.
struct IndexRow {
  uint16_t type;
  int value;
};
constexpr IndexRow kIndexRows[] = {{0, 10}, {5, 11}, {63, 12}, {64, 13}, {0xff01, 14}, {51, 15}};
constexpr ExtensionTypeIndex kRowIndex = index_by_type(kIndexRows);

TEST(ExtensionTypeIndex, FindsEveryRowAndNothingElse) {
  for (const IndexRow& row : kIndexRows) {
    const IndexRow* found = find_by_type(kIndexRows, kRowIndex, row.type);
    ASSERT_NE(found, nullptr) << row.type;
    EXPECT_EQ(found, &row);
    EXPECT_EQ(found->value, row.value);
  }
  for (uint32_t type = 0; type <= 0xffff; ++type) {
    const bool has_row = type == 0 || type == 5 || type == 63 || type == 64 || type == 0xff01 || type == 51;
    EXPECT_EQ(find_by_type(kIndexRows, kRowIndex, static_cast<uint16_t>(type)) != nullptr, has_row) << type;
  }
  static_assert(find_by_type(kIndexRows, kRowIndex, 63)->value == 12);
  static_assert(find_by_type(kIndexRows, kRowIndex, 62) == nullptr);
}

// The real tables through the index: every known code point, including
// renegotiation_info above the indexed range, and GREASE values (RFC 8701)
// and other unknown types, which only a ClientHello, CertificateRequest or
// NewSessionTicket tolerates.
TEST(ExtensionTypeIndex, KnownTypesAboveAndBelowTheIndexedRange) {
  EXPECT_TRUE(extension_known(static_cast<uint16_t>(ExtensionType::renegotiation_info)));
  EXPECT_TRUE(extension_known(static_cast<uint16_t>(ExtensionType::key_share)));
  EXPECT_STREQ(extension_name(0xff01), "renegotiation_info");
  EXPECT_STREQ(extension_name(51), "key_share");
  for (uint16_t grease : {0x0a0a, 0x1a1a, 0xfafa, 0x40, 0x3f, 0xffff}) {
    EXPECT_FALSE(extension_known(grease)) << grease;
    EXPECT_STREQ(extension_name(grease), "unknown");
    EXPECT_TRUE(extension_allowed(static_cast<ExtensionType>(grease), ExtContext::client_hello));
    EXPECT_FALSE(extension_allowed(static_cast<ExtensionType>(grease), ExtContext::server_hello));
  }
}

}  // namespace
}  // namespace vouch
