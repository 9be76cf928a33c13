#include "handshake/credential_signing.h"

#include "crypto/signature.h"
#include "handshake/conn_core.h"

namespace vouch {

Result<std::optional<Bytes>> CredentialSigning::run(const Credential& credential,
                                                    SignatureScheme scheme, ByteView content) {
  PrivateKeySigner* signer = credential.signer();
  if (!signer) {
    VOUCH_ASSIGN(Bytes sig, credential.sign(scheme, content));
    return std::optional<Bytes>(std::move(sig));
  }
  Bytes sig;
  if (pending_) {
    auto r = PendingAccess::take(*pending_);
    if (!r) return std::optional<Bytes>();  // still busy
    pending_.reset();
    if (!r->ok())
      return fail(Alert::internal_error, "external signer failed: " + r->error().reason);
    sig = std::move(*r).value();
  } else {
    auto handle = core_.make_pending<PendingSignature>();
    auto r = signer->sign(scheme, content, handle);
    if (!r) return fail(Alert::internal_error, "external signer failed: " + r.error().reason);
    if (!r->has_value()) {
      pending_ = std::move(handle);
      // Completed before returning: taken at once, as a selector's answer is.
      if (pending_->ready()) return run(credential, scheme, content);
      return std::optional<Bytes>();
    }
    sig = std::move(**r);
  }
  // Never send a signature the peer would reject: check it here first.
  if (!verify_message(scheme, credential.public_key(), content, sig))
    return fail(Alert::internal_error,
                "external signer's signature does not verify with the certificate of " +
                    credential.subject() + " (wrong key?)");
  return std::optional<Bytes>(std::move(sig));
}

}  // namespace vouch
