// vouch — OCSP certificate status (RFC 6960), as stapled in TLS (RFC 6066 §8,
// RFC 8446 §4.4.2.1) and demanded by must-staple certificates (RFC 7633).
//
// These are the values the status layer hands to applications (the verified
// content of one OCSP single response, and the knobs of its verification),
// and the two calls an application needs to do OCSP on its own, outside a
// handshake: fetch_ocsp_response() asks a responder, verify_ocsp_response()
// checks what came back (signature, responder authorization, CertID, time
// window, nonce). A revoked or unknown status is a successful verification,
// whose result the caller (or vouch's policy layer) acts on.
#pragma once

#include <openssl/x509.h>

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

class TrustStore;

/// How fetch_ocsp_response() asks.
struct OcspFetchOptions {
  /// The responder: an "http://" URL. Empty: the first OCSP responder of
  /// the certificate's authorityInfoAccess extension (RFC 5280 §4.2.2.1).
  std::string url;
  /// Bounds the whole exchange: connect, send, receive.
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  /// Put a fresh random 32-byte nonce in the request (RFC 6960 §4.4.1, RFC
  /// 8954 §2.1); it is returned, to be passed on as
  /// OcspVerifyOptions::expected_nonce. Many responders ignore nonces
  /// (RFC 5019 §2.1.1), so that verification then fails.
  bool nonce = false;
  /// The HTTP proxy: nullopt = from the environment (http_proxy, no_proxy;
  /// loopback hosts always direct); "" = direct; "[http://]host:port" =
  /// this proxy for every request.
  std::optional<std::string> proxy;
};

/// What fetch_ocsp_response() got: not verified yet.
struct OcspFetchResult {
  /// The DER OCSPResponse, at most kMaxOcspResponseBytes.
  Bytes response;
  /// The URL it came from.
  std::string url;
  /// The request's nonce, when OcspFetchOptions::nonce asked for one.
  std::optional<Bytes> nonce;
};

/// Asks an OCSP responder for the status of `cert`, issued by `issuer`: an
/// unsigned OCSPRequest with one SHA-1 CertID (RFC 6960 §4.1.1, RFC 5019
/// §2.1.1) POSTed over HTTP (RFC 6960 §A.1), the answer taken if it is
/// "200" with Content-Type application/ocsp-response. Blocking (for a
/// background job or a tool, never inside a handshake); thread-safe;
/// libcrypto's HTTP client. The certificates are only read (the caller
/// keeps them). The response is not parsed: hand it to
/// verify_ocsp_response().
/// Errors: ErrorKind::config — a null certificate, no URL given and none in
/// the certificate, a URL that is not http:// (https is refused: the
/// response is signed, RFC 6960 §A.1); ErrorKind::io — the responder cannot
/// be reached, the timeout passed, an HTTP error status, a wrong content
/// type, an empty or oversized body (the reason names the URL).
VOUCH_EXPORT Result<OcspFetchResult> fetch_ocsp_response(X509* cert, X509* issuer,
                                                         const OcspFetchOptions& options = {});

/// Verifies the DER OCSPResponse `der` for `cert`, issued by `issuer` (the
/// certificates are only read; the caller vouches that `issuer` is the
/// trusted issuer of `cert`, or uses the TrustStore overload). Accepted only
/// if: it is at most kMaxOcspResponseBytes and exactly one DER
/// OCSPResponse; its responseStatus is successful and it is a
/// BasicOCSPResponse (RFC 6960 §4.2.1); it is signed by the issuer or by a
/// delegated responder certificate issued by the issuer with
/// id-kp-OCSPSigning and valid at the verification time (RFC 6960 §4.2.2.2;
/// the responder's certificate must be in the response); a SingleResponse's
/// CertID is that of cert+issuer; thisUpdate ≤ now + skew, nextUpdate >
/// now − skew, nextUpdate present unless options say otherwise (§3.2,
/// §4.2.2.1); the nonce echoed when expected. `options.now` is the
/// verification time (default: the system clock).
/// Returns the status (good, revoked, unknown — each a success),
/// thisUpdate, nextUpdate, and for revoked the time and reason.
/// Errors: every way the response fails: ErrorKind::protocol with
/// Alert::bad_certificate_status_response (RFC 6066 §8) and the reason;
/// ErrorKind::config for a null certificate or an empty expected nonce.
/// Thread-safe.
VOUCH_EXPORT Result<OcspStatus> verify_ocsp_response(ByteView der, X509* cert, X509* issuer,
                                                     const OcspVerifyOptions& options = {});

/// The same for a chain: `chain` (leaf first, then intermediates, DER) is
/// first verified against `trust` at `options.now` (path to an anchor, each
/// certificate's validity; no name or purpose check), then the response is
/// verified for the leaf against the issuer that path gives. Errors: those
/// of the chain (ErrorKind::protocol with the alert a TLS peer would send
/// for it, e.g. unknown_ca, certificate_expired; decode_error for an entry
/// that is not a DER certificate; ErrorKind::config for an empty chain),
/// then those of the overload above.
VOUCH_EXPORT Result<OcspStatus> verify_ocsp_response(ByteView der, const std::vector<Bytes>& chain,
                                                     const TrustStore& trust,
                                                     const OcspVerifyOptions& options = {});

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
