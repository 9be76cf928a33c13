// SSL_CTX_set_cert_cb(3): called before a certificate is chosen. A client
// calls it from its certificate selector (client_cert.cpp); a server from
// vouch's credential source, which a full handshake reads once after the
// ClientHello (a resumed one chooses no certificate, and libssl does not
// call it then either).
#include "cert_cb.h"

#include "config.h"

namespace vouch::compat {

std::function<std::shared_ptr<const std::vector<Credential>>()> server_credential_source(SSL* s) {
  if (s->ctx.ctx->cert_cb == nullptr) return nullptr;
  return [s]() -> std::shared_ptr<const std::vector<Credential>> {
    auto cb = s->ctx.ctx->cert_cb;
    if (cb != nullptr) {
      const int r = cb(s, s->ctx.ctx->cert_cb_arg);
      if (r <= 0) {
        // An empty answer fails the handshake with internal_error, as
        // libssl does for 0; fail_connection reports why.
        s->cert_cb_failure = r;
        return nullptr;
      }
    }
    // What the callback may have set with SSL_use_certificate counts.
    return std::make_shared<const std::vector<Credential>>(credentials_of(s));
  };
}

}  // namespace vouch::compat

extern "C" {

void SSL_CTX_set_cert_cb(SSL_CTX* c, int (*cert_cb)(SSL*, void*), void* arg) {
  c->cert_cb = cert_cb;
  c->cert_cb_arg = arg;
}

}  // extern "C"
