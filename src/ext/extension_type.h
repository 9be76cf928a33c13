// Extension code points (RFC 8446 §4.2 and the RFCs it references).
#pragma once

#include <cstdint>

namespace vouch {

enum class ExtensionType : uint16_t {
  server_name = 0,                 // RFC 6066 §3
  max_fragment_length = 1,         // RFC 6066 §4
  status_request = 5,              // RFC 6066 §8
  supported_groups = 10,           // RFC 8422 / RFC 8446 §4.2.7
  ec_point_formats = 11,           // RFC 8422 §5.1.2
  signature_algorithms = 13,       // RFC 8446 §4.2.3
  use_srtp = 14,
  heartbeat = 15,
  application_layer_protocol_negotiation = 16,  // RFC 7301
  status_request_v2 = 17,          // RFC 6961
  signed_certificate_timestamp = 18,
  client_certificate_type = 19,
  server_certificate_type = 20,
  padding = 21,
  encrypt_then_mac = 22,
  extended_master_secret = 23,     // RFC 7627
  session_ticket = 35,             // RFC 5077
  pre_shared_key = 41,             // RFC 8446 §4.2.11
  early_data = 42,                 // §4.2.10
  supported_versions = 43,         // §4.2.1
  cookie = 44,                     // §4.2.2
  psk_key_exchange_modes = 45,     // §4.2.9
  certificate_authorities = 47,    // §4.2.4
  oid_filters = 48,                // §4.2.5
  post_handshake_auth = 49,        // §4.2.6
  signature_algorithms_cert = 50,  // §4.2.3
  key_share = 51,                  // §4.2.8
  renegotiation_info = 0xff01,     // RFC 5746
};

}  // namespace vouch
