// Handshake messages with no content (TLS 1.2):
//
//   struct { } HelloRequest;      (RFC 5246 §7.4.1.1)
//   struct { } ServerHelloDone;   (RFC 5246 §7.4.5)
//
// Any byte in the body means the length was wrong → decode_error
// (RFC 5246 §7.2.2: "the length of the message was incorrect").
#include <string>

#include "msg/messages12.h"

namespace vouch {

Status parse_empty_body(ByteView body, const char* what) {
  if (body.empty()) return {};
  const std::string name = what != nullptr ? what : "handshake message";
  return fail(Alert::decode_error,
              name + ": body must be empty (got " + std::to_string(body.size()) + " bytes)");
}

}  // namespace vouch
