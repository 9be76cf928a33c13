// Errors of the compatibility layer on libcrypto's error queue, as libssl
// reports its own: library ERR_LIB_SSL with OpenSSL 3.0's SSL_R_* reason
// numbers and texts wherever libssl has a reason for the same condition (so
// `ERR_GET_REASON(e) == SSL_R_CERTIFICATE_VERIFY_FAILED` works), details as
// error data (ERR_raise_data). What libssl has no reason for gets
// vouch-ssl's own VOUCH_SSL_R_* codes, 3000 and up (<openssl/sslerr.h>).
// SSL_get_error() answers SSL_ERROR_SSL when the queue holds an error, as in
// libssl.
#pragma once

#include <openssl/err.h>
#include <openssl/sslerr.h>  // vouch-ssl's: include/vouch-ssl comes first
#include <openssl/x509err.h>

#include <source_location>
#include <string_view>

namespace vouch {
struct Error;
}

namespace vouch::compat {

/// A reason's value is its number on the queue (ERR_GET_REASON); one of
/// another library carries that library's code too (ERR_PACK), else it is
/// raised under ERR_LIB_SSL. Each is checked against what libssl 3.0 raises
/// in the same situation (tests/compat/errors.c shows both side by side).
enum class Reason : int {
  // libssl's own reasons.
  bad_data_returned_by_callback = SSL_R_BAD_DATA_RETURNED_BY_CALLBACK,
  bad_length = SSL_R_BAD_LENGTH,  // SSL_read / SSL_write with num < 0, a write retried with less data
  bad_write_retry = SSL_R_BAD_WRITE_RETRY,  // a write retried from another buffer
  bad_ssl_filetype = SSL_R_BAD_SSL_FILETYPE,
  bad_value = SSL_R_BAD_VALUE,
  unknown_cmd_name = SSL_R_UNKNOWN_CMD_NAME,  // SSL_CONF_cmd: a command vouch does not map
  bio_not_set = SSL_R_BIO_NOT_SET,  // no write BIO
  read_bio_not_set = SSL_R_READ_BIO_NOT_SET,
  callback_failed = SSL_R_CALLBACK_FAILED,  // a client's SSL_CTX_set_cert_cb callback returned 0
  ocsp_callback_failure = SSL_R_OCSP_CALLBACK_FAILURE,  // a client's status callback returned < 0
  clienthello_tlsext = SSL_R_CLIENTHELLO_TLSEXT,        // a server's answered SSL_TLSEXT_ERR_ALERT_FATAL
  cert_cb_failed = SSL_R_CERT_CB_ERROR,     // a server's
  certificate_verify_failed = SSL_R_CERTIFICATE_VERIFY_FAILED,
  connection_type_not_set = SSL_R_CONNECTION_TYPE_NOT_SET,
  invalid_servername = SSL_R_SSL3_EXT_INVALID_SERVERNAME,
  invalid_servername_type = SSL_R_SSL3_EXT_INVALID_SERVERNAME_TYPE,
  no_certificate_assigned = SSL_R_NO_CERTIFICATE_ASSIGNED,
  no_cipher_match = SSL_R_NO_CIPHER_MATCH,
  no_private_key_assigned = SSL_R_NO_PRIVATE_KEY_ASSIGNED,
  no_protocols_available = SSL_R_NO_PROTOCOLS_AVAILABLE,
  no_shared_cipher = SSL_R_NO_SHARED_CIPHER,  // a server found no suite (and certificate) for the client's offer
  not_server = SSL_R_NOT_SERVER,
  null_ssl_ctx = SSL_R_NULL_SSL_CTX,
  null_ssl_method_passed = SSL_R_NULL_SSL_METHOD_PASSED,
  pha_not_offered = SSL_R_EXTENSION_NOT_RECEIVED,  // libssl's reason when the client sent no post_handshake_auth
  protocol_is_shutdown = SSL_R_PROTOCOL_IS_SHUTDOWN,
  session_id_context_too_long = SSL_R_SSL_SESSION_ID_CONTEXT_TOO_LONG,
  shutdown_while_in_init = SSL_R_SHUTDOWN_WHILE_IN_INIT,
  still_in_init = SSL_R_STILL_IN_INIT,
  unexpected_eof = SSL_R_UNEXPECTED_EOF_WHILE_READING,
  uninitialized = SSL_R_UNINITIALIZED,
  unknown_certificate_type = SSL_R_UNKNOWN_CERTIFICATE_TYPE,  // a key type without a certificate slot
  wrong_ssl_version = SSL_R_WRONG_SSL_VERSION,  // post-handshake auth before TLS 1.3 was negotiated
  // What libssl raises when it sends these fatal alerts (see
  // raise_connection_error).
  unexpected_message = SSL_R_UNEXPECTED_MESSAGE,
  bad_record_mac = SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC,
  ssl_handshake_failure = SSL_R_SSL_HANDSHAKE_FAILURE,
  unsupported_protocol = SSL_R_UNSUPPORTED_PROTOCOL,
  insufficient_security = SSL_R_INSUFFICIENT_SECURITY,
  inappropriate_fallback = SSL_R_INAPPROPRIATE_FALLBACK,
  unsolicited_extension = SSL_R_UNSOLICITED_EXTENSION,
  invalid_status_response = SSL_R_INVALID_STATUS_RESPONSE,  // a client's status callback returned 0
  peer_did_not_return_a_certificate = SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE,
  no_application_protocol = SSL_R_NO_APPLICATION_PROTOCOL,
  // libcrypto's common reasons, which libssl raises under ERR_LIB_SSL too
  // (their texts are libcrypto's).
  internal_error = ERR_R_INTERNAL_ERROR,
  null_argument = ERR_R_PASSED_NULL_PARAMETER,
  unknown_group = ERR_R_PASSED_INVALID_ARGUMENT,  // libssl: "group 'x' cannot be set"
  sys_lib = ERR_R_SYS_LIB,                        // a certificate or key file did not open
  pem_lib = ERR_R_PEM_LIB,                        // ... or did not parse
  asn1_lib = ERR_R_ASN1_LIB,
  // libssl lets X509_check_private_key report a key that does not belong to
  // the certificate, in libcrypto's X509 library.
  key_values_mismatch = ERR_PACK(ERR_LIB_X509, 0, X509_R_KEY_VALUES_MISMATCH),
  // vouch-ssl's own, in a range libssl 3 does not use (3000 and up).
  not_supported_yet = VOUCH_SSL_R_NOT_SUPPORTED_YET,
  unsupported_control = VOUCH_SSL_R_UNSUPPORTED_CONTROL,
  handshake_failed = VOUCH_SSL_R_HANDSHAKE_FAILED,
  connection_failed = VOUCH_SSL_R_CONNECTION_FAILED,
  cannot_load_file = VOUCH_SSL_R_CANNOT_LOAD_FILE,
};

/// Loads the reason texts (once) and answers ERR_LIB_SSL, the library code
/// vouch-ssl raises under (named "SSL routines", as libssl's).
int error_library();

/// Pushes one error with an optional detail text (the error data). The
/// caller's function, file and line are recorded, as ERR_raise records
/// libssl's.
void raise(Reason reason, std::string_view detail = {},
           std::source_location where = std::source_location::current());

/// The reason libssl gives when SSL_CTX_use_certificate_file and friends
/// fail: the file did not open (sys_lib), `type` is neither SSL_FILETYPE_PEM
/// nor SSL_FILETYPE_ASN1 (bad_ssl_filetype), or the contents did not parse
/// (pem_lib / asn1_lib).
Reason file_load_failure(bool opened, int type);

/// Pushes the error a vouch connection failed with, as libssl reports the
/// same failure: a fatal alert from the peer as SSL_AD_REASON_OFFSET + the
/// alert ("tlsv1 alert unknown ca"); a certificate that did not verify as
/// certificate_verify_failed; another failure vouch detected as the reason
/// libssl raises when it sends that alert, else handshake_failed (during
/// the handshake) or connection_failed. The detail is vouch's reason.
void raise_connection_error(const Error& error, bool during_handshake,
                            std::source_location where = std::source_location::current());

/// Keeps what libcrypto pushes while vouch runs out of the caller's error
/// queue: vouch reports through its own Error values, and stray entries would
/// make SSL_get_error() answer SSL_ERROR_SSL for a mere WANT_READ.
/// What an application callback left on the queue (CallbackErrors) is put
/// back when the outermost QuietErrors ends, in order.
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;
};

/// Around a call of an application callback (and what vouch-ssl raises on
/// its behalf, e.g. "the callback returned 1 without a certificate"): the
/// errors pushed inside are kept for the application, as libssl leaves them
/// on the queue, instead of vanishing with the QuietErrors around the
/// connection. Outside any QuietErrors it changes nothing.
class CallbackErrors {
 public:
  CallbackErrors();
  ~CallbackErrors();
  CallbackErrors(const CallbackErrors&) = delete;
  CallbackErrors& operator=(const CallbackErrors&) = delete;

 private:
  bool active_;  // inside a QuietErrors when constructed
};

}  // namespace vouch::compat
