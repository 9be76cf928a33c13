// The hand-over between an asynchronous credential source and a server
// handshake waiting for it (vouch/credential_source.h).
#include <utility>

#include "vouch/credential_source.h"

namespace vouch {

// `answered_` stays set after take(): a second answer is ignored even once
// the first was picked up.
void PendingCredentials::provide(CredentialSnapshot credentials) {
  std::lock_guard<std::mutex> lock(mu_);
  if (answered_) return;
  answered_ = true;
  answer_ = Result<CredentialSnapshot>(std::move(credentials));
}

void PendingCredentials::fail(Error error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (answered_) return;
  answered_ = true;
  answer_ = Result<CredentialSnapshot>(std::move(error));
}

bool PendingCredentials::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answered_;
}

std::optional<Result<CredentialSnapshot>> PendingCredentials::take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(answer_, std::nullopt);
}

}  // namespace vouch
