// SSL_CTX_set_cert_cb(3): called before a certificate is chosen. A client
// calls it from its certificate selector (client_cert.cpp); a server from
// vouch's asynchronous credential source, which a full handshake asks once
// after the ClientHello, before anything of the answer is written (a resumed
// one chooses no certificate, and libssl does not call it then either).
//
// The page: 1 continues, 0 fails the handshake (libssl sends internal_error),
// a negative value suspends it — the handshake function returns -1 with
// SSL_ERROR_WANT_X509_LOOKUP and its next call calls the callback again.
#include "cert_cb.h"

#include <optional>
#include <utility>

#include "config.h"
#include "errors.h"

namespace vouch::compat {
namespace {

/// One call of the certificate callback: the credentials to choose from, an
/// error (it returned 0), or nullopt (negative: ask again later).
std::optional<Result<CredentialSnapshot>> ask_cert_cb(SSL* s) {
  // The context's callback at the moment of the call, as libssl reads it.
  if (auto cb = s->ctx.ctx->cert_cb) {
    int r;
    {
      CallbackErrors keep;
      r = cb(s, s->ctx.ctx->cert_cb_arg);
    }
    if (r < 0) return std::nullopt;
    if (r == 0) {
      s->callback_failure = Reason::cert_cb_failed;  // what fail_connection reports
      return Result<CredentialSnapshot>(
          fail(Alert::internal_error, "the certificate callback (SSL_CTX_set_cert_cb) returned 0"));
    }
  }
  // What the callback may have set with SSL_use_certificate counts. None at
  // all fails the handshake (internal_error, vouch's empty credential source).
  return Result<CredentialSnapshot>(credentials_of(s));
}

}  // namespace

AsyncCredentialSource server_credential_source(SSL* s) {
  s->pending_server_credentials.reset();
  // Also for a servername callback, which may change the certificates
  // (SSL_set_SSL_CTX, SSL_use_certificate) before they are chosen.
  if (s->ctx.ctx->cert_cb == nullptr && s->ctx.ctx->servername_cb == nullptr) return nullptr;
  return [s](const ClientHelloInfo&, std::shared_ptr<PendingCredentials> pending) -> std::optional<CredentialSnapshot> {
    auto answer = ask_cert_cb(s);
    if (!answer) {
      s->pending_server_credentials = std::move(pending);  // retry_server_certificate answers
      return std::nullopt;
    }
    if (!answer->ok()) {
      pending->fail(std::move(*answer).error());
      return std::nullopt;
    }
    return std::move(*answer).value();
  };
}

bool retry_server_certificate(SSL* s) {
  if (!s->pending_server_credentials) return true;
  auto answer = ask_cert_cb(s);
  if (!answer) return false;
  if (answer->ok()) {
    s->pending_server_credentials->provide(std::move(*answer).value());
  } else {
    s->pending_server_credentials->fail(std::move(*answer).error());
  }
  s->pending_server_credentials.reset();
  return true;
}

}  // namespace vouch::compat

extern "C" {

void SSL_CTX_set_cert_cb(SSL_CTX* c, int (*cert_cb)(SSL*, void*), void* arg) {
  c->cert_cb = cert_cb;
  c->cert_cb_arg = arg;
}

}  // extern "C"
