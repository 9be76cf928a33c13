// The parsed extensions of one handshake message, and the RFC 8446 §4.2
// "which extension may appear in which message" table (picotls-style: one
// table, checked in one place).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/reader.h"
#include "base/writer.h"
#include "ext/extension_type.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// The message an extensions block belongs to: the §4.2 table's columns
/// (CH, SH, EE, CT, CR, NST, HRR), plus TLS 1.2's ServerHello.
enum class ExtContext : uint8_t {
  client_hello,
  server_hello,
  hello_retry_request,
  encrypted_extensions,
  certificate,          // CertificateEntry extensions
  certificate_request,
  new_session_ticket,
  server_hello12,       // TLS 1.2 ServerHello (RFC 5246 §7.4.1.4)
};

/// True if `type` may appear in `ctx` according to RFC 8446 §4.2 (for
/// server_hello12: RFC 5246 / RFC 6066 / RFC 7627 / RFC 5746 / RFC 8422 rules).
/// Unknown types are "allowed" in client_hello (to be ignored, RFC 8701), in
/// certificate_request (§4.3.2: "Clients MUST ignore unrecognized
/// extensions") and in new_session_ticket (§4.6.1: likewise), and not allowed
/// anywhere else.
bool extension_allowed(ExtensionType type, ExtContext ctx);

struct KeyShareEntry {
  NamedGroup group{};
  Bytes key_exchange;
};

struct PskIdentity {
  Bytes identity;
  uint32_t obfuscated_ticket_age = 0;
};

struct OidFilter {
  Bytes certificate_extension_oid;     // DER contents of the OID (no tag)
  Bytes certificate_extension_values;  // DER
};

/// status_request in a ClientHello (RFC 6066 §8): CertificateStatusRequest
/// with status_type ocsp(1).
struct OcspStatusRequest {
  std::vector<Bytes> responder_id_list;  // each a DER ResponderID
  Bytes request_extensions;              // DER Extensions, may be empty
};

/// CertificateStatusType (RFC 6066 §8, extended by RFC 6961 §2.2):
///   enum { ocsp(1), ocsp_multi(2), (255) } CertificateStatusType;
enum class CertificateStatusType : uint8_t {
  ocsp = 1,        // the leaf's status (RFC 6066 §8)
  ocsp_multi = 2,  // one status per certificate of the chain (RFC 6961 §2.2)
};

/// One item of status_request_v2 in a ClientHello (RFC 6961 §2.2
/// CertificateStatusRequestItemV2) whose status_type vouch knows; both
/// types carry an OCSPStatusRequest.
struct StatusRequestV2Item {
  CertificateStatusType status_type = CertificateStatusType::ocsp_multi;
  OcspStatusRequest request;
};

/// Every extension vouch understands, parsed. A field is set (optional has a
/// value / flag is true) iff the extension was present. Which form a field
/// takes depends on the ExtContext it was parsed in; the comment says where.
struct Extensions {
  // server_name (RFC 6066 §3). CH: the host_name. EE/SH12: empty ack.
  std::optional<std::string> server_name;  // CH
  bool server_name_ack = false;            // EE, SH12

  // status_request (RFC 6066 §8; RFC 8446 §4.4.2.1).
  std::optional<OcspStatusRequest> status_request;  // CH
  bool status_request_empty = false;                // CR, SH12: empty body
  std::optional<Bytes> ocsp_response;               // CT: CertificateStatus body's OCSPResponse (DER)

  // status_request_v2 (RFC 6961 §2.2), TLS 1.2 only. CH: the items of known
  // status types in the client's order of preference (empty when it listed
  // only types vouch does not know). SH12: the empty acknowledgement.
  std::optional<std::vector<StatusRequestV2Item>> status_request_v2;  // CH
  bool status_request_v2_empty = false;                               // SH12

  std::optional<std::vector<NamedGroup>> supported_groups;             // CH, EE
  std::optional<std::vector<SignatureScheme>> signature_algorithms;    // CH, CR
  std::optional<std::vector<SignatureScheme>> signature_algorithms_cert;  // CH, CR
  std::optional<std::vector<std::string>> alpn;  // CH: offered list; EE/SH12: exactly one
  std::optional<std::vector<ProtocolVersion>> supported_versions;  // CH
  std::optional<ProtocolVersion> selected_version;                 // SH, HRR

  std::optional<std::vector<KeyShareEntry>> key_shares;  // CH (may be empty list)
  std::optional<KeyShareEntry> key_share;                 // SH
  std::optional<NamedGroup> key_share_selected_group;     // HRR

  std::optional<Bytes> cookie;                             // CH, HRR (non-empty)
  std::optional<std::vector<uint8_t>> psk_key_exchange_modes;  // CH

  // pre_shared_key (§4.2.11). CH: identities + binders (must be the last
  // extension); SH: the selected identity index.
  std::optional<std::vector<PskIdentity>> psk_identities;  // CH
  std::vector<Bytes> psk_binders;                           // CH
  std::optional<uint16_t> psk_selected_identity;            // SH

  bool early_data = false;                          // CH, EE
  std::optional<uint32_t> max_early_data_size;      // NST
  bool post_handshake_auth = false;                 // CH
  std::optional<std::vector<Bytes>> certificate_authorities;  // CH, CR: DER DistinguishedNames
  std::optional<std::vector<OidFilter>> oid_filters;          // CR

  bool extended_master_secret = false;         // CH, SH12 (RFC 7627)
  std::optional<Bytes> renegotiation_info;     // CH, SH12 (RFC 5746)
  std::optional<std::vector<uint8_t>> ec_point_formats;  // CH, SH12 (RFC 8422)
  std::optional<Bytes> session_ticket;         // CH, SH12 (RFC 5077)

  /// CH only: the first TLS 1.2-only extension (one RFC 8446 §4.2's table
  /// does not list and a TLS 1.2 ServerHello answers: ec_point_formats,
  /// extended_master_secret, renegotiation_info, session_ticket,
  /// status_request_v2) whose body did not parse, as the error its parser
  /// returned. Such an extension means nothing once TLS 1.3 is negotiated,
  /// and a TLS 1.3 server ignores it; a TLS 1.2 server refuses the hello
  /// with this error. Its field above stays unset; its type is in `present`.
  std::optional<Error> malformed12;

  /// Every extension type present, in wire order (known or not). Used to
  /// check "responses only to what we requested" (§4.2) and for diagnostics.
  std::vector<uint16_t> present;

  bool has(ExtensionType t) const;
};

/// Parses an extensions block — the u16-length-prefixed vector — from r for
/// message ctx. Errors (all with a reason naming the extension):
///  * block or an extension body malformed / trailing bytes → decode_error;
///  * the same type twice → illegal_parameter (§4.2: "There MUST NOT be more
///    than one extension of the same type in a given extension block");
///  * a type not allowed in ctx by the table → illegal_parameter (§4.2:
///    "If an implementation receives an extension which it recognizes and
///    which is not specified for the message in which it appears, it MUST
///    abort the handshake with an illegal_parameter alert"); an unknown type
///    in a server message → unsupported_extension (§4.2, we never request
///    unknown extensions); in a TLS 1.2 ServerHello any extension outside the
///    table → unsupported_extension (RFC 5246 §7.4.1.4);
///  * pre_shared_key not last in a ClientHello → illegal_parameter (§4.2.11).
/// Unknown extensions in a ClientHello/CertificateRequest are skipped. In a
/// ClientHello, the body of a TLS 1.2-only extension that does not parse is
/// not an error: it is recorded in `malformed12` for the version that is
/// negotiated to judge (the version is chosen after the parse).
/// `binders_length`, if non-null, receives the size in bytes of the PSK
/// binders list including its u16 length (0 if no pre_shared_key). Because
/// pre_shared_key is last, these are the final bytes of the ClientHello, and
/// the truncated ClientHello for binder computation (§4.2.11.2) is the
/// message minus that many bytes.
Status parse_extensions(Reader& r, ExtContext ctx, Extensions& out,
                        size_t* binders_length = nullptr);

/// Writes the extensions block (with its u16 length) for ctx: every field that
/// is set and allowed in ctx, in a fixed order with pre_shared_key last.
/// `binders_offset`, if non-null, receives the offset in w's buffer at which the
/// binders list starts (so the client can patch binders after hashing).
void write_extensions(Writer& w, ExtContext ctx, const Extensions& ext,
                      size_t* binders_offset = nullptr);

}  // namespace vouch
