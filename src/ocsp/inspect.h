// Reading an OCSP response (RFC 6960 §4.2.1) WITHOUT trusting it: what a
// responder said, as it said it, for `vouch ocsp inspect` and diagnostics.
// Nothing here checks a signature, a responder's authority, a CertID or a
// time window — verify_ocsp_response (ocsp/ocsp.h) does that; this only
// decodes, and refuses what cannot be decoded.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ocsp/ocsp_time.h"
#include "vouch/error.h"
#include "vouch/ocsp.h"
#include "vouch/types.h"

namespace vouch {

/// One SingleResponse (RFC 6960 §4.2.1) as found in the response.
struct OcspSingleInspection {
  /// CertID.hashAlgorithm: libcrypto's short name ("SHA1", "SHA256"), or the
  /// dotted OID when libcrypto does not know it.
  std::string hash_algorithm;
  /// CertID.issuerNameHash, issuerKeyHash and serialNumber in lower-case hex
  /// (the serial's magnitude, "-" in front when negative).
  std::string issuer_name_hash;
  std::string issuer_key_hash;
  std::string serial;
  OcspCertStatus status = OcspCertStatus::unknown;
  /// thisUpdate; nullopt only when it could not be read (see warnings).
  std::optional<SysTime> this_update;
  /// nextUpdate; nullopt when absent, or present (has_next_update) but
  /// unreadable (see warnings).
  std::optional<SysTime> next_update;
  bool has_next_update = false;
  /// revoked only: revocationTime, and the CRLReason code (RFC 5280 §5.3.1)
  /// or -1 when none is given.
  std::optional<SysTime> revocation_time;
  int revocation_reason = -1;
};

/// The decoded content of an OCSPResponse. Plain value; copyable.
struct OcspInspection {
  /// OCSPResponseStatus (RFC 6960 §4.2.1): 0 successful, 1 malformedRequest,
  /// 2 internalError, 3 tryLater, 5 sigRequired, 6 unauthorized.
  int response_status = 0;
  /// libcrypto's name for it ("successful", "trylater", ...).
  std::string response_status_name;
  /// False when responseStatus is not successful: such a response carries
  /// no responseBytes (§4.2.1), and every field below is empty.
  bool has_basic_response = false;

  /// ResponderID: the name on one line ("CN=...,O=...") for byName,
  /// "key:<hex SHA-1 of the public key>" for byKey.
  std::string responder;
  /// producedAt; nullopt only when it could not be read (see warnings).
  std::optional<SysTime> produced_at;
  /// The signatureAlgorithm, by libcrypto's long name or dotted OID.
  std::string signature_algorithm;
  /// The response's nonce extension value (RFC 6960 §4.4.1), if any.
  std::optional<Bytes> nonce;
  /// BasicOCSPResponse.certs: each certificate's subject and issuer on one line.
  struct Certificate {
    std::string subject;
    std::string issuer;
  };
  std::vector<Certificate> certificates;
  std::vector<OcspSingleInspection> responses;
  /// Fields that were present but unreadable (a malformed time, or one
  /// outside the years 1678-2261 that SysTime holds), so
  /// that one odd field does not hide the rest of the response.
  std::vector<std::string> warnings;
};

/// Decodes the DER OCSPResponse `der`. Errors (bad_certificate_status_response,
/// reason saying what is wrong): empty, longer than kMaxOcspResponseBytes
/// (refused before it is parsed), not exactly one DER OCSPResponse (garbage,
/// truncated, trailing bytes), a successful response that is not a
/// decodable BasicOCSPResponse. A non-successful responseStatus is not an
/// error: it is what the responder said. Thread-safe; leaves the thread's
/// libcrypto error queue empty.
Result<OcspInspection> inspect_ocsp_response(ByteView der);

/// The inspection as text, one "name: value" per line, each SingleResponse
/// indented under its number, warnings last. Times as iso8601().
std::string format_ocsp_inspection(const OcspInspection& inspection);

}  // namespace vouch
