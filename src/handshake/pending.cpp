// The thread-safe hand-over objects between an application and a suspended
// handshake (vouch/pending.h, vouch/client_auth.h, vouch/ocsp.h,
// vouch/credential_source.h).
#include "vouch/pending.h"

#include <utility>

#include "handshake/wake_channel.h"
#include "vouch/client_auth.h"
#include "vouch/credential_source.h"
#include "vouch/ocsp.h"

namespace vouch {

PendingHandle::PendingHandle() = default;
PendingHandle::~PendingHandle() = default;

bool PendingHandle::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answered_;
}

void PendingHandle::wake() {
  // wake_ never changes once the handle left the connection.
  if (wake_) wake_->wake();
}

// ---- PendingClientCertificate

void PendingClientCertificate::choose(Credential credential) {
  answer([&] { answer_ = Answer{std::move(credential), std::nullopt}; });
}

void PendingClientCertificate::decline() {
  answer([&] { answer_ = Answer{std::nullopt, std::nullopt}; });
}

void PendingClientCertificate::abort(Error error) {
  answer([&] { answer_ = Answer{std::nullopt, std::move(error)}; });
}

std::optional<PendingClientCertificate::Answer> PendingClientCertificate::take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(answer_, std::nullopt);
}

// ---- PendingSignature

void PendingSignature::complete(Bytes signature) {
  answer([&] { result_ = Result<Bytes>(std::move(signature)); });
}

void PendingSignature::fail(Error error) {
  answer([&] { result_ = Result<Bytes>(std::move(error)); });
}

std::optional<Result<Bytes>> PendingSignature::take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(result_, std::nullopt);
}

// ---- PendingOcspStaple

void PendingOcspStaple::provide(std::vector<Bytes> staples) {
  answer([&] { answer_ = Result<std::vector<Bytes>>(std::move(staples)); });
}

void PendingOcspStaple::fail(Error error) {
  answer([&] { answer_ = Result<std::vector<Bytes>>(std::move(error)); });
}

std::optional<Result<std::vector<Bytes>>> PendingOcspStaple::take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(answer_, std::nullopt);
}

// ---- PendingCredentials

void PendingCredentials::provide(CredentialSnapshot credentials) {
  answer([&] { answer_ = Result<CredentialSnapshot>(std::move(credentials)); });
}

void PendingCredentials::fail(Error error) {
  answer([&] { answer_ = Result<CredentialSnapshot>(std::move(error)); });
}

std::optional<Result<CredentialSnapshot>> PendingCredentials::take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(answer_, std::nullopt);
}

}  // namespace vouch
