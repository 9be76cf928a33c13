// Answering a pending signature the way an external signer (HSM, KMS) does,
// for tests whose signer completes later or on another thread.
#pragma once

#include <openssl/evp.h>

#include "crypto/signature.h"
#include "vouch/client_auth.h"

namespace vouch::testing {

/// Signs `message` with `key` under `scheme` and completes `pending` with
/// the signature, or fails it with the signing error.
inline void answer_signature(PendingSignature& pending, SignatureScheme scheme, EVP_PKEY* key, ByteView message) {
  auto sig = sign_message(scheme, key, message);
  if (sig) {
    pending.complete(*sig);
  } else {
    pending.fail(sig.error());
  }
}

}  // namespace vouch::testing
