// Handshake message types (RFC 8446 §4, RFC 5246 §7.4, RFC 6066 §8) and framing.
#pragma once

#include <cstdint>

#include "vouch/types.h"

namespace vouch {

enum class HandshakeType : uint8_t {
  hello_request = 0,          // TLS 1.2 only
  client_hello = 1,
  server_hello = 2,
  new_session_ticket = 4,
  end_of_early_data = 5,
  encrypted_extensions = 8,
  certificate = 11,
  server_key_exchange = 12,   // TLS 1.2
  certificate_request = 13,
  server_hello_done = 14,     // TLS 1.2
  certificate_verify = 15,
  client_key_exchange = 16,   // TLS 1.2
  finished = 20,
  certificate_status = 22,    // TLS 1.2 (RFC 6066 §8)
  key_update = 24,
  message_hash = 254,
};

const char* handshake_type_name(uint8_t type);

constexpr size_t kHandshakeHeaderLength = 4;

/// Appends `type || uint24(body.size()) || body` to out.
void frame_handshake(HandshakeType type, ByteView body, Bytes& out);

}  // namespace vouch
