#include "tools/ocsp_staple.h"

#include "ocsp/ocsp.h"
#include "tools/ocsp_signers.h"

namespace vouch::testing {

Result<Bytes> make_ocsp_staple(X509* cert, X509* issuer, EVP_PKEY* issuer_key, const OcspBehavior& b) {
  VOUCH_ASSIGN(OcspSigners signers, make_ocsp_signers(issuer, issuer_key));
  VOUCH_ASSIGN(Bytes request, make_ocsp_request(cert, issuer, /*with_nonce=*/false, nullptr));
  return build_ocsp_response(signers, b, request);
}

}  // namespace vouch::testing
