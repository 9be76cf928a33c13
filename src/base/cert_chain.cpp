#include "vouch/cert_chain.h"

#include <utility>

namespace vouch {

CertChain::CertChain(std::vector<Bytes> certs) {
  // The empty chain holds nothing, whichever way it was made.
  if (!certs.empty()) certs_ = std::make_shared<const std::vector<Bytes>>(std::move(certs));
}

CertChain::CertChain(std::initializer_list<Bytes> certs) : CertChain(std::vector<Bytes>(certs)) {}

const std::vector<Bytes>& CertChain::certs() const {
  static const std::vector<Bytes> kEmpty;
  return certs_ ? *certs_ : kEmpty;
}

}  // namespace vouch
