// vouch — OCSP certificate status (RFC 6960), as stapled in TLS (RFC 6066 §8,
// RFC 8446 §4.4.2.1) and demanded by must-staple certificates (RFC 7633).
//
// These are the values the status layer hands to applications: the verified
// content of one OCSP single response, and the knobs of its verification.
// Verification itself (signature, responder authorization, CertID, time
// window, nonce) lives inside vouch; a revoked or unknown status is a
// successful verification whose result the policy layer acts on.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/pending.h"
#include "vouch/types.h"

namespace vouch {

/// The largest OCSP response vouch accepts, fetched or stapled. Real
/// responses are a few KiB (one SingleResponse, maybe one responder
/// certificate); anything bigger is refused before it is parsed.
inline constexpr size_t kMaxOcspResponseBytes = 64 * 1024;

/// CertStatus of a SingleResponse (RFC 6960 §4.2.1, meaning in §2.2).
enum class OcspCertStatus {
  good,     // not revoked (RFC 6960 §2.2: "at a minimum ... not revoked")
  revoked,  // revoked, temporarily (certificateHold) or permanently
  unknown,  // the responder does not know about the certificate
};

/// A verified single response for one certificate: the signature checked,
/// the signer authorized for the certificate's issuer (RFC 6960 §4.2.2.2),
/// the CertID matched, the time window current. Plain value; copyable.
struct OcspStatus {
  OcspCertStatus status = OcspCertStatus::unknown;
  /// producedAt of the ResponseData and thisUpdate of the SingleResponse
  /// (RFC 6960 §4.2.2.1).
  std::chrono::system_clock::time_point produced_at, this_update;
  /// nextUpdate; absent means "newer information is available all the time"
  /// (RFC 6960 §4.2.2.1), which vouch refuses unless told otherwise.
  std::optional<std::chrono::system_clock::time_point> next_update;
  /// revocationTime, for revoked only.
  std::optional<std::chrono::system_clock::time_point> revocation_time;
  /// revocationReason, a CRLReason code (RFC 5280 §5.3.1), or -1 when the
  /// response gives none (or the status is not revoked).
  int revocation_reason = -1;
  /// The ResponderID (RFC 6960 §4.2.1): the responder's name on one line
  /// ("CN=...,O=...") for byName, "key:<hex SHA-1 of its public key>" for byKey.
  std::string responder;
  /// True when the response was signed by a delegated responder (a
  /// certificate the issuer issued with id-kp-OCSPSigning, RFC 6960 §4.2.2.2)
  /// rather than by the issuer itself.
  bool delegated = false;
};

/// How an OCSP response is verified. The defaults are the safe ones.
struct OcspVerifyOptions {
  /// The verification time (also for the delegated responder's certificate);
  /// default: the system clock.
  std::optional<std::chrono::system_clock::time_point> now;
  /// Tolerated clock difference with the responder: thisUpdate may be up to
  /// `skew` in the future and nextUpdate up to `skew` in the past.
  std::chrono::seconds skew{300};
  /// RFC 6960 §4.2.2.1: responses without nextUpdate are treated as not
  /// cacheable; vouch rejects them by default (a staple must say how long it
  /// is good for).
  bool require_next_update = true;
  /// If set, the response must carry the nonce extension (RFC 6960 §4.4.1)
  /// with exactly this value — for responses fetched with a nonce, never for
  /// staples (the server fetched those for itself).
  std::optional<Bytes> expected_nonce;
};

/// The answer of an asynchronous OCSP staple hook
/// (ServerConfig::ocsp_staple_hook_async), handed over from any thread: the
/// connection waits (Wait::ocsp_staple) until one of the calls below, which
/// wakes the connection's owner (vouch/pending.h, Connection::set_waker), and
/// the next resume(). Only the first answer counts. Thread-safe.
class VOUCH_EXPORT PendingOcspStaple : public PendingHandle {
 public:
  PendingOcspStaple() = default;
  /// Staple these DER responses, one per chain position (empty = none; an
  /// empty vector = no staple at all).
  void provide(std::vector<Bytes> staples);
  /// Fail the handshake with this error (its alert is sent).
  void fail(Error error);

 private:
  friend struct PendingAccess;
  /// The answer, once (nullopt: not answered yet, or already taken).
  std::optional<Result<std::vector<Bytes>>> take();
  std::optional<Result<std::vector<Bytes>>> answer_;
};

}  // namespace vouch
