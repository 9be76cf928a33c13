// Choosing the client certificate for one CertificateRequest, the same way
// in TLS 1.3 (in-handshake and post-handshake, RFC 8446 §4.3.2, §4.6.2) and
// TLS 1.2 (RFC 5246 §7.4.4, renegotiation included): the application's
// selector (which may answer later), else the built-in rule over
// ClientConfig::client_credentials with a note per candidate.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "vouch/config.h"

namespace vouch {

struct ConnCore;

class ClientCertificateSelection {
 public:
  /// Handles given to the selector are bound to `core`'s waker; trace
  /// events carry the connection's number (core.trace_id).
  ClientCertificateSelection(const ClientConfig& config, ConnCore& core) : config_(config), core_(core) {}

  /// Runs the selection for one request. A selector that answers later
  /// leaves its handle in `pending` and false is returned; while `pending`
  /// is set, calls take its answer instead of asking again. On true,
  /// `chosen` holds the answer (empty = no certificate). Errors: the
  /// application aborted (its error), a selector that "chose" nothing
  /// (internal_error).
  Result<bool> select(const CertificateRequestInfo& info, std::shared_ptr<PendingClientCertificate>& pending,
                      std::optional<Credential>& chosen);
  /// Why the built-in selector took or skipped each candidate at the last
  /// request it ran for (empty when a custom selector answered).
  const std::vector<SelectionNote>& notes() const { return notes_; }

 private:
  Result<bool> select_once(const CertificateRequestInfo& info, std::shared_ptr<PendingClientCertificate>& pending,
                           std::optional<Credential>& chosen);

  const ClientConfig& config_;
  ConnCore& core_;
  bool custom_ = false;  // the application's selector answered the last request
  std::vector<SelectionNote> notes_;
};

}  // namespace vouch
