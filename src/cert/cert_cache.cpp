#include "cert/cert_cache.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <string>

#include "crypto/hash.h"

namespace vouch {

Result<Sha256Digest> sha256_digest(ByteView data) {
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, evp_md(HashAlg::sha256), nullptr) !=
          1 ||
      len != out.size()) {
    return fail(Alert::internal_error, "SHA-256 failed: " + ossl::last_error());
  }
  return out;
}

Result<CertificateHandle> parse_certificate(ByteView der) {
  if (der.empty() || der.size() > static_cast<size_t>(LONG_MAX)) {
    return fail(Alert::decode_error, "cannot be parsed");
  }
  const unsigned char* p = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) {
    ERR_clear_error();
    return fail(Alert::decode_error, "cannot be parsed");
  }
  const auto used = static_cast<size_t>(p - der.data());
  if (used != der.size()) {
    return fail(Alert::decode_error,
                std::to_string(der.size() - used) + " trailing bytes after the DER certificate");
  }
  // libcrypto decodes the extensions (basicConstraints, key identifiers,
  // SAN, EKU...) lazily, on the first verification, under the X509's lock and
  // with a lock-free fast path afterwards. Doing it here, before the object
  // can be shared, makes every later use a plain read. A certificate with
  // invalid extensions is marked so and fails verification later exactly as
  // it would uncached; purpose -1 only runs the decoding.
  (void)X509_check_purpose(cert.get(), -1, 0);
  ERR_clear_error();
  auto parsed = std::make_shared<ParsedCertificate>();
  // libcrypto decodes the SubjectPublicKeyInfo while parsing; taking a
  // reference here is what lets every later handshake skip that work.
  parsed->key = ossl::up_ref(X509_get0_pubkey(cert.get()));
  // An unusable key type leaves an error behind; it is reported (with its
  // text, recomputed) only if this certificate turns out to be a leaf.
  if (!parsed->key) ERR_clear_error();
  parsed->cert = std::move(cert);
  parsed->der.assign(der.begin(), der.end());
  return CertificateHandle(std::move(parsed));
}

Result<CertificateHandle> CertCache::parse(ByteView der, const Sha256Digest& digest) {
  if (CertificateHandle hit = lru_.find(digest)) {
    // A SHA-256 collision is not a practical threat, but one memcmp makes a
    // wrong answer impossible rather than improbable.
    if (std::equal(hit->der.begin(), hit->der.end(), der.begin(), der.end())) return hit;
    return parse_certificate(der);
  }
  VOUCH_ASSIGN(CertificateHandle parsed, parse_certificate(der));
  // Another thread may have parsed the same bytes meanwhile: share its copy.
  CertificateHandle stored = lru_.insert_if_absent(digest, parsed);
  if (std::equal(stored->der.begin(), stored->der.end(), der.begin(), der.end())) return stored;
  return parsed;
}

Result<CertificateHandle> CertCache::parse(ByteView der) {
  VOUCH_ASSIGN(Sha256Digest digest, sha256_digest(der));
  return parse(der, digest);
}

CertCache& CertCache::shared() {
  // Built on first use, after libcrypto initialised (the caller already
  // holds a TrustStore), so it is destroyed before libcrypto's atexit
  // cleanup runs.
  static CertCache cache;
  return cache;
}

}  // namespace vouch
