// The TLS 1.2 server's session cache: sessions resumable by session ID
// (RFC 5246 §7.4.1.2). The server decides how many it keeps and for how long
// (§F.1.4: "An upper limit of 24 hours is suggested for session ID
// lifetimes"). The cache only stores bytes; what they mean is the
// handshake's business.
//
// Two indexes under one mutex: by id (lookups) and by insertion order
// (eviction of the oldest in O(log n)). Expired entries are dropped lazily:
// when get() meets one, and when put() finds them at the old end of the
// order — where they gather, since servers give sessions one lifetime.
#include <utility>

#include "vouch/session.h"

namespace vouch {

// A plain loop rather than std::lexicographical_compare: ids are at most 32
// bytes, and GCC 12 at -O3 reports a false stringop-overread in the memcmp
// the library version turns into.
bool ServerSessionCache::IdLess::operator()(ByteView a, ByteView b) const noexcept {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return a[i] < b[i];
  return a.size() < b.size();
}

void ServerSessionCache::erase_locked(ById::iterator it) const {
  by_order_.erase(it->second.order);
  by_id_.erase(it);
}

void ServerSessionCache::put(ByteView id, Bytes state, std::chrono::system_clock::time_point expires) {
  // RFC 5246 §7.4.1.2: "If the session_id is empty, it indicates the
  // session will not be cached and therefore cannot be resumed."
  if (id.empty() || capacity_ == 0) return;
  const auto now = std::chrono::system_clock::now();
  Bytes key(id.begin(), id.end());
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = by_id_.find(id); it != by_id_.end()) erase_locked(it);
  // Expired entries at the old end go first; then the oldest live ones, as
  // many as needed to make room. Each iteration removes one entry.
  while (!by_order_.empty()) {
    auto oldest = by_id_.find(ByteView(by_order_.begin()->second));
    const bool expired = !(now < oldest->second.expires);
    if (!expired && by_id_.size() < capacity_) break;
    erase_locked(oldest);
  }
  const uint64_t order = next_order_++;
  by_order_.emplace(order, key);
  by_id_.emplace(std::move(key), Entry{std::move(state), expires, order});
}

std::optional<Bytes> ServerSessionCache::get(ByteView id) const {
  if (id.empty()) return std::nullopt;
  const auto now = std::chrono::system_clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  if (!(now < it->second.expires)) {
    erase_locked(it);
    return std::nullopt;
  }
  return it->second.state;
}

void ServerSessionCache::remove(ByteView id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = by_id_.find(id); it != by_id_.end()) erase_locked(it);
}

size_t ServerSessionCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_id_.size();
}

}  // namespace vouch
