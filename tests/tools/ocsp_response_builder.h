// What the test OCSP responder answers, and building that answer with
// libcrypto's OCSP response functions (RFC 6960 §4.2). Usable without any
// network: unit tests build responses here and feed them to the verifier.
#pragma once

#include <openssl/ocsp.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/ocsp_signers.h"
#include "vouch/error.h"
#include "vouch/ocsp.h"
#include "vouch/types.h"

namespace vouch::testing {

/// What a request gets.
enum class OcspResponderMode {
  respond,       // a signed BasicOCSPResponse shaped by the OcspBehavior fields
  garbage,       // HTTP 200, application/ocsp-response, a body that is not DER
  error_status,  // an OCSPResponse with responseStatus = error_status, no responseBytes
  oversized,     // a valid response padded to kMaxOcspResponseBytes + 1 bytes
  hang,          // the request is read and never answered (until the responder stops)
  down,          // nothing listens on the port: connections are refused
  refuse,        // the request is read, then the connection is closed unanswered (a
                 // responder that accepts but refuses service: the client sees EOF)
};

/// Which key signs (RFC 6960 §4.2.2.2 cases).
enum class OcspSignerChoice {
  issuer,           // the CA itself
  delegate,         // a delegated responder with id-kp-OCSPSigning
  delegate_no_eku,  // a certificate of the issuer without id-kp-OCSPSigning
  unrelated,        // a self-signed certificate nobody authorized
};

/// The longest a "slow" responder waits before answering.
inline constexpr std::chrono::milliseconds kMaxOcspResponderDelay{60'000};

/// How the responder behaves. Times are offsets from `now` (default: the
/// clock when the response is built).
struct OcspBehavior {
  OcspResponderMode mode = OcspResponderMode::respond;
  OcspCertStatus status = OcspCertStatus::good;
  /// revoked only: revocationTime offset and CRLReason (-1: none given).
  std::chrono::seconds revocation_offset{-86400};
  int revocation_reason = OCSP_REVOKED_STATUS_KEYCOMPROMISE;
  std::chrono::seconds this_update_offset{-60};
  /// nullopt: no nextUpdate.
  std::optional<std::chrono::seconds> next_update_offset{std::chrono::hours(24)};
  OcspSignerChoice signer = OcspSignerChoice::issuer;
  /// Put the signer's certificate in BasicOCSPResponse.certs.
  bool include_signer_cert = true;
  /// ResponderID byKey rather than byName (RFC 6960 §4.2.1).
  bool responder_id_by_key = false;
  /// Answer for the serial asked for plus one (a response for another certificate).
  bool wrong_serial = false;
  /// Copy the request's nonce into the response (RFC 6960 §4.4.1).
  bool echo_nonce = true;
  /// Put a nonce in the response that differs from the request's (its last
  /// octet flipped; a fixed nonce when the request had none): a replayed or
  /// mixed-up answer, which a client that sent a nonce must refuse
  /// (RFC 6960 §4.4.1). Outranks echo_nonce.
  bool wrong_nonce = false;
  /// error_status mode: the OCSPResponseStatus (e.g. OCSP_RESPONSE_STATUS_TRYLATER).
  int error_status = OCSP_RESPONSE_STATUS_TRYLATER;
  /// Wait this long before answering (capped at kMaxOcspResponderDelay).
  std::chrono::milliseconds delay{0};
  std::optional<std::chrono::system_clock::time_point> now;
};

/// The preset behaviours by name, for --mode and tests: good, revoked,
/// unknown, expired, not-yet-valid, no-next-update, wrong-signer, delegated,
/// delegated-no-eku, wrong-serial, no-nonce, wrong-nonce, garbage,
/// try-later, internal-error, unauthorized, oversized, slow, hang, down,
/// refuse; nullopt for any other name.
std::optional<OcspBehavior> ocsp_behavior_named(std::string_view name);
std::vector<std::string> ocsp_behavior_names();

/// The DER OCSPResponse answering the DER OCSPRequest `request_der` as `b`
/// says, every CertID asked for copied into the response (or altered, for
/// wrong_serial). An undecodable request gets malformedRequest. For the
/// garbage and oversized modes the returned bytes are that body; for hang,
/// down and refuse there is nothing to build (internal_error).
Result<Bytes> build_ocsp_response(const OcspSigners& signers, const OcspBehavior& b, ByteView request_der);

/// The garbage body.
Bytes ocsp_garbage_body();

}  // namespace vouch::testing
