// vouch — mutual TLS: what a server asks for, how a client answers, and how
// private keys that live outside the process sign.
//
// Unlike OpenSSL's SSL_CTX_set_client_cert_cb (see its BUGS section), the
// selector here sees the whole request, answers with a whole chain, and its
// answer holds for one handshake only: nothing is installed permanently.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vouch/credential.h"
#include "vouch/error.h"
#include "vouch/export.h"
#include "vouch/pending.h"
#include "vouch/types.h"

namespace vouch {

/// An OID filter from a CertificateRequest (RFC 8446 §4.2.5).
struct CertificateOidFilter {
  Bytes oid;     // DER contents octets of the certificate extension OID
  Bytes values;  // DER of the values the extension must hold (may be empty)
};

/// Everything a server's CertificateRequest says, parsed (RFC 8446 §4.3.2).
struct CertificateRequestInfo {
  ProtocolVersion version = ProtocolVersion::tls13;
  /// True for TLS 1.3 post-handshake authentication (§4.6.2).
  bool post_handshake = false;
  /// Acceptable issuer names, DER DistinguishedNames; empty = any issuer.
  std::vector<Bytes> certificate_authorities;
  /// TLS 1.2 only (RFC 5246 §7.4.4, RFC 8422 §5.5): the key types the
  /// server accepts, as ClientCertificateType values — rsa_sign(1),
  /// ecdsa_sign(64); empty in TLS 1.3, which has no such field.
  std::vector<uint8_t> certificate_types;
  /// Schemes the server accepts in CertificateVerify.
  std::vector<SignatureScheme> signature_schemes;
  /// Schemes the server accepts in certificate signatures
  /// (signature_algorithms_cert, or signature_algorithms when absent, §4.2.3).
  std::vector<SignatureScheme> certificate_signature_schemes;
  std::vector<CertificateOidFilter> oid_filters;
  /// The server's chain as received (DER, leaf first) and its name.
  std::vector<Bytes> server_chain;
  std::string server_name;
  /// The server asked for an OCSP staple with the certificate (an empty
  /// status_request in the CertificateRequest, RFC 8446 §4.4.2.1); the
  /// chosen credential's ocsp_staples() are then sent.
  bool status_requested = false;
};

/// Why the built-in selector took or skipped one candidate credential.
struct SelectionNote {
  std::string subject;  // the candidate's leaf subject
  bool chosen = false;
  std::string reason;   // e.g. "no certificate in the chain is issued by an acceptable CA"
};

/// The built-in selection rule, exposed so applications (and the compat
/// layer) can reuse it inside their own selectors: returns the index of the
/// first credential whose chain meets the request — some certificate in the
/// chain is issued by (or is) an acceptable CA, the key can sign with an
/// offered scheme, the chain's signatures use offered certificate schemes,
/// and the leaf satisfies the oid_filters — or nullopt. `notes`, if given,
/// receives one entry per candidate.
VOUCH_EXPORT std::optional<size_t> select_client_credential(const std::vector<Credential>& candidates,
                                               const CertificateRequestInfo& request,
                                               std::vector<SelectionNote>* notes = nullptr);

/// A pending client-certificate answer, shared between a connection and the
/// application (see vouch/pending.h): the application completes it from any
/// thread, which wakes the connection's owner (Connection::set_waker); the
/// connection picks the answer up on its next resume() or receive().
/// Thread-safe; the first answer counts.
class VOUCH_EXPORT PendingClientCertificate : public PendingHandle {
 public:
  PendingClientCertificate() = default;
  /// Answer with a credential for this handshake only.
  void choose(Credential credential);
  /// Answer "no certificate" (an empty Certificate message is sent).
  void decline();
  /// Abort the handshake with this error.
  void abort(Error error);

 private:
  friend struct PendingAccess;
  struct Answer {
    std::optional<Credential> credential;  // empty = decline
    std::optional<Error> error;
  };
  /// The answer, once (nullopt: not answered yet, or already taken).
  std::optional<Answer> take();
  std::optional<Answer> answer_;
};

/// What a selector returns.
struct ClientCertificateChoice {
  enum class Kind { certificate, none, pending } kind = Kind::none;
  std::optional<Credential> credential;  // with Kind::certificate

  static ClientCertificateChoice use(Credential c) {
    return {Kind::certificate, std::move(c)};
  }
  static ClientCertificateChoice no_certificate() { return {Kind::none, std::nullopt}; }
  /// The handshake suspends (Wait::client_certificate) until the pending
  /// handle passed to the selector is completed and resume() is called.
  /// For a post-handshake request (request.post_handshake) only that request
  /// waits: the connection stays established meanwhile.
  static ClientCertificateChoice pending() { return {Kind::pending, std::nullopt}; }
};

/// Called once per CertificateRequest, when it arrives. `pending` is the
/// handle to complete later when answering ClientCertificateChoice::pending();
/// a pending selector is not called again for that request.
///
/// TLS 1.3 post-handshake authentication (RFC 8446 §4.6.2) may answer later
/// too: the connection keeps working (reading, writing, tickets, KeyUpdates)
/// while Connection::wait() says Wait::client_certificate. Several requests
/// may wait at once (at most 8; one more fails the connection with
/// internal_error); the selector is called for each as it arrives, and the
/// answers are sent in the order the requests arrived — an answer given
/// early for a later request waits for the earlier ones. abort() on any of
/// them fails the connection with that error at the next resume() or
/// receive(). A
/// PrivateKeySigner must answer at once for a post-handshake request
/// (returning nullopt fails the connection with internal_error).
using ClientCertificateSelector = std::function<ClientCertificateChoice(
    const CertificateRequestInfo& request, std::shared_ptr<PendingClientCertificate> pending)>;

/// A pending signature, completed by an external signer from any thread
/// (see vouch/pending.h: completing it wakes the connection's owner).
/// Thread-safe; the first answer counts.
class VOUCH_EXPORT PendingSignature : public PendingHandle {
 public:
  PendingSignature() = default;
  /// The signature (checked against the certificate's key before use).
  void complete(Bytes signature);
  /// Fail the handshake: internal_error, with this error's reason.
  void fail(Error error);

 private:
  friend struct PendingAccess;
  /// The answer, once (nullopt: not answered yet, or already taken).
  std::optional<Result<Bytes>> take();
  std::optional<Result<Bytes>> result_;
};

/// A private key that lives outside the process (HSM, TPM, KMS, remote
/// signer). vouch never sees the key; it asks for signatures.
class VOUCH_EXPORT PrivateKeySigner {
 public:
  virtual ~PrivateKeySigner() = default;
  /// Signs `message` with `scheme` (RFC 8446 §4.2.3 semantics: the signer
  /// hashes as the scheme says). Return the signature now, or nullopt to
  /// finish later through `pending` (the connection waits with
  /// Wait::private_key_operation), or an Error to abort. Whatever is
  /// returned is checked against the certificate's public key before it is
  /// sent: a signer with the wrong key aborts with a clear error.
  virtual Result<std::optional<Bytes>> sign(SignatureScheme scheme, ByteView message,
                                            std::shared_ptr<PendingSignature> pending) = 0;
};

/// What a server learns about a verified client, for its accept hook.
struct PeerCertificateInfo {
  std::vector<Bytes> chain;  // as verified: leaf first, up to the anchor
  std::string subject;       // leaf subject, one line
  std::string issuer;        // leaf issuer, one line
  bool post_handshake = false;
};

/// Server hook after successful chain verification: return an Error (its
/// alert is sent; access_denied is typical) to refuse the client.
using ClientCertificateCheck = std::function<Status(const PeerCertificateInfo& peer)>;

}  // namespace vouch
