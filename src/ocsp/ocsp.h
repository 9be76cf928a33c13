// OCSP (RFC 6960) over libcrypto: building requests, reading the OCSP bits
// of certificates (AIA responder URL, RFC 7633 must-staple), and verifying
// responses against the certificate and its issuer. libcrypto does all the
// ASN.1; this layer decides what is acceptable.
#pragma once

#include <openssl/ocsp.h>
#include <openssl/x509.h>

#include <optional>
#include <string>
#include <vector>

#include "crypto/ossl.h"
#include "vouch/error.h"
#include "vouch/ocsp.h"
#include "vouch/types.h"

namespace vouch {

namespace ossl {
inline void free_ocsp_basicresp(OCSP_BASICRESP* p) { OCSP_BASICRESP_free(p); }
using OcspRequest = Ptr<OCSP_REQUEST, OCSP_REQUEST_free>;
using OcspResponse = Ptr<OCSP_RESPONSE, OCSP_RESPONSE_free>;
using OcspBasicResp = Ptr<OCSP_BASICRESP, free_ocsp_basicresp>;
using OcspCertId = Ptr<OCSP_CERTID, OCSP_CERTID_free>;
}  // namespace ossl

/// Length of the nonce make_ocsp_request puts in a request (RFC 8954 §2.1:
/// clients use 32 octets).
inline constexpr size_t kOcspNonceBytes = 32;

/// DER of an OCSPRequest (RFC 6960 §4.1.1) for `cert`, issued by `issuer`:
/// one Request whose CertID uses SHA-1 (the hash every responder supports,
/// RFC 5019 §2.1.1), unsigned. With `with_nonce`, adds a fresh random nonce
/// extension (RFC 6960 §4.4.1) and, if `nonce_out` is non-null, stores the
/// nonce there (to be passed back as OcspVerifyOptions::expected_nonce).
/// Errors: internal_error (null certificates, libcrypto failure).
Result<Bytes> make_ocsp_request(X509* cert, X509* issuer, bool with_nonce, Bytes* nonce_out);

/// The first OCSP responder URL of the certificate's authorityInfoAccess
/// extension (RFC 5280 §4.2.2.1, id-ad-ocsp), or nullopt when there is none.
std::optional<std::string> ocsp_responder_url(X509* cert);

/// True if the certificate carries the TLS feature extension (RFC 7633 §4.1,
/// OID 1.3.6.1.5.5.7.1.24) listing status_request (5) — "must staple".
/// A TLS feature extension that cannot be decoded also counts as must-staple:
/// the caller then demands a staple rather than silently ignoring a
/// requirement it could not read (fail closed).
bool has_must_staple(X509* cert);

/// Verifies the DER OCSPResponse `der` for `cert`, issued by `issuer` (the
/// issuer the caller's chain verification found). `extra_certs` are
/// untrusted certificates that may hold a delegated responder's certificate
/// when the response does not include it.
///
/// Accepted only if, in this order:
///  - it is at most kMaxOcspResponseBytes and is exactly one DER OCSPResponse;
///  - responseStatus is successful and the response is a BasicOCSPResponse
///    (RFC 6960 §4.2.1);
///  - `cert` names `issuer` as its issuer;
///  - it is signed by the issuer itself, or by a delegated responder whose
///    certificate is issued directly by the issuer, carries id-kp-OCSPSigning
///    and is valid at the verification time (RFC 6960 §4.2.2.2, §3.2 items
///    2–4) — the issuer is the only trust anchor, so no other CA can vouch
///    for a responder;
///  - it holds a SingleResponse whose CertID (SHA-1 or SHA-256) is that of
///    cert+issuer (§3.2 item 1);
///  - thisUpdate <= now + skew and, when present, thisUpdate <= nextUpdate and
///    nextUpdate > now - skew; nextUpdate is present if required (§3.2 items
///    5–6, §4.2.2.1);
///  - the nonce is echoed, when one is expected.
/// Every failure is Error{Alert::bad_certificate_status_response, reason}
/// (caller mistakes — a null cert or issuer, an empty expected nonce — are
/// internal_error). A revoked or unknown status is a success: it is returned
/// for the policy layer to act on. The time checks are done here on the
/// parsed times rather than by OCSP_check_validity, which only knows the
/// system clock and not OcspVerifyOptions::now. Thread-safe (inputs are only
/// read); leaves the thread's libcrypto error queue empty.
Result<OcspStatus> verify_ocsp_response(ByteView der, X509* cert, X509* issuer,
                                        const std::vector<X509*>& extra_certs, const OcspVerifyOptions& opts);

/// verify_ocsp_response, remembering successes (keyed by the response, the
/// certificate and the issuer; bounded, process-wide) so that the same
/// staple seen again costs a lookup and the time checks instead of a
/// signature verification. Results signed by delegated responders and
/// verifications with an expected nonce are never remembered. Follows
/// set_verify_caching(); emptied by clear_verify_caches(). Thread-safe.
Result<OcspStatus> verify_ocsp_response_cached(ByteView der, X509* cert, X509* issuer,
                                               const std::vector<X509*>& extra_certs,
                                               const OcspVerifyOptions& opts);
void clear_ocsp_verify_cache();

/// Succeeds when `der` is one successful BasicOCSPResponse (at most
/// kMaxOcspResponseBytes) with a SingleResponse whose CertID names `cert`:
/// same serial and issuer name hash, and — when `issuer` is non-null — same
/// issuer key hash (RFC 6960 §4.1.1). Neither the signature nor the time
/// window is checked. Errors: bad_certificate_status_response with the
/// reason; internal_error for a null cert.
Status ocsp_response_names(ByteView der, X509* cert, X509* issuer);

/// "good", "revoked", "unknown".
const char* to_string(OcspCertStatus s);

/// One line for logs, e.g. "good (produced 2026-11-23T10:00:00Z, next update
/// 2026-11-24T10:00:00Z, responder CN=ocsp)"; revoked adds the revocation
/// time and reason, a delegated signer is marked.
std::string describe(const OcspStatus& s);

}  // namespace vouch
