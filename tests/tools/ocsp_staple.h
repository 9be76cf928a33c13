// One OCSP response for one certificate, without any network: the request a
// stapler would send, answered by the test responder's builder. For tests
// that need staples (good, revoked, expired, for another certificate ...).
#pragma once

#include <openssl/x509.h>

#include "tools/ocsp_response_builder.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch::testing {

/// The DER OCSPResponse the responder of `issuer` (signing with
/// `issuer_key`) gives for `cert` under behaviour `b`.
Result<Bytes> make_ocsp_staple(X509* cert, X509* issuer, EVP_PKEY* issuer_key, const OcspBehavior& b = {});

}  // namespace vouch::testing
