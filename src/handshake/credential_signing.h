// Producing a CertificateVerify signature with a Credential, whether its key
// is in-process or behind an external PrivateKeySigner that may answer later.
#pragma once

#include <memory>
#include <optional>

#include "vouch/client_auth.h"
#include "vouch/credential.h"

namespace vouch {

struct ConnCore;

class CredentialSigning {
 public:
  /// Handles given to an external signer are bound to `core`'s waker.
  explicit CredentialSigning(ConnCore& core) : core_(core) {}

  /// The signature; nullopt while an external signer is still busy (call
  /// again with the same arguments after it completed). Errors: the signer
  /// failed, or its signature does not verify with the certificate's public
  /// key (wrong key) — both internal_error with a clear reason, so a broken
  /// signer never reaches the peer as a bad signature.
  Result<std::optional<Bytes>> run(const Credential& credential, SignatureScheme scheme,
                                   ByteView content);
  bool pending() const { return pending_ != nullptr; }

 private:
  ConnCore& core_;
  std::shared_ptr<PendingSignature> pending_;
};

}  // namespace vouch
