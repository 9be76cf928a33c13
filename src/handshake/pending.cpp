// The thread-safe hand-over objects between an application and a suspended
// handshake (vouch/client_auth.h).
#include "vouch/client_auth.h"
#include "vouch/ocsp.h"

namespace vouch {

void PendingClientCertificate::choose(Credential credential) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!answer_) answer_ = Answer{std::move(credential), std::nullopt};
}

void PendingClientCertificate::decline() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!answer_) answer_ = Answer{std::nullopt, std::nullopt};
}

void PendingClientCertificate::abort(Error error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!answer_) answer_ = Answer{std::nullopt, std::move(error)};
}

bool PendingClientCertificate::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answer_.has_value();
}

std::optional<PendingClientCertificate::Answer> PendingClientCertificate::take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(answer_, std::nullopt);
}

void PendingSignature::complete(Bytes signature) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!result_) result_ = Result<Bytes>(std::move(signature));
}

void PendingSignature::fail(Error error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!result_) result_ = Result<Bytes>(std::move(error));
}

bool PendingSignature::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return result_.has_value();
}

std::optional<Result<Bytes>> PendingSignature::take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(result_, std::nullopt);
}

void PendingOcspStaple::provide(std::vector<Bytes> staples) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!answer_) answer_ = Result<std::vector<Bytes>>(std::move(staples));
}

void PendingOcspStaple::fail(Error error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!answer_) answer_ = Result<std::vector<Bytes>>(std::move(error));
}

bool PendingOcspStaple::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answer_.has_value();
}

std::optional<Result<std::vector<Bytes>>> PendingOcspStaple::take() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(answer_, std::nullopt);
}

}  // namespace vouch
