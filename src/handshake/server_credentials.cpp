#include "handshake/server_credentials.h"

#include <algorithm>

#include "handshake/trace_emit.h"
#include "handshake/conn_core.h"

namespace vouch {

Result<bool> ServerCredentials::settle(const ClientHelloInfo& hello) {
  if (list_) return true;
  if (config_.credential_source_async) {
    VOUCH_ASSIGN(std::optional<CredentialSnapshot> answer, poll_async_source(hello));
    if (!answer) return false;
    snapshot_ = std::move(*answer);
  } else if (config_.credential_source) {
    // A live source (e.g. a Stapler): one consistent snapshot of chains,
    // keys and staples for the whole handshake.
    snapshot_ = config_.credential_source();
  } else {
    list_ = &config_.credentials;
    return true;
  }
  if (!snapshot_ || snapshot_->empty())
    return fail(Alert::internal_error, "server: the credential source has no credentials");
  list_ = snapshot_.get();
  return true;
}

Result<std::optional<CredentialSnapshot>> ServerCredentials::poll_async_source(const ClientHelloInfo& hello) {
  if (!pending_credentials_) {
    auto handle = core_.make_pending<PendingCredentials>();
    std::optional<CredentialSnapshot> now = config_.credential_source_async(hello, handle);
    if (now) return now;
    pending_credentials_ = std::move(handle);  // it may have answered already
  }
  std::optional<Result<CredentialSnapshot>> answer = PendingAccess::take(*pending_credentials_);
  if (!answer) return std::optional<CredentialSnapshot>();
  pending_credentials_.reset();
  if (!*answer) return std::move(*answer).error();
  return std::optional<CredentialSnapshot>(std::move(*answer).value());
}

Result<bool> ServerCredentials::settle_staples(const Credential& chosen, const std::string& server_name,
                                               bool wanted) {
  if (staples_) return true;
  VOUCH_ASSIGN(const bool settled, settle_staples_once(chosen, server_name, wanted));
  if (!settled) return false;
  // The decision, once (vouch/trace.h).
  emit_trace(config_, core_.trace_id, [&] {
    TraceStaple st;
    if (!wanted) {
      st.decision = TraceStaple::Decision::not_requested;
      return st;
    }
    const bool hook = config_.ocsp_staple_hook_async || config_.ocsp_staple_hook;
    st.source = hook ? "hook" : "credential";
    st.count = static_cast<size_t>(
        std::count_if(staples_->begin(), staples_->end(), [](const Bytes& b) { return !b.empty(); }));
    st.decision = st.count > 0 ? TraceStaple::Decision::stapled : TraceStaple::Decision::none;
    return st;
  });
  return true;
}

Result<bool> ServerCredentials::settle_staples_once(const Credential& chosen, const std::string& server_name,
                                                    bool wanted) {
  if (!wanted) {
    staples_.emplace();
    return true;
  }
  if (pending_staple_) {
    auto answer = PendingAccess::take(*pending_staple_);
    if (!answer) return false;
    pending_staple_.reset();
    if (!*answer) return answer->error();
    staples_ = std::move(**answer);
    return true;
  }
  if (config_.ocsp_staple_hook_async) {
    auto handle = core_.make_pending<PendingOcspStaple>();
    auto now = config_.ocsp_staple_hook_async(chosen, server_name, handle);
    if (!now) {
      pending_staple_ = std::move(handle);
      return settle_staples_once(chosen, server_name, wanted);  // it may have answered already
    }
    if (!*now) return now->error();
    staples_ = std::move(**now);
    return true;
  }
  if (config_.ocsp_staple_hook) {
    auto r = config_.ocsp_staple_hook(chosen, server_name);
    if (!r) return r.error();
    staples_ = std::move(*r);
    return true;
  }
  staples_ = chosen.ocsp_staples();
  return true;
}

}  // namespace vouch
