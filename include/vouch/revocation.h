// vouch — revocation checking of peer certificates: OCSP staples (RFC 6066
// §8, RFC 8446 §4.4.2.1, must-staple RFC 7633), CRLs (RFC 5280 §5), and
// whatever an application adds, all behind one interface.
//
// After a peer's chain has verified, vouch runs the revocation providers of
// the config in order; the first that returns an error rejects the peer with
// that error's alert. The staple provider always runs first (its policy is
// ClientConfig::ocsp_policy / ServerConfig::client_ocsp_policy); the
// application's providers follow.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/ocsp.h"
#include "vouch/types.h"

namespace vouch {

/// What a peer must do about OCSP staples.
enum class OcspPolicy {
  /// Do not look at staples (and, on a client, do not ask for them).
  ignore,
  /// Ask for staples, verify and report them (Connection::peer_ocsp()), but
  /// never reject the peer for them: the decision is left to the
  /// application's revocation providers (the OpenSSL-compatible status
  /// callback works this way).
  report,
  /// The default. Verify every staple that is present; a staple that fails
  /// verification, or says revoked or unknown, rejects the peer
  /// (bad_certificate_status_response, or certificate_revoked for a revoked
  /// status). A missing staple is accepted.
  soft,
  /// Like soft, and the leaf must come with a staple that verifies and says
  /// good; absence is bad_certificate_status_response. A leaf with the TLS
  /// feature extension status_request (RFC 7633 "must staple") is always
  /// treated this way unless the policy is ignore.
  require,
};
VOUCH_EXPORT const char* to_string(OcspPolicy p);
/// "ignore" / "report" / "soft" / "require"; nullopt otherwise.
VOUCH_EXPORT std::optional<OcspPolicy> parse_ocsp_policy(std::string_view s);

/// What the peer stapled for one certificate of its chain, and what vouch
/// made of it.
struct StapleReport {
  /// Chain position: 0 is the leaf, 1 its issuer, ...
  size_t position = 0;
  /// The peer sent an OCSP response for this certificate (TLS 1.3: in its
  /// CertificateEntry; TLS 1.2: in the CertificateStatus, a non-empty entry
  /// of an RFC 6961 ocsp_response_list for positions after the leaf).
  bool present = false;
  /// That response, DER, exactly as received (empty when not present).
  Bytes response;
  /// The verified content of the response (signature, responder, CertID and
  /// time window checked). Set iff present and verification succeeded.
  std::optional<OcspStatus> status;
  /// Why a present staple did not verify; empty otherwise.
  std::string problem;
};

/// The OCSP picture of one peer, as Connection::peer_ocsp() reports it.
struct VOUCH_EXPORT PeerOcsp {
  /// We asked for status (client: status_request — and in TLS 1.2 maybe
  /// status_request_v2 — in the ClientHello; server: status_request in the
  /// CertificateRequest).
  bool requested = false;
  /// The peer's leaf carries the RFC 7633 must-staple feature.
  bool must_staple = false;
  /// On resumption: the report comes from the full handshake the session
  /// was established by (no Certificate is exchanged when resuming).
  bool from_session = false;
  /// One entry per certificate the peer sent, leaf first.
  std::vector<StapleReport> staples;

  /// The leaf's entry, or null when the peer sent no certificate.
  const StapleReport* leaf() const { return staples.empty() ? nullptr : &staples.front(); }
  /// One line for logs and the CLI, e.g. "good (produced ..., next update
  /// ..., responder CN=ocsp)", "none (not stapled)", "not requested",
  /// "invalid (reason)". About the leaf; summary_at(0) is the same.
  std::string summary() const;
  /// The same line about the certificate at chain position `position` (an
  /// intermediate's staple: TLS 1.3, or TLS 1.2 with status_request_v2,
  /// RFC 6961); "none (not stapled)" for a position without one.
  std::string summary_at(size_t position) const;
};

/// What a revocation provider sees of one peer.
struct RevocationContext {
  /// True when the peer is the server (we are the client).
  bool peer_is_server = true;
  /// The verified chain, leaf first, ending with the trust anchor. Owned by
  /// the handshake; valid during the call only.
  const std::vector<X509*>& chain;
  /// The staples the peer sent and their verification results.
  const PeerOcsp& ocsp;
  /// The verification time.
  std::chrono::system_clock::time_point now;
  /// Client side: the server asked for our certificate in this handshake
  /// (TLS 1.3: its CertificateRequest precedes its Certificate, RFC 8446
  /// §4.3.2; TLS 1.2: the check runs at ServerHelloDone, after the
  /// CertificateRequest), so the client certificate selector runs after
  /// this check, before our Finished. A provider that must decide after the selector (the
  /// OpenSSL-compatible status callback does) can defer to it.
  bool certificate_requested = false;
};

/// One way of deciding whether a verified chain has been revoked. Called
/// from any thread, by many connections at once: implementations must be
/// thread-safe. Called during the handshake: keep it fast (no network I/O;
/// fetch in the background, as the Stapler does).
class VOUCH_EXPORT RevocationProvider {
 public:
  virtual ~RevocationProvider() = default;
  /// A short name for logs and errors ("ocsp-staple", "crl", ...).
  virtual std::string name() const = 0;
  /// Success accepts the chain as far as this provider is concerned; an
  /// Error rejects the peer and its alert is sent (certificate_revoked for a
  /// revoked certificate, bad_certificate_status_response for an unusable
  /// status, ...).
  virtual Status check(const RevocationContext& ctx) const = 0;
};

/// The staple check as a provider (vouch runs one with the config's policy
/// first; this factory is for applications composing their own lists).
VOUCH_EXPORT std::shared_ptr<const RevocationProvider> ocsp_staple_provider(OcspPolicy policy);

/// Options of the CRL provider.
struct CrlOptions {
  /// PEM or DER CRL files, loaded once at creation.
  std::vector<std::string> files;
  /// Directories in OpenSSL's hashed layout (<issuer hash>.r<n>, as
  /// `openssl rehash` makes), looked up through libcrypto's store on demand.
  std::vector<std::string> directories;
  /// Check every certificate of the chain, not just the leaf.
  bool check_whole_chain = false;
  /// A certificate whose issuer has no CRL: true fails the peer
  /// (certificate_unknown, "no CRL for ..."), false lets it pass.
  bool require_crl = true;
};

/// A CRL provider (RFC 5280 §6.3): a revoked certificate fails with
/// certificate_revoked. Only usable CRLs count: signed by the certificate's
/// issuer (with cRLSign), within thisUpdate..nextUpdate, complete (not a
/// delta) and in scope for the certificate; the newest usable one decides.
/// When no usable CRL exists, require_crl fails the peer with
/// certificate_unknown and a reason naming what was wrong (none found,
/// expired, bad signature, ...); without require_crl the certificate passes.
/// Directories are read through libcrypto's hashed-directory lookup: new
/// files are seen, a file replaced in place is not re-read. Errors at
/// creation: unreadable file or directory, a file with no CRL in it.
VOUCH_EXPORT Result<std::shared_ptr<const RevocationProvider>> crl_provider(const CrlOptions& options);

}  // namespace vouch
