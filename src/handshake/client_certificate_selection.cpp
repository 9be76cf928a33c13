#include "handshake/client_certificate_selection.h"

#include "handshake/trace_emit.h"
#include "handshake/conn_core.h"

namespace vouch {

Result<bool> ClientCertificateSelection::select(const CertificateRequestInfo& info,
                                                std::shared_ptr<PendingClientCertificate>& pending,
                                                std::optional<Credential>& chosen) {
  VOUCH_ASSIGN(const bool answered, select_once(info, pending, chosen));
  if (!answered) return false;
  // The answer and its reasons (vouch/trace.h).
  emit_trace(config_, core_.trace_id, [&] {
    TraceClientCertificate t;
    t.post_handshake = info.post_handshake;
    t.acceptable_cas = info.certificate_authorities.size();
    t.custom_selector = custom_;
    t.sent = chosen.has_value();
    if (chosen) t.subject = chosen->subject();
    if (!custom_) t.notes = notes_;
    return t;
  });
  return true;
}

Result<bool> ClientCertificateSelection::select_once(const CertificateRequestInfo& info,
                                                     std::shared_ptr<PendingClientCertificate>& pending,
                                                     std::optional<Credential>& chosen) {
  if (pending) {
    auto answer = PendingAccess::take(*pending);
    if (!answer) return false;  // still pending: the selector is not called again
    pending.reset();
    if (answer->error) return *answer->error;
    chosen = std::move(answer->credential);
    return true;
  }
  chosen.reset();
  notes_.clear();
  custom_ = static_cast<bool>(config_.client_certificate_selector);
  if (config_.client_certificate_selector) {
    auto handle = core_.make_pending<PendingClientCertificate>();
    ClientCertificateChoice c = config_.client_certificate_selector(info, handle);
    switch (c.kind) {
      case ClientCertificateChoice::Kind::certificate:
        if (!c.credential) return fail(Alert::internal_error, "client certificate selector chose no credential");
        chosen = std::move(c.credential);
        return true;
      case ClientCertificateChoice::Kind::none: return true;
      case ClientCertificateChoice::Kind::pending:
        pending = std::move(handle);
        // Answered before returning: taken at once.
        return pending->ready() ? select_once(info, pending, chosen) : false;
    }
  }
  if (auto idx = select_client_credential(config_.client_credentials, info, &notes_))
    chosen = config_.client_credentials[*idx];
  return true;
}

}  // namespace vouch
