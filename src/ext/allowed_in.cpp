// The "which extension may appear in which message" table: one row per
// extension code point vouch knows, one bit per message (picotls-style). It
// is consulted in exactly one place, parse_extensions(), and by
// write_extensions() so that we never send what we would reject.
//
// TLS 1.3 columns (CH, SH, HRR, EE, CT, CR, NST): RFC 8446 §4.2, the table
// after "The table below indicates the messages where a given extension may
// appear". Extensions that table does not list are TLS 1.2-only (their
// IANA "TLS 1.3" column is "-", RFC 8446 §11): they may still arrive in a
// ClientHello, which is sent before the version is negotiated, but in no
// TLS 1.3 server message.
//
// SH12 column (TLS 1.2 ServerHello): the extensions a vouch TLS 1.2 client
// offers and for which the defining RFC specifies a ServerHello response.
// RFC 5246 §7.4.1.4: a client MUST abort if the ServerHello carries an
// extension it did not request, so types we never offer (encrypt_then_mac,
// max_fragment_length, heartbeat, ...) are not allowed there.

#include "ext/extension_codecs.h"
#include "ext/extensions.h"
#include "ext/type_index.h"

namespace vouch {
namespace {

enum : uint16_t {
  CH = 1u << static_cast<unsigned>(ExtContext::client_hello),
  SH = 1u << static_cast<unsigned>(ExtContext::server_hello),
  HRR = 1u << static_cast<unsigned>(ExtContext::hello_retry_request),
  EE = 1u << static_cast<unsigned>(ExtContext::encrypted_extensions),
  CT = 1u << static_cast<unsigned>(ExtContext::certificate),
  CR = 1u << static_cast<unsigned>(ExtContext::certificate_request),
  NST = 1u << static_cast<unsigned>(ExtContext::new_session_ticket),
  SH12 = 1u << static_cast<unsigned>(ExtContext::server_hello12),
};

struct Row {
  ExtensionType type;
  const char* name;
  uint16_t allowed;  // bitmask of the contexts above
};

using T = ExtensionType;

// Each row: RFC 8446 §4.2 TLS 1.3 column | SH12 source.
constexpr Row kTable[] = {
    // §4.2: CH, EE | RFC 6066 §3: the server's empty server_name in ServerHello.
    {T::server_name, "server_name", CH | EE | SH12},
    // §4.2: CH, EE | never offered by vouch → not in SH12.
    {T::max_fragment_length, "max_fragment_length", CH | EE},
    // §4.2: CH, CR, CT | RFC 6066 §8: empty status_request in ServerHello.
    {T::status_request, "status_request", CH | CR | CT | SH12},
    // §4.2: CH, EE | RFC 8422 §5.2: a TLS 1.2 server does not send it.
    {T::supported_groups, "supported_groups", CH | EE},
    // Not in the §4.2 table (TLS 1.2 only) | RFC 8422 §5.2: ServerHello.
    {T::ec_point_formats, "ec_point_formats", CH | SH12},
    // §4.2: CH, CR | RFC 5246 §7.4.1.4.1: servers MUST NOT send it.
    {T::signature_algorithms, "signature_algorithms", CH | CR},
    // §4.2: CH, EE | never offered.
    {T::use_srtp, "use_srtp", CH | EE},
    // §4.2: CH, EE | never offered.
    {T::heartbeat, "heartbeat", CH | EE},
    // §4.2: CH, EE | RFC 7301 §3.1: the selected protocol in ServerHello.
    {T::application_layer_protocol_negotiation, "application_layer_protocol_negotiation", CH | EE | SH12},
    // Not in the §4.2 table (RFC 8446 §4.4.2.1 uses status_request instead,
    // so no TLS 1.3 server message may carry it) | RFC 6961 §2.2: empty
    // status_request_v2 in ServerHello.
    {T::status_request_v2, "status_request_v2", CH | SH12},
    // §4.2: CH, CR, CT | never offered.
    {T::signed_certificate_timestamp, "signed_certificate_timestamp", CH | CR | CT},
    // §4.2: CH, EE | never offered.
    {T::client_certificate_type, "client_certificate_type", CH | EE},
    // §4.2: CH, EE | never offered.
    {T::server_certificate_type, "server_certificate_type", CH | EE},
    // §4.2: CH | client-only (RFC 7685 §3).
    {T::padding, "padding", CH},
    // Not in the §4.2 table (TLS 1.2 only) | never offered by vouch.
    {T::encrypt_then_mac, "encrypt_then_mac", CH},
    // Not in the §4.2 table (TLS 1.2 only) | RFC 7627 §5.1: ServerHello.
    {T::extended_master_secret, "extended_master_secret", CH | SH12},
    // Not in the §4.2 table (TLS 1.2 only) | RFC 5077 §3.2: ServerHello.
    {T::session_ticket, "session_ticket", CH | SH12},
    // §4.2: CH, SH | TLS 1.3 only.
    {T::pre_shared_key, "pre_shared_key", CH | SH},
    // §4.2: CH, EE, NST | TLS 1.3 only.
    {T::early_data, "early_data", CH | EE | NST},
    // §4.2: CH, SH, HRR | TLS 1.3 only (its presence is what makes a ServerHello TLS 1.3).
    {T::supported_versions, "supported_versions", CH | SH | HRR},
    // §4.2: CH, HRR | TLS 1.3 only.
    {T::cookie, "cookie", CH | HRR},
    // §4.2: CH | TLS 1.3 only.
    {T::psk_key_exchange_modes, "psk_key_exchange_modes", CH},
    // §4.2: CH, CR | TLS 1.3 only.
    {T::certificate_authorities, "certificate_authorities", CH | CR},
    // §4.2: CR | TLS 1.3 only.
    {T::oid_filters, "oid_filters", CR},
    // §4.2: CH | TLS 1.3 only.
    {T::post_handshake_auth, "post_handshake_auth", CH},
    // §4.2: CH, CR | TLS 1.3 only.
    {T::signature_algorithms_cert, "signature_algorithms_cert", CH | CR},
    // §4.2: CH, SH, HRR | TLS 1.3 only.
    {T::key_share, "key_share", CH | SH | HRR},
    // Not in the §4.2 table (TLS 1.3 forbids renegotiation) | RFC 5746 §3.6: ServerHello.
    {T::renegotiation_info, "renegotiation_info", CH | SH12},
};

// Where an extension we do not recognise is tolerated (and skipped):
//  * CH: RFC 8446 §4.1.2 "Servers MUST ignore unrecognized extensions"
//    (and RFC 8701 GREASE relies on it);
//  * CR: §4.3.2 "Clients MUST ignore unrecognized extensions";
//  * NST: §4.6.1 "Clients MUST ignore unrecognized extensions" (and §9.3).
// Everywhere else it is a response we never requested: §4.2 (and RFC 5246
// §7.4.1.4 for SH12) → unsupported_extension.
constexpr uint16_t kUnknownAllowed = CH | CR | NST;

constexpr ExtensionTypeIndex kIndex = index_by_type(kTable);

const Row* find_row(uint16_t type) { return find_by_type(kTable, kIndex, type); }

uint16_t bit(ExtContext ctx) { return static_cast<uint16_t>(1u << static_cast<unsigned>(ctx)); }

}  // namespace

bool extension_allowed(ExtensionType type, ExtContext ctx) {
  const Row* row = find_row(static_cast<uint16_t>(type));
  const uint16_t mask = row ? row->allowed : kUnknownAllowed;
  return (mask & bit(ctx)) != 0;
}

const char* extension_name(uint16_t type) {
  const Row* row = find_row(type);
  return row ? row->name : "unknown";
}

bool extension_known(uint16_t type) { return find_row(type) != nullptr; }

bool extension_tls12_only(uint16_t type) {
  const Row* row = find_row(type);
  return row != nullptr && (row->allowed & SH12) != 0 && (row->allowed & ~(CH | SH12)) == 0;
}

}  // namespace vouch
