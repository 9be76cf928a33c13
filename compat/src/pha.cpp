// TLS 1.3 post-handshake authentication (RFC 8446 §4.6.2) through
// SSL_verify_client_post_handshake(3): the client offers it
// (post_handshake_auth extension, §4.2.6), the server asks once the
// handshake is done. vouch queues the CertificateRequest at once; like
// libssl's, it leaves with the next SSL_write / SSL_read / SSL_do_handshake.
#include <string>

#include "errors.h"
#include "objects.h"

using vouch::compat::raise;
using vouch::compat::Reason;

extern "C" {

void SSL_CTX_set_post_handshake_auth(SSL_CTX* ctx, int val) { ctx->settings.post_handshake_auth = val != 0; }

void SSL_set_post_handshake_auth(SSL* s, int val) { s->settings.post_handshake_auth = val != 0; }

int SSL_verify_client_post_handshake(SSL* s) {
  if (!SSL_is_server(s)) {
    raise(Reason::not_server);
    return 0;
  }
  if (!s->completed || !s->conn) {
    raise(Reason::still_in_init);
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
