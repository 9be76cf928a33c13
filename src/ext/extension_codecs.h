// Internal: the per-extension body codecs behind parse_extensions() and
// write_extensions(), and the name/"is it known" lookups of the §4.2 table.
//
// Every extension has one file in src/ext/ with two functions:
//
//   Status parse_X(Reader& body, ExtContext ctx, Extensions& out);
//     Parses extension_data (the Reader covers exactly that) in the form that
//     `ctx` uses and stores it in `out`. Called only for a ctx in which the
//     table allows X. Bytes left in `body` afterwards are reported by the
//     caller as decode_error, so a parser may stop at the end of its struct.
//
//   void write_X(Writer& w, ExtContext ctx, const Extensions& ext);
//     Appends the whole extension (type, u16 length, body) if `ext` holds a
//     value for X in the form that `ctx` uses; appends nothing otherwise.
//     The caller has already checked that the table allows X in ctx.
//
// Writers trust their input (they serialise what the local side built);
// parsers trust nothing.
#pragma once

#include <cstdint>

#include "base/reader.h"
#include "base/writer.h"
#include "ext/extensions.h"

namespace vouch {

/// The RFC name of an extension type ("key_share"), or "unknown" for a type
/// that has no row in the table.
const char* extension_name(uint16_t type);

/// True if `type` has a row in the table (an enumerator of ExtensionType).
bool extension_known(uint16_t type);

/// True for an extension of TLS 1.2 only that a ClientHello may carry and a
/// TLS 1.2 ServerHello answers (the table allows it in CH and SH12 and in no
/// TLS 1.3 message: ec_point_formats, extended_master_secret,
/// renegotiation_info, session_ticket, status_request_v2).
bool extension_tls12_only(uint16_t type);

/// Appends `type || u16 length || body()`; the helper every write_X uses.
template <class F>
void put_extension(Writer& w, ExtensionType type, F&& body) {
  w.u16(static_cast<uint16_t>(type));
  w.prefixed16(body);
}

// RFC 6066 §3
Status parse_server_name(Reader& body, ExtContext ctx, Extensions& out);
void write_server_name(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 6066 §8, RFC 8446 §4.4.2.1
Status parse_status_request(Reader& body, ExtContext ctx, Extensions& out);
void write_status_request(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 6066 §8's OCSPStatusRequest, shared by status_request and
// status_request_v2 (RFC 6961 §2.2). The parser reads one OCSPStatusRequest
// from `body` (an empty ResponderID or any truncation → decode_error, the
// reason starting with `extension`); bytes after it are left in `body`.
Status parse_ocsp_status_request(Reader& body, const char* extension, OcspStatusRequest& out);
void write_ocsp_status_request(Writer& w, const OcspStatusRequest& request);

// RFC 6961 §2.2
Status parse_status_request_v2(Reader& body, ExtContext ctx, Extensions& out);
void write_status_request_v2(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.7
Status parse_supported_groups(Reader& body, ExtContext ctx, Extensions& out);
void write_supported_groups(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.3 (both signature_algorithms and signature_algorithms_cert)
Status parse_signature_algorithms(Reader& body, ExtContext ctx, Extensions& out);
void write_signature_algorithms(Writer& w, ExtContext ctx, const Extensions& ext);
Status parse_signature_algorithms_cert(Reader& body, ExtContext ctx, Extensions& out);
void write_signature_algorithms_cert(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 7301 §3.1
Status parse_alpn(Reader& body, ExtContext ctx, Extensions& out);
void write_alpn(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.1
Status parse_supported_versions(Reader& body, ExtContext ctx, Extensions& out);
void write_supported_versions(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.8
Status parse_key_share(Reader& body, ExtContext ctx, Extensions& out);
void write_key_share(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.2
Status parse_cookie(Reader& body, ExtContext ctx, Extensions& out);
void write_cookie(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.9
Status parse_psk_key_exchange_modes(Reader& body, ExtContext ctx, Extensions& out);
void write_psk_key_exchange_modes(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.11. binders_offset (CH only, may be null) receives the offset
// in w's buffer of the binders list's u16 length.
Status parse_pre_shared_key(Reader& body, ExtContext ctx, Extensions& out);
void write_pre_shared_key(Writer& w, ExtContext ctx, const Extensions& ext, size_t* binders_offset = nullptr);

// RFC 8446 §4.2.10
Status parse_early_data(Reader& body, ExtContext ctx, Extensions& out);
void write_early_data(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.6
Status parse_post_handshake_auth(Reader& body, ExtContext ctx, Extensions& out);
void write_post_handshake_auth(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.4
Status parse_certificate_authorities(Reader& body, ExtContext ctx, Extensions& out);
void write_certificate_authorities(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8446 §4.2.5
Status parse_oid_filters(Reader& body, ExtContext ctx, Extensions& out);
void write_oid_filters(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 7627 §5.1
Status parse_extended_master_secret(Reader& body, ExtContext ctx, Extensions& out);
void write_extended_master_secret(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 5746 §3.2
Status parse_renegotiation_info(Reader& body, ExtContext ctx, Extensions& out);
void write_renegotiation_info(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 8422 §5.1.2
Status parse_ec_point_formats(Reader& body, ExtContext ctx, Extensions& out);
void write_ec_point_formats(Writer& w, ExtContext ctx, const Extensions& ext);

// RFC 5077 §3.2
Status parse_session_ticket(Reader& body, ExtContext ctx, Extensions& out);
void write_session_ticket(Writer& w, ExtContext ctx, const Extensions& ext);

}  // namespace vouch
