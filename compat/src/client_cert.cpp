// SSL_CTX_set_client_cert_cb(3): the callback runs when the server sends a
// CertificateRequest and no certificate is set on the SSL; what it returns
// is installed into the SSL as with SSL_use_certificate/SSL_use_PrivateKey,
// so it stays across SSL_clear and later handshakes send it without asking.
#include "client_cert.h"

#include <optional>

#include "ca_names.h"
#include "config.h"
#include "errors.h"
#include "objects.h"
#include "status.h"

namespace vouch::compat {
namespace {

/// What one call of the application's callback decided.
struct Answer {
  enum class Kind { certificate, none, later, failed } kind = Kind::none;
  std::optional<Credential> credential;
};

/// VOUCH_SSL_CTX_set_client_chain_cb: the whole chain, for this handshake
/// only (nothing is installed into the SSL).
Answer ask_chain_callback(SSL* s) {
  STACK_OF(X509)* chain = nullptr;
  EVP_PKEY* pkey = nullptr;
  int r = 0;
  {
    // What the callback pushes, and what is raised about its answer, stays
    // on the queue after the handshake call, as in libssl.
    CallbackErrors keep;
    r = s->ctx.ctx->client_chain_cb(s, &chain, &pkey, s->ctx.ctx->client_chain_arg);
    if (r > 0 && (chain == nullptr || sk_X509_num(chain) == 0 || pkey == nullptr)) {
      raise(Reason::bad_data_returned_by_callback, "the client chain callback returned 1 without a chain and key");
      r = 0;
    }
  }
  // The library owns what it was handed, whatever the answer.
  ossl::X509Stack owned_chain(chain);
  ossl::EvpPkey owned_key(pkey);
  if (r < 0) return {Answer::Kind::later, std::nullopt};
  if (r == 0) return {};
  std::vector<X509*> certs;
  for (int i = 0; i < sk_X509_num(chain); ++i) certs.push_back(sk_X509_value(chain, i));
  // from_x509 takes its own references; the stack and key go at return.
  auto credential = Credential::from_x509(certs, pkey);
  if (!credential) {
    CallbackErrors keep;
    raise(Reason::bad_data_returned_by_callback,
          "the client chain callback's chain and key: " + credential.error().to_string());
    return {};
  }
  return {Answer::Kind::certificate, std::move(credential).value()};
}

/// SSL_CTX_set_client_cert_cb's callback: 1 installs what it returned into
/// the SSL (true when that worked), 0 declines, negative = later.
int ask_client_cert_cb(SSL* s, int (*cb)(SSL*, X509**, EVP_PKEY**), bool& installed) {
  // What the callback pushes, and what is raised about its answer (or by
  // installing it), stays on the queue after the handshake call, as in
  // libssl.
  CallbackErrors keep;
  X509* x509 = nullptr;
  EVP_PKEY* pkey = nullptr;
  const int r = cb(s, &x509, &pkey);
  installed = false;
  if (r == 1 && x509 != nullptr && pkey != nullptr) {
    installed = SSL_use_certificate(s, x509) == 1 && SSL_use_PrivateKey(s, pkey) == 1;
  } else if (r == 1) {
    // libssl goes on without a certificate, leaving this on the queue.
    raise(Reason::bad_data_returned_by_callback,
          "the client certificate callback returned 1 without a certificate and key");
  }
  // The library takes over the references it was handed: the SSL holds its
  // own now (or nothing, when they could not be installed).
  X509_free(x509);
  EVP_PKEY_free(pkey);
  return r;
}

Answer ask_application(SSL* s) {
  if (s->ctx.ctx->client_chain_cb != nullptr) return ask_chain_callback(s);
  auto cb = s->ctx.ctx->client_cert_cb;
  if (cb == nullptr) return {};
  bool installed = false;
  // The page: a negative value suspends the handshake; the next call of the
  // handshake function calls the callback again.
  if (ask_client_cert_cb(s, cb, installed) < 0) return {Answer::Kind::later, std::nullopt};
  if (!installed) return {};
  const CredentialSnapshot credentials = credentials_of(s);
  if (credentials->empty()) return {};
  return {Answer::Kind::certificate, credentials->front()};
}

/// The certificate callback (SSL_CTX_set_cert_cb) runs first, then the
/// certificate set on the SSL is used, else the client certificate callback
/// is asked. `from_cert_cb`: start with the certificate callback.
Answer decide(SSL* s, bool from_cert_cb) {
  if (from_cert_cb && s->ctx.ctx->cert_cb != nullptr) {
    const int r = [&] {
      CallbackErrors keep;
      return s->ctx.ctx->cert_cb(s, s->ctx.ctx->cert_cb_arg);
    }();
    if (r < 0) {
      s->client_cert_retry_cert_cb = true;
      return {Answer::Kind::later, std::nullopt};
    }
    if (r == 0) return {Answer::Kind::failed, std::nullopt};
  }
  s->client_cert_retry_cert_cb = false;
  // The certificate set on the SSL (SSL_use_certificate, the context's
  // copied at SSL_new, or one the certificate callback set) is sent
  // whatever CAs the server names, without the client certificate callback
  // (SSL_CTX_set_client_cert_cb(3), NOTES).
  const CredentialSnapshot credentials = credentials_of(s);
  if (!credentials->empty()) return {Answer::Kind::certificate, credentials->front()};
  return ask_application(s);
}

Error cert_cb_error() {
  return fail(Alert::internal_error, "the certificate callback (SSL_CTX_set_cert_cb) returned 0");
}

}  // namespace

namespace {

/// Hands a decided answer to the waiting handshake. The client status
/// callback, when due, runs first — libssl calls it after the client
/// certificate callbacks — and its refusal fails the handshake instead.
void settle(SSL* s, PendingClientCertificate& pending, Answer a) {
  if (a.kind == Answer::Kind::failed) {
    s->callback_failure = Reason::callback_failed;  // libssl: "callback failed"
    pending.abort(cert_cb_error());
    return;
  }
  if (s->client_status_due) {
    if (Status st = call_client_status_callback(s); !st) {
      pending.abort(st.error());
      return;
    }
  }
  if (a.kind == Answer::Kind::certificate) {
    pending.choose(std::move(*a.credential));
  } else {
    pending.decline();
  }
}

}  // namespace

ClientCertificateSelector client_certificate_selector(SSL* s) {
  return [s](const CertificateRequestInfo& request, std::shared_ptr<PendingClientCertificate> pending) {
    // SSL_get_client_CA_list on a client: what this request names.
    if (s->pending_client_cert) {
      // One request at a time, as libssl's state machine (in init again
      // until the first is answered) takes them: a second post-handshake
      // CertificateRequest before the callback answered the first fails
      // the connection rather than leaving the first unanswered for ever.
      pending->abort(fail(Alert::unexpected_message,
                          "a second post-handshake CertificateRequest arrived before the client "
                          "certificate callback answered the first"));
      return ClientCertificateChoice::pending();
    }
    // Decoded when asked for (SSL_get_client_CA_list). A TLS 1.2
    // CertificateRequest always carries the list (RFC 5246 §7.4.4), perhaps
    // empty: libssl then has an empty stack, not NULL.
    s->peer_ca_der = request.certificate_authorities;
    s->peer_ca_listed = !s->peer_ca_der.empty() || request.version == ProtocolVersion::tls12;
    s->peer_ca_names.reset();
    s->peer_ca_decoded = false;
    Answer a = decide(s, true);
    if (a.kind == Answer::Kind::later) {
      s->pending_client_cert = std::move(pending);
    } else {
      // Answered before returning: the handshake goes on (or fails) at once.
      settle(s, *pending, std::move(a));
    }
    return ClientCertificateChoice::pending();
  };
}

bool retry_client_certificate(SSL* s) {
  if (!s->pending_client_cert) return true;
  Answer a = s->client_cert_retry_cert_cb ? decide(s, true) : ask_application(s);
  if (a.kind == Answer::Kind::later) return false;
  settle(s, *s->pending_client_cert, std::move(a));
  s->pending_client_cert.reset();
  return true;
}

}  // namespace vouch::compat

extern "C" {

void SSL_CTX_set_client_cert_cb(SSL_CTX* ctx, int (*cb)(SSL*, X509**, EVP_PKEY**)) {
  ctx->client_cert_cb = cb;
}

int (*SSL_CTX_get_client_cert_cb(SSL_CTX* ctx))(SSL*, X509**, EVP_PKEY**) { return ctx->client_cert_cb; }

void VOUCH_SSL_CTX_set_client_chain_cb(SSL_CTX* ctx, VOUCH_client_chain_cb cb, void* arg) {
  ctx->client_chain_cb = cb;
  ctx->client_chain_arg = arg;
}

}  // extern "C"
