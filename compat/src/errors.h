// Errors of the compatibility layer on libcrypto's error queue, as libssl
// reports its own: a library code of vouch-ssl's (ERR_get_next_error_library),
// a reason code with a readable string (ERR_load_strings), and details as
// error data (ERR_raise_data). SSL_get_error() answers SSL_ERROR_SSL when the
// queue holds an error, as in libssl.
#pragma once

#include <string_view>

namespace vouch {
struct Error;
}

namespace vouch::compat {

enum class Reason : int {
  tls12_not_implemented = 100,
  no_protocols_available,
  connection_type_not_set,
  uninitialized,
  bio_not_set,
  handshake_failure,
  connection_failed,
  certificate_verify_failed,
  peer_alert,
  unexpected_eof,
  protocol_is_shutdown,
  shutdown_while_in_init,
  connection_failed_earlier,
  no_certificate_assigned,
  no_private_key_assigned,
  key_values_mismatch,
  cannot_load_file,
  bad_value,
  unsupported_control,
  unknown_group,
  null_argument,
  not_supported_yet,
  internal_error,
  no_cipher_match,
  cert_cb_failed,
  cert_cb_cannot_suspend,
  not_server,
  still_in_init,
  pha_not_offered,
};

/// vouch-ssl's library code on the error queue (loads the strings once).
int error_library();

/// Pushes one error with an optional detail text.
void raise(Reason reason, std::string_view detail = {});

/// Pushes the error a vouch connection failed with: peer_alert for an alert
/// the peer sent, certificate_verify_failed when certificate verification
/// failed, else handshake_failure (during the handshake) or
/// connection_failed; the detail is vouch's reason.
void raise_connection_error(const Error& error, bool during_handshake);

/// Keeps what libcrypto pushes while vouch runs out of the caller's error
/// queue: vouch reports through its own Error values, and stray entries would
/// make SSL_get_error() answer SSL_ERROR_SSL for a mere WANT_READ.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;
};

}  // namespace vouch::compat
