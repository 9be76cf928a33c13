// ec_point_formats (RFC 8422 §5.1.2).
//
//   struct { ECPointFormat ec_point_format_list<1..2^8-1> } ECPointFormatList;
//
// Same form in ClientHello and TLS 1.2 ServerHello (§5.2). Whether
// "uncompressed" is included is for the TLS 1.2 state machines.
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_ec_point_formats(Reader& body, ExtContext, Extensions& out) {
  Bytes formats;
  if (!body.copy_prefixed8(formats)) return fail(Alert::decode_error, "ec_point_formats: truncated list");
  if (formats.empty()) return fail(Alert::decode_error, "ec_point_formats: empty list");
  out.ec_point_formats = std::move(formats);
  return {};
}

void write_ec_point_formats(Writer& w, ExtContext, const Extensions& ext) {
  if (ext.ec_point_formats) put_extension(w, ExtensionType::ec_point_formats, [&] { w.vec8(*ext.ec_point_formats); });
}

}  // namespace vouch
