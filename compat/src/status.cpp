// SSL_CTX_set_tlsext_status_cb(3). A client asks for a staple after
// SSL_set_tlsext_status_type(TLSEXT_STATUSTYPE_ocsp); its callback then
// judges what came (negative: error, 0: not acceptable, positive: fine). A
// server's callback is called when a client asked, and staples what it set
// with SSL_set_tlsext_status_ocsp_resp (SSL_TLSEXT_ERR_OK), nothing
// (SSL_TLSEXT_ERR_NOACK) or fails the handshake (SSL_TLSEXT_ERR_ALERT_FATAL).
// vouch extension: VOUCH_SSL_TLSEXT_ERR_RETRY_LATER suspends the server's
// handshake (vouch's asynchronous staple hook) until the next handshake call.
#include "status.h"

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "errors.h"
#include "objects.h"

namespace vouch::compat {
namespace {

using StatusCb = int (*)(SSL*, void*);

/// Makes the slot holding the credential's leaf the current one, so that
/// SSL_get_certificate inside the callback gives the certificate being sent
/// (libssl sets its current key to the chosen one before the call).
void select_slot_of(SSL* s, const Credential& credential) {
  CertSet& set = s->settings.certs;
  for (size_t i = 0; i < CertSet::kSlots; ++i) {
    const CertSlot& slot = set.slots[i];
    if (slot.cert && X509_cmp(slot.cert.get(), credential.leaf()) == 0) {
      set.current = static_cast<int>(i);
      return;
    }
  }
}

class StatusCallbackProvider : public RevocationProvider {
 public:
  explicit StatusCallbackProvider(SSL* s) : s_(s) {}
  std::string name() const override { return "status-callback"; }

  Status check(const RevocationContext& ctx) const override {
    // The leaf's staple: TLS 1.3's in its CertificateEntry (RFC 8446
    // §4.4.2.1), TLS 1.2's in the CertificateStatus (RFC 6066 §8).
    const StapleReport* leaf = ctx.ocsp.leaf();
    if (leaf != nullptr && leaf->present && !leaf->response.empty()) {
      auto* copy = static_cast<unsigned char*>(OPENSSL_memdup(leaf->response.data(), leaf->response.size()));
      if (copy == nullptr) return fail(Alert::internal_error, "out of memory for the OCSP response");
      s_->ocsp_response.reset(copy, static_cast<long>(leaf->response.size()));
    } else {
      s_->ocsp_response.reset();
    }
    if (ctx.certificate_requested) {
      // libssl calls the status callback when the server's whole flight is
      // read (in TLS 1.2 vouch checks at ServerHelloDone), after the client
      // certificate callbacks: the certificate selector (client_cert.cpp)
      // calls it once it has an answer.
      s_->client_status_due = true;
      return {};
    }
    return call_client_status_callback(s_);
  }

 private:
  SSL* s_;
};

}  // namespace

Status call_client_status_callback(SSL* s) {
  s->client_status_due = false;
  StatusCb cb = s->ctx.ctx->status_cb;
  if (cb == nullptr) return {};
  const int r = [&] {
    CallbackErrors keep;
    return cb(s, s->ctx.ctx->status_arg);
  }();
  if (r < 0) {
    s->callback_failure = Reason::ocsp_callback_failure;
    return fail(Alert::internal_error, "the OCSP status callback failed");
  }
  // RFC 6066 §8: an unacceptable response is bad_certificate_status_response.
  if (r == 0) return fail(Alert::bad_certificate_status_response, "the OCSP status callback refused the response");
  return {};
}

std::optional<long> status_ctx_ctrl(SSL_CTX* ctx, int cmd, long larg, void* parg) {
  switch (cmd) {
    case SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG:
      ctx->status_arg = parg;
      return 1;
    case SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB_ARG:
      *static_cast<void**>(parg) = ctx->status_arg;
      return 1;
    case SSL_CTRL_GET_TLSEXT_STATUS_REQ_CB:
      *static_cast<StatusCb*>(parg) = ctx->status_cb;
      return 1;
    case SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE:
      ctx->status_type = static_cast<int>(larg);
      return 1;
    case SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE: return ctx->status_type;
    default: return std::nullopt;
  }
}

std::optional<long> status_ssl_ctrl(SSL* s, int cmd, long larg, void* parg) {
  switch (cmd) {
    case SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE:
      s->status_type = static_cast<int>(larg);
      return 1;
    case SSL_CTRL_GET_TLSEXT_STATUS_REQ_TYPE: return s->status_type;
    case SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP:
      // The page: -1 and a NULL *resp when nothing was stapled.
      *static_cast<unsigned char**>(parg) = s->ocsp_response.data;
      if (s->ocsp_response.data == nullptr || s->ocsp_response.len <= 0) return -1;
      return s->ocsp_response.len;
    case SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP:
      // Takes ownership of OPENSSL_malloc'd memory; what was set before goes.
      s->ocsp_response.reset(static_cast<unsigned char*>(parg), larg);
      return 1;
    default: return std::nullopt;
  }
}

namespace {

/// One call of the server's status callback: the staples to send, an error,
/// or nullopt for VOUCH_SSL_TLSEXT_ERR_RETRY_LATER (ask again later).
std::optional<Result<std::vector<Bytes>>> ask_status_callback(SSL* s) {
  StatusCb cb = s->ctx.ctx->status_cb;
  if (cb == nullptr) return std::vector<Bytes>{};
  const int answer = [&] {
    CallbackErrors keep;
    return cb(s, s->ctx.ctx->status_arg);
  }();
  switch (answer) {
    case SSL_TLSEXT_ERR_NOACK: return std::vector<Bytes>{};
    case SSL_TLSEXT_ERR_OK: {
      const OcspResponse& r = s->ocsp_response;
      if (r.data == nullptr || r.len <= 0) return std::vector<Bytes>{};
      return std::vector<Bytes>{Bytes(r.data, r.data + r.len)};
    }
    case VOUCH_SSL_TLSEXT_ERR_RETRY_LATER: return std::nullopt;
    default:
      // SSL_TLSEXT_ERR_ALERT_FATAL, and anything else, as in libssl.
      s->callback_failure = Reason::clienthello_tlsext;
      return Result<std::vector<Bytes>>(fail(Alert::internal_error, "the OCSP status callback failed the handshake"));
  }
}

}  // namespace

StapleHook staple_hook(SSL* s) {
  if (s->ctx.ctx->status_cb == nullptr) return nullptr;
  // vouch calls the hook only when the client sent status_request, once per
  // handshake; a "later" answer leaves the handshake waiting on `pending`
  // (Wait::ocsp_staple), answered by retry_status_callback.
  return [s](const Credential& credential, const std::string&,
             std::shared_ptr<PendingOcspStaple> pending) -> std::optional<Result<std::vector<Bytes>>> {
    select_slot_of(s, credential);
    auto answer = ask_status_callback(s);
    if (!answer) s->pending_staple = std::move(pending);
    return answer;
  };
}

bool retry_status_callback(SSL* s) {
  if (!s->pending_staple) return true;
  // The slot chosen at the first call is still the current one.
  auto answer = ask_status_callback(s);
  if (!answer) return false;
  if (answer->ok()) {
    s->pending_staple->provide(std::move(*answer).value());
  } else {
    s->pending_staple->fail(std::move(*answer).error());
  }
  s->pending_staple.reset();
  return true;
}

std::shared_ptr<const RevocationProvider> status_provider(SSL* s) {
  if (s->status_type != TLSEXT_STATUSTYPE_ocsp) return nullptr;
  return std::make_shared<StatusCallbackProvider>(s);
}

}  // namespace vouch::compat

namespace vouch::compat {

std::optional<long> status_callback_ctrl(SSL_CTX* ctx, int cmd, void (*fp)(void)) {
  if (cmd != SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB) return std::nullopt;
  // The macro casts the callback to void (*)(void); this is its type.
  ctx->status_cb = reinterpret_cast<StatusCb>(fp);
  return 1;
}

}  // namespace vouch::compat
