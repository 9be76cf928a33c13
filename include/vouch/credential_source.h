// vouch — a server's certificate chosen per handshake, possibly later.
//
// ServerConfig::credential_source_async (vouch/config.h) is asked once per
// full handshake, after the ClientHello has been parsed and negotiated and
// before anything of the server's answer is written (RFC 8446 §2: the
// ServerHello commits the server; §4.4.2: the Certificate follows in the same
// flight). It may answer at once or later, e.g. after loading a certificate
// for an SNI name it has not seen before, or after asking another service.
//
// Answering later: the source returns nullopt and keeps the
// PendingCredentials handle. The connection then waits
// (Connection::wait() == Wait::server_certificate) having sent nothing of
// its answer, keeps any later bytes from the peer unread, and picks the answer
// up on the first resume() (or receive()) after the handle was completed.
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

/// The credentials a server chooses from for one handshake: the first whose
/// leaf matches the SNI and whose key fits a scheme the client offered is
/// used (as for ServerConfig::credentials). Shared and immutable, so a
/// source can hand out the same snapshot to many connections; the connection
/// keeps it alive for its handshake.
using CredentialSnapshot = std::shared_ptr<const std::vector<Credential>>;

/// What a server knows from the client's (final) ClientHello when it picks
/// a certificate. A copy: valid after the source returns.
struct ClientHelloInfo {
  /// The version negotiated with this client (TLS 1.2 needs a credential
  /// whose key fits the chosen cipher suite's authentication).
  ProtocolVersion version = ProtocolVersion::tls13;
  /// The host_name of server_name (RFC 6066 §3); empty without one.
  std::string server_name;
  /// The client's signature_algorithms (RFC 8446 §4.2.3), in its order: the
  /// schemes a CertificateVerify may use.
  std::vector<SignatureScheme> signature_schemes;
  /// The client sent status_request (RFC 6066 §8, RFC 8446 §4.4.2.1), or in
  /// TLS 1.2 status_request_v2 with a status type vouch serves (RFC 6961):
  /// OCSP staples would be sent with the certificate.
  bool status_requested = false;
  /// The ALPN protocol the server chose (RFC 7301 §3.2); empty for none. A
  /// server answering "acme-tls/1" needs its validation certificate
  /// (RFC 8737 §3).
  std::string alpn;
};

/// The answer of an asynchronous credential source, handed over from any
/// thread: the connection waits (Wait::server_certificate) until one of the
/// calls below, which wakes the connection's owner (vouch/pending.h,
/// Connection::set_waker), and the next resume(). Only the first answer
/// counts; later ones are ignored. Thread-safe. Completing the handle after
/// the connection is gone is harmless.
class VOUCH_EXPORT PendingCredentials : public PendingHandle {
 public:
  PendingCredentials() = default;
  /// Answer with these credentials. A null or empty snapshot fails the
  /// handshake with internal_error, as an empty answer does.
  void provide(CredentialSnapshot credentials);
  /// Fail the handshake with this error (its alert is sent to the client;
  /// handshake_failure or internal_error are the usual ones).
  void fail(Error error);

 private:
  friend struct PendingAccess;
  /// The answer, once (nullopt: not answered yet, or already taken).
  std::optional<Result<CredentialSnapshot>> take();
  std::optional<Result<CredentialSnapshot>> answer_;
};

/// ServerConfig::credential_source_async: called on the thread that drives
/// the connection (inside receive() or resume()), with the ClientHello's
/// facts and a fresh handle. Return the snapshot to answer now, or nullopt
/// to answer through `pending` (possibly before returning). It must not call
/// into the connection. See ServerConfig::credential_source_async.
using AsyncCredentialSource =
    std::function<std::optional<CredentialSnapshot>(const ClientHelloInfo& hello,
                                                    std::shared_ptr<PendingCredentials> pending)>;

}  // namespace vouch
