// Small helpers shared by the OCSP verification files: the error every
// verification failure becomes, and the text that goes into its reasons.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "ocsp/ocsp.h"
#include "vouch/error.h"

namespace vouch {

/// Error{bad_certificate_status_response, reason} (RFC 6066 §8, RFC 8446
/// §4.4.2.1: the alert for an unacceptable status response).
Error ocsp_fail(std::string reason);
/// The same, with libcrypto's queued errors (and their detail text, e.g. the
/// X.509 verify error of a responder certificate) appended; drains the queue.
Error ocsp_fail_ossl(std::string reason);

/// Decodes exactly one DER OCSPResponse (RFC 6960 §4.2.1), bounded before
/// anything looks at it: empty, more than kMaxOcspResponseBytes, undecodable
/// or followed by other bytes → bad_certificate_status_response. The
/// responseStatus is not judged here.
Result<ossl::OcspResponse> decode_ocsp_response(ByteView der);

/// "CN=...,O=..." in double quotes — a certificate's subject on one line, quoted.
std::string quoted_subject(const X509* cert);

}  // namespace vouch
