// oid_filters (RFC 8446 §4.2.5).
//
//   struct { opaque certificate_extension_oid<1..2^8-1>;
//            opaque certificate_extension_values<0..2^16-1>; } OIDFilter;
//   struct { OIDFilter filters<0..2^16-1>; } OIDFilterExtension;
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_oid_filters(Reader& body, ExtContext, Extensions& out) {
  Reader list;
  if (!body.prefixed16(list)) return fail(Alert::decode_error, "oid_filters: truncated filters");
  std::vector<OidFilter> filters;
  while (!list.empty()) {
    OidFilter f;
    if (!list.copy_prefixed8(f.certificate_extension_oid) || !list.copy_prefixed16(f.certificate_extension_values))
      return fail(Alert::decode_error, "oid_filters: truncated OIDFilter");
    if (f.certificate_extension_oid.empty())
      return fail(Alert::decode_error, "oid_filters: empty certificate_extension_oid");
    filters.push_back(std::move(f));
  }
  out.oid_filters = std::move(filters);
  return {};
}

void write_oid_filters(Writer& w, ExtContext, const Extensions& ext) {
  if (!ext.oid_filters) return;
  put_extension(w, ExtensionType::oid_filters, [&] {
    w.prefixed16([&] {
      for (const OidFilter& f : *ext.oid_filters) {
        w.vec8(f.certificate_extension_oid);
        w.vec16(f.certificate_extension_values);
      }
    });
  });
}

}  // namespace vouch
