// supported_groups (RFC 8446 §4.2.7; RFC 8422 §5.1.1).
//
//   struct { NamedGroup named_group_list<2..2^16-1>; } NamedGroupList;
//
// Same form in ClientHello and EncryptedExtensions (where the server reports
// its own preference, §4.2.7).
#include "ext/extension_codecs.h"

namespace vouch {

Status parse_supported_groups(Reader& body, ExtContext, Extensions& out) {
  Reader list;
  if (!body.prefixed16(list)) return fail(Alert::decode_error, "supported_groups: truncated named_group_list");
  if (list.empty()) return fail(Alert::decode_error, "supported_groups: empty named_group_list");
  if (list.remaining() % 2 != 0) return fail(Alert::decode_error, "supported_groups: odd length");
  std::vector<NamedGroup> groups;
  groups.reserve(list.remaining() / 2);
  uint16_t g = 0;
  while (list.u16(g)) groups.push_back(static_cast<NamedGroup>(g));
  out.supported_groups = std::move(groups);
  return {};
}

void write_supported_groups(Writer& w, ExtContext, const Extensions& ext) {
  if (!ext.supported_groups) return;
  put_extension(w, ExtensionType::supported_groups, [&] {
    w.prefixed16([&] {
      for (NamedGroup g : *ext.supported_groups) w.u16(static_cast<uint16_t>(g));
    });
  });
}

}  // namespace vouch
