// Remembering successful peer chain verifications (RFC 5280 §6 path
// validation) so that a chain seen before costs a few hashes instead of a
// path build and two signature checks.
//
// Key: SHA-256 over the SHA-256 of every DER certificate as sent (order
// included), the trust store's identity, the purpose, the host name and the
// maximum depth. Value: the built path and the leaf key, plus the latest
// notBefore and earliest notAfter on the path. A hit is used only when the
// verification time lies inside that window, so expiry is never cached away.
//
// What the cache refuses, and why (cacheable_store_identity):
//  - a store holding CRLs or asking for CRL checks (X509_V_FLAG_CRL_CHECK,
//    _CRL_CHECK_ALL, _USE_DELTAS, _EXTENDED_CRL_SUPPORT) is bypassed, never
//    keyed: revocation must take effect on the next handshake, and a CRL's
//    own nextUpdate window would have to be tracked as well;
//  - a store with its own time flags (X509_V_FLAG_USE_CHECK_TIME,
//    _NO_CHECK_TIME) or any verification callback (verify_cb, get_issuer,
//    check_revocation, ...) is bypassed: the result may depend on state the
//    cache cannot see.
// Failures are never cached: each failing chain is verified again, so its
// error is exactly the one libcrypto reports now.
#pragma once

#include <atomic>
#include <ctime>
#include <optional>
#include <vector>

#include "cert/digest_lru.h"
#include "cert/verify_chain.h"
#include "crypto/ossl.h"

namespace vouch {

/// What identifies the state of an X509_STORE for caching.
struct StoreIdentity {
  /// Unique per X509_STORE for the life of the process (never reused, even
  /// when a store is freed and another is allocated at the same address).
  uint64_t id = 0;
  /// Objects (anchors) the store holds. libcrypto can add objects to a store
  /// but never remove them, so this grows with every change: a store that
  /// gained an anchor gets new keys.
  uint64_t objects = 0;
  /// The store's X509_V_FLAG_* and security level, part of the key.
  unsigned long flags = 0;
  int auth_level = -1;
};

/// The identity of `store`, or nullopt when verifications against it must
/// not be cached (see the list above). Thread-safe.
std::optional<StoreIdentity> cacheable_store_identity(X509_STORE* store);

/// The cache key for a chain (SHA-256 of each DER, leaf first) verified
/// against `store` with `opts` (purpose, host, max_depth; never opts.now).
Result<Sha256Digest> verify_cache_key(const StoreIdentity& store,
                                      const std::vector<Sha256Digest>& chain_digests,
                                      const PeerVerifyOptions& opts);

/// One remembered successful verification.
struct CachedVerification {
  VerifiedChain verified;
  /// The latest notBefore and the earliest notAfter on the path (anchor
  /// included), as libcrypto compares them: valid iff
  /// not_before <= t < not_after (x509_vfy.c check_cert_time).
  time_t not_before = 0;
  time_t not_after = 0;

  bool valid_at(time_t t) const { return not_before <= t && t < not_after; }
};

/// The validity window of a built path; nullopt if a time field cannot be
/// read (such a result is simply not cached).
std::optional<CachedVerification> make_cached_verification(const VerifiedChain& verified);

/// Counters of a VerifyCache: `hits` were answered from the cache, `stale`
/// found an entry whose window excludes the verification time (verified
/// afresh), `misses` found nothing.
struct VerifyCacheCounters : CacheCounters {
  uint64_t stale = 0;
};

/// A bounded (LRU) thread-safe cache of successful verifications.
class VerifyCache {
 public:
  static constexpr size_t kDefaultCapacity = 1024;

  explicit VerifyCache(size_t capacity = kDefaultCapacity) : lru_(capacity) {}

  /// A copy (new references, same objects) of the result stored under `key`
  /// if there is one and `now` lies in its window; nullopt otherwise.
  std::optional<VerifiedChain> find(const Sha256Digest& key, time_t now);
  /// Remembers a successful verification (replacing an older one).
  void insert(const Sha256Digest& key, const VerifiedChain& verified);

  void clear();
  void set_capacity(size_t capacity) { lru_.set_capacity(capacity); }
  VerifyCacheCounters counters() const;

  /// The process-wide cache verify_peer_chain uses.
  static VerifyCache& shared();

 private:
  DigestLru<CachedVerification> lru_;
  std::atomic<uint64_t> stale_{0};
};

/// A copy of `v` holding its own references to the same objects.
VerifiedChain copy_verified_chain(const VerifiedChain& v);

}  // namespace vouch
