// Verifying an OCSP response for one certificate (RFC 6960 §3.2, §4.2.2):
// decoding, responseStatus, the signer (ocsp/signer.h), the CertID, the
// time window and the nonce.
#include <openssl/err.h>
#include <openssl/ocsp.h>

#include "ocsp/ocsp.h"
#include "ocsp/signer.h"
#include "ocsp/ocsp_time.h"
#include "base/hex.h"
#include "ocsp/util.h"

namespace vouch {
namespace {

using std::chrono::system_clock;

std::string serial_text(const X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  return serial ? to_hex(ByteView(ASN1_STRING_get0_data(serial), static_cast<size_t>(ASN1_STRING_length(serial))))
                : "?";
}

struct SingleResponse {
  int status = -1;
  int reason = -1;
  ASN1_GENERALIZEDTIME* revocation_time = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
};

// RFC 6960 §3.2 item 1: the SingleResponse for this certificate, whichever of
// the usual CertID hashes the responder answered with. Times point into `bs`.
Result<SingleResponse> find_single_response(OCSP_BASICRESP* bs, X509* cert, X509* issuer) {
  for (const EVP_MD* md : {EVP_sha1(), EVP_sha256()}) {
    ossl::OcspCertId id(OCSP_cert_to_id(md, cert, issuer));
    if (!id) return ocsp_fail_ossl("OCSP: cannot compute the certificate's CertID");
    SingleResponse s;
    if (OCSP_resp_find_status(bs, id.get(), &s.status, &s.reason, &s.revocation_time, &s.this_update,
                              &s.next_update) == 1) {
      return s;
    }
  }
  return ocsp_fail("OCSP response has no status for the certificate (serial " + serial_text(cert) +
                   ", issuer " + quoted_subject(issuer) + ")");
}

Status check_nonce(OCSP_BASICRESP* bs, const Bytes& expected) {
  if (expected.empty()) return fail(Alert::internal_error, "OCSP: the expected nonce is empty");
  // OCSP_check_nonce compares a request's nonce extension with the
  // response's; a throw-away request carries the expected value, encoded the
  // way make_ocsp_request encoded it.
  ossl::OcspRequest req(OCSP_REQUEST_new());
  Bytes copy = expected;
  if (!req || OCSP_request_add1_nonce(req.get(), copy.data(), static_cast<int>(copy.size())) != 1)
    return fail(Alert::internal_error, "OCSP: cannot encode nonce: " + ossl::last_error());
  switch (OCSP_check_nonce(req.get(), bs)) {
    case 1: return {};
    case -1: return ocsp_fail("OCSP response carries no nonce, but the request sent one");
    default: return ocsp_fail("OCSP response nonce does not match the request's");
  }
}

}  // namespace

Result<OcspStatus> verify_ocsp_response(ByteView der, X509* cert, X509* issuer,
                                        const std::vector<X509*>& extra_certs,
                                        const OcspVerifyOptions& opts) {
  ossl::ClearErrorsOnExit clear_errors;
  if (cert == nullptr || issuer == nullptr)
    return fail(Alert::internal_error, "OCSP: certificate and issuer are required");

  VOUCH_ASSIGN(ossl::OcspResponse resp, decode_ocsp_response(der));

  // RFC 6960 §4.2.1: anything but successful carries no status at all.
  const int response_status = OCSP_response_status(resp.get());
  if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    return ocsp_fail(std::string("OCSP responder answered ") + OCSP_response_status_str(response_status) +
                     " (" + std::to_string(response_status) + "), not successful");
  }
  ossl::OcspBasicResp bs(OCSP_response_get1_basic(resp.get()));
  if (!bs) return ocsp_fail_ossl("OCSP response is not a decodable BasicOCSPResponse");

  if (X509_check_issued(issuer, cert) != X509_V_OK) {
    return ocsp_fail("OCSP: " + quoted_subject(issuer) + " is not the issuer of " + quoted_subject(cert));
  }

  // RFC 6960 §3.2 items 2-4, §4.2.2.2: who signed, and may they?
  const SysTime now = opts.now.value_or(system_clock::now());
  VOUCH_ASSIGN(const bool delegated, verify_ocsp_signer(bs.get(), issuer, extra_certs, now));

  VOUCH_ASSIGN(const SingleResponse single, find_single_response(bs.get(), cert, issuer));

  // RFC 6960 §3.2 items 5-6, §4.2.2.1: the time window, with tolerance for
  // clocks that disagree by up to `skew`.
  const auto this_update = from_asn1_time(single.this_update);
  if (!this_update) return ocsp_fail("OCSP response: malformed thisUpdate");
  std::optional<SysTime> next_update;
  if (single.next_update != nullptr) {
    next_update = from_asn1_time(single.next_update);
    if (!next_update) return ocsp_fail("OCSP response: malformed nextUpdate");
  }
  const auto produced_at = from_asn1_time(OCSP_resp_get0_produced_at(bs.get()));
  if (!produced_at) return ocsp_fail("OCSP response: malformed producedAt");
  const std::string when =
      " (now " + iso8601(now) + ", allowed clock skew " + std::to_string(opts.skew.count()) + "s)";
  if (*this_update > now + opts.skew) {
    return ocsp_fail("OCSP response is not yet valid: thisUpdate " + iso8601(*this_update) +
                     " is in the future" + when);
  }
  if (next_update) {
    if (*next_update < *this_update) {
      return ocsp_fail("OCSP response: nextUpdate " + iso8601(*next_update) + " is before thisUpdate " +
                       iso8601(*this_update));
    }
    if (*next_update <= now - opts.skew) {
      return ocsp_fail("OCSP response has expired: nextUpdate " + iso8601(*next_update) + " has passed" +
                       when);
    }
  } else if (opts.require_next_update) {
    return ocsp_fail(
        "OCSP response has no nextUpdate, so it cannot be cached or stapled (RFC 6960 §4.2.2.1)");
  }

  if (opts.expected_nonce) VOUCH_TRY(check_nonce(bs.get(), *opts.expected_nonce));

  OcspStatus out;
  switch (single.status) {
    case V_OCSP_CERTSTATUS_GOOD: out.status = OcspCertStatus::good; break;
    case V_OCSP_CERTSTATUS_REVOKED: out.status = OcspCertStatus::revoked; break;
    case V_OCSP_CERTSTATUS_UNKNOWN: out.status = OcspCertStatus::unknown; break;
    default: return ocsp_fail("OCSP response: unknown CertStatus " + std::to_string(single.status));
  }
  if (out.status == OcspCertStatus::revoked) {
    out.revocation_time = from_asn1_time(single.revocation_time);
    if (!out.revocation_time) return ocsp_fail("OCSP response: malformed revocationTime");
    out.revocation_reason = single.reason >= 0 ? single.reason : -1;
  }
  out.produced_at = *produced_at;
  out.this_update = *this_update;
  out.next_update = next_update;
  out.responder = ocsp_responder_text(bs.get());
  out.delegated = delegated;
  return out;
}

}  // namespace vouch
