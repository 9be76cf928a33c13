// Parsing each distinct peer certificate once. Peers send the same
// intermediates (and, without resumption, the same leaves) on every
// handshake; d2i_X509 plus building the subject public key is a large part of
// what verifying a chain costs. The cache maps the SHA-256 of a
// CertificateEntry's DER (RFC 8446 §4.4.2) to the parsed certificate and its
// public key.
#pragma once

#include <memory>

#include "cert/digest_lru.h"
#include "crypto/ossl.h"
#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

/// One parsed DER certificate. Shared between connections and threads:
/// treat `cert` and `key` as read-only. Its extensions are decoded (libcrypto's
/// lazily filled per-X509 cache) before it is shared, so concurrent
/// verifications only read it.
struct ParsedCertificate {
  ossl::X509Ptr cert;
  /// The subject public key, decoded once at parse time; null when
  /// libcrypto cannot use the key type (verify_peer_chain reports that only
  /// for a leaf).
  ossl::EvpPkey key;
  /// The exact bytes parsed, compared on every cache hit so that a hit can
  /// never hand out a different certificate.
  Bytes der;
};

using CertificateHandle = std::shared_ptr<const ParsedCertificate>;

/// Parses exactly one DER Certificate (RFC 5280 §4.1), nothing before or
/// after it, without any cache. Errors (decode_error): "cannot be parsed",
/// "N trailing bytes after the DER certificate".
Result<CertificateHandle> parse_certificate(ByteView der);

/// A bounded (LRU) cache of parsed certificates keyed by the SHA-256 of their
/// DER. Thread-safe. Only successfully parsed certificates are stored.
class CertCache {
 public:
  static constexpr size_t kDefaultCapacity = 1024;

  explicit CertCache(size_t capacity = kDefaultCapacity) : lru_(capacity) {}

  /// The parsed form of `der`, whose SHA-256 is `digest`: from the cache, or
  /// parsed now (and stored). Same errors as parse_certificate().
  Result<CertificateHandle> parse(ByteView der, const Sha256Digest& digest);
  /// The same, computing the digest.
  Result<CertificateHandle> parse(ByteView der);

  void clear() { lru_.clear(); }
  void set_capacity(size_t capacity) { lru_.set_capacity(capacity); }
  CacheCounters counters() const { return lru_.counters(); }

  /// The process-wide cache verify_peer_chain uses.
  static CertCache& shared();

 private:
  DigestLru<ParsedCertificate> lru_;
};

}  // namespace vouch
