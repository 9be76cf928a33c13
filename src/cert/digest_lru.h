// A bounded, thread-safe least-recently-used map from a SHA-256 digest to a
// shared immutable value: the one container behind the certificate cache
// (cert_cache.h) and the verified-chain cache (verify_cache.h).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "vouch/error.h"
#include "vouch/types.h"

namespace vouch {

using Sha256Digest = std::array<uint8_t, 32>;

/// SHA-256 of `data` (the process-wide fetched EVP_MD; no per-call fetch).
Result<Sha256Digest> sha256_digest(ByteView data);

struct Sha256DigestHash {
  // A digest is already uniformly distributed: its first bytes are a hash.
  size_t operator()(const Sha256Digest& d) const noexcept {
    size_t h;
    std::memcpy(&h, d.data(), sizeof h);
    return h;
  }
};

/// What a cache has done since it was created or last cleared.
struct CacheCounters {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t insertions = 0;
  uint64_t evictions = 0;
  size_t size = 0;
  size_t capacity = 0;
};

/// At most `capacity` entries; inserting into a full map evicts the least
/// recently found or inserted one. Capacity 0 stores nothing. Values are
/// handed out as shared_ptr<const V>, so an evicted value stays alive for
/// whoever still holds it. Every member is safe to call from any thread (one
/// mutex; critical sections are a hash lookup and a list splice).
template <class V>
class DigestLru {
 public:
  using Value = std::shared_ptr<const V>;

  explicit DigestLru(size_t capacity) : capacity_(capacity) {}
  DigestLru(const DigestLru&) = delete;
  DigestLru& operator=(const DigestLru&) = delete;

  /// The value stored under `key` (now the most recent), or null. Counts a
  /// hit or a miss.
  Value find(const Sha256Digest& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) {
      ++counters_.misses;
      return nullptr;
    }
    ++counters_.hits;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  /// Stores `value` under `key`, replacing what was there (the most recent
  /// result wins). Returns `value`.
  Value insert_or_replace(const Sha256Digest& key, Value value) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      it->second->second = value;
      order_.splice(order_.begin(), order_, it->second);
      return value;
    }
    add_locked(key, value);
    return value;
  }

  /// Stores `value` unless `key` is present already; returns what is stored
  /// under `key` afterwards (so two threads that raced to build the same
  /// value end up sharing one), or `value` itself when nothing is stored.
  Value insert_if_absent(const Sha256Digest& key, Value value) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      return it->second->second;
    }
    add_locked(key, value);
    return value;
  }

  void erase(const Sha256Digest& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }

  /// Drops every entry and zeroes the counters (capacity is kept).
  void clear() {
    std::lock_guard lock(mu_);
    order_.clear();
    index_.clear();
    counters_ = {};
  }

  /// Changes the bound, evicting the oldest entries if the map is too big.
  void set_capacity(size_t capacity) {
    std::lock_guard lock(mu_);
    capacity_ = capacity;
    trim_locked();
  }

  CacheCounters counters() const {
    std::lock_guard lock(mu_);
    CacheCounters c = counters_;
    c.size = index_.size();
    c.capacity = capacity_;
    return c;
  }

 private:
  using Order = std::list<std::pair<Sha256Digest, Value>>;

  void add_locked(const Sha256Digest& key, const Value& value) {
    if (capacity_ == 0) return;
    order_.emplace_front(key, value);
    index_.emplace(key, order_.begin());
    ++counters_.insertions;
    trim_locked();
  }

  void trim_locked() {
    while (index_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
      ++counters_.evictions;
    }
  }

  mutable std::mutex mu_;
  size_t capacity_;
  Order order_;  // most recent first
  std::unordered_map<Sha256Digest, typename Order::iterator, Sha256DigestHash> index_;
  CacheCounters counters_;
};

}  // namespace vouch
