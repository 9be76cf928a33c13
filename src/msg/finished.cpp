// Finished (RFC 8446 §4.4.4).
//
//   struct { opaque verify_data[Hash.length]; } Finished;
//
// A fixed-length field: the length is not on the wire but comes from the
// negotiated hash, so the caller supplies it.
#include "msg/messages.h"

namespace vouch {

Status parse(ByteView body, size_t hash_length, Finished& out) {
  out = Finished{};
  if (body.size() != hash_length)
    return fail(Alert::decode_error, "Finished: verify_data length differs from the hash length (" +
                                         std::to_string(body.size()) + " != " + std::to_string(hash_length) + ")");
  out.verify_data.assign(body.begin(), body.end());
  return {};
}

void write(Writer& w, const Finished& m) { w.bytes(m.verify_data); }

}  // namespace vouch
