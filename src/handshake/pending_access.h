// How a connection binds the pending handles it hands out to its waker and
// picks their answers up. The handles' take() members are private
// (vouch/pending.h): only the handshake, through this, may call them.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include "handshake/wake_channel.h"
#include "vouch/client_auth.h"
#include "vouch/credential_source.h"
#include "vouch/ocsp.h"

namespace vouch {

struct PendingAccess {
  /// A fresh handle of type H bound to `channel` (may be null: wakes nobody).
  template <class H>
  static std::shared_ptr<H> make(std::shared_ptr<WakeChannel> channel) {
    auto h = std::make_shared<H>();
    static_cast<PendingHandle&>(*h).wake_ = std::move(channel);
    return h;
  }

  /// The answer, once: nullopt while none was given (or after it was taken).
  static auto take(PendingClientCertificate& p) { return p.take(); }
  static std::optional<Result<Bytes>> take(PendingSignature& p) { return p.take(); }
  static std::optional<Result<std::vector<Bytes>>> take(PendingOcspStaple& p) { return p.take(); }
  static std::optional<Result<CredentialSnapshot>> take(PendingCredentials& p) { return p.take(); }
};

}  // namespace vouch
