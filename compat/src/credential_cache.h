// The vouch credentials an SSL's certificate slots stand for, converted once
// and shared by every SSL whose slots hold the very same objects.
//
// Credential::from_x509 re-encodes the chain, decodes the leaf's names and
// checks the key: a large part of a server handshake's cost when done per
// connection. A program sets its certificate once on the SSL_CTX and every
// SSL_new copies those references, so the conversion is keyed by the
// identity of the libcrypto objects (certificate, key, chain, and the
// context's extra chain certificates a slot without a chain borrows). A
// change through any of the SSL_CTX_use_* / SSL_use_* calls puts other
// objects in the slots, which is a miss: nothing has to remember to
// invalidate anything.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "internal/compat_seam.h"
#include "settings.h"
#include "vouch/credential_source.h"

namespace vouch::compat {

/// One conversion: the objects it was made from (referenced, so that none
/// can be freed and another allocated at its address while this is kept)
/// and what they gave.
struct ConvertedCredentials {
  CertSet from;
  /// The extra chain certificates the slots without a chain of their own
  /// were sent with; empty when every slot has its own chain.
  std::vector<ossl::X509Ptr> extra;
  CredentialSnapshot credentials;

  /// True when `set` (with `extra_now`, the extra chain certificates it
  /// would borrow) holds the same objects this was made from.
  bool made_from(const CertSet& set, const std::vector<ossl::X509Ptr>& extra_now) const;
};

/// True when both sets hold the same objects in the same slots (each with
/// the same chain).
bool same_slots(const CertSet& a, const CertSet& b);

/// Converts `set` (slots without a chain borrow `extra`): every slot with
/// both a certificate and a key, in libssl's algorithm order (ECDSA first),
/// a slot that does not convert left out.
std::shared_ptr<const ConvertedCredentials> convert_credentials(const CertSet& set,
                                                                const std::vector<ossl::X509Ptr>& extra);

/// Holds the last conversion. Thread-safe: the SSL objects of one context
/// share its cache across threads.
class CredentialCache {
 public:
  /// The credentials of `set` if the last conversion was made from the same
  /// objects, else null.
  CredentialSnapshot find(const CertSet& set, const std::vector<ossl::X509Ptr>& extra) const;
  void store(std::shared_ptr<const ConvertedCredentials> converted);

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const ConvertedCredentials> last_;  // guarded by mu_
};

}  // namespace vouch::compat
