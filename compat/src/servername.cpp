// The servername callback (SSL_CTX_set_tlsext_servername_callback), the
// server name getters, and SSL_set_SSL_CTX, which the callback uses to
// serve the name with another context's certificate.
#include "servername.h"

#include "errors.h"

namespace vouch::compat {

std::optional<long> servername_ctx_ctrl(SSL_CTX* ctx, int cmd, long, void* parg) {
  if (cmd != SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG) return std::nullopt;
  ctx->servername_arg = parg;
  return 1;
}

std::optional<long> servername_callback_ctrl(SSL_CTX* ctx, int cmd, void (*fp)(void)) {
  if (cmd != SSL_CTRL_SET_TLSEXT_SERVERNAME_CB) return std::nullopt;
  // The macro casts the callback to void (*)(void); this is its type.
  ctx->servername_cb = reinterpret_cast<int (*)(SSL*, int*, void*)>(fp);
  return 1;
}

std::function<Result<bool>(const std::string&)> server_name_hook(SSL* s) {
  if (s->ctx.ctx->servername_cb == nullptr) return nullptr;
  return [s](const std::string&) -> Result<bool> {
    // The context's callback at the ClientHello (libssl reads s->ctx);
    // SSL_get_servername gives the name inside it.
    SSL_CTX* ctx = s->ctx.ctx;
    if (ctx->servername_cb == nullptr) return true;
    int alert = SSL_AD_UNRECOGNIZED_NAME;  // libssl's default (RFC 6066 §3)
    int r;
    {
      CallbackErrors keep;
      r = ctx->servername_cb(s, &alert, ctx->servername_arg);
    }
    switch (r) {
      case SSL_TLSEXT_ERR_ALERT_FATAL:
        s->callback_failure = Reason::callback_failed;  // libssl's reason
        return fail(static_cast<Alert>(alert), "the servername callback answered SSL_TLSEXT_ERR_ALERT_FATAL");
      case SSL_TLSEXT_ERR_NOACK:
      case SSL_TLSEXT_ERR_ALERT_WARNING:  // no warning alert is sent (ssl.h)
        return false;
      default: return true;
    }
  };
}

}  // namespace vouch::compat

extern "C" {

int SSL_get_servername_type(const SSL* s) {
  return SSL_get_servername(s, TLSEXT_NAMETYPE_host_name) != nullptr ? TLSEXT_NAMETYPE_host_name : -1;
}

SSL_CTX* SSL_set_SSL_CTX(SSL* s, SSL_CTX* ctx) {
  if (s->ctx.ctx == ctx) return ctx;
  if (ctx == nullptr) ctx = s->session_ctx.ctx;  // back to the first one
  // The certificates and keys are the new context's; a session id context
  // the SSL had from its old context follows the new one (one set on the
  // SSL itself stays). Everything else set on the SSL stays.
  s->settings.certs = ctx->settings.certs.copy();
  if (s->settings.session_id_context == s->ctx.ctx->settings.session_id_context)
    s->settings.session_id_context = ctx->settings.session_id_context;
  s->ctx.reset(ctx);
  return ctx;
}

}  // extern "C"
