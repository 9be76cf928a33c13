// TLS 1.3 post-handshake authentication (RFC 8446 §4.6.2) through
// SSL_verify_client_post_handshake(3): the client offers it
// (post_handshake_auth extension, §4.2.6), the server asks once the
// handshake is done. vouch queues the CertificateRequest at once; like
// libssl's, it leaves with the next SSL_write / SSL_read / SSL_do_handshake.
// On the client, a client certificate callback that returns a negative value
// for the request suspends the SSL_read that read it
// (SSL_ERROR_WANT_X509_LOOKUP, io.cpp); the next SSL_read / SSL_write /
// SSL_do_handshake calls it again (driver.cpp's run_handshake).
#include <string>

#include "errors.h"
#include "objects.h"

using vouch::compat::raise;
using vouch::compat::Reason;

extern "C" {

void SSL_CTX_set_post_handshake_auth(SSL_CTX* ctx, int val) { ctx->settings.post_handshake_auth = val != 0; }

void SSL_set_post_handshake_auth(SSL* s, int val) { s->settings.post_handshake_auth = val != 0; }

int SSL_verify_client_post_handshake(SSL* s) {
  // libssl checks the version first: TLS 1.2 has no post-handshake
  // authentication (a server asks for a certificate in a renegotiation).
  if (s->conn && s->conn->info().version == vouch::ProtocolVersion::tls12) {
    raise(Reason::wrong_ssl_version);
    return 0;
  }
  if (!SSL_is_server(s)) {
    raise(s->completed ? Reason::not_server : Reason::wrong_ssl_version);
    return 0;
  }
  if (!s->completed || !s->conn) {
    raise(s->conn ? Reason::still_in_init : Reason::wrong_ssl_version);
    return 0;
  }
  vouch::Status status = [&] {
    vouch::compat::QuietErrors quiet;
    return s->conn->request_client_certificate();
  }();
  if (!status) {
    const std::string why = status.error().to_string();
    raise(why.find("post_handshake_auth") != std::string::npos ? Reason::pha_not_offered : Reason::internal_error,
          why);
    return 0;
  }
  s->pha_request_queued = true;
  return 1;
}

}  // extern "C"
