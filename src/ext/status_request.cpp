// status_request (RFC 6066 §8; TLS 1.3 placement RFC 8446 §4.4.2.1).
//
//   struct { CertificateStatusType status_type; select (status_type) {
//            case ocsp: OCSPStatusRequest; } request; } CertificateStatusRequest;
//   opaque ResponderID<1..2^16-1>;
//   opaque Extensions<0..2^16-1>;
//   struct { ResponderID responder_id_list<0..2^16-1>; Extensions request_extensions; } OCSPStatusRequest;
//   struct { CertificateStatusType status_type; select (status_type) {
//            case ocsp: OCSPResponse; } response; } CertificateStatus;
//   opaque OCSPResponse<1..2^24-1>;
//
// Forms: ClientHello → CertificateStatusRequest; CertificateRequest (§4.4.2.1
// "an empty status_request extension") and TLS 1.2 ServerHello (RFC 6066 §8
// "the server MUST include an extension of type status_request with empty
// extension_data") → empty; CertificateEntry (§4.4.2.1) → CertificateStatus.
#include "ext/extension_codecs.h"

namespace vouch {
namespace {

constexpr uint8_t kStatusTypeOcsp = 1;

Status parse_request(Reader& body, Extensions& out) {
  uint8_t status_type = 0;
  if (!body.u8(status_type)) return fail(Alert::decode_error, "status_request: missing status_type");
  if (status_type != kStatusTypeOcsp) {
    // A request type we do not know: its body cannot be interpreted, and a
    // server simply does not answer it. Recorded as present, not parsed.
    (void)body.skip(body.remaining());
    return {};
  }
  OcspStatusRequest req;
  VOUCH_TRY(parse_ocsp_status_request(body, "status_request", req));
  out.status_request = std::move(req);
  return {};
}

Status parse_response(Reader& body, Extensions& out) {
  uint8_t status_type = 0;
  if (!body.u8(status_type)) return fail(Alert::decode_error, "status_request: missing status_type");
  if (status_type != kStatusTypeOcsp)
    return fail(Alert::decode_error, "status_request: CertificateStatus type is not ocsp(1)");
  Bytes response;
  if (!body.copy_prefixed24(response)) return fail(Alert::decode_error, "status_request: truncated OCSPResponse");
  if (response.empty()) return fail(Alert::decode_error, "status_request: empty OCSPResponse");
  out.ocsp_response = std::move(response);
  return {};
}

}  // namespace

Status parse_ocsp_status_request(Reader& body, const char* extension, OcspStatusRequest& out) {
  out = OcspStatusRequest{};
  const std::string name(extension);
  Reader ids;
  if (!body.prefixed16(ids)) return fail(Alert::decode_error, name + ": truncated responder_id_list");
  // ResponderID<1..2^16-1>: each entry takes at least three bytes, so the
  // loop ends.
  while (!ids.empty()) {
    Bytes id;
    if (!ids.copy_prefixed16(id)) return fail(Alert::decode_error, name + ": truncated ResponderID");
    if (id.empty()) return fail(Alert::decode_error, name + ": empty ResponderID");
    out.responder_id_list.push_back(std::move(id));
  }
  if (!body.copy_prefixed16(out.request_extensions))
    return fail(Alert::decode_error, name + ": truncated request_extensions");
  return {};
}

void write_ocsp_status_request(Writer& w, const OcspStatusRequest& request) {
  w.prefixed16([&] {
    for (const Bytes& id : request.responder_id_list) w.vec16(id);
  });
  w.vec16(request.request_extensions);
}

Status parse_status_request(Reader& body, ExtContext ctx, Extensions& out) {
  switch (ctx) {
    case ExtContext::client_hello: return parse_request(body, out);
    case ExtContext::certificate: return parse_response(body, out);
    default:  // certificate_request, server_hello12
      if (!body.empty()) return fail(Alert::decode_error, "status_request: body must be empty here");
      out.status_request_empty = true;
      return {};
  }
}

void write_status_request(Writer& w, ExtContext ctx, const Extensions& ext) {
  switch (ctx) {
    case ExtContext::client_hello:
      if (!ext.status_request) return;
      put_extension(w, ExtensionType::status_request, [&] {
        w.u8(kStatusTypeOcsp);
        write_ocsp_status_request(w, *ext.status_request);
      });
      return;
    case ExtContext::certificate:
      if (!ext.ocsp_response) return;
      put_extension(w, ExtensionType::status_request, [&] {
        w.u8(kStatusTypeOcsp);
        w.vec24(*ext.ocsp_response);
      });
      return;
    default:
      if (ext.status_request_empty) put_extension(w, ExtensionType::status_request, [] {});
      return;
  }
}

}  // namespace vouch
