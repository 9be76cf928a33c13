// A cache of successful staple verifications. A server staples the same
// response to every client for hours (RFC 6960 §4.2.2.1: until nextUpdate),
// so a client that talks to it often verifies the same signature over and
// over; this remembers the verified content and re-checks only what depends
// on the time. Process-wide, bounded, switched with the chain caches
// (set_verify_caching) and emptied with them (clear_verify_caches).
#include <openssl/evp.h>

#include "cert/digest_lru.h"
#include "ocsp/ocsp.h"
#include "cert/verify_chain.h"

namespace vouch {
namespace {

constexpr size_t kOcspCacheEntries = 1024;

DigestLru<OcspStatus>& cache() {
  static DigestLru<OcspStatus> c(kOcspCacheEntries);
  return c;
}

// SHA-256 over the response and the SHA-256 fingerprints of the certificate
// and its issuer: the same bytes about the same certificate from the same
// issuer verify the same way.
std::optional<Sha256Digest> key_of(ByteView der, X509* cert, X509* issuer) {
  Bytes input(der.begin(), der.end());
  for (X509* x : {cert, issuer}) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(x, EVP_sha256(), md, &n) != 1) return std::nullopt;
    input.insert(input.end(), md, md + n);
  }
  auto d = sha256_digest(input);
  if (!d) return std::nullopt;
  return *d;
}

// The time-dependent checks of verify_ocsp_response, on a remembered result.
// Anything doubtful sends the caller back to a full verification, which
// produces the precise error.
bool still_current(const OcspStatus& s, const OcspVerifyOptions& opts) {
  const auto now = opts.now.value_or(std::chrono::system_clock::now());
  if (s.this_update > now + opts.skew) return false;
  if (!s.next_update) return !opts.require_next_update;
  return *s.next_update > now - opts.skew;
}

}  // namespace

Result<OcspStatus> verify_ocsp_response_cached(ByteView der, X509* cert, X509* issuer,
                                               const std::vector<X509*>& extra_certs,
                                               const OcspVerifyOptions& opts) {
  // Nonces are for fetched responses, never cached; without caches, or for
  // the caller mistakes verify_ocsp_response reports, go straight through.
  if (opts.expected_nonce || !verify_caching_enabled() || cert == nullptr || issuer == nullptr)
    return verify_ocsp_response(der, cert, issuer, extra_certs, opts);
  const std::optional<Sha256Digest> key = key_of(der, cert, issuer);
  if (!key) return verify_ocsp_response(der, cert, issuer, extra_certs, opts);
  if (auto hit = cache().find(*key); hit && still_current(*hit, opts)) return *hit;
  VOUCH_ASSIGN(OcspStatus st, verify_ocsp_response(der, cert, issuer, extra_certs, opts));
  // A delegated responder's own certificate has a validity period that the
  // status does not record; such results are verified afresh every time.
  if (!st.delegated) cache().insert_or_replace(*key, std::make_shared<const OcspStatus>(st));
  return st;
}

void clear_ocsp_verify_cache() { cache().clear(); }

}  // namespace vouch
