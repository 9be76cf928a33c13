// status_request_v2 (RFC 6961 §2.2): multiple certificate status, TLS 1.2
// only.
//
//   struct {
//     CertificateStatusType status_type;
//     uint16 request_length; /* Length of request field in bytes */
//     select (status_type) {
//       case ocsp: OCSPStatusRequest;
//       case ocsp_multi: OCSPStatusRequest;
//     } request;
//   } CertificateStatusRequestItemV2;
//   enum { ocsp(1), ocsp_multi(2), (255) } CertificateStatusType;
//   struct {
//     CertificateStatusRequestItemV2 certificate_status_req_list<1..2^16-1>;
//   } CertificateStatusRequestListV2;
//
// Forms: ClientHello → CertificateStatusRequestListV2; TLS 1.2 ServerHello →
// empty (§2.2: "the server MUST have included an extension of type
// "status_request_v2" with empty "extension_data" in the extended server
// hello"). TLS 1.3 has no place for it — RFC 8446 §4.4.2.1 staples per
// CertificateEntry instead — so the table allows it in CH and SH12 only.
//
// Decisions the RFC leaves open:
//  * An item of a status type vouch does not know is skipped:
//    request_length exists so that a server can step over a request it
//    cannot interpret (§1: the list lets a client offer "multiple status
//    methods", including future ones).
//  * The same known status type twice is illegal_parameter: the list
//    ranks distinct methods (§2.2 "ordered according to the client's
//    preference"), a repeat has no meaning, and RFC 5246 §7.2.2 names
//    illegal_parameter for "a field in the handshake ... inconsistent with
//    other fields" — the alert vouch also sends for a repeated extension
//    (RFC 8446 §4.2).
//  * request_length that does not match its OCSPStatusRequest (either way)
//    is decode_error.
#include "ext/extension_codecs.h"

namespace vouch {
namespace {

bool known_status_type(uint8_t t) {
  return t == static_cast<uint8_t>(CertificateStatusType::ocsp) ||
         t == static_cast<uint8_t>(CertificateStatusType::ocsp_multi);
}

const char* status_type_name(CertificateStatusType t) {
  return t == CertificateStatusType::ocsp ? "ocsp(1)" : "ocsp_multi(2)";
}

Status parse_request_list(Reader& body, Extensions& out) {
  Reader list;
  if (!body.prefixed16(list))
    return fail(Alert::decode_error, "status_request_v2: truncated certificate_status_req_list");
  // certificate_status_req_list<1..2^16-1>
  if (list.empty()) return fail(Alert::decode_error, "status_request_v2: empty certificate_status_req_list");
  std::vector<StatusRequestV2Item> items;
  // Every item takes at least three bytes (type and request_length), so the
  // loop ends.
  while (!list.empty()) {
    uint8_t type = 0;
    Reader request;
    if (!list.u8(type) || !list.prefixed16(request))
      return fail(Alert::decode_error,
                  "status_request_v2: truncated CertificateStatusRequestItemV2 (request_length runs past the list)");
    if (!known_status_type(type)) continue;  // skipped by its request_length
    StatusRequestV2Item item;
    item.status_type = static_cast<CertificateStatusType>(type);
    for (const StatusRequestV2Item& seen : items)
      if (seen.status_type == item.status_type)
        return fail(Alert::illegal_parameter,
                    std::string("status_request_v2: status_type ") + status_type_name(item.status_type) +
                        " listed twice");
    VOUCH_TRY(parse_ocsp_status_request(request, "status_request_v2", item.request));
    if (!request.empty())
      return fail(Alert::decode_error, "status_request_v2: request_length is longer than its OCSPStatusRequest");
    items.push_back(std::move(item));
  }
  out.status_request_v2 = std::move(items);
  return {};
}

}  // namespace

Status parse_status_request_v2(Reader& body, ExtContext ctx, Extensions& out) {
  if (ctx == ExtContext::client_hello) return parse_request_list(body, out);
  // server_hello12, the only other context the table allows.
  if (!body.empty()) return fail(Alert::decode_error, "status_request_v2: body must be empty in a ServerHello");
  out.status_request_v2_empty = true;
  return {};
}

void write_status_request_v2(Writer& w, ExtContext ctx, const Extensions& ext) {
  if (ctx == ExtContext::client_hello) {
    if (!ext.status_request_v2 || ext.status_request_v2->empty()) return;
    put_extension(w, ExtensionType::status_request_v2, [&] {
      w.prefixed16([&] {
        for (const StatusRequestV2Item& item : *ext.status_request_v2) {
          w.u8(static_cast<uint8_t>(item.status_type));
          w.prefixed16([&] { write_ocsp_status_request(w, item.request); });  // request_length
        }
      });
    });
    return;
  }
  if (ext.status_request_v2_empty) put_extension(w, ExtensionType::status_request_v2, [] {});
}

}  // namespace vouch
