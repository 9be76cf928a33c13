#include "errors.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "internal/compat_seam.h"
#include "vouch/error.h"

namespace vouch::compat {
namespace {

constexpr unsigned long code(Reason r) { return static_cast<unsigned long>(r); }
constexpr unsigned long alert_code(int reason) { return static_cast<unsigned long>(reason); }

// The texts of the reasons raised under ERR_LIB_SSL: libssl's own texts for
// its reasons (ERR_reason_error_string must give "certificate verify
// failed", as with libssl), vouch-ssl's for its 3000+ range. libcrypto's
// common reasons (ERR_R_*) fall back to libcrypto's texts by themselves, and
// the X509 reason is libcrypto's: neither is listed.
//
// ERR_load_strings keeps pointers into this table and ORs the library code
// into each entry: it must be mutable, static, and loaded once. It stops at
// the first zero code.
ERR_STRING_DATA g_strings[] = {
    {ERR_PACK(ERR_LIB_SSL, 0, 0), "SSL routines"},  // also libcrypto's name for the library
    {code(Reason::bad_data_returned_by_callback), "bad data returned by callback"},
    {code(Reason::bad_length), "bad length"},
    {code(Reason::bad_write_retry), "bad write retry"},
    {code(Reason::bad_ssl_filetype), "bad ssl filetype"},
    {code(Reason::bad_value), "bad value"},
    {code(Reason::unknown_cmd_name), "unknown cmd name"},
    {code(Reason::bio_not_set), "bio not set"},
    {code(Reason::read_bio_not_set), "read bio not set"},
    {code(Reason::callback_failed), "callback failed"},
    {code(Reason::cert_cb_failed), "cert cb error"},
    {code(Reason::ocsp_callback_failure), "ocsp callback failure"},
    {code(Reason::clienthello_tlsext), "clienthello tlsext"},
    {code(Reason::certificate_verify_failed), "certificate verify failed"},
    {code(Reason::connection_type_not_set), "connection type not set"},
    {code(Reason::invalid_servername), "ssl3 ext invalid servername"},
    {code(Reason::invalid_servername_type), "ssl3 ext invalid servername type"},
    {code(Reason::no_certificate_assigned), "no certificate assigned"},
    {code(Reason::no_cipher_match), "no cipher match"},
    {code(Reason::no_private_key_assigned), "no private key assigned"},
    {code(Reason::no_protocols_available), "no protocols available"},
    {code(Reason::no_shared_cipher), "no shared cipher"},
    {code(Reason::not_server), "not server"},
    {code(Reason::null_ssl_ctx), "null ssl ctx"},
    {code(Reason::null_ssl_method_passed), "null ssl method passed"},
    {code(Reason::pha_not_offered), "extension not received"},
    {code(Reason::protocol_is_shutdown), "protocol is shutdown"},
    {code(Reason::session_id_context_too_long), "ssl session id context too long"},
    {code(Reason::shutdown_while_in_init), "shutdown while in init"},
    {code(Reason::still_in_init), "still in init"},
    {code(Reason::unexpected_eof), "unexpected eof while reading"},
    {code(Reason::uninitialized), "uninitialized"},
    {code(Reason::unknown_certificate_type), "unknown certificate type"},
    {code(Reason::wrong_ssl_version), "wrong ssl version"},
    {code(Reason::unexpected_message), "unexpected message"},
    {code(Reason::bad_record_mac), "decryption failed or bad record mac"},
    {code(Reason::ssl_handshake_failure), "ssl handshake failure"},
    {code(Reason::unsupported_protocol), "unsupported protocol"},
    {code(Reason::insufficient_security), "insufficient security"},
    {code(Reason::inappropriate_fallback), "inappropriate fallback"},
    {code(Reason::unsolicited_extension), "unsolicited extension"},
    {code(Reason::invalid_status_response), "invalid status response"},
    {code(Reason::peer_did_not_return_a_certificate), "peer did not return a certificate"},
    {code(Reason::no_application_protocol), "no application protocol"},
    // Fatal alerts from the peer: SSL_AD_REASON_OFFSET + the alert number,
    // with libssl's texts (which keep the protocol version that introduced
    // each alert).
    {alert_code(SSL_R_SSLV3_ALERT_UNEXPECTED_MESSAGE), "sslv3 alert unexpected message"},
    {alert_code(SSL_R_SSLV3_ALERT_BAD_RECORD_MAC), "sslv3 alert bad record mac"},
    {alert_code(SSL_R_TLSV1_ALERT_DECRYPTION_FAILED), "tlsv1 alert decryption failed"},
    {alert_code(SSL_R_TLSV1_ALERT_RECORD_OVERFLOW), "tlsv1 alert record overflow"},
    {alert_code(SSL_R_SSLV3_ALERT_DECOMPRESSION_FAILURE), "sslv3 alert decompression failure"},
    {alert_code(SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE), "sslv3 alert handshake failure"},
    {alert_code(SSL_R_SSLV3_ALERT_NO_CERTIFICATE), "sslv3 alert no certificate"},
    {alert_code(SSL_R_SSLV3_ALERT_BAD_CERTIFICATE), "sslv3 alert bad certificate"},
    {alert_code(SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE), "sslv3 alert unsupported certificate"},
    {alert_code(SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED), "sslv3 alert certificate revoked"},
    {alert_code(SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED), "sslv3 alert certificate expired"},
    {alert_code(SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN), "sslv3 alert certificate unknown"},
    {alert_code(SSL_R_SSLV3_ALERT_ILLEGAL_PARAMETER), "sslv3 alert illegal parameter"},
    {alert_code(SSL_R_TLSV1_ALERT_UNKNOWN_CA), "tlsv1 alert unknown ca"},
    {alert_code(SSL_R_TLSV1_ALERT_ACCESS_DENIED), "tlsv1 alert access denied"},
    {alert_code(SSL_R_TLSV1_ALERT_DECODE_ERROR), "tlsv1 alert decode error"},
    {alert_code(SSL_R_TLSV1_ALERT_DECRYPT_ERROR), "tlsv1 alert decrypt error"},
    {alert_code(SSL_R_TLSV1_ALERT_EXPORT_RESTRICTION), "tlsv1 alert export restriction"},
    {alert_code(SSL_R_TLSV1_ALERT_PROTOCOL_VERSION), "tlsv1 alert protocol version"},
    {alert_code(SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY), "tlsv1 alert insufficient security"},
    {alert_code(SSL_R_TLSV1_ALERT_INTERNAL_ERROR), "tlsv1 alert internal error"},
    {alert_code(SSL_R_TLSV1_ALERT_INAPPROPRIATE_FALLBACK), "tlsv1 alert inappropriate fallback"},
    {alert_code(SSL_R_TLSV1_ALERT_USER_CANCELLED), "tlsv1 alert user cancelled"},
    {alert_code(SSL_R_TLSV1_ALERT_NO_RENEGOTIATION), "tlsv1 alert no renegotiation"},
    {alert_code(SSL_R_TLSV13_ALERT_MISSING_EXTENSION), "tlsv13 alert missing extension"},
    {alert_code(SSL_R_TLSV1_UNSUPPORTED_EXTENSION), "tlsv1 unsupported extension"},
    {alert_code(SSL_R_TLSV1_CERTIFICATE_UNOBTAINABLE), "tlsv1 certificate unobtainable"},
    {alert_code(SSL_R_TLSV1_UNRECOGNIZED_NAME), "tlsv1 unrecognized name"},
    {alert_code(SSL_R_TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE), "tlsv1 bad certificate status response"},
    {alert_code(SSL_R_TLSV1_BAD_CERTIFICATE_HASH_VALUE), "tlsv1 bad certificate hash value"},
    {alert_code(SSL_R_TLSV1_ALERT_UNKNOWN_PSK_IDENTITY), "tlsv1 alert unknown psk identity"},
    {alert_code(SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED), "tlsv13 alert certificate required"},
    {alert_code(SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL), "tlsv1 alert no application protocol"},
    // vouch-ssl's own.
    {code(Reason::not_supported_yet), "not supported by vouch-ssl yet"},
    {code(Reason::unsupported_control), "unsupported control"},
    {code(Reason::handshake_failed), "handshake failed"},
    {code(Reason::connection_failed), "fatal error on the connection"},
    {code(Reason::cannot_load_file), "cannot load file"},
    {0, nullptr},
};

std::once_flag g_once;

/// "SSL_read" of "int SSL_read(SSL*, void*, int)": the identifier before the
/// parameter list, or the whole signature for a form not understood.
/// libssl's entries name the function that raised them (ERR_raise records
/// __func__; ERR_print_errors shows it), source_location the signature.
std::string bare_name(std::string_view signature) {
  const size_t paren = signature.find('(');
  if (paren == std::string_view::npos) return std::string(signature);
  size_t begin = paren;
  auto identifier = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  while (begin > 0 && identifier(signature[begin - 1])) --begin;
  if (begin == paren) return std::string(signature);
  return std::string(signature.substr(begin, paren - begin));
}

/// Pushes `number` in `lib` with the data text `detail` (none if empty).
void push(int lib, int number, std::string_view detail, const std::source_location& where) {
  (void)error_library();
  // libcrypto 3.0 copies the file and function names (ERR_set_debug).
  const std::string function = bare_name(where.function_name());
  ERR_new();
  ERR_set_debug(where.file_name(), static_cast<int>(where.line()), function.c_str());
  if (detail.empty()) {
    ERR_set_error(lib, number, nullptr);
    return;
  }
  const std::string text(detail);
  ERR_set_error(lib, number, "%s", text.c_str());
}

/// What libssl raises when it sends `alert` itself, where one reason covers
/// the alert whatever the cause (RFC 8446 §6.2: vouch chose the alert where
/// it found the failure).
std::optional<Reason> reason_for_sent_alert(Alert alert) {
  switch (alert) {
    case Alert::unexpected_message: return Reason::unexpected_message;
    case Alert::bad_record_mac: return Reason::bad_record_mac;
    case Alert::handshake_failure: return Reason::ssl_handshake_failure;
    // The peer's certificate was not accepted (revoked, unusable key ...):
    // libssl reports every refusal of its verification so.
    case Alert::bad_certificate:
    case Alert::unsupported_certificate:
    case Alert::certificate_revoked:
    case Alert::certificate_expired:
    case Alert::certificate_unknown:
    case Alert::unknown_ca: return Reason::certificate_verify_failed;
    case Alert::protocol_version: return Reason::unsupported_protocol;
    case Alert::insufficient_security: return Reason::insufficient_security;
    case Alert::internal_error: return Reason::internal_error;
    case Alert::inappropriate_fallback: return Reason::inappropriate_fallback;
    case Alert::unsupported_extension: return Reason::unsolicited_extension;
    case Alert::bad_certificate_status_response: return Reason::invalid_status_response;
    case Alert::certificate_required: return Reason::peer_did_not_return_a_certificate;
    case Alert::no_application_protocol: return Reason::no_application_protocol;
    default: return std::nullopt;  // several libssl reasons, none general
  }
}

}  // namespace

int error_library() {
  std::call_once(g_once, [] { ERR_load_strings(ERR_LIB_SSL, g_strings); });
  return ERR_LIB_SSL;
}

void raise(Reason reason, std::string_view detail, std::source_location where) {
  const unsigned long value = code(reason);
  const int lib = ERR_GET_LIB(value);
  push(lib != 0 ? lib : ERR_LIB_SSL, ERR_GET_REASON(value), detail, where);
}

Reason file_load_failure(bool opened, int type) {
  if (!opened) return Reason::sys_lib;
  switch (type) {
    case X509_FILETYPE_PEM: return Reason::pem_lib;
    case X509_FILETYPE_ASN1: return Reason::asn1_lib;
    default: return Reason::bad_ssl_filetype;
  }
}

void raise_connection_error(const Error& error, bool during_handshake, std::source_location where) {
  if (error.from_peer) {
    // libssl's entry for a received fatal alert, data text included.
    const int alert = static_cast<int>(error.alert);
    push(ERR_LIB_SSL, SSL_AD_REASON_OFFSET + alert, "SSL alert number " + std::to_string(alert), where);
  } else if (x509_verify_error_of(error)) {
    raise(Reason::certificate_verify_failed, error.to_string(), where);
  } else if (auto reason = reason_for_sent_alert(error.alert)) {
    raise(*reason, error.to_string(), where);
  } else {
    raise(during_handshake ? Reason::handshake_failed : Reason::connection_failed, error.to_string(), where);
  }
}

namespace {

/// One error entry lifted off the queue, to be pushed again. File and
/// function names are copied: libcrypto 3.0 keeps its own copies of them
/// (ERR_set_debug duplicates its arguments), which ERR_clear_error frees.
struct QueuedError {
  unsigned long code = 0;
  std::string file;
  std::string func;
  int line = 0;
  std::optional<std::string> data;
};

using ErrorList = std::vector<QueuedError>;

// Per thread, as libcrypto's queue is: callbacks run on the thread that
// called into vouch-ssl. One object, so that each scope pays for one
// thread-local lookup (__tls_get_addr in a shared library), not three.
struct ScopeState {
  int quiet_depth = 0;
  ErrorList kept;
  // What each open QuietErrors / CallbackErrors lifted off the queue,
  // innermost last (the scopes nest).
  std::vector<ErrorList> saved;
};
thread_local ScopeState t_scopes;

/// Empties the queue, oldest first.
ErrorList take_all() {
  ErrorList out;
  // The common case, a program that keeps its queue clean, costs one look
  // at the queue (a scope is entered on every handshake step and I/O call).
  if (ERR_peek_error() == 0) return out;
  for (int guard = 0; guard < 64; ++guard) {  // libcrypto keeps at most 16
    const char *file = nullptr, *func = nullptr, *data = nullptr;
    int line = 0, flags = 0;
    const unsigned long code = ERR_get_error_all(&file, &line, &func, &data, &flags);
    if (code == 0) break;
    QueuedError e{code, file != nullptr ? file : "", func != nullptr ? func : "", line, std::nullopt};
    if (data != nullptr && *data != '\0' && (flags & ERR_TXT_STRING) != 0) e.data = std::string(data);
    out.push_back(std::move(e));
  }
  ERR_clear_error();
  return out;
}

void push_all(const ErrorList& list) {
  for (const QueuedError& e : list) {
    ERR_new();
    ERR_set_debug(e.file.c_str(), e.line, e.func.c_str());
    if (e.data) {
      ERR_set_error(ERR_GET_LIB(e.code), ERR_GET_REASON(e.code), "%s", e.data->c_str());
    } else {
      ERR_set_error(ERR_GET_LIB(e.code), ERR_GET_REASON(e.code), nullptr);
    }
  }
}

}  // namespace

// Marks are not used: ERR_set_mark does nothing on an empty queue, and a
// callback's entries must be lifted out from between vouch's own.
QuietErrors::QuietErrors() {
  ScopeState& t = t_scopes;
  t.saved.push_back(take_all());
  ++t.quiet_depth;
}

QuietErrors::~QuietErrors() {
  ScopeState& t = t_scopes;
  // What vouch's own libcrypto calls left (usually nothing: a look is
  // cheaper than ERR_clear_error's walk over every slot).
  if (ERR_peek_error() != 0) ERR_clear_error();
  push_all(t.saved.back());
  t.saved.pop_back();
  if (--t.quiet_depth == 0) {
    push_all(t.kept);
    t.kept.clear();
  }
}

CallbackErrors::CallbackErrors() : active_(t_scopes.quiet_depth > 0) {
  if (active_) t_scopes.saved.push_back(take_all());
}

CallbackErrors::~CallbackErrors() {
  if (!active_) return;
  ScopeState& t = t_scopes;
  for (QueuedError& e : take_all()) t.kept.push_back(std::move(e));
  push_all(t.saved.back());
  t.saved.pop_back();
}

}  // namespace vouch::compat
