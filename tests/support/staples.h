// OCSP staples for the in-memory stapling tests: good (or as `b` says)
// responses for the ECDSA family's server leaf and intermediate, signed by
// their issuers, and credentials carrying them. A failure to build one fails
// the calling test.
#pragma once

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "support/pki.h"
#include "tools/ocsp_staple.h"
#include "vouch/credential.h"

namespace vouch::testing {

inline Bytes staple(X509* cert, X509* issuer, EVP_PKEY* key, OcspBehavior b = {}) {
  auto r = make_ocsp_staple(cert, issuer, key, b);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : Bytes();
}

/// For the ECDSA family's server leaf, signed by the intermediate.
inline Bytes leaf_staple(OcspBehavior b = {}) {
  const PkiFamily& f = test_pki().ecdsa();
  return staple(f.server.cert.get(), f.intermediate.cert.get(), f.intermediate.key.get(), b);
}

/// For the ECDSA family's intermediate, signed by the root.
inline Bytes intermediate_staple(OcspBehavior b = {}) {
  const PkiFamily& f = test_pki().ecdsa();
  return staple(f.intermediate.cert.get(), f.root.cert.get(), f.root.key.get(), b);
}

inline OcspBehavior with_status(OcspCertStatus s) {
  OcspBehavior b;
  b.status = s;
  return b;
}

/// `c` carrying `staples` (one per chain position); `c` unchanged on failure.
inline Credential stapled(const Credential& c, std::vector<Bytes> staples) {
  auto r = c.with_ocsp_staples(std::move(staples));
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : c;
}

}  // namespace vouch::testing
