// What a vouch server seals inside a session ticket (RFC 8446 §4.6.1 leaves
// the format to the server). Self-encrypted with TicketKeys; the client never
// parses it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

struct TicketContents {
  uint16_t version = 0x0304;
  CipherSuite cipher_suite{};
  /// TLS 1.3: the resumption PSK. TLS 1.2: the session's master secret
  /// (always an extended one, RFC 7627: other sessions are not resumable).
  Bytes psk;
  uint64_t issued_at = 0;  // unix seconds
  uint32_t lifetime = 0;   // seconds
  uint32_t age_add = 0;
  std::string server_name;
  std::string alpn;
  /// The client's verified chain (mutual TLS), so a resumed connection knows
  /// who the client is without a CertificateRequest (RFC 8446 §4.3.2 forbids
  /// one in a PSK handshake).
  std::vector<Bytes> client_chain;
  /// ServerConfig::session_id_context of the server that made the session.
  Bytes context;
};

/// The seven days RFC 8446 §4.6.1 allows a ticket at most; vouch applies
/// the same bound to TLS 1.2 tickets and cached sessions.
constexpr uint32_t kMaxTicketLifetime = 604800;

/// The system clock in unix seconds (issued_at).
uint64_t unix_seconds_now();

Bytes encode_ticket(const TicketContents& t);
/// decode_error on any malformed input (a forged ticket cannot get here: it
/// is authenticated first, but we still never trust lengths).
Result<TicketContents> decode_ticket(ByteView plaintext);

}  // namespace vouch
