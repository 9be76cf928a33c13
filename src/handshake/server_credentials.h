// Where a server's certificate and OCSP staples come from for one
// handshake, in either version: the config's credentials, a live credential
// source (the Stapler), an asynchronous source that may answer later, and
// the staple hooks (synchronous or asynchronous). Both suspensions happen
// before anything of the server's answer is written, so resuming simply
// asks again (STYLE.md: suspend only before changing anything).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vouch/config.h"

namespace vouch {

struct ConnCore;

class ServerCredentials {
 public:
  /// Handles given to the asynchronous hooks are bound to `core`'s waker;
  /// trace events carry the connection's number (core.trace_id).
  ServerCredentials(const ServerConfig& config, ConnCore& core) : config_(config), core_(core) {}

  /// The credentials to choose from for this handshake: from
  /// credential_source_async (asked once; false while it has not
  /// answered), credential_source (one consistent snapshot), else
  /// config.credentials. An empty or null snapshot → internal_error; an
  /// asynchronous fail(error) → that error.
  Result<bool> settle(const ClientHelloInfo& hello);
  /// Valid after settle() answered true.
  const std::vector<Credential>& list() const { return *list_; }

  /// The OCSP responses to staple with `chosen`, one per chain position
  /// (RFC 8446 §4.4.2.1, RFC 6066 §8), from ocsp_staple_hook_async (asked
  /// once; false while it has not answered), ocsp_staple_hook, else the
  /// credential's own staples. `wanted` false (the client did not ask, or
  /// no Certificate is sent): no staples and no hook is called. Errors: a
  /// hook's error.
  Result<bool> settle_staples(const Credential& chosen, const std::string& server_name, bool wanted);
  /// Valid after settle_staples() answered true.
  const std::vector<Bytes>& staples() const { return *staples_; }

 private:
  Result<std::optional<CredentialSnapshot>> poll_async_source(const ClientHelloInfo& hello);
  Result<bool> settle_staples_once(const Credential& chosen, const std::string& server_name, bool wanted);

  const ServerConfig& config_;
  ConnCore& core_;
  const std::vector<Credential>* list_ = nullptr;
  /// Keeps the credentials list_ points into when they came from a source.
  CredentialSnapshot snapshot_;
  std::shared_ptr<PendingCredentials> pending_credentials_;
  std::optional<std::vector<Bytes>> staples_;
  std::shared_ptr<PendingOcspStaple> pending_staple_;
};

}  // namespace vouch
