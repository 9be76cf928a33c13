#include "errors.h"

#include <openssl/err.h>

#include <mutex>
#include <string>

#include "cert/verify_chain.h"
#include "vouch/error.h"

namespace vouch::compat {
namespace {

constexpr unsigned long code(Reason r) { return static_cast<unsigned long>(r); }

// ERR_load_strings keeps pointers into this table and ORs the library code
// into each entry: it must be mutable, static, and loaded once. It stops at
// the first zero code, so the library's own name (reason 0) gets its code
// before loading.
ERR_STRING_DATA g_strings[] = {
    {0, "vouch-ssl routines"},  // set to ERR_PACK(library, 0, 0) at load
    {code(Reason::tls12_not_implemented), "TLS 1.2 is not implemented yet"},
    {code(Reason::no_protocols_available), "no protocols available"},
    {code(Reason::connection_type_not_set), "connection type not set"},
    {code(Reason::uninitialized), "uninitialized: no SSL_set_connect_state / SSL_set_accept_state"},
    {code(Reason::bio_not_set), "bio not set"},
    {code(Reason::handshake_failure), "handshake failure"},
    {code(Reason::connection_failed), "fatal error on the connection"},
    {code(Reason::certificate_verify_failed), "certificate verify failed"},
    {code(Reason::peer_alert), "peer sent an alert"},
    {code(Reason::unexpected_eof), "unexpected eof while reading"},
    {code(Reason::protocol_is_shutdown), "protocol is shutdown"},
    {code(Reason::shutdown_while_in_init), "shutdown while in init"},
    {code(Reason::connection_failed_earlier), "connection failed earlier"},
    {code(Reason::no_certificate_assigned), "no certificate assigned"},
    {code(Reason::no_private_key_assigned), "no private key assigned"},
    {code(Reason::key_values_mismatch), "key values mismatch"},
    {code(Reason::cannot_load_file), "cannot load file"},
    {code(Reason::bad_value), "bad value"},
    {code(Reason::unsupported_control), "unsupported control"},
    {code(Reason::unknown_group), "unknown group"},
    {code(Reason::null_argument), "passed a null parameter"},
    {code(Reason::not_supported_yet), "not supported by vouch-ssl yet"},
    {code(Reason::internal_error), "internal error"},
    {code(Reason::no_cipher_match), "no cipher match"},
    {code(Reason::cert_cb_failed), "the certificate callback failed"},
    {code(Reason::cert_cb_cannot_suspend),
     "a server's certificate callback cannot suspend the handshake in vouch-ssl yet (it returned a negative value)"},
    {code(Reason::not_server), "not a server"},
    {code(Reason::still_in_init), "still in init"},
    {code(Reason::pha_not_offered), "the client did not offer post-handshake authentication"},
    {0, nullptr},
};

int g_library = 0;
std::once_flag g_once;

}  // namespace

int error_library() {
  std::call_once(g_once, [] {
    g_library = ERR_get_next_error_library();
    g_strings[0].error = ERR_PACK(g_library, 0, 0);
    ERR_load_strings(g_library, g_strings);
  });
  return g_library;
}

void raise(Reason reason, std::string_view detail) {
  const int lib = error_library();
  if (detail.empty()) {
    ERR_raise(lib, static_cast<int>(reason));
    return;
  }
  const std::string text(detail);
  ERR_raise_data(lib, static_cast<int>(reason), "%s", text.c_str());
}

void raise_connection_error(const Error& error, bool during_handshake) {
  if (error.from_peer) {
    raise(Reason::peer_alert, error.to_string());
  } else if (x509_verify_error_of(error)) {
    raise(Reason::certificate_verify_failed, error.to_string());
  } else {
    raise(during_handshake ? Reason::handshake_failure : Reason::connection_failed,
          error.to_string());
  }
}

QuietErrors::QuietErrors() { ERR_set_mark(); }
QuietErrors::~QuietErrors() { ERR_pop_to_mark(); }

}  // namespace vouch::compat
