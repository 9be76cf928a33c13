// Who signed an OCSP response, and were they allowed to (RFC 6960 §3.2 items
// 2-4, §4.2.2.2)?
//
// The trust model is deliberately narrow: the certificate's issuer is the one
// and only anchor. A response is signed either by that issuer or by a
// responder certificate the issuer issued directly with id-kp-OCSPSigning.
// libcrypto's OCSP_basic_verify on its own would also accept a responder
// chaining to any root of the store it is given, so it is given a store
// holding only the issuer, and the authorization of a delegated signer is
// checked explicitly before it.
#pragma once

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <string>
#include <vector>

#include "ocsp/ocsp_time.h"
#include "vouch/error.h"

namespace vouch {

/// Verifies the signature of `bs` and the signer's authority for `issuer`'s
/// certificates at `now`. The signer is the issuer when the ResponderID
/// designates it; otherwise a certificate from the response or `extra_certs`
/// that the ResponderID designates, which must be issued by `issuer`, carry
/// id-kp-OCSPSigning and be valid at `now`. Returns whether the signer was
/// such a delegate. Errors: bad_certificate_status_response.
Result<bool> verify_ocsp_signer(OCSP_BASICRESP* bs, X509* issuer, const std::vector<X509*>& extra_certs,
                                SysTime now);

/// The ResponderID (RFC 6960 §4.2.1) as OcspStatus::responder shows it: the
/// name on one line, or "key:<hex SHA-1>".
std::string ocsp_responder_text(const OCSP_BASICRESP* bs);

}  // namespace vouch
