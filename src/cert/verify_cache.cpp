#include "cert/verify_cache.h"

#include <openssl/asn1.h>
#include <openssl/err.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <shared_mutex>
#include <string_view>

#include "base/writer.h"

namespace vouch {
namespace {

// Flags whose presence makes a result depend on more than the chain, the
// anchors and the time: CRLs (revocation must bite on the next handshake) and
// store-level time handling (the cache's own window check would disagree).
constexpr unsigned long kUncacheableFlags = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL |
                                            X509_V_FLAG_USE_DELTAS |
                                            X509_V_FLAG_EXTENDED_CRL_SUPPORT |
                                            X509_V_FLAG_USE_CHECK_TIME | X509_V_FLAG_NO_CHECK_TIME;

// Any callback installed on the store can make the outcome depend on state
// the cache cannot see (a pinning list, an external revocation source, ...).
bool has_callbacks(const X509_STORE* s) {
  return X509_STORE_get_verify_cb(s) != nullptr || X509_STORE_get_verify(s) != nullptr ||
         X509_STORE_get_get_issuer(s) != nullptr || X509_STORE_get_check_issued(s) != nullptr ||
         X509_STORE_get_check_revocation(s) != nullptr || X509_STORE_get_get_crl(s) != nullptr ||
         X509_STORE_get_check_crl(s) != nullptr || X509_STORE_get_cert_crl(s) != nullptr ||
         X509_STORE_get_check_policy(s) != nullptr || X509_STORE_get_lookup_certs(s) != nullptr ||
         X509_STORE_get_lookup_crls(s) != nullptr;
}

// Store ids live in the X509_STORE's own ex_data, so they die with the store
// and a new store at a recycled address never inherits an old id. Only this
// file touches that index, always under id_mutex (CRYPTO_set_ex_data may
// reallocate the store's ex_data array).
int store_id_index() {
  static const int index = X509_STORE_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

std::shared_mutex& id_mutex() {
  static std::shared_mutex mu;
  return mu;
}

std::optional<uint64_t> store_id(X509_STORE* store) {
  const int index = store_id_index();
  if (index < 0) return std::nullopt;
  {
    std::shared_lock lock(id_mutex());
    if (void* v = X509_STORE_get_ex_data(store, index)) return reinterpret_cast<uintptr_t>(v);
  }
  static uint64_t next_id = 1;  // guarded by id_mutex()
  std::unique_lock lock(id_mutex());
  if (void* v = X509_STORE_get_ex_data(store, index)) return reinterpret_cast<uintptr_t>(v);
  const uint64_t id = next_id++;
  if (X509_STORE_set_ex_data(store, index, reinterpret_cast<void*>(static_cast<uintptr_t>(id))) !=
      1) {
    ERR_clear_error();
    return std::nullopt;
  }
  return id;
}

std::optional<time_t> to_time_t(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  const time_t v = timegm(&tm);
  if (v == static_cast<time_t>(-1)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<StoreIdentity> cacheable_store_identity(X509_STORE* store) {
  if (store == nullptr) return std::nullopt;
  StoreIdentity out;
  const X509_VERIFY_PARAM* param = X509_STORE_get0_param(store);
  out.flags = X509_VERIFY_PARAM_get_flags(param);
  out.auth_level = X509_VERIFY_PARAM_get_auth_level(param);
  if ((out.flags & kUncacheableFlags) != 0 || has_callbacks(store)) return std::nullopt;

  bool has_crl = false;
  if (X509_STORE_lock(store) != 1) return std::nullopt;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  const int n = sk_X509_OBJECT_num(objects);
  for (int i = 0; i < n && !has_crl; ++i) {
    has_crl = X509_OBJECT_get_type(sk_X509_OBJECT_value(objects, i)) == X509_LU_CRL;
  }
  X509_STORE_unlock(store);
  if (has_crl) return std::nullopt;
  out.objects = n < 0 ? 0 : static_cast<uint64_t>(n);

  auto id = store_id(store);
  if (!id) return std::nullopt;
  out.id = *id;
  return out;
}

Result<Sha256Digest> verify_cache_key(const StoreIdentity& store,
                                      const std::vector<Sha256Digest>& chain_digests,
                                      const PeerVerifyOptions& opts) {
  // Every field is fixed-size or length-prefixed, so no two different
  // inputs serialise to the same bytes.
  Bytes buf;
  buf.reserve(96 + opts.host.size() + 32 * chain_digests.size());
  Writer w(buf);
  const auto u64 = [&w](uint64_t v) {
    w.u32(static_cast<uint32_t>(v >> 32));
    w.u32(static_cast<uint32_t>(v));
  };
  static constexpr std::string_view kDomain = "vouch verified chain v1";
  w.vec8(ByteView(reinterpret_cast<const uint8_t*>(kDomain.data()), kDomain.size()));
  u64(store.id);
  u64(store.objects);
  u64(static_cast<uint64_t>(store.flags));
  w.u32(static_cast<uint32_t>(store.auth_level));
  w.u8(opts.purpose == PeerVerifyOptions::Purpose::server_auth ? 1 : 2);
  w.u32(opts.max_depth);
  u64(opts.host.size());
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(opts.host.data()), opts.host.size()));
  u64(chain_digests.size());
  for (const Sha256Digest& d : chain_digests) w.bytes(d);
  return sha256_digest(buf);
}

std::optional<CachedVerification> make_cached_verification(const VerifiedChain& verified) {
  if (verified.chain.empty() || !verified.leaf_key) return std::nullopt;
  CachedVerification out;
  out.not_before = std::numeric_limits<time_t>::min();
  out.not_after = std::numeric_limits<time_t>::max();
  for (const ossl::X509Ptr& cert : verified.chain) {
    auto nb = to_time_t(X509_get0_notBefore(cert.get()));
    auto na = to_time_t(X509_get0_notAfter(cert.get()));
    if (!nb || !na) return std::nullopt;
    out.not_before = std::max(out.not_before, *nb);
    out.not_after = std::min(out.not_after, *na);
  }
  out.verified = copy_verified_chain(verified);
  return out;
}

VerifiedChain copy_verified_chain(const VerifiedChain& v) {
  VerifiedChain out;
  out.chain.reserve(v.chain.size());
  for (const ossl::X509Ptr& c : v.chain) out.chain.push_back(ossl::up_ref(c.get()));
  out.leaf_key = ossl::up_ref(v.leaf_key.get());
  return out;
}

std::optional<VerifiedChain> VerifyCache::find(const Sha256Digest& key, time_t now) {
  auto entry = lru_.find(key);
  if (!entry) return std::nullopt;
  if (!entry->valid_at(now)) {
    // Outside the window the caller verifies afresh and gets libcrypto's
    // own certificate_expired error (with depth and subject). The entry
    // stays: a test clock may move back into the window.
    stale_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  return copy_verified_chain(entry->verified);
}

void VerifyCache::insert(const Sha256Digest& key, const VerifiedChain& verified) {
  auto entry = make_cached_verification(verified);
  if (!entry) return;
  lru_.insert_or_replace(key, std::make_shared<const CachedVerification>(std::move(*entry)));
}

void VerifyCache::clear() {
  lru_.clear();
  stale_.store(0, std::memory_order_relaxed);
}

VerifyCacheCounters VerifyCache::counters() const {
  VerifyCacheCounters c;
  static_cast<CacheCounters&>(c) = lru_.counters();
  c.stale = stale_.load(std::memory_order_relaxed);
  // The map counts a stale entry as found; report it separately.
  c.hits = c.hits >= c.stale ? c.hits - c.stale : 0;
  return c;
}

VerifyCache& VerifyCache::shared() {
  // Built on first use, after libcrypto initialised, so it is destroyed
  // before libcrypto's atexit cleanup runs.
  static VerifyCache cache;
  return cache;
}

}  // namespace vouch
